import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, type Upload } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { ordersMessages } from '../../i18n.orders.ts';
import { mappingMessages } from '../../i18n.orders.mapping.ts';
import { ordersApi, type ImportMappingMode, type ImportReport } from '../../ordersApi.ts';
import { fileSize } from '../../returns.format.ts';
import { fieldErrors } from '../../fieldErrors.ts';
import { OrdersMapping } from './OrdersMapping.tsx';

type State =
  | { step: 'idle' }
  | { step: 'uploading'; sent: number; total: number }
  /** Every byte is sent; the server is parsing and writing. */
  | { step: 'processing' }
  | { step: 'done'; report: ImportReport }
  | { step: 'failed'; error: unknown }
  /** Which column holds what: asked when no layout the server knows matched, or when the merchant chose to. */
  | { step: 'mapping'; unmatched: boolean };

/**
 * A 400 about the file's columns when no layout matched: madoguchi's own columns missing and no
 * platform's export detected (a detected one names its own missing column and `preset`).
 */
function noLayoutMatched(err: unknown): boolean {
  if (!(err instanceof ApiError) || err.code !== 'invalid_input' || !Array.isArray(err.details)) return false;
  return (err.details as Array<{ path?: unknown; missing?: unknown; preset?: unknown }>).some((d) => d.path === 'file' && Array.isArray(d.missing) && !d.preset);
}

/**
 * CSV import from the orders page: the file goes as it is (the server tells UTF-8 from
 * Shift_JIS), with a real progress bar while it uploads, then the per-line report.
 */
export function OrdersImport({ shopId, onImported }: { shopId: string; onImported: () => void }) {
  const lang = useLang();
  const m = ordersMessages[lang].importer;
  const mm = mappingMessages[lang];
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<State>({ step: 'idle' });
  const running = useRef<Upload<ImportReport> | null>(null);
  const reportRef = useRef<HTMLDivElement>(null);
  useEffect(() => () => running.current?.abort(), []);
  useEffect(() => {
    if (state.step === 'done' || state.step === 'failed') reportRef.current?.focus();
  }, [state.step]);

  const start = (e: FormEvent) => {
    e.preventDefault();
    if (file) void run(file, 'auto');
  };

  /** `saved`: right after the mapping step saved the shop's mapping, the file is read with it. */
  const run = async (file: File, mapping: ImportMappingMode) => {
    if (running.current) return;
    setState({ step: 'uploading', sent: 0, total: file.size });
    // Once every byte is sent the server imports whatever the page does; from then on there is
    // nothing to cancel, and the page waits for the report rather than look idle (and invite a second import).
    let sentAll = false;
    const up = ordersApi.importCsv(
      shopId,
      file,
      (sent, total) => {
        if (!sentAll) setState({ step: 'uploading', sent: Math.min(sent, total), total });
      },
      () => {
        sentAll = true;
        setState({ step: 'processing' });
      },
      mapping,
    );
    running.current = up;
    try {
      const report = await up.done;
      setState({ step: 'done', report });
      onImported();
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') setState({ step: 'idle' });
      else if (mapping === 'auto' && noLayoutMatched(err)) setState({ step: 'mapping', unmatched: true });
      else setState({ step: 'failed', error: err });
    } finally {
      running.current = null;
    }
  };

  const busy = state.step === 'uploading' || state.step === 'processing';
  return (
    <section className="panel orders-import" aria-labelledby={`${id}-title`} data-testid="orders-import">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.title}
      </h2>
      <p className="muted metric-note">{m.lead}</p>
      <form className="orders-import-form" onSubmit={(e) => void start(e)}>
        <label htmlFor={`${id}-file`}>{m.file}</label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".csv,text/csv"
          disabled={busy}
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            // A new file starts over: a mapping step open for the last one is about that one.
            setState((s) => (s.step === 'mapping' ? { step: 'idle' } : s));
          }}
          data-testid="import-file"
        />
        <button type="submit" className="button button-primary" disabled={!file || busy} data-testid="import-submit">
          {m.upload}
        </button>
        <button type="button" className="button" disabled={!file || busy} title={mm.mapColumnsHint} onClick={() => setState({ step: 'mapping', unmatched: false })} data-testid="import-map-columns">
          {mm.mapColumns}
        </button>
        {state.step === 'uploading' && (
          <button type="button" className="button button-quiet" onClick={() => running.current?.abort()} data-testid="import-cancel">
            {m.cancel}
          </button>
        )}
      </form>
      {busy && (
        <div className="import-progress" data-testid="import-progress">
          <label htmlFor={`${id}-progress`}>{state.step === 'uploading' ? `${m.uploading} ${fileSize(state.sent)} / ${fileSize(state.total)}` : m.processing}</label>
          {/* No value while the server works: an indeterminate bar, not one stuck at 100%. */}
          <progress id={`${id}-progress`} aria-label={m.progress} max={state.step === 'uploading' ? state.total : undefined} value={state.step === 'uploading' ? state.sent : undefined} />
        </div>
      )}
      <div ref={reportRef} tabIndex={-1} className="import-outcome">
        {state.step === 'failed' && <ImportFailure error={state.error} onMap={file ? () => setState({ step: 'mapping', unmatched: false }) : undefined} />}
        {state.step === 'done' && <ImportReportView report={state.report} />}
      </div>
      {state.step === 'mapping' && file && (
        <OrdersMapping key={`${file.name}-${file.size}-${file.lastModified}`} shopId={shopId} file={file} unmatched={state.unmatched} onImport={() => void run(file, 'saved')} onCancel={() => setState({ step: 'idle' })} />
      )}
    </section>
  );
}

