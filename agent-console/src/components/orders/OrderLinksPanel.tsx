import { useId } from 'react';
import { useLang, useMessages } from '../../i18n.ts';
import { ordersMessages } from '../../i18n.orders.ts';
import { ordersApi } from '../../ordersApi.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { RouteLink } from '../RouteLink.tsx';

/** The conversations and returns that point at the order, each a link to its page (which links back). */
export function OrderLinksPanel({ shopId, orderNumber }: { shopId: string; orderNumber: string }) {
  const id = useId();
  const lang = useLang();
  const m = ordersMessages[lang].detail;
  const common = useMessages();
  const convStatus = common.chat.status as Record<string, string>;
  const retStatus = common.returns.status as Record<string, string>;
  const retKind = common.returns.kind as Record<string, string>;
  const links = useLoad((signal) => ordersApi.links(shopId, orderNumber, signal), `${shopId}/${orderNumber}`);
  const data = links.data;
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="order-links">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.links}
      </h2>
      {links.state === 'failed' && <p className="alert alert-error">{m.linksFailed}</p>}
      {data && (
        <>
          <h3 className="subsection-title">{m.conversations}</h3>
          {data.conversations.length === 0 ? (
            <p className="muted">{m.noConversations}</p>
          ) : (
            <ul className="order-link-list" data-testid="order-conversations">
              {data.conversations.map((c) => (
                <li key={c.id}>
                  <RouteLink to={{ page: 'conversation', shopId, conversationId: c.id }} testId="order-conversation-link">
                    {m.conversation(c.number, c.subject)}
                  </RouteLink>{' '}
                  <span className="badge">{convStatus[c.status] ?? c.status}</span> <span className="muted">{tokyoDateTime(c.updatedAt, lang)}</span>
                </li>
              ))}
            </ul>
          )}
          <h3 className="subsection-title">{m.returns}</h3>
          {data.returns.length === 0 ? (
            <p className="muted">{m.noReturns}</p>
          ) : (
            <ul className="order-link-list" data-testid="order-returns">
              {data.returns.map((r) => (
                <li key={r.id}>
                  <RouteLink to={{ page: 'returnDetail', shopId, returnId: r.id }} testId="order-return-link">
                    R-{r.number}
                  </RouteLink>{' '}
                  {retKind[r.kind] ?? r.kind} <span className="badge">{retStatus[r.status] ?? r.status}</span> <span className="muted">{tokyoDateTime(r.createdAt, lang)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
