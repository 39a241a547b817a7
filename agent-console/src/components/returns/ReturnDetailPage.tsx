import { useCallback, useEffect, useId, useState } from 'react';
import { useReturnChanges } from '../../returns.live.ts';
import { ApiError } from '../../api.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { tokyoDateTime, yen } from '../../returns.format.ts';
import { returnsApi } from '../../returnsApi.ts';
import type { NoticeChannel } from '../../../../server/domains/returns/returns.model.ts';
import type { ReturnBankAccount, ReturnView, Role } from '../../types.ts';
import { RouteLink } from '../RouteLink.tsx';
import { BankPanel } from './BankPanel.tsx';
import { canEditExchange, ExchangeItemsPanel } from './ExchangeItemsPanel.tsx';
import { OrderChangedPanel } from './OrderChangedPanel.tsx';
import { PhotosPanel } from './PhotosPanel.tsx';
import { DeliveryHistory } from '../maillog/DeliveryHistory.tsx';
import { PolicyPanel } from './PolicyPanel.tsx';
import { RefundPanel } from './RefundPanel.tsx';
import { ReturnActions } from './ReturnActions.tsx';
import { FlagBadges, ReturnStatusBadge } from './ReturnBadges.tsx';
import '../../metrics.css';
import '../../returns.css';
import { FactList, type Fact } from '../FactList.tsx';

type Load = { state: 'loading' } | { state: 'failed'; notFound: boolean } | { state: 'ready'; view: ReturnView };

/** One return request: what comes back, the rules it was held to, the money, its story, and the next moves. */
export function ReturnDetailPage({ shopId, returnId, role }: { shopId: string; returnId: string; role: Role }) {
  const m = useMessages().returns;
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoad({ state: 'loading' });
    returnsApi.get(shopId, returnId, ctrl.signal).then(
      (view) => setLoad({ state: 'ready', view }),
      (e: unknown) => {
        if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
        setLoad({ state: 'failed', notFound: e instanceof ApiError && (e.code === 'not_found' || e.code === 'invalid_input') });
      },
    );
    return () => ctrl.abort();
  }, [shopId, returnId, attempt]);

  /** After a refused move: the latest state, in place (the page does not blank meanwhile). */
  const reload = useCallback(async () => {
    try {
      setLoad({ state: 'ready', view: await returnsApi.get(shopId, returnId) });
    } catch {
      setAttempt((a) => a + 1);
    }
  }, [shopId, returnId]);
  // Live: moved by someone else (another agent, the customer on the portal, a deadline), the page shows it.
  useReturnChanges(shopId, (c) => c.returnId === returnId, () => void reload());

  return (
    <>
      <RouteLink to={{ page: 'returns', shopId }} className="back-link" testId="back-to-returns">
        {m.detail.back}
      </RouteLink>
      {load.state === 'loading' && (
        <p className="muted" role="status">
          {m.loading}
        </p>
      )}
      {load.state === 'failed' && (
        <p role="alert" className="alert alert-error" data-testid="return-error">
          {load.notFound ? m.detail.notFound : m.detail.loadFailed}{' '}
          {!load.notFound && (
            <button type="button" className="button button-quiet" onClick={() => setAttempt((a) => a + 1)}>
              {m.retry}
            </button>
          )}
        </p>
      )}
      {load.state === 'ready' && <ReturnDetail shopId={shopId} view={load.view} role={role} onChanged={(view) => setLoad({ state: 'ready', view })} reload={reload} />}
    </>
  );
}

interface DetailProps {
  shopId: string;
  view: ReturnView;
  role: Role;
  onChanged: (v: ReturnView) => void;
  reload: () => Promise<void>;
}

