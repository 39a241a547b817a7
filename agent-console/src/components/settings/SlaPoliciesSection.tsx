import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Priority } from '../../../../server/domains/conversations/conversations.tables.ts';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { hoursMessages } from '../../i18n.settings.hours.ts';
import { settingsHoursApi, type SlaPolicy, type SlaPolicyInput } from '../../settingsHoursApi.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { fieldErrors, type FieldErrors } from '../../fieldErrors.ts';
import { errorsUnder } from './errorsUnder.ts';
import '../../settings.hours.css';

const PRIORITIES: Priority[] = ['low', 'normal', 'high', 'urgent'];
const TARGETS = ['firstResponseMinutes', 'nextResponseMinutes', 'resolutionMinutes'] as const;
type Target = (typeof TARGETS)[number];

interface Amount {
  value: string;
  unit: 'minutes' | 'hours';
}
interface Draft {
  name: string;
  priority: Priority | '';
  targets: Record<Target, Amount>;
  atRiskPercent: string;
}

/** Whole hours are shown in hours, anything else in minutes, so what was saved reads back unchanged. */
const amountOf = (min: number | null): Amount =>
  min === null ? { value: '', unit: 'hours' } : min % 60 === 0 ? { value: String(min / 60), unit: 'hours' } : { value: String(min), unit: 'minutes' };

const toDraft = (p?: SlaPolicy): Draft => ({
  name: p?.name ?? '',
  priority: p?.priority ?? '',
  targets: {
    firstResponseMinutes: amountOf(p ? p.firstResponseMinutes : 60),
    nextResponseMinutes: amountOf(p?.nextResponseMinutes ?? null),
    resolutionMinutes: amountOf(p?.resolutionMinutes ?? null),
  },
  atRiskPercent: String(p?.atRiskPercent ?? 80),
});

/**
 * A number as typed (full-width digits too). Empty means "no target"; anything that is not a
 * number is sent as typed, so the server's schema says what is wrong at the field's own path.
 */
function minutes(a: Amount): number | string | null {
  const s = a.value.trim().normalize('NFKC');
  if (s === '') return null;
  const n = Number(s);
  if (!Number.isFinite(n)) return s;
  return a.unit === 'hours' ? Math.round(n * 60 * 1000) / 1000 : n;
}
const percent = (s: string) => {
  const t = s.trim().normalize('NFKC');
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
};

const toBody = (d: Draft) =>
  ({
    name: d.name,
    priority: d.priority || null,
    firstResponseMinutes: minutes(d.targets.firstResponseMinutes),
    nextResponseMinutes: minutes(d.targets.nextResponseMinutes),
    resolutionMinutes: minutes(d.targets.resolutionMinutes),
    atRiskPercent: percent(d.atRiskPercent),
  }) as SlaPolicyInput;

