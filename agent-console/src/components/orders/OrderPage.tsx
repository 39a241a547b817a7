import { useId, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { ordersMessages } from '../../i18n.orders.ts';
import { ordersApi } from '../../ordersApi.ts';
import { tokyoDateTime, yen } from '../../returns.format.ts';
import type { OrderView } from '../../types.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { RouteLink } from '../RouteLink.tsx';
import { OrderCustomer } from './OrderCustomer.tsx';
import { OrderLinksPanel } from './OrderLinksPanel.tsx';
import { DeliveryHistory } from '../maillog/DeliveryHistory.tsx';
import '../../metrics.css';
import '../../returns.css';
import '../../orders.css';
import { FactList, type Fact } from '../FactList.tsx';

/**
 * One order: its lines and totals, shipping, the customer (masked for contractors, each
 * field revealable with a reason), and the conversations and returns that point at it.
 */
export function OrderPage({ shopId, orderNumber }: { shopId: string; orderNumber: string }) {
  const m = ordersMessages[useLang()].detail;
  const [missing, setMissing] = useState(false);
  const order = useLoad(
    (signal) =>
      ordersApi.get(shopId, orderNumber, signal).catch((e: unknown) => {
        // A number the API refuses outright (400) is as missing as one it does not know.
        if (!signal.aborted) setMissing(e instanceof ApiError && (e.code === 'not_found' || e.code === 'invalid_input'));
        throw e;
      }),
    `${shopId}/${orderNumber}`,
  );
  return (
    <div className="return-detail order-detail" data-testid="order-page">
      <p>
        <RouteLink to={{ page: 'orders', shopId }} testId="orders-back">
          ← {m.back}
        </RouteLink>
      </p>
      <h1 className="page-title">{m.title(orderNumber)}</h1>
      {order.state === 'failed' && (
        <p role="alert" className="alert alert-error" data-testid="order-error">
          {missing ? m.notFound : m.loadFailed}
        </p>
      )}
      {order.state === 'loading' && !order.data && (
        <p className="muted" role="status">
          …
        </p>
      )}
      {order.data && (
        <div className="return-columns">
          <div className="return-main">
            <LinesPanel order={order.data} />
            <ShippingPanel order={order.data} />
          </div>
          <div className="return-side">
            <OrderCustomer shopId={shopId} order={order.data} />
            <OrderLinksPanel shopId={shopId} orderNumber={orderNumber} />
            <DeliveryHistory shopId={shopId} about={{ orderNumber }} />
          </div>
        </div>
      )}
    </div>
  );
}

function LinesPanel({ order }: { order: OrderView }) {
  const id = useId();
  const m = ordersMessages[useLang()].detail;
  const goods = order.lines.reduce((s, l) => s + l.subtotal, 0);
  const totals: [string, number, string][] = [[m.goods, goods, 'goods']];
  if (order.shippingFee) totals.push([m.shippingFee, order.shippingFee, 'shipping-fee']);
  if (order.codFee) totals.push([m.codFee, order.codFee, 'cod-fee']);
  if (order.coupon?.discount) totals.push([m.coupon(order.coupon.code), -order.coupon.discount, 'coupon']);
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="order-lines">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.lines}
      </h2>
      <div className="table-scroll">
        <table className="data-table items-table">
          <thead>
            <tr>
              <th scope="col" className="text-cell">{m.sku}</th>
              <th scope="col" className="text-cell">{m.item}</th>
              <th scope="col">{m.quantity}</th>
              <th scope="col">{m.unitPrice}</th>
              <th scope="col">{m.taxRate}</th>
              <th scope="col">{m.subtotal}</th>
            </tr>
          </thead>
          <tbody>
            {order.lines.map((l) => (
              <tr key={l.lineNo} data-testid="order-line">
                <td className="text-cell">{l.sku}</td>
                <th scope="row" className="text-cell">{l.name}</th>
                <td>{l.quantity}</td>
                <td>{yen(l.unitPrice)}</td>
                <td>{l.taxRate}%</td>
                <td>{yen(l.subtotal)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            {totals.map(([label, n, key]) => (
              <tr key={key}>
                <th scope="row" colSpan={5} className="text-cell">{label}</th>
                <td>{yen(n)}</td>
              </tr>
            ))}
            <tr data-testid="order-total">
              <th scope="row" colSpan={5} className="text-cell">{m.total}</th>
              <td>{yen(order.total)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

function ShippingPanel({ order }: { order: OrderView }) {
  const id = useId();
  const lang = useLang();
  const all = ordersMessages[lang];
  const m = all.detail;
  const payment = useMessages().returns.payment as Record<string, string>;
  const when = (iso: string | null) => (iso ? tokyoDateTime(iso, lang) : m.none);
  const facts: Fact[] = [
    [m.orderedAt, when(order.orderedAt)],
    [m.payment, payment[order.paymentMethod] ?? order.paymentMethod],
    [m.status, <span className={`badge order-status order-status-${order.status}`}>{all.status[order.status]}</span>, 'order-status'],
    [m.carrier, order.carrier ?? m.none, 'order-carrier'],
    [m.tracking, order.trackingNumber ?? m.none],
    [m.shippedAt, when(order.shippedAt)],
    [m.deliveredAt, when(order.deliveredAt)],
    // The platform cancelled it: delay notices leave it out and the portal sends its customer to the shop.
    ...(order.cancelledAt ? [[m.cancelledAt, <span className="badge order-cancelled">{`${m.cancelled} ${when(order.cancelledAt)}`}</span>, 'order-cancelled'] as Fact] : []),
    [m.source, m.sources[order.source]],
  ];
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="order-shipping">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.shipping}
      </h2>
      <FactList facts={facts} />
    </section>
  );
}
