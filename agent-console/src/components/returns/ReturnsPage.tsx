import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useReturnChanges } from '../../returns.live.ts';
// The server's list of statuses, in the order a request goes through them (plain data).
import { returnStatuses } from '../../../../server/domains/returns/returns.model.ts';
import { ApiError } from '../../api.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { needsAction, tokyoDateTime, yen } from '../../returns.format.ts';
import { returnsApi } from '../../returnsApi.ts';
import type { ReturnListItem, ReturnStatus } from '../../types.ts';
import { navigate } from '../../router.ts';
import { RouteLink } from '../RouteLink.tsx';
import { RefusedDeliveryForm } from './RefusedDeliveryForm.tsx';
import { StaffFilingForm } from './StaffFilingForm.tsx';
import { FlagBadges, ReturnStatusBadge } from './ReturnBadges.tsx';
import { ReturnsTabs } from './ReturnsTabs.tsx';
import '../../metrics.css';
import '../../returns.css';


type Filter = 'action' | 'all' | ReturnStatus;
type Load = { state: 'loading' } | { state: 'failed' } | { state: 'ready'; next: number | null };

/** The filter chosen per shop, kept while the console is open (back from a request lands on the same list). */
const chosen = new Map<string, Filter>();

const statusesOf = (f: Filter): readonly ReturnStatus[] => (f === 'action' ? needsAction : f === 'all' ? [] : [f]);

/**
 * The shop's return requests, newest first, opening on those waiting for someone. Each row
 * carries its own refund limit (the terms version it is judged by), as its page does.
 */
export function ReturnsPage({ shopId }: { shopId: string }) {
  const m = useMessages().returns;
  const id = useId();
  const [filter, setFilterState] = useState<Filter>(() => chosen.get(shopId) ?? 'action');
  const [rows, setRows] = useState<ReturnListItem[]>([]);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [recording, setRecording] = useState(false);
  const [filing, setFiling] = useState(false);

  const setFilter = (f: Filter) => {
    chosen.set(shopId, f);
    setFilterState(f);
  };

  useEffect(() => {
    const ctrl = new AbortController();
    setLoad({ state: 'loading' });
    returnsApi.list(shopId, { status: statusesOf(filter) }, ctrl.signal).then(
      (page) => {
        setRows(page.returns);
        setLoad({ state: 'ready', next: page.nextBefore });
      },
      (e: unknown) => {
        if (!ctrl.signal.aborted && !(e instanceof ApiError && e.code === 'unauthenticated')) setLoad({ state: 'failed' });
      },
    );
    return () => ctrl.abort();
  }, [shopId, filter, attempt]);

  // Live: a return filed or moved elsewhere (another agent, the portal, a deadline) shows here
  // without a reload; as many rows as are shown are read again (pages of 100), and a read of
  // a filter no longer chosen is dropped.
  const shown = useRef(0);
  shown.current = rows.length;
  const reading = useRef<AbortController | null>(null);
  useEffect(() => () => reading.current?.abort(), [shopId, filter]);
  useReturnChanges(shopId, () => true, () => {
    reading.current?.abort();
    const ctrl = (reading.current = new AbortController());
    const want = Math.max(25, shown.current);
    void (async () => {
      let got: ReturnListItem[] = [];
      let next: number | null = null;
      do {
        const page = await returnsApi.list(shopId, { status: statusesOf(filter), limit: Math.min(100, want - got.length), ...(next === null ? {} : { before: next }) }, ctrl.signal);
        got = [...got, ...page.returns];
        next = page.nextBefore;
      } while (next !== null && got.length < want);
      if (ctrl.signal.aborted) return;
      setRows(got);
      setLoad({ state: 'ready', next });
    })().catch(() => undefined);
  });

  const more = useCallback(async () => {
    if (load.state !== 'ready' || load.next === null) return;
    try {
      const page = await returnsApi.list(shopId, { status: statusesOf(filter), before: load.next });
      setRows((l) => [...l, ...page.returns.filter((r) => !l.some((x) => x.id === r.id))]);
      setLoad({ state: 'ready', next: page.nextBefore });
    } catch {
      setLoad({ state: 'failed' });
    }
  }, [shopId, filter, load]);

  return (
    <>
      <h1 className="page-title">{m.title}</h1>
      <ReturnsTabs shopId={shopId} current="returns" />
      <div className="returns-toolbar">
        <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor={`${id}-status`}>{m.list.filter}</label>
          <select id={`${id}-status`} value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="returns-filter">
            <option value="action">{m.list.needsAction}</option>
            <option value="all">{m.list.all}</option>
            {returnStatuses.map((s) => (
              <option key={s} value={s}>
                {m.status[s]}
              </option>
            ))}
          </select>
        </form>
        <button type="button" className="button" aria-expanded={filing} onClick={() => setFiling((f) => !f)} data-testid="filing-open">
          {m.staffFiling.open}
        </button>
        <button type="button" className="button" aria-expanded={recording} onClick={() => setRecording((r) => !r)} data-testid="refused-open">
          {m.refused.open}
        </button>
      </div>
      {filing && <StaffFilingForm shopId={shopId} onClose={() => setFiling(false)} onFiled={(returnId) => navigate({ page: 'returnDetail', shopId, returnId })} />}
      {recording && (
        <RefusedDeliveryForm
          shopId={shopId}
          onClose={() => setRecording(false)}
          onRecorded={(returnId) => navigate({ page: 'returnDetail', shopId, returnId })}
        />
      )}
      {load.state === 'failed' && (
        <p role="alert" className="alert alert-error" data-testid="returns-error">
          {m.list.loadFailed}{' '}
          <button type="button" className="button button-quiet" onClick={() => setAttempt((a) => a + 1)}>
            {m.retry}
          </button>
        </p>
      )}
      {load.state === 'loading' && rows.length === 0 && (
        <p className="muted" role="status">
          {m.loading}
        </p>
      )}
      {load.state === 'ready' && rows.length === 0 ? (
        <section className="empty-state" data-testid="returns-empty">
          <p className="empty-title">{m.list.empty}</p>
          <p className="muted">{m.list.emptyHint}</p>
        </section>
      ) : (
        rows.length > 0 && <ReturnsTable shopId={shopId} rows={rows} busy={load.state === 'loading'} />
      )}
      {load.state === 'ready' && load.next !== null && (
        <button type="button" className="button returns-more" onClick={() => void more()} data-testid="returns-more">
          {m.list.more}
        </button>
      )}
    </>
  );
}

