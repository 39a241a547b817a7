import { useState } from 'react';
import { LoadFailed, Loading } from '../metrics/LoadNotes.tsx';
import { returnReasons } from '../../../../server/domains/returns/returns.model.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { formatMonth, formatNumber, isMonth, tokyoMonth } from '../../metrics.time.ts';
import { monthsBefore, monthSpan } from '../../returns.format.ts';
import { reasonsCsvUrl, returnsApi } from '../../returnsApi.ts';
import type { ReasonsReport } from '../../types.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { ReasonsChart } from './ReasonsChart.tsx';
import { ReturnsTabs } from './ReturnsTabs.tsx';
import '../../metrics.css';
import '../../returns.css';

/** The report allows at most this many months at once. */
const MAX_MONTHS = 24;

/**
 * Why products come back: quantities by reason over a range of Tokyo months, as a chart,
 * as a product × reason table, and as CSV for Excel. The last six months to begin with.
 */
export function ReasonsPage({ shopId }: { shopId: string }) {
  const lang = useLang();
  const m = useMessages().returns;
  const r = m.report;
  const [range, setRange] = useState(() => {
    const to = tokyoMonth();
    return { from: monthsBefore(to, 5), to };
  });
  // What is in the fields: a month input reports '' until the person has typed a whole month.
  const [draft, setDraft] = useState(range);
  const span = monthSpan(draft.from, draft.to);
  const bad = isMonth(draft.from) && isMonth(draft.to) && (span === 0 || span > MAX_MONTHS);
  const load = useLoad((signal) => returnsApi.reasons(shopId, range.from, range.to, signal), `${shopId} ${range.from} ${range.to}`);

  const change = (patch: Partial<typeof draft>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    const n = monthSpan(next.from, next.to);
    if (n > 0 && n <= MAX_MONTHS) setRange(next);
  };
  const shown = (load.data ? [formatMonth(load.data.from, lang), formatMonth(load.data.to, lang)] : [formatMonth(range.from, lang), formatMonth(range.to, lang)]) as [string, string];

  return (
    <>
      <h1 className="page-title">{m.title}</h1>
      <ReturnsTabs shopId={shopId} current="returnsReport" />
      <section className="metrics-section" aria-labelledby="returns-report" aria-busy={load.state === 'loading'} data-testid="reasons-report" data-state={load.state}>
        <div className="section-head">
          <h2 className="section-title" id="returns-report">
            {r.title}
          </h2>
          <label className="month-field">
            <span className="muted">{r.from}</span>
            <input type="month" value={draft.from} max={tokyoMonth()} placeholder="YYYY-MM" pattern="\d{4}-\d{2}" onChange={(e) => change({ from: e.target.value })} data-testid="reasons-from" />
          </label>
          <label className="month-field">
            <span className="muted">{r.to}</span>
            <input type="month" value={draft.to} max={tokyoMonth()} placeholder="YYYY-MM" pattern="\d{4}-\d{2}" onChange={(e) => change({ to: e.target.value })} data-testid="reasons-to" />
          </label>
          <span className="section-tools csv-links">
            <a className="button" href={reasonsCsvUrl(shopId, range.from, range.to)} download data-testid="reasons-csv">
              {r.csv}
            </a>
          </span>
        </div>
        <p className="muted metric-note">{r.hint}</p>
        {bad && (
          <p role="alert" className="alert alert-warning" data-testid="reasons-bad-range">
            {r.badRange}
          </p>
        )}
        {load.state === 'failed' && <LoadFailed text={r.loadFailed} retry={load.retry} testId="reasons-error" />}
        {!load.data ? (
          load.state === 'loading' && <Loading />
        ) : load.data.products.length === 0 ? (
          <p className="empty-state worklog-empty" data-testid="reasons-empty">
            {r.empty}
          </p>
        ) : (
          <>
            <section className="panel" aria-labelledby="returns-report-chart">
              <h3 className="panel-title" id="returns-report-chart">
                {r.chartTitle}
              </h3>
              <ReasonsChart report={load.data} range={shown} />
            </section>
            <section className="panel" aria-labelledby="returns-report-products">
              <h3 className="panel-title" id="returns-report-products">
                {r.products}
              </h3>
              <ProductsTable report={load.data} caption={r.productsCaption(...shown)} />
            </section>
          </>
        )}
      </section>
    </>
  );
}

function ProductsTable({ report, caption }: { report: ReasonsReport; caption: string }) {
  const lang = useLang();
  const m = useMessages().returns;
  const n = (v: number) => formatNumber(v, lang);
  const total = report.products.reduce((s, p) => s + p.quantity, 0);
  return (
    <div className="table-scroll">
      <table className="data-table reasons-table" data-testid="reasons-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.report.product}</th>
            {returnReasons.map((k) => (
              <th key={k} scope="col">
                {m.reason[k]}
              </th>
            ))}
            <th scope="col">{m.report.sum}</th>
          </tr>
        </thead>
        <tbody>
          {report.products.map((p) => (
            <tr key={p.sku} data-sku={p.sku} data-testid="reasons-row">
              <th scope="row">
                {p.name} <span className="muted">{p.sku}</span>
              </th>
              {returnReasons.map((k) => (
                <td key={k} data-reason={k}>
                  {p.byReason[k] ? n(p.byReason[k]) : '—'}
                </td>
              ))}
              <td data-testid="reasons-product-total">{n(p.quantity)}</td>
            </tr>
          ))}
        </tbody>
        {report.products.length > 1 && (
          <tfoot>
            <tr>
              <th scope="row">{m.report.sum}</th>
              {returnReasons.map((k) => (
                <td key={k}>{n(report.byReason[k])}</td>
              ))}
              <td>{n(total)}</td>
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
