import type { MouseEvent } from 'react';
import { useLang, useMessages } from '../../i18n.ts';
import { queueMessages } from '../../i18n.queue.ts';
import { queueApi } from '../../queueApi.ts';
import { BASE, navigate, pathOf, type Route } from '../../router.ts';
import { formatTokyo } from '../inbox/Badges.tsx';
import { useLoad } from '../metrics/useLoad.ts';

/** Followed in place on a plain click; a real link otherwise (new tab). */
const follow = (route: Route) => (e: MouseEvent<HTMLAnchorElement>) => {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(route);
};

/** The order page's address (the orders section owns the page). */
const orderPath = (shopId: string, orderNumber: string) => `${BASE}/shops/${encodeURIComponent(shopId)}/orders/${encodeURIComponent(orderNumber)}`;

/** The customer's other conversations, orders and returns with the shop, as links. Numbers and states only: nothing to mask. */
export function CustomerRelated({ shopId, conversationId }: { shopId: string; conversationId: string }) {
  const m = queueMessages[useLang()].related;
  const chat = useMessages().chat;
  const load = useLoad((signal) => queueApi.related(shopId, conversationId, signal), `${shopId} ${conversationId}`);
  const r = load.data;
  return (
    <section className="panel" aria-labelledby={`related-${conversationId}`} data-testid="customer-related">
      <h2 id={`related-${conversationId}`} className="panel-title">
        {m.title}
      </h2>
      {load.state === 'failed' && <p className="alert alert-error">{m.loadFailed}</p>}
      {r && (
        <>
          <h3 className="panel-subtitle">{m.conversations}</h3>
          {r.conversations.length ? (
            <ul className="related-list" data-testid="related-conversations">
              {r.conversations.map((c) => {
                const to = { page: 'conversation', shopId, conversationId: c.id } as const;
                return (
                  <li key={c.id}>
                    <a href={pathOf(to)} onClick={follow(to)}>
                      #{c.number}
                    </a>{' '}
                    {chat.status[c.status]}
                    {c.subject && ` · ${c.subject}`}
                  </li>
                );
              })}
            </ul>
          ) : (
            <p className="muted">{m.none}</p>
          )}
          <h3 className="panel-subtitle">{m.orders}</h3>
          {r.orders.length ? (
            <ul className="related-list" data-testid="related-orders">
              {r.orders.map((o) => (
                <li key={o.orderNumber}>
                  <a href={orderPath(shopId, o.orderNumber)}>{o.orderNumber}</a> {formatTokyo(o.orderedAt)}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{m.none}</p>
          )}
          <h3 className="panel-subtitle">{m.returns}</h3>
          {r.returns.length ? (
            <ul className="related-list" data-testid="related-returns">
              {r.returns.map((x) => {
                const to = { page: 'returnDetail', shopId, returnId: x.id } as const;
                return (
                  <li key={x.id}>
                    <a href={pathOf(to)} onClick={follow(to)}>
                      {m.returnLabel(x.number, x.orderNumber)}
                    </a>
                  </li>
                );
              })}
            </ul>
          ) : (
            <p className="muted">{m.none}</p>
          )}
        </>
      )}
    </section>
  );
}
