import { useContext, useId, type ReactNode } from 'react';
import { choiceReasons } from '../../i18n.returns.ts';
import { useMessages } from '../../i18n.ts';
import { TagLabelsField } from './TagLabelsField.tsx';
import { ErrorsContext, FieldError, invalid } from './TermsFieldError.tsx';
import { rowKey, type TermsDraft } from './terms.draft.ts';

export { ErrorsContext } from './TermsFieldError.tsx';

function Check({ label, checked, onChange, path }: { label: string; checked: boolean; onChange: (v: boolean) => void; path: string }) {
  const errors = useContext(ErrorsContext);
  return (
    <div className="terms-field terms-check">
      <label>
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={`field-${path}`} {...invalid(errors, path)} /> {label}
      </label>
      <FieldError path={path} />
    </div>
  );
}

interface NumberProps {
  label: string;
  value: string;
  onChange: (v: string) => void;
  path: string;
  unit: string;
  min?: number;
  max?: number;
  hint?: string;
}

function NumberField({ label, value, onChange, path, unit, min, max, hint }: NumberProps) {
  const id = useId();
  const errors = useContext(ErrorsContext);
  return (
    <div className="terms-field">
      <label htmlFor={id}>{label}</label>
      <span className="terms-number">
        <input id={id} type="number" inputMode="numeric" step={1} min={min} max={max} value={value} onChange={(e) => onChange(e.target.value)} data-testid={`field-${path}`} {...invalid(errors, path)} />
        <span className="muted">{unit}</span>
      </span>
      {hint && <span className="muted metric-note">{hint}</span>}
      <FieldError path={path} />
    </div>
  );
}