function ReturnDetail({ shopId, view, role, onChanged, reload }: DetailProps) {
  const m = useMessages().returns;
  return (
    <article className="return-detail" data-testid="return-detail" data-status={view.status}>
      <header className="conversation-head">
        <h1 className="page-title" data-testid="return-title">
          {m.detail.title(view.number)}
        </h1>
        <ReturnStatusBadge status={view.status} />
        {view.kind !== 'return' && (
          <span className="badge return-kind" data-testid="return-kind" data-kind={view.kind}>
            {m.kind[view.kind]}
          </span>
        )}
        <FlagBadges flags={view.flags} overLimit={view.overRefundLimit === true} />
      </header>
      <div className="return-columns">
        <div className="return-main">
          <OrderChangedPanel view={view} />
          <ItemsPanel view={view} />
          <CommentPanel view={view} />
          <PhotosPanel view={view} />
          <PolicyPanel view={view} />
          <RefundPanel view={view} role={role} />
          {canEditExchange(view, role) && <ExchangeItemsPanel key={`${view.id}:${view.status}`} shopId={shopId} view={view} onChanged={onChanged} reload={reload} />}
          <HistoryPanel view={view} />
        </div>
        <aside className="return-side">
          <ReturnActions key={view.id} shopId={shopId} view={view} onChanged={onChanged} reload={reload} />
          {hasBank(view) && <BankPanel key={view.id} shopId={shopId} view={view} />}
          <FactsPanel shopId={shopId} view={view} />
          <DeliveryHistory shopId={shopId} about={{ returnId: view.id }} />
        </aside>
      </div>
    </article>
  );
}

/**
 * What comes back, each line as it was on the order when the return was filed. A line the
 * shop platform has since pushed the order without is marked here: the return still stands
 * on its filing-time snapshot (price, quantity, refund), and the person sees that it moved.
 */
