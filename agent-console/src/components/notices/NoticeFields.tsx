import { useId, useState, type ReactNode } from 'react';
import { prefectures } from '../../../../server/domains/orders/orders.model.ts';
import { errorsAt, type FieldErrors } from '../../fieldErrors.ts';
import { useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { ApiError } from '../../api.ts';
import { noticesApi, type ShipmentTarget } from '../../noticesApi.ts';
import { noticeErrors, type TargetForm } from './notices.draft.ts';
import { problemText } from './NoticesPage.tsx';

/** Every message of a 400, in the reader's language, as one line. */
const fieldMessages = (details: unknown, lang: 'ja' | 'en') => [...new Set([...noticeErrors(details, lang).values()].flat())].join(' ');

type InputProps = { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string };

/** The messages at a path and under it, once each. */
export const messagesAt = (errors: FieldErrors, path: string) => [...new Set(errorsAt(errors, path))];

/** A labelled field with the server's messages for `path` under it, tied to the input by aria. */
export function Field({ label, path, errors, hint, children, testId }: { label: string; path: string; errors: FieldErrors; hint?: string; testId?: string; children: (props: InputProps) => ReactNode }) {
  const id = useId();
  const messages = messagesAt(errors, path);
  const described = [hint ? `${id}-hint` : '', messages.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field campaign-field" data-testid={testId} data-path={path}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(messages.length ? { 'aria-invalid': true as const } : {}), ...(described ? { 'aria-describedby': described } : {}) })}
      {hint && (
        <span className="muted settings-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {messages.length > 0 && (
        <span className="field-error" id={`${id}-error`} role="alert" data-testid="field-error">
          {messages.join(' ')}
        </span>
      )}
    </div>
  );
}

/** Which orders the notice concerns; each criterion narrows, an empty one means any. */
export function TargetFields({ shopId, target, errors, onChange }: { shopId: string; target: TargetForm; errors: FieldErrors; onChange: (t: TargetForm) => void }) {
  const lang = useLang();
  const m = noticesMessages[lang].editor;
  const [fileNote, setFileNote] = useState<string | null>(null);
  const set = <K extends keyof TargetForm>(k: K, v: TargetForm[K]) => onChange({ ...target, [k]: v });
  const at = (k: string) => `target.${k}`;

  // The server reads the file (UTF-8 or Shift_JIS, the first cell of each row), as it reads the orders' CSV.
  const readFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      const read = await noticesApi.uploadOrderNumbers(shopId, file);
      set('orderNumbers', read.orderNumbers.join('\n'));
      setFileNote(m.orderFileRead(read.orderNumbers.length));
    } catch (err) {
      setFileNote(err instanceof ApiError && err.code === 'invalid_input' ? fieldMessages(err.details, lang) || m.orderFileFailed : problemText(err, lang));
    }
  };

  return (
    <fieldset className="campaign-fieldset" data-testid="notice-target">
      <legend>{m.target}</legend>
      {/* What concerns the target as a whole (no condition, or nobody matches), from publishing. */}
      {(errors.get('target') ?? []).length > 0 && (
        <span className="field-error" role="alert" data-testid="target-error">
          {[...new Set(errors.get('target'))].join(' ')}
        </span>
      )}
      <div className="campaign-row">
        <Field label={m.orderedFrom} path={at('orderedFrom')} errors={errors}>
          {(p) => <input {...p} type="date" value={target.orderedFrom} onChange={(e) => set('orderedFrom', e.target.value)} data-testid="target-from" />}
        </Field>
        <Field label={m.orderedTo} path={at('orderedTo')} errors={errors}>
          {(p) => <input {...p} type="date" value={target.orderedTo} onChange={(e) => set('orderedTo', e.target.value)} data-testid="target-to" />}
        </Field>
        <Field label={m.shipment} path={at('shipment')} errors={errors}>
          {(p) => (
            <select {...p} value={target.shipment} onChange={(e) => set('shipment', e.target.value as ShipmentTarget)} data-testid="target-shipment">
              {(Object.keys(m.shipmentOptions) as ShipmentTarget[]).map((s) => (
                <option key={s} value={s}>
                  {m.shipmentOptions[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="campaign-row">
        <Field label={m.carriers} path={at('carriers')} errors={errors}>
          {(p) => <textarea {...p} rows={3} value={target.carriers} onChange={(e) => set('carriers', e.target.value)} data-testid="target-carriers" />}
        </Field>
        <Field label={m.postcodes} path={at('postcodePrefixes')} errors={errors}>
          {(p) => <textarea {...p} rows={3} value={target.postcodePrefixes} onChange={(e) => set('postcodePrefixes', e.target.value)} data-testid="target-postcodes" />}
        </Field>
        <Field label={m.prefectures} path={at('prefectures')} errors={errors} hint={m.prefecturesHint}>
          {(p) => (
            <select {...p} multiple size={5} value={target.prefectures} onChange={(e) => set('prefectures', [...e.target.selectedOptions].map((o) => o.value))} data-testid="target-prefectures">
              {prefectures.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <RoutesField routes={target.routes} errors={errors} onChange={(r) => set('routes', r)} />
      <Field label={m.orderNumbers} path={at('orderNumbers')} errors={errors}>
        {(p) => <textarea {...p} rows={5} className="campaign-order-numbers" value={target.orderNumbers} onChange={(e) => set('orderNumbers', e.target.value)} data-testid="target-order-numbers" />}
      </Field>
      <label className="campaign-file">
        {m.orderFile} <input type="file" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => void readFile(e.target.files?.[0])} data-testid="target-order-file" />
      </label>
      {fileNote && (
        <p className="muted" role="status">
          {fileNote}
        </p>
      )}
    </fieldset>
  );
}

/** Origin → destination pairs: the 2024年問題 lead times change per route, not per destination. */
function RoutesField({ routes, errors, onChange }: { routes: { from: string; to: string }[]; errors: FieldErrors; onChange: (r: { from: string; to: string }[]) => void }) {
  const m = noticesMessages[useLang()].editor;
  const id = useId();
  const messages = messagesAt(errors, 'target.routes');
  const set = (i: number, k: 'from' | 'to', v: string) => onChange(routes.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const select = (i: number, k: 'from' | 'to', label: string) => (
    <select aria-label={`${label} ${i + 1}`} value={routes[i]![k]} onChange={(e) => set(i, k, e.target.value)} data-testid={`route-${k}`}>
      <option value="" />
      {prefectures.map((x) => (
        <option key={x} value={x}>
          {x}
        </option>
      ))}
    </select>
  );
  return (
    <div className="field campaign-field" role="group" aria-labelledby={`${id}-label`} data-testid="target-routes" data-path="target.routes">
      <span id={`${id}-label`} className="campaign-label">
        {m.routes}
      </span>
      {routes.map((_, i) => (
        <div key={i} className="campaign-route" data-testid="target-route">
          {select(i, 'from', m.routeFrom)} → {select(i, 'to', m.routeTo)}
          <button type="button" className="button button-quiet" onClick={() => onChange(routes.filter((_r, j) => j !== i))}>
            {m.removeRoute}
          </button>
        </div>
      ))}
      <button type="button" className="button button-quiet" onClick={() => onChange([...routes, { from: '', to: '' }])} data-testid="route-add">
        {m.addRoute}
      </button>
      {messages.length > 0 && (
        <span className="field-error" role="alert">
          {messages.join(' ')}
        </span>
      )}
    </div>
  );
}
