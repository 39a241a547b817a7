import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { paymentMethods, type PaymentMethod } from '../../../../server/domains/orders/orders.schema.ts';
import { ApiError } from '../../api.ts';
import { errorsAt, fieldErrors } from '../../fieldErrors.ts';
import { useLang, useMessages, type Lang } from '../../i18n.ts';
import { mappingMessages } from '../../i18n.orders.mapping.ts';
import { ordersApi, type ImportMappingAnswer, type ImportPreview } from '../../ordersApi.ts';
import { MappingSamples } from './MappingSamples.tsx';

type Loaded = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'ready'; preview: ImportPreview; answer: ImportMappingAnswer };
type Field = ImportMappingAnswer['fields'][number];
/** What the form found wrong with a field before sending. */
type Finding = { kind: 'notMapped' } | { kind: 'usedTwice'; header: string };

/** A required field a default covers: the server's rule (tax rate and payment method may come from the defaults). */
const coveredBy: Record<string, 'taxRate' | 'paymentMethod'> = { tax_rate: 'taxRate', payment_method: 'paymentMethod' };

/**
 * The import's column-mapping step, for a file no preset reads (or when the merchant asks): the
 * file's headers from the server's preview, a select per madoguchi field with the suggested header
 * chosen, the required ones marked, the file's first rows (masked), and defaults for a file without
 * a tax rate or payment method column. Saving replaces the shop's mapping; then the file is
 * imported with it. What the server refuses is said beside the field it names.
 */