function ReturnsTable({ shopId, rows, busy }: { shopId: string; rows: ReturnListItem[]; busy: boolean }) {
  const lang = useLang();
  const m = useMessages().returns;
  return (
    <div className="table-scroll">
      <table className="data-table returns-table" aria-busy={busy} data-testid="returns-table">
        <caption className="sr-only">{m.list.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.list.number}</th>
            <th scope="col" className="text-cell">{m.list.order}</th>
            <th scope="col" className="text-cell">{m.list.customer}</th>
            <th scope="col" className="text-cell">{m.list.reason}</th>
            <th scope="col" className="text-cell">{m.list.basis}</th>
            <th scope="col" className="text-cell">{m.list.status}</th>
            <th scope="col">{m.list.refund}</th>
            <th scope="col" className="text-cell">{m.list.filed}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            return (
              <tr key={r.id} data-testid="return-row" data-number={r.number} data-status={r.status}>
                <th scope="row">
                  <RouteLink to={{ page: 'returnDetail', shopId, returnId: r.id }} testId="return-link">
                    R-{r.number}
                  </RouteLink>
                </th>
                <td data-testid="return-order">{r.orderNumber}</td>
                <td data-testid="return-customer">{r.customerName}</td>
                <td>
                  {m.reason[r.reason]}
                  {r.kind !== 'return' && <span className="badge return-kind">{m.kind[r.kind]}</span>}
                </td>
                <td data-testid="return-basis">{m.basis[r.legalBasis]}</td>
                <td>
                  <span className="return-badges">
                    <ReturnStatusBadge status={r.status} />
                    <FlagBadges flags={r.flags} overLimit={r.overRefundLimit} overLimitTitle={m.list.overLimitHint(yen(r.refundLimit))} />
                  </span>
                </td>
                <td data-testid="return-refund">{yen(r.refundTotal)}</td>
                <td className="returns-when text-cell">{tokyoDateTime(r.createdAt, lang)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