/** The shop's SLA policies (owner only: the API answers 403 to anyone else), targets in business time. */
export function SlaPoliciesSection({ shopId }: { shopId: string }) {
  const lang = useLang();
  const m = hoursMessages[lang].sla;
  const c = hoursMessages[lang].common;
  const list = useLoad((signal) => settingsHoursApi.policies(shopId, signal), shopId);
  const [editing, setEditing] = useState<{ id: string | null; draft: Draft } | null>(null);
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) nameRef.current?.focus();
    // Focus moves in when an editor opens, not on every keystroke.
  }, [editing?.id, !!editing]);

  const open = (p?: SlaPolicy) => {
    setEditing({ id: p?.id ?? null, draft: toDraft(p) });
    setErrors(new Map());
    setProblem(null);
  };
  const edit = (patch: Partial<Draft>) => setEditing((e) => e && { ...e, draft: { ...e.draft, ...patch } });
  const editTarget = (t: Target, a: Partial<Amount>) =>
    setEditing((e) => e && { ...e, draft: { ...e.draft, targets: { ...e.draft.targets, [t]: { ...e.draft.targets[t], ...a } } } });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing || busy) return;
    setBusy(true);
    setProblem(null);
    try {
      const body = toBody(editing.draft);
      if (editing.id) await settingsHoursApi.updatePolicy(shopId, editing.id, body);
      else await settingsHoursApi.createPolicy(shopId, body);
      setEditing(null);
      setErrors(new Map());
      list.retry();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') setErrors(fieldErrors(err.details, lang));
      else if (err instanceof ApiError && err.code === 'conflict') setErrors(new Map([['priority', [m.conflict]]]));
      else setProblem(err instanceof ApiError && err.code === 'forbidden' ? c.notAllowed : c.saveFailed);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string) => {
    setProblem(null);
    try {
      await settingsHoursApi.deletePolicy(shopId, id);
      setConfirming(null);
      list.retry();
    } catch {
      setProblem(c.removeFailed);
    }
  };

  const shown = (min: number | null) => (min === null ? <span className="muted">{m.noTarget}</span> : m.duration(min));
  const label: Record<Target, string> = { firstResponseMinutes: m.first, nextResponseMinutes: m.next, resolutionMinutes: m.resolution };
  const fieldError = (path: string) => {
    const said = errorsUnder(errors, path);
    return said.length ? (
      <span className="field-error" id={`sla-error-${path}`} role="alert" data-testid={`error-${path}`}>
        {said.join(' ')}
      </span>
    ) : null;
  };
  const invalid = (path: string) => (errorsUnder(errors, path).length ? { 'aria-invalid': true, 'aria-describedby': `sla-error-${path}` } : {});
  const policies = list.data;

  return (
    <section className="settings-section" id="settings-sla" aria-labelledby="settings-sla-title" data-testid="settings-sla">
      <h2 id="settings-sla-title">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      {(problem ?? (list.state === 'failed' ? c.loadFailed : null)) && (
        <p role="alert" className="alert alert-error">
          {problem ?? c.loadFailed}
        </p>
      )}
      {policies && policies.length === 0 && <p className="muted">{m.none}</p>}
      {policies && policies.length > 0 && (
        <table className="settings-table" data-testid="sla-policies">
          <thead>
            <tr>
              <th scope="col">{m.colName}</th>
              <th scope="col">{m.colPriority}</th>
              <th scope="col">{m.colFirst}</th>
              <th scope="col">{m.colNext}</th>
              <th scope="col">{m.colResolution}</th>
              <th scope="col">{m.colAtRisk}</th>
              <th scope="col">
                <span className="sr-only">{c.edit}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {policies.map((p) => (
              <tr key={p.id} data-testid="sla-policy-row">
                <td>{p.name}</td>
                <td>{p.priority ? m.priority[p.priority] : m.anyPriority}</td>
                <td>{shown(p.firstResponseMinutes)}</td>
                <td>{shown(p.nextResponseMinutes)}</td>
                <td>{shown(p.resolutionMinutes)}</td>
                <td>{p.atRiskPercent}%</td>
                <td>
                  {confirming === p.id ? (
                    <span role="group" aria-label={m.removeLabel(p.name)}>
                      <span>{m.confirm(p.name)}</span>{' '}
                      <button type="button" className="button button-danger" onClick={() => void remove(p.id)} autoFocus>
                        {c.confirmYes}
                      </button>{' '}
                      <button type="button" className="button button-quiet" onClick={() => setConfirming(null)}>
                        {c.cancel}
                      </button>
                    </span>
                  ) : (
                    <>
                      <button type="button" className="button button-quiet" aria-label={m.editLabel(p.name)} onClick={() => open(p)}>
                        {c.edit}
                      </button>{' '}
                      <button type="button" className="button button-quiet" aria-label={m.removeLabel(p.name)} onClick={() => setConfirming(p.id)}>
                        {c.remove}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {!editing ? (
        <div className="settings-actions">
          <button type="button" className="button" onClick={() => open()} data-testid="add-sla-policy">
            {m.add}
          </button>
        </div>
      ) : (
        <form className="settings-editor" onSubmit={(e) => void save(e)} noValidate data-testid="sla-form">
          <h3>{editing.id ? m.editTitle(editing.draft.name) : m.newTitle}</h3>
          <div className="settings-grid">
            <div className="settings-field">
              <label htmlFor="sla-name">{m.name}</label>
              <input id="sla-name" type="text" ref={nameRef} value={editing.draft.name} onChange={(e) => edit({ name: e.target.value })} {...invalid('name')} data-testid="sla-name" />
              {fieldError('name')}
            </div>
            <div className="settings-field">
              <label htmlFor="sla-priority">{m.colPriority}</label>
              <select id="sla-priority" value={editing.draft.priority} onChange={(e) => edit({ priority: e.target.value as Priority | '' })} {...invalid('priority')} data-testid="sla-priority">
                <option value="">{m.anyPriority}</option>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {m.priority[p]}
                  </option>
                ))}
              </select>
              {fieldError('priority')}
            </div>
          </div>
          <div className="settings-grid">
            {TARGETS.map((t) => (
              <div className="settings-field" key={t}>
                <label htmlFor={`sla-${t}`}>{label[t]}</label>
                <span className="sla-target">
                  <input
                    id={`sla-${t}`}
                    type="text"
                    inputMode="decimal"
                    value={editing.draft.targets[t].value}
                    placeholder={m.targetHint}
                    onChange={(e) => editTarget(t, { value: e.target.value })}
                    {...invalid(t)}
                    data-testid={`sla-${t}`}
                  />
                  <select aria-label={m.unit(label[t])} value={editing.draft.targets[t].unit} onChange={(e) => editTarget(t, { unit: e.target.value as Amount['unit'] })} data-testid={`sla-${t}-unit`}>
                    <option value="minutes">{m.minutes}</option>
                    <option value="hours">{m.hours}</option>
                  </select>
                  <span className="muted">{m.inBusinessTime}</span>
                </span>
                {fieldError(t)}
              </div>
            ))}
            <div className="settings-field">
              <label htmlFor="sla-at-risk">{m.atRisk}</label>
              <input id="sla-at-risk" type="text" inputMode="numeric" value={editing.draft.atRiskPercent} onChange={(e) => edit({ atRiskPercent: e.target.value })} {...invalid('atRiskPercent')} data-testid="sla-at-risk" />
              {fieldError('atRiskPercent')}
            </div>
          </div>
          {fieldError('')}
          <div className="settings-actions">
            <button type="submit" className="button button-primary" aria-disabled={busy} data-testid="save-sla-policy">
              {busy ? c.saving : c.save}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setEditing(null)}>
              {c.cancel}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