export function OrdersMapping({ shopId, file, unmatched, onImport, onCancel }: { shopId: string; file: File; unmatched: boolean; onImport: () => void; onCancel: () => void }) {
  const id = useId();
  const lang = useLang();
  const m = mappingMessages[lang];
  const common = useMessages();
  const payment = common.returns.payment;
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [columns, setColumns] = useState<Record<string, string>>({});
  const [taxRate, setTaxRate] = useState<'' | '10' | '8'>('');
  const [paymentMethod, setPaymentMethod] = useState<'' | PaymentMethod>('');
  const [name, setName] = useState('');
  /** The form's own findings and the server's refusal, kept as they are and worded at render, in the language on screen. */
  const [found, setFound] = useState<Record<string, Finding>>({});
  const [refused, setRefused] = useState<unknown>(null);
  /** Fields changed since the last try: their old message no longer applies. */
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoaded({ state: 'loading' });
    Promise.all([ordersApi.preview(shopId, file, ctrl.signal), ordersApi.mapping(shopId, ctrl.signal)]).then(
      ([preview, answer]) => {
        setColumns(Object.fromEntries(Object.entries(preview.suggested).map(([f, h]) => [f, h ?? ''])));
        const d = answer.mapping?.defaults ?? {};
        setTaxRate(d.taxRate ? (String(d.taxRate) as '10' | '8') : '');
        setPaymentMethod(d.paymentMethod ?? '');
        setName(answer.mapping?.name ?? '');
        setLoaded({ state: 'ready', preview, answer });
        requestAnimationFrame(() => headingRef.current?.focus());
      },
      (error: unknown) => {
        if (!ctrl.signal.aborted && !(error instanceof ApiError && error.code === 'unauthenticated')) setLoaded({ state: 'failed', error });
      },
    );
    return () => ctrl.abort();
  }, [shopId, file, attempt]);

  const label = (f: Field) => (lang === 'ja' ? f.ja : f.en);

  /** The form's own checks: every required field mapped (or given by a default), no column used twice. */
  const check = (fields: Field[]) => {
    const at: Record<string, Finding> = {};
    const seen = new Set<string>();
    for (const f of fields) {
      const h = columns[f.field] ?? '';
      const cover = coveredBy[f.field];
      const defaulted = cover === 'taxRate' ? taxRate !== '' : cover === 'paymentMethod' ? paymentMethod !== '' : false;
      if (f.required && !h && !defaulted) at[f.field] = { kind: 'notMapped' };
      if (h && seen.has(h)) at[f.field] = { kind: 'usedTwice', header: h };
      if (h) seen.add(h);
    }
    return at;
  };

  const focusFirst = (fields: string[]) => {
    const first = fields[0];
    if (first) formRef.current?.querySelector<HTMLElement>(`[data-field="${CSS.escape(first)}"]`)?.focus();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || loaded.state !== 'ready') return;
    const at = check(loaded.answer.fields);
    setFound(at);
    setRefused(null);
    setTouched(new Set());
    if (Object.keys(at).length) return focusFirst(Object.keys(at));
    setBusy(true);
    try {
      const chosen = Object.fromEntries(Object.entries(columns).filter(([, h]) => h));
      const defaults = { ...(taxRate ? { taxRate: Number(taxRate) as 10 | 8 } : {}), ...(paymentMethod ? { paymentMethod } : {}) };
      await ordersApi.saveMapping(shopId, { ...(name.trim() ? { name: name.trim() } : {}), columns: chosen, defaults, headers: loaded.preview.headers });
      onImport();
    } catch (err) {
      setRefused(err);
      focusFirst(Object.keys(serverErrors(err, loaded.answer.fields, lang).fields));
    } finally {
      setBusy(false);
    }
  };

  const touch = (...keys: string[]) => setTouched((t) => new Set([...t, ...keys]));
  // What is said now: the server's refusal and the form's findings, in the language on screen.
  const fromServer = loaded.state === 'ready' && refused ? serverErrors(refused, loaded.answer.fields, lang) : { fields: {}, formLevel: null, any: false };
  const errors: Record<string, string> = {};
  for (const [k, v] of Object.entries(fromServer.fields)) if (!touched.has(k)) errors[k] = v;
  if (loaded.state === 'ready') {
    for (const f of loaded.answer.fields) {
      const x = found[f.field];
      if (x && !touched.has(f.field)) errors[f.field] = x.kind === 'notMapped' ? m.notMapped(label(f)) : m.usedTwice(x.header);
    }
  }
  const problem = refused ? (fromServer.formLevel ?? (fromServer.any ? m.fixFields : m.saveFailed)) : null;

  return (
    <section className="panel orders-mapping" aria-labelledby={`${id}-title`} data-testid="mapping-step">
      <h3 className="subsection-title" id={`${id}-title`} ref={headingRef} tabIndex={-1}>
        {m.title}
      </h3>
      {unmatched && (
        <p className="alert alert-warning" data-testid="mapping-unmatched">
          {m.unmatched}
        </p>
      )}
      {loaded.state === 'loading' && (
        <p className="muted" role="status">
          {m.loading}
        </p>
      )}
      {loaded.state === 'failed' && (
        <p role="alert" className="alert alert-error" data-testid="mapping-load-failed">
          {m.loadFailed} {fileLevel(loaded.error, lang)}{' '}
          <button type="button" className="button button-quiet" onClick={() => setAttempt((a) => a + 1)}>
            {common.metrics.retry}
          </button>
        </p>
      )}
      {loaded.state === 'ready' && (
        <form ref={formRef} onSubmit={(e) => void submit(e)} noValidate data-testid="mapping-form">
          <p className="muted">{m.lead(file.name)}</p>
          {loaded.preview.preset && loaded.preview.preset !== 'madoguchi' && <p data-testid="mapping-detected">{m.detected(m.presets[loaded.preview.preset])}</p>}
          <p className="muted">{m.requiredNote}</p>
          <div className="table-scroll">
            <table className="data-table mapping-table">
              <thead>
                <tr>
                  <th scope="col" className="text-cell">{m.field}</th>
                  <th scope="col" className="text-cell">{m.header}</th>
                  <th scope="col" className="text-cell">{m.sample}</th>
                </tr>
              </thead>
              <tbody>
                {loaded.answer.fields.map((f) => {
                  const h = columns[f.field] ?? '';
                  const col = h ? loaded.preview.headers.indexOf(h) : -1;
                  const err = errors[f.field];
                  return (
                    <tr key={f.field} data-testid={`mapping-row-${f.field}`} data-required={f.required ? 'true' : 'false'}>
                      <th scope="row" className="text-cell">
                        <label htmlFor={`${id}-${f.field}`}>{label(f)}</label>
                        {f.required && (
                          <span className="mapping-required" title={m.required}>
                            {m.requiredMark}
                            <span className="sr-only">{m.required}</span>
                          </span>
                        )}
                      </th>
                      <td className="text-cell">
                        <select
                          id={`${id}-${f.field}`}
                          data-field={f.field}
                          value={h}
                          onChange={(e) => {
                            const v = e.target.value;
                            setColumns((c) => ({ ...c, [f.field]: v }));
                            touch(f.field);
                          }}
                          aria-invalid={err ? true : undefined}
                          aria-describedby={err ? `${id}-${f.field}-error` : undefined}
                          data-testid={`mapping-select-${f.field}`}
                        >
                          <option value="">{m.none}</option>
                          {loaded.preview.headers.map((x) => (
                            <option key={x} value={x}>
                              {x}
                            </option>
                          ))}
                        </select>
                        {err && (
                          <span className="field-error" id={`${id}-${f.field}-error`} role="alert" data-testid={`mapping-error-${f.field}`}>
                            {err}
                          </span>
                        )}
                      </td>
                      <td className="text-cell muted">{col >= 0 ? (loaded.preview.sampleRows[0]?.[col] ?? '') : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <fieldset className="mapping-defaults">
            <legend>{m.defaults}</legend>
            <p className="muted">{m.defaultsLead}</p>
            <div className="mapping-default">
              <label htmlFor={`${id}-taxRate`}>{m.taxRate}</label>
              <select id={`${id}-taxRate`} data-field="taxRate" value={taxRate} onChange={(e) => (setTaxRate(e.target.value as '' | '10' | '8'), touch('taxRate', 'tax_rate'))} aria-invalid={errors.taxRate ? true : undefined} data-testid="mapping-tax-rate">
                <option value="">{m.taxRateNone}</option>
                <option value="10">{m.taxRateOption(10)}</option>
                <option value="8">{m.taxRateOption(8)}</option>
              </select>
              {errors.taxRate && <span className="field-error" role="alert">{errors.taxRate}</span>}
            </div>
            <div className="mapping-default">
              <label htmlFor={`${id}-payment`}>{m.paymentMethod}</label>
              <select id={`${id}-payment`} data-field="paymentMethod" value={paymentMethod} onChange={(e) => (setPaymentMethod(e.target.value as '' | PaymentMethod), touch('paymentMethod', 'payment_method'))} aria-invalid={errors.paymentMethod ? true : undefined} data-testid="mapping-payment">
                <option value="">{m.paymentNone}</option>
                {paymentMethods.map((p) => (
                  <option key={p} value={p}>
                    {payment[p]}
                  </option>
                ))}
              </select>
              {errors.paymentMethod && <span className="field-error" role="alert">{errors.paymentMethod}</span>}
            </div>
            <div className="mapping-default">
              <label htmlFor={`${id}-name`}>{m.name}</label>
              <input id={`${id}-name`} data-field="name" value={name} maxLength={60} placeholder={m.nameHint} onChange={(e) => (setName(e.target.value), touch('name'))} data-testid="mapping-name" />
              {errors.name && <span className="field-error" role="alert">{errors.name}</span>}
            </div>
          </fieldset>
          <MappingSamples preview={loaded.preview} />
          {problem && (
            <p role="alert" className="alert alert-error" data-testid="mapping-problem">
              {problem}
            </p>
          )}
          <div className="mapping-actions">
            <button type="submit" className="button button-primary" aria-disabled={busy} data-testid="mapping-submit">
              {busy ? m.saving : m.submit}
            </button>
            <button type="button" className="button button-quiet" onClick={onCancel} data-testid="mapping-cancel">
              {m.cancel}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** A 400's details by the field they name (`columns.sku`, `columns` with `missing`, `defaults.taxRate`), in the reader's language. */
function serverErrors(err: unknown, fields: Field[], lang: Lang): { fields: Record<string, string>; formLevel: string | null; any: boolean } {
  if (!(err instanceof ApiError) || err.code !== 'invalid_input') return { fields: {}, formLevel: null, any: false };
  const m = mappingMessages[lang];
  const said = fieldErrors(err.details, lang);
  const out: Record<string, string> = {};
  for (const f of fields) {
    const ms = errorsAt(said, `columns.${f.field}`);
    if (ms.length) out[f.field] = ms.join(' ');
  }
  const missing = (Array.isArray(err.details) ? (err.details as Array<{ path?: unknown; missing?: unknown }>) : []).flatMap((d) => (d.path === 'columns' && Array.isArray(d.missing) ? (d.missing as string[]) : []));
  for (const f of fields) if (missing.includes(f.field) && !out[f.field]) out[f.field] = m.notMapped(lang === 'ja' ? f.ja : f.en);
  for (const [k, path] of [['taxRate', 'defaults.taxRate'], ['paymentMethod', 'defaults.paymentMethod'], ['name', 'name']] as const) {
    const ms = errorsAt(said, path);
    if (ms.length) out[k] = ms.join(' ');
  }
  const rest = [...said].filter(([p]) => !p.startsWith('columns') && !p.startsWith('defaults') && p !== 'name').flatMap(([, ms]) => ms);
  return { fields: out, formLevel: rest.length ? rest.join(' ') : null, any: Object.keys(out).length > 0 };
}

/** Why the file could not be previewed (its encoding, not CSV), in the reader's language. */
function fileLevel(error: unknown, lang: Lang): string {
  if (!(error instanceof ApiError) || error.code !== 'invalid_input') return '';
  return [...fieldErrors(error.details, lang).values()].flat().join(' ');
}
