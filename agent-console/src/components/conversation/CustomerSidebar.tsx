import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { chatApi } from '../../chatApi.ts';
import { useMessages } from '../../i18n.ts';
import type { ConversationDto, MaskableField, OrderView } from '../../types.ts';
import { formatTokyo } from '../inbox/Badges.tsx';
import { RouteLink } from '../RouteLink.tsx';
import { CustomerRelated } from './CustomerRelated.tsx';
import { DeliveryHistory } from '../maillog/DeliveryHistory.tsx';

type OrderState = { state: 'loading' } | { state: 'missing' } | { state: 'failed' } | { state: 'ready'; order: OrderView };

const yen = new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' });

/** The customer as the server shows them to this person (contact data masked for contractors), and their order. */
export function CustomerSidebar({ c }: { c: ConversationDto }) {
  const m = useMessages().chat.sidebar;
  const id = useId();
  return (
    <aside className="sidebar" aria-labelledby={`${id}-customer`} data-testid="customer-sidebar">
      <section className="panel">
        <h2 id={`${id}-customer`} className="panel-title">
          {m.customer}
        </h2>
        <dl className="facts">
          <dt className="sr-only">{m.customer}</dt>
          <dd className="customer-name" data-testid="customer-name">
            {c.customer.name}
            {c.customer.verified && <span className="badge badge-verified">{m.verified}</span>}
          </dd>
          {c.customer.email && (
            <>
              <dt>{m.email}</dt>
              <dd data-testid="customer-email">{c.customer.email}</dd>
            </>
          )}
        </dl>
      </section>
      {c.orderNumber && <OrderPanel key={c.orderNumber} shopId={c.shopId} orderNumber={c.orderNumber} />}
      <CustomerRelated shopId={c.shopId} conversationId={c.id} />
      <DeliveryHistory shopId={c.shopId} about={{ conversationId: c.id }} />
    </aside>
  );
}

function OrderPanel({ shopId, orderNumber }: { shopId: string; orderNumber: string }) {
  const m = useMessages().chat.sidebar;
  const [s, setS] = useState<OrderState>({ state: 'loading' });
  const [revealed, setRevealed] = useState<Partial<Record<MaskableField, string>>>({});

  useEffect(() => {
    const ctrl = new AbortController();
    chatApi.order(shopId, orderNumber, ctrl.signal).then(
      (order) => setS({ state: 'ready', order }),
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        // The conversation's number may not be one the orders API accepts at all: also "not found".
        setS({ state: e instanceof ApiError && (e.code === 'not_found' || e.code === 'invalid_input') ? 'missing' : 'failed' });
      },
    );
    return () => ctrl.abort();
  }, [shopId, orderNumber]);

  return (
    <section className="panel" data-testid="order-panel">
      <h2 className="panel-title">
        {m.order}{' '}
        {/* Only an order that exists gets a link: the customer may have typed the number wrong. */}
        {s.state === 'ready' ? (
          <RouteLink to={{ page: 'orderDetail', shopId, orderNumber }} testId="order-page-link">
            {orderNumber}
          </RouteLink>
        ) : (
          orderNumber
        )}
      </h2>
      {s.state === 'loading' && <p className="muted">…</p>}
      {s.state === 'missing' && <p className="muted">{m.orderNotFound(orderNumber)}</p>}
      {s.state === 'failed' && <p className="alert alert-error">{m.orderFailed}</p>}
      {s.state === 'ready' && (
        <>
          <dl className="facts">
            <dt>{m.orderedAt}</dt>
            <dd>{formatTokyo(s.order.orderedAt)}</dd>
            <dt>{m.total}</dt>
            <dd>{yen.format(s.order.total)}</dd>
            <dt>{m.shipping}</dt>
            <dd>
              {s.order.deliveredAt ? `${m.delivered} ${formatTokyo(s.order.deliveredAt)}` : s.order.shippedAt ? `${m.shipped} ${formatTokyo(s.order.shippedAt)}` : m.notShipped}
              {s.order.carrier && ` · ${s.order.carrier}`}
              {s.order.trackingNumber && ` ${s.order.trackingNumber}`}
            </dd>
            {(['email', 'phone', 'postcode', 'address'] as const).map((f) => {
              const value = revealed[f] ?? (f === 'address' ? [s.order.customer.prefecture, s.order.customer.address].filter(Boolean).join(' ') : s.order.customer[f]);
              if (!value) return null;
              return (
                <Field key={f} label={m.fields[f]} value={value} maskable={s.order.masked.includes(f) && !revealed[f]} shopId={shopId} orderNumber={orderNumber} field={f} onRevealed={(v) => setRevealed((r) => ({ ...r, [f]: v }))} />
              );
            })}
          </dl>
          <ul className="order-lines">
            {s.order.lines.map((l) => (
              <li key={l.lineNo}>
                {l.name} × {l.quantity} <span className="muted">{yen.format(l.subtotal)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

interface FieldProps {
  label: string;
  value: string;
  maskable: boolean;
  shopId: string;
  orderNumber: string;
  field: MaskableField;
  onRevealed: (value: string) => void;
}

/** A contact field; a masked one can be revealed with a written reason, which the server audits. */
function Field({ label, value, maskable, shopId, orderNumber, field, onRevealed }: FieldProps) {
  const m = useMessages().chat.sidebar;
  const id = useId();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function reveal(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      onRevealed((await chatApi.reveal(shopId, orderNumber, field, reason.trim())).value);
      setAsking(false);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'invalid_input' ? err.message : m.revealFailed);
    }
  }

  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={`order-${field}`} data-masked={maskable || undefined}>
        {value}
        {maskable && !asking && (
          <button type="button" className="button button-quiet" onClick={() => setAsking(true)} data-testid={`reveal-${field}`}>
            {m.reveal}
          </button>
        )}
        {asking && (
          <form className="reveal-form" onSubmit={(e) => void reveal(e)}>
            <label htmlFor={id}>{m.revealReason}</label>
            <input id={id} value={reason} required minLength={5} maxLength={500} autoFocus onChange={(e) => setReason(e.target.value)} data-testid="reveal-reason" />
            <button type="submit" className="button" data-testid="reveal-submit">
              {m.revealSubmit}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setAsking(false)}>
              {m.cancel}
            </button>
            {error && <p className="alert alert-error">{error}</p>}
          </form>
        )}
      </dd>
    </>
  );
}