function ImportFailure({ error, onMap }: { error: unknown; onMap: (() => void) | undefined }) {
  const lang = useLang();
  const m = ordersMessages[lang].importer;
  const mm = mappingMessages[lang];
  // A file the server could read but whose columns it could not take (a platform's export with a
  // column missing or renamed) may still be imported by mapping its columns.
  const columnsProblem = error instanceof ApiError && error.code === 'invalid_input' && Array.isArray(error.details) && (error.details as Array<{ missing?: unknown }>).some((d) => Array.isArray(d.missing));
  let text = m.failed;
  if (error instanceof ApiError) {
    if (error.code === 'payload_too_large') text = m.tooLarge;
    else if (error.code === 'network') text = m.network;
    else if (error.code === 'invalid_input' || error.code === 'unsupported_media_type') {
      // A file-level problem (not a row's): its encoding or its header.
      const said = [...fieldErrors(error.details, lang).values()].flat();
      text = `${m.fileProblem}${said.length ? said.join(' ') : error.message}`;
    }
  }
  return (
    <div role="alert" className="alert alert-error" data-testid="import-error">
      <p>{text}</p>
      {columnsProblem && onMap && (
        <p>
          {mm.presetMissing}{' '}
          <button type="button" className="button button-quiet" onClick={onMap} data-testid="import-error-map-columns">
            {mm.mapColumns}
          </button>
        </p>
      )}
    </div>
  );
}

function ImportReportView({ report }: { report: ImportReport }) {
  const lang = useLang();
  const m = ordersMessages[lang].importer;
  const counts: [string, number, string][] = [
    [m.rows, report.rows, 'rows'],
    [m.created, report.orders.created, 'created'],
    [m.updated, report.orders.updated, 'updated'],
    [m.unchanged, report.orders.unchanged, 'unchanged'],
    [m.rejected, report.orders.rejected, 'rejected'],
  ];
  return (
    <div className="import-report" role="status" data-testid="import-report">
      <h3 className="subsection-title">{m.report}</h3>
      <p className="muted">
        {report.preset && <span data-testid="import-preset" data-preset={report.preset}>{mappingMessages[lang].readAs(mappingMessages[lang].presets[report.preset])} · </span>}
        {m.encoding(report.encoding)}
      </p>
      <dl className="stat-grid">
        {counts.map(([label, n, key]) => (
          <div key={key} className="stat" data-testid={`import-${key}`}>
            <dt className="stat-label">{label}</dt>
            <dd className="stat-value">{n}</dd>
          </div>
        ))}
      </dl>
      {report.errors.length === 0 ? (
        <p>{m.noErrors}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table import-errors" data-testid="import-errors">
            <caption>{m.errorsCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{m.line}</th>
                <th scope="col" className="text-cell">{m.orderNumber}</th>
                <th scope="col" className="text-cell">{m.column}</th>
                <th scope="col" className="text-cell">{m.reason}</th>
              </tr>
            </thead>
            <tbody>
              {report.errors.map((e, i) => (
                <tr key={`${e.line}-${i}`} data-testid="import-error-line" data-line={e.line}>
                  <th scope="row">{e.line}</th>
                  <td className="text-cell">{e.orderNumber ?? ''}</td>
                  <td className="text-cell">{e.column ?? ''}</td>
                  <td className="text-cell">{lang === 'ja' ? e.ja : e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