function ItemsPanel({ view }: { view: ReturnView }) {
  const id = useId();
  const m = useMessages().returns;
  const d = m.detail;
  const anyRemoved = view.items.some((i) => i.removedFromOrder);
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 className="panel-title" id={`${id}-title`}>
        {d.items}
      </h2>
      <div className="table-scroll">
        <table className="data-table items-table" data-testid="return-items">
          <thead>
            <tr>
              <th scope="col">{d.name}</th>
              <th scope="col" className="text-cell">{d.sku}</th>
              <th scope="col" className="text-cell">{d.tags}</th>
              <th scope="col">{d.unitPrice}</th>
              <th scope="col">{d.quantity}</th>
              <th scope="col">{d.taxRate}</th>
              <th scope="col">{d.subtotal}</th>
            </tr>
          </thead>
          <tbody>
            {view.items.map((i) => (
              <tr key={i.lineNo} data-testid="return-item" data-line={i.lineNo} data-removed={i.removedFromOrder}>
                <th scope="row">
                  {i.name}
                  {i.removedFromOrder && (
                    <>
                      {' '}
                      <span className="badge return-flag" data-testid="item-removed">
                        {m.orderChanged.itemRemoved}
                      </span>
                    </>
                  )}
                </th>
                <td className="text-cell">{i.sku}</td>
                <td className="text-cell">
                  {i.tags.map((t) => (
                    <span key={t} className="badge badge-tag">
                      {t}
                    </span>
                  ))}
                </td>
                <td>{yen(i.unitPrice)}</td>
                <td data-testid="item-quantity">{i.quantity}</td>
                <td>{i.taxRate}%</td>
                <td>{yen(i.unitPrice * i.quantity)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {anyRemoved && (
        <p className="muted metric-note" data-testid="items-removed-hint">
          {m.orderChanged.itemRemovedHint}
        </p>
      )}
    </section>
  );
}

const hasBank = (v: ReturnView): v is ReturnView & { bankAccount: ReturnBankAccount } => v.bankAccount !== null;

/** The customer's own words (for a refused delivery, the note the shop wrote when recording it), line breaks kept. */
function CommentPanel({ view }: { view: ReturnView }) {
  const id = useId();
  const d = useMessages().returns.detail;
  if (!view.comment) return null;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 className="panel-title" id={`${id}-title`}>
        {view.kind === 'refused_delivery' ? d.recordedNote : d.comment}
      </h2>
      <blockquote className="return-comment" data-testid="return-comment">
        {view.comment}
      </blockquote>
    </section>
  );
}

function HistoryPanel({ view }: { view: ReturnView }) {
  const id = useId();
  const lang = useLang();
  const m = useMessages().returns;
  const d = m.detail;
  const eventLabel = (e: string) => (m.event as Record<string, string>)[e] ?? e;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 className="panel-title" id={`${id}-title`}>
        {d.history}
      </h2>
      <div className="table-scroll">
        <table className="data-table history-table" data-testid="return-history">
          <thead>
            <tr>
              <th scope="col">{d.at}</th>
              <th scope="col" className="text-cell">{d.what}</th>
              <th scope="col" className="text-cell">{d.by}</th>
              <th scope="col" className="text-cell">{d.note}</th>
            </tr>
          </thead>
          <tbody>
            {view.history.map((h, i) => (
              <tr key={i} data-testid="history-row" data-event={h.event}>
                <th scope="row" className="returns-when">
                  {tokyoDateTime(h.at, lang)}
                </th>
                <td className="text-cell">
                  <strong>{eventLabel(h.event)}</strong>
                  <span className="muted"> {h.from ? d.fromTo(m.status[h.from], m.status[h.to]) : m.status[h.to]}</span>
                </td>
                <td className="text-cell">
                  {h.by}
                  {m.actor[h.byKind] && <span className="muted">{lang === 'ja' ? `（${m.actor[h.byKind]}）` : ` (${m.actor[h.byKind]})`}</span>}
                </td>
                <td className="text-cell">
                  {h.reasonCode && <span className="badge">{(m.rejection as Record<string, string>)[h.reasonCode] ?? h.reasonCode}</span>} {h.note}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function FactsPanel({ shopId, view }: { shopId: string; view: ReturnView }) {
  const id = useId();
  const lang = useLang();
  const m = useMessages().returns;
  const d = m.detail;
  const when = (iso: string | null) => (iso ? tokyoDateTime(iso, lang) : d.unknown);
  const viaChannel = (c: NoticeChannel) => (lang === 'ja' ? `（${m.noticeChannel[c]}）` : ` (${m.noticeChannel[c]})`);
  const facts: Fact[] = [
    [d.orderNumber, <RouteLink to={{ page: 'orderDetail', shopId, orderNumber: view.order.orderNumber }} testId="order-page-link">{view.order.orderNumber}</RouteLink>, 'fact-order'],
    [d.customer, view.order.customerName, 'fact-customer'],
    [d.orderedAt, when(view.order.orderedAt)],
    [d.deliveredAt, when(view.order.deliveredAt)],
    [d.payment, (m.payment as Record<string, string>)[view.order.paymentMethod] ?? view.order.paymentMethod],
    [d.refundMethod, m.refundMethod[view.refundMethod]],
    [d.filedAt, when(view.createdAt)],
    // The window is judged at the time the notice reached the shop (到達主義), which a person may have recorded.
    [d.noticeAt, view.noticeChannel ? `${when(view.noticeAt)}${viaChannel(view.noticeChannel)}` : when(view.noticeAt), 'fact-notice'],
    [d.source, m.source[view.source]],
    [d.kind, m.kind[view.kind]],
    [d.reason, m.reason[view.reason], 'fact-reason'],
    [d.terms, d.termsVersion(view.termsVersion)],
  ];
  // A statutory cancellation or a claim on the shop's fault does not lapse: its date is one to aim for.
  if (view.shipBy) facts.push([view.shipByIsDeadline ? d.shipBy : d.shipByAim, when(view.shipBy), 'fact-ship-by']);
  if (view.carrier) facts.push([d.carrier, view.carrier]);
  if (view.trackingNumber) facts.push([d.tracking, view.trackingNumber, 'fact-tracking']);
  if (view.shippedAt) facts.push([d.shippedAt, when(view.shippedAt)]);
  if (view.receivedAt) facts.push([d.receivedAt, when(view.receivedAt)]);
  if (view.refundedAt) facts.push([d.refundedAt, when(view.refundedAt)]);
  if (view.rejectionCode) facts.push([d.rejectionCode, (m.rejection as Record<string, string>)[view.rejectionCode] ?? view.rejectionCode, 'fact-rejection']);
  if (view.decisionNote) facts.push([d.decisionNote, view.decisionNote]);
  // A request that stands once made was canceled as a record of the customer's own withdrawal: when and how it reached the shop.
  if (view.withdrawalReceivedAt && view.withdrawalChannel) facts.push([d.withdrawalAt, `${when(view.withdrawalReceivedAt)}${viaChannel(view.withdrawalChannel)}`, 'fact-withdrawal']);
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="return-facts">
      <h2 className="panel-title" id={`${id}-title`}>
        {d.order}
      </h2>
      <FactList facts={facts} />
      {view.keepItem && <p className="muted metric-note">{d.keepItem}</p>}
      {view.bankPurgedAt && (
        <p className="muted metric-note" data-testid="bank-purged">
          {d.bankPurged(when(view.bankPurgedAt))}
        </p>
      )}
      {view.returnLabelByShop && <p className="muted metric-note">{d.labelByShop}</p>}
    </section>
  );
}
