import { useId } from 'react';
import { useMessages } from '../../i18n.ts';
import { yen } from '../../returns.format.ts';
import type { Role, ReturnView } from '../../types.ts';
import { heldToRefundLimit } from '../../../../server/domains/returns/returns.machine.ts';

/**
 * Every step of the refund as the server computed it: each line with its share of the coupon,
 * the fees given back, what the terms deduct, the total, the tax per rate and, for an
 * exchange, the difference. Nothing is recomputed here.
 */
export function RefundPanel({ view, role }: { view: ReturnView; role: Role }) {
  const id = useId();
  const m = useMessages().returns;
  const r = m.refund;
  const { refund } = view;
  const names = new Map(view.items.map((i) => [i.lineNo, i.name]));
  const d = refund.exchange?.difference ?? 0;

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="refund-panel">
      <h2 className="panel-title" id={`${id}-title`}>
        {r.title}
      </h2>
      <table className="data-table refund-table" data-testid="refund-table">
        <caption className="sr-only">{r.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{r.item}</th>
            <th scope="col">{r.amount}</th>
          </tr>
        </thead>
        <tbody>
          {refund.lines.map((l) => (
            <RefundLineRows key={l.lineNo} label={r.line(names.get(l.lineNo) ?? `#${l.lineNo}`, l.quantity, yen(l.unitPrice))} gross={l.gross} coupon={l.couponShare} couponLabel={r.coupon} />
          ))}
          <tr className="refund-subtotal" data-testid="refund-goods">
            <th scope="row">{r.goods}</th>
            <td>{yen(refund.goods)}</td>
          </tr>
          {refund.fees.map((f) => (
            <tr key={f.kind} data-testid={`refund-fee-${f.kind}`}>
              <th scope="row">{r.fee[f.kind]}</th>
              <td>{yen(f.amount)}</td>
            </tr>
          ))}
          {refund.deductions.map((x) => (
            <tr key={x.kind} className="refund-deduction" data-testid={`refund-deduction-${x.kind}`}>
              <th scope="row">{r.deduction[x.kind]}</th>
              <td>{yen(-x.amount)}</td>
            </tr>
          ))}
          {refund.exchange && (
            <>
              <tr data-testid="refund-exchange-items">
                <th scope="row">{r.newItemsTotal}</th>
                <td>{yen(refund.exchange.newItemsTotal)}</td>
              </tr>
              <tr data-testid="refund-exchange-difference">
                <th scope="row">{d > 0 ? r.customerPays : d < 0 ? r.shopRefunds : r.noDifference}</th>
                <td>{yen(Math.abs(d))}</td>
              </tr>
            </>
          )}
        </tbody>
        <tfoot>
          <tr data-testid="refund-total">
            <th scope="row">{r.total}</th>
            <td>{yen(refund.total)}</td>
          </tr>
        </tfoot>
      </table>
      {refund.clamped > 0 && (
        <p className="muted metric-note" data-testid="refund-clamped">
          {r.clamped(yen(refund.clamped))}
        </p>
      )}
      {refund.byTaxRate.length > 0 && (
        <div>
          <h3 className="subsection-title">{r.byTaxRate}</h3>
          <ul className="plain-list" data-testid="refund-tax">
            {refund.byTaxRate.map((t) => (
              <li key={t.rate}>{r.taxRow(t.rate, yen(t.amount), yen(t.tax))}</li>
            ))}
          </ul>
        </div>
      )}
      {refund.exchange && refund.exchange.newItems.length > 0 && (
        <div>
          <h3 className="subsection-title">{m.detail.exchangeItems}</h3>
          <ul className="plain-list" data-testid="exchange-items">
            {refund.exchange.newItems.map((x) => (
              <li key={x.sku}>
                {x.name} · {x.sku} · {yen(x.unitPrice)} × {x.quantity} = {yen(x.subtotal)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {refund.refused && !refund.refused.paid && (
        <p role="note" className="alert alert-info" data-testid="refused-unpaid">
          {refund.refused.owed ? r.unpaid(yen(refund.refused.owed)) : r.unpaidNothing}
        </p>
      )}
      {view.refundLimit !== null && (
        <p className="muted metric-note" data-testid="refund-limit">
          {r.limit(yen(view.refundLimit))}
        </p>
      )}
      {view.overRefundLimit && (
        <p role="note" className={`alert ${heldToRefundLimit(role) ? 'alert-warning' : 'alert-info'}`} data-testid="over-limit">
          {heldToRefundLimit(role) ? r.overLimit : r.overLimitMerchant}
        </p>
      )}
    </section>
  );
}

function RefundLineRows({ label, gross, coupon, couponLabel }: { label: string; gross: number; coupon: number; couponLabel: string }) {
  return (
    <>
      <tr data-testid="refund-line">
        <th scope="row">{label}</th>
        <td>{yen(gross)}</td>
      </tr>
      {coupon > 0 && (
        <tr className="refund-deduction refund-coupon" data-testid="refund-coupon">
          <th scope="row">{couponLabel}</th>
          <td>{yen(-coupon)}</td>
        </tr>
      )}
    </>
  );
}
