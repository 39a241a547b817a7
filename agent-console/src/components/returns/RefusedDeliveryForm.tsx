import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useMessages, type Messages } from '../../i18n.ts';
import { returnsApi } from '../../returnsApi.ts';
import type { RefusedDeliveryInput } from '../../types.ts';
import { fieldErrors, type FieldErrors } from './terms.draft.ts';

type Fault = RefusedDeliveryInput['fault'];
/** The fields the server may name in a 400. */
type Field = keyof RefusedDeliveryInput;

interface Problem {
  lead: (m: Messages) => string;
  /** The server's own words: its message, or the messages of a 400 by field. */
  server: Array<{ field: Field | null; message: string }>;
}

const fields: readonly Field[] = ['orderNumber', 'fault', 'carrier', 'trackingNumber', 'note'];
const asField = (path: string): Field | null => (fields as readonly string[]).includes(path) ? (path as Field) : null;

/**
 * Records a parcel the carrier brought back (受け取り拒否) for a whole order, with whose
 * fault it was. The server checks everything (an order marked delivered or already returned
 * answers 409, an unknown order 404) and its messages show here, next to the fields; on 201
 * the new return's page opens.
 */
export function RefusedDeliveryForm({ shopId, onRecorded, onClose }: { shopId: string; onRecorded: (returnId: string) => void; onClose: () => void }) {
  const id = useId();
  const all = useMessages();
  const m = all.returns.refused;
  const [orderNumber, setOrderNumber] = useState('');
  const [fault, setFault] = useState<Fault | ''>('');
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), []);

  const invalid = new Set(problem?.server.map((s) => s.field).filter((f): f is Field => f !== null));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!orderNumber.trim() || !fault || busy) return;
    setBusy(true);
    setProblem(null);
    const body: RefusedDeliveryInput = {
      orderNumber: orderNumber.trim(),
      fault,
      ...(carrier.trim() ? { carrier: carrier.trim() } : {}),
      ...(tracking.trim() ? { trackingNumber: tracking.trim() } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    try {
      const view = await returnsApi.recordRefusedDelivery(shopId, body);
      onRecorded(view.id);
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  }

  const described = (f: Field) => (invalid.has(f) ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-problem` } : {});

  return (
    <form className="move-form refused-form" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} data-testid="refused-form">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.title}
      </h2>
      <p className="muted">{m.hint}</p>
      <label htmlFor={`${id}-order`}>{m.orderNumber}</label>
      <input
        ref={first}
        id={`${id}-order`}
        required
        maxLength={64}
        autoComplete="off"
        value={orderNumber}
        onChange={(e) => setOrderNumber(e.target.value)}
        data-testid="refused-order"
        {...described('orderNumber')}
      />
      <fieldset {...(invalid.has('fault') ? { 'aria-invalid': true, 'aria-describedby': `${id}-problem` } : {})}>
        <legend>{m.fault}</legend>
        {(['customer', 'shop'] as const).map((f) => (
          <label key={f} className="choice">
            <input type="radio" name={`${id}-fault`} value={f} required checked={fault === f} onChange={() => setFault(f)} data-testid={`refused-fault-${f}`} />
            <span>
              {f === 'customer' ? m.faultCustomer : m.faultShop}
              <span className="choice-hint">{f === 'customer' ? m.faultCustomerHint : m.faultShopHint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label htmlFor={`${id}-carrier`}>{m.carrier}</label>
      <input id={`${id}-carrier`} maxLength={64} value={carrier} onChange={(e) => setCarrier(e.target.value)} data-testid="refused-carrier" {...described('carrier')} />
      <label htmlFor={`${id}-tracking`}>{m.tracking}</label>
      <input id={`${id}-tracking`} maxLength={40} autoComplete="off" value={tracking} onChange={(e) => setTracking(e.target.value)} data-testid="refused-tracking" {...described('trackingNumber')} />
      <label htmlFor={`${id}-note`}>{m.note}</label>
      <textarea id={`${id}-note`} rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} data-testid="refused-note" {...described('note')} />
      {problem && (
        <div id={`${id}-problem`} role="alert" className="alert alert-warning" data-testid="refused-problem">
          <p>{problem.lead(all)}</p>
          {problem.server.length > 0 && (
            <ul className="plain-list server-message">
              {problem.server.map((s, i) => (
                <li key={i} data-testid="refused-server-message" data-field={s.field ?? undefined}>
                  {s.field ? `${m.field[s.field]}: ${s.message}` : s.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <span className="move-form-buttons">
        <button type="submit" className="button button-primary" disabled={busy || !orderNumber.trim() || !fault} data-testid="refused-submit">
          {busy ? m.submitting : m.submit}
        </button>
        <button type="button" className="button button-quiet" onClick={onClose}>
          {m.cancel}
        </button>
      </span>
    </form>
  );
}

function problemOf(err: unknown): Problem | null {
  if (!(err instanceof ApiError)) return { lead: (x) => x.returns.refused.failed, server: [] };
  const said = [{ field: null, message: err.message }];
  // An unknown order, or one that cannot take a refused delivery: the order number is what to look at.
  const atOrder = [{ field: 'orderNumber' as const, message: err.message }];
  switch (err.code) {
    case 'unauthenticated':
      return null;
    case 'not_found':
      return { lead: (x) => x.returns.refused.notFound, server: atOrder };
    case 'conflict': {
      // The server names the order number (details.path) when the order is marked delivered; otherwise it already has a return.
      const path = (err.details as { path?: unknown } | undefined)?.path;
      const delivered = Array.isArray(path) && path.includes('orderNumber');
      return { lead: (x) => (delivered ? x.returns.refused.delivered : x.returns.refused.hasReturn), server: atOrder };
    }
    case 'invalid_input': {
      const byField: FieldErrors = fieldErrors(err.details);
      const server = [...byField].flatMap(([path, ms]) => ms.map((message) => ({ field: asField(path), message })));
      return { lead: (x) => x.returns.refused.invalid, server: server.length ? server : said };
    }
    case 'forbidden':
      return { lead: (x) => x.returns.refused.forbidden, server: said };
    default:
      return { lead: (x) => x.returns.refused.failed, server: [] };
  }
}