function Localized({ label, value, onChange, path }: { label: string; value: { ja: string; en: string }; onChange: (v: { ja: string; en: string }) => void; path: string }) {
  const m = useMessages().returns.terms;
  const id = useId();
  const errors = useContext(ErrorsContext);
  return (
    <fieldset className="terms-field terms-localized">
      <legend>{label}</legend>
      {(['ja', 'en'] as const).map((l) => (
        <div key={l} className="terms-field">
          <label htmlFor={`${id}-${l}`} className="muted">
            {m[l]}
          </label>
          <textarea id={`${id}-${l}`} lang={l} rows={2} maxLength={1000} value={value[l]} onChange={(e) => onChange({ ...value, [l]: e.target.value })} data-testid={`field-${path}.${l}`} {...invalid(errors, `${path}.${l}`)} />
          <FieldError path={`${path}.${l}`} />
        </div>
      ))}
      <FieldError path={path} exact />
    </fieldset>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="terms-section">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

/** Every field of the terms schema, grouped as a merchant thinks of them. */
export function TermsFields({ d, set }: { d: TermsDraft; set: (patch: Partial<TermsDraft>) => void }) {
  const all = useMessages().returns;
  const m = all.terms;
  const tagsId = useId();
  const errors = useContext(ErrorsContext);
  const setWindow = (key: number, patch: Partial<{ tag: string; days: string }>) => set({ windowDaysByTag: d.windowDaysByTag.map((w) => (w.key === key ? { ...w, ...patch } : w)) });
  return (
    <>
      <Section title={m.general}>
        <Check label={m.acceptsReturns} checked={d.acceptsReturns} onChange={(v) => set({ acceptsReturns: v })} path="acceptsReturns" />
        <NumberField label={m.windowDays} value={d.windowDays} onChange={(v) => set({ windowDays: v })} path="windowDays" unit={m.days} min={1} max={365} />
        <NumberField label={m.shipWithinDays} value={d.shipWithinDays} onChange={(v) => set({ shipWithinDays: v })} path="shipWithinDays" unit={m.days} min={3} max={90} />
        <fieldset className="terms-field">
          <legend>{m.tagWindows}</legend>
          <span className="muted metric-note">{m.tagWindowsHint}</span>
          {d.windowDaysByTag.length === 0 && <span className="muted">{m.noTagWindows}</span>}
          <ul className="tag-windows" data-testid="tag-windows">
            {d.windowDaysByTag.map((w, i) => (
              <li key={w.key} className="tag-window" data-testid="tag-window">
                <label>
                  <span className="muted">{m.tag}</span>
                  <input value={w.tag} maxLength={40} onChange={(e) => setWindow(w.key, { tag: e.target.value })} data-testid={`field-windowDaysByTag.${i}.tag`} {...invalid(errors, `windowDaysByTag.${i}.tag`)} />
                </label>
                <label>
                  <input type="number" inputMode="numeric" min={1} max={365} value={w.days} onChange={(e) => setWindow(w.key, { days: e.target.value })} data-testid={`field-windowDaysByTag.${i}.days`} {...invalid(errors, `windowDaysByTag.${i}.days`)} />
                  <span className="muted">{m.days}</span>
                </label>
                <button type="button" className="button button-quiet" onClick={() => set({ windowDaysByTag: d.windowDaysByTag.filter((x) => x.key !== w.key) })}>
                  {m.remove}
                </button>
                <FieldError path={`windowDaysByTag.${i}`} />
              </li>
            ))}
          </ul>
          <button type="button" className="button button-quiet terms-add" onClick={() => set({ windowDaysByTag: [...d.windowDaysByTag, { key: rowKey(), tag: '', days: d.windowDays }] })} data-testid="add-tag-window">
            {m.addTagWindow}
          </button>
          <FieldError path="windowDaysByTag" exact />
        </fieldset>
      </Section>

      <Section title={m.conditions}>
        <Check label={m.unopened} checked={d.unopened} onChange={(v) => set({ unopened: v })} path="conditions.unopened" />
        <Check label={m.tagsAttached} checked={d.tagsAttached} onChange={(v) => set({ tagsAttached: v })} path="conditions.tagsAttached" />
        <Localized label={m.conditionsNote} value={d.conditionsNote} onChange={(v) => set({ conditionsNote: v })} path="conditions.note" />
        <div className="terms-field">
          <label htmlFor={tagsId}>{m.nonReturnable}</label>
          <input id={tagsId} value={d.nonReturnableTags} maxLength={2100} onChange={(e) => set({ nonReturnableTags: e.target.value })} data-testid="field-nonReturnableTags" {...invalid(errors, 'nonReturnableTags')} />
          <span className="muted metric-note">{m.tagsHint}</span>
          <FieldError path="nonReturnableTags" />
        </div>
        <TagLabelsField d={d} set={set} />
      </Section>

      <Section title={m.shipping}>
        <table className="data-table paid-by">
          <tbody>
            {choiceReasons.map((r) => (
              <tr key={r}>
                <th scope="row">{all.reason[r]}</th>
                <td>
                  <span className="segmented" role="radiogroup" aria-label={all.reason[r]}>
                    {(['customer', 'shop'] as const).map((who) => (
                      <label key={who} className="segmented-choice">
                        <input
                          type="radio"
                          name={`paid-by-${r}`}
                          value={who}
                          checked={d.returnShippingPaidBy[r] === who}
                          onChange={() => set({ returnShippingPaidBy: { ...d.returnShippingPaidBy, [r]: who } })}
                          data-testid={`field-returnShippingPaidBy.${r}.${who}`}
                        />
                        {m.paidBy[who]}
                      </label>
                    ))}
                  </span>
                  <FieldError path={`returnShippingPaidBy.${r}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <FieldError path="returnShippingPaidBy" exact />
      </Section>

      <Section title={m.deductions}>
        <span className="muted metric-note">{m.deductionsHint}</span>
        <Check label={m.outboundShipping} checked={d.outboundShipping} onChange={(v) => set({ outboundShipping: v })} path="deductions.outboundShipping" />
        <Check label={m.codFee} checked={d.codFee} onChange={(v) => set({ codFee: v })} path="deductions.codFee" />
        <NumberField label={m.returnShipping} value={d.returnShipping} onChange={(v) => set({ returnShipping: v })} path="deductions.returnShipping" unit={m.yenUnit} min={0} />
        <NumberField label={m.transferFee} value={d.transferFee} onChange={(v) => set({ transferFee: v })} path="deductions.transferFee" unit={m.yenUnit} min={0} />
        <NumberField label={m.restockingPercent} value={d.restockingPercent} onChange={(v) => set({ restockingPercent: v })} path="deductions.restockingPercent" unit={m.percentUnit} min={1} max={50} />
        <FieldError path="deductions" exact />
      </Section>

      <Section title={m.exchanges}>
        <Check label={m.exchangesAccepted} checked={d.exchangesAccepted} onChange={(v) => set({ exchangesAccepted: v })} path="exchangesAccepted" />
      </Section>

      <Section title={m.approval}>
        <Check label={m.autoApprove} checked={d.autoApprove} onChange={(v) => set({ autoApprove: v })} path="autoApprove.enabled" />
        <NumberField label={m.autoApproveMax} value={d.autoApproveMax} onChange={(v) => set({ autoApproveMax: v })} path="autoApprove.maxAmount" unit={m.yenUnit} min={0} />
        <NumberField label={m.agentRefundLimit} value={d.agentRefundLimit} onChange={(v) => set({ agentRefundLimit: v })} path="agentRefundLimit" unit={m.yenUnit} min={0} />
        <NumberField label={m.keepItemThreshold} value={d.keepItemThreshold} onChange={(v) => set({ keepItemThreshold: v })} path="keepItemThreshold" unit={m.yenUnit} min={0} />
      </Section>

      <Section title={m.refused}>
        <span className="muted metric-note">{m.refusedHint}</span>
        <Check label={m.refusedChargeShipping} checked={d.refusedChargeShipping} onChange={(v) => set({ refusedChargeShipping: v })} path="refusedDelivery.chargeShipping" />
        {d.refusedChargeShipping && (
          <NumberField label={m.refusedReturnShippingFee} value={d.refusedReturnShippingFee} onChange={(v) => set({ refusedReturnShippingFee: v })} path="refusedDelivery.returnShippingFee" unit={m.yenUnit} min={0} />
        )}
        <FieldError path="refusedDelivery" exact />
      </Section>

      <Section title={m.note}>
        <Localized label={m.note} value={d.note} onChange={(v) => set({ note: v })} path="note" />
      </Section>
    </>
  );
}
