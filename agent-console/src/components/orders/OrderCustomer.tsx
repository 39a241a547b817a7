import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { ordersMessages } from '../../i18n.orders.ts';
import { ordersApi } from '../../ordersApi.ts';
import type { MaskableField, OrderView } from '../../types.ts';
import { fieldErrors } from '../../fieldErrors.ts';

const contactFields: readonly MaskableField[] = ['email', 'phone', 'postcode', 'address'];

/**
 * The customer as the server shows them to this person. A masked field (contractors) can be
 * revealed with a written reason, which the server records; nothing revealed is kept: a
 * reload masks it again.
 */
export function OrderCustomer({ shopId, order }: { shopId: string; order: OrderView }) {
  const id = useId();
  const m = ordersMessages[useLang()].detail;
  const [revealed, setRevealed] = useState<Partial<Record<MaskableField, string>>>({});
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="order-customer">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.customer}
      </h2>
      <dl className="facts">
        <dt>{m.name}</dt>
        <dd data-testid="order-customer-name">{order.customer.name}</dd>
        {order.customer.prefecture && (
          <>
            <dt>{m.prefecture}</dt>
            <dd data-testid="order-prefecture">{order.customer.prefecture}</dd>
          </>
        )}
        {contactFields.map((f) => {
          const value = revealed[f] ?? order.customer[f];
          if (!value) return null;
          return (
            <ContactField key={f} shopId={shopId} orderNumber={order.orderNumber} field={f} value={value} masked={order.masked.includes(f) && revealed[f] === undefined} onRevealed={(v) => setRevealed((r) => ({ ...r, [f]: v }))} />
          );
        })}
      </dl>
    </section>
  );
}

interface FieldProps {
  shopId: string;
  orderNumber: string;
  field: MaskableField;
  value: string;
  masked: boolean;
  onRevealed: (value: string) => void;
}

function ContactField({ shopId, orderNumber, field, value, masked, onRevealed }: FieldProps) {
  const lang = useLang();
  const m = ordersMessages[lang].detail;
  const id = useId();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reveal = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      onRevealed((await ordersApi.reveal(shopId, orderNumber, field, reason.trim())).value);
      setAsking(false);
    } catch (err) {
      const said = err instanceof ApiError && err.code === 'invalid_input' ? fieldErrors(err.details, lang).get('reason') : undefined;
      setError(said?.length ? said.join(' ') : m.revealFailed);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <dt>{m.fields[field]}</dt>
      <dd data-testid={`order-${field}`} data-masked={masked || undefined}>
        {value}
        {masked && <span className="sr-only">{m.masked}</span>}
        {masked && !asking && (
          <button type="button" className="button button-quiet" aria-label={m.revealLabel(m.fields[field])} onClick={() => setAsking(true)} data-testid={`reveal-${field}`}>
            {m.reveal}
          </button>
        )}
        {asking && (
          <form className="reveal-form" onSubmit={(e) => void reveal(e)} data-testid={`reveal-form-${field}`}>
            <label htmlFor={id}>{m.revealReason}</label>
            <input
              id={id}
              value={reason}
              required
              minLength={5}
              maxLength={500}
              autoFocus
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(e) => setReason(e.target.value)}
              data-testid="reveal-reason"
            />
            <span className="reveal-actions">
              <button type="submit" className="button" disabled={busy} data-testid="reveal-submit">
                {m.revealSubmit}
              </button>
              <button type="button" className="button button-quiet" onClick={() => setAsking(false)}>
                {m.cancel}
              </button>
            </span>
            {error && (
              <p id={`${id}-error`} role="alert" className="alert alert-error">
                {error}
              </p>
            )}
          </form>
        )}
      </dd>
    </>
  );
}
