import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { customerChoiceReasons, shopFaultReasons, type NoticeChannel } from '../../../../server/domains/returns/returns.model.ts';
import { localize } from '../../../../server/domains/returns/returns.messages.ts';
import { ApiError } from '../../api.ts';
import { NoticeChannelSelect } from './NoticeChannelSelect.tsx';
import { useLang, useMessages } from '../../i18n.ts';
import { returnsApi } from '../../returnsApi.ts';
import type { OrderView, ReturnReason } from '../../types.ts';

/** A Tokyo wall-clock time as the datetime-local input holds it ("2026-12-08T21:30"). */
const tokyoLocal = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 16);
/** That input's value as an instant: Asia/Tokyo has no daylight saving, so +09:00 always. */
const fromTokyoLocal = (v: string) => `${v}:00+09:00`;

type Problem = { lead: string; lines: string[] };

/**
 * Files a return for a customer who asked by mail, phone, chat or letter. The cancellation takes
 * effect when the notice reached the shop (到達主義, 民法 §97), so the person records that time
 * and how it came; the server judges the window at it, refuses one in the future or before the
 * order, audits it, and sends the request to a person when it was recorded later. The same
 * filing service as the portal's, through the same route as the shop's API key.
 */
export function StaffFilingForm({ shopId, onFiled, onClose }: { shopId: string; onFiled: (returnId: string) => void; onClose: () => void }) {
  const id = useId();
  const lang = useLang();
  const m = useMessages().returns;
  const f = m.staffFiling;
  const [orderNumber, setOrderNumber] = useState('');
  const [order, setOrder] = useState<OrderView | null>(null);
  const [quantities, setQuantities] = useState<Record<number, string>>({});
  const [kind, setKind] = useState<'return' | 'exchange'>('return');
  const [reason, setReason] = useState<ReturnReason | ''>('');
  const [receivedAt, setReceivedAt] = useState(() => tokyoLocal(new Date()));
  const [channel, setChannel] = useState<NoticeChannel | ''>('');
  const [conditions, setConditions] = useState(false);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  /** The server's words in the reader's language where it has them; the failed checks of the terms in the language asked for. */
  const problemOf = (err: unknown): Problem => {
    if (!(err instanceof ApiError)) return { lead: f.failed, lines: [] };
    if (err.code === 'not_found') return { lead: f.notFound, lines: [] };
    if (err.code === 'forbidden') return { lead: f.forbidden, lines: [] };
    const details = err.details as { checks?: Array<{ ja: string; en: string }> } | Array<{ path: string; message: string }> | undefined;
    if (!Array.isArray(details) && details?.checks) return { lead: f.notPossible, lines: details.checks.map((c) => c[lang]) };
    const said = Array.isArray(details) ? details.map((x) => `${f.field[x.path as keyof typeof f.field] ?? x.path}: ${localize(x.message)?.[lang] ?? x.message}`) : [localize(err.message)?.[lang] ?? err.message];
    return { lead: f.invalid, lines: said };
  };

  async function load(e: FormEvent) {
    e.preventDefault();
    if (!orderNumber.trim()) return;
    setProblem(null);
    try {
      const o = await returnsApi.order(shopId, orderNumber.trim());
      setOrder(o);
      setQuantities({});
    } catch (err) {
      setOrder(null);
      setProblem(problemOf(err));
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!order || !reason || !channel || busy) return;
    const items = order.lines.flatMap((l) => {
      const q = Number((quantities[l.lineNo] ?? '').normalize('NFKC').trim());
      return q > 0 ? [{ lineNo: l.lineNo, quantity: q }] : [];
    });
    setBusy(true);
    setProblem(null);
    try {
      const view = await returnsApi.file(shopId, {
        orderNumber: order.orderNumber,
        kind,
        reason,
        items,
        conditionsConfirmed: conditions,
        noticeReceivedAt: fromTokyoLocal(receivedAt),
        noticeChannel: channel,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      onFiled(view.id);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'unauthenticated')) setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  }

  const reasonGroup = (label: string, reasons: readonly ReturnReason[]) => (
    <optgroup label={label}>
      {reasons.map((r) => (
        <option key={r} value={r}>
          {m.reason[r]}
        </option>
      ))}
    </optgroup>
  );

  return (
    <section className="panel move-form staff-filing" aria-labelledby={`${id}-title`} data-testid="staff-filing">
      <h2 className="panel-title" id={`${id}-title`}>
        {f.title}
      </h2>
      <p className="muted metric-note">{f.hint}</p>
      <form onSubmit={(e) => void load(e)} className="staff-filing-order">
        <label htmlFor={`${id}-order`}>{f.orderNumber}</label>
        <input id={`${id}-order`} ref={first} maxLength={64} value={orderNumber} onChange={(e) => setOrderNumber(e.target.value)} data-testid="filing-order" />
        <button type="submit" className="button" disabled={!orderNumber.trim()} data-testid="filing-load">
          {f.load}
        </button>
      </form>
      {order && (
        <form onSubmit={(e) => void submit(e)} data-testid="filing-form">
          <table className="data-table items-table">
            <caption className="muted">{f.items(order.orderNumber, order.customer.name)}</caption>
            <tbody>
              {order.lines.map((l) => (
                <tr key={l.lineNo}>
                  <th scope="row">
                    <label htmlFor={`${id}-qty-${l.lineNo}`}>{l.name}</label>
                  </th>
                  <td>
                    <input id={`${id}-qty-${l.lineNo}`} type="number" inputMode="numeric" min={0} max={l.quantity} value={quantities[l.lineNo] ?? ''} onChange={(e) => setQuantities({ ...quantities, [l.lineNo]: e.target.value })} data-testid={`filing-qty-${l.lineNo}`} /> / {l.quantity}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <label htmlFor={`${id}-kind`}>{f.kind}</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as 'return' | 'exchange')} data-testid="filing-kind">
            <option value="return">{m.kind.return}</option>
            <option value="exchange">{m.kind.exchange}</option>
          </select>
          <label htmlFor={`${id}-reason`}>{f.reason}</label>
          <select id={`${id}-reason`} required value={reason} onChange={(e) => setReason(e.target.value as ReturnReason | '')} data-testid="filing-reason">
            <option value="">{m.actions.choose}</option>
            {reasonGroup(f.shopFault, shopFaultReasons)}
            {reasonGroup(f.choice, customerChoiceReasons)}
          </select>
          <label htmlFor={`${id}-at`}>{f.receivedAt}</label>
          <input id={`${id}-at`} type="datetime-local" required value={receivedAt} max={tokyoLocal(new Date())} onChange={(e) => setReceivedAt(e.target.value)} aria-describedby={`${id}-at-hint`} data-testid="filing-received-at" />
          <span id={`${id}-at-hint`} className="muted metric-note">
            {f.receivedAtHint}
          </span>
          <label htmlFor={`${id}-channel`}>{f.channel}</label>
          <NoticeChannelSelect id={`${id}-channel`} value={channel} onChange={setChannel} testId="filing-channel" />
          <label className="choice">
            <input type="checkbox" checked={conditions} onChange={(e) => setConditions(e.target.checked)} data-testid="filing-conditions" /> {f.conditions}
          </label>
          <label htmlFor={`${id}-comment`}>{f.comment}</label>
          <textarea id={`${id}-comment`} rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="filing-comment" />
          {problem && <ProblemNote problem={problem} />}
          <span className="move-form-buttons">
            <button type="submit" className="button button-primary" disabled={busy || !reason || !channel} data-testid="filing-submit">
              {busy ? f.submitting : f.submit}
            </button>
            <button type="button" className="button button-quiet" onClick={onClose}>
              {m.actions.cancel}
            </button>
          </span>
        </form>
      )}
      {!order && problem && <ProblemNote problem={problem} />}
    </section>
  );
}

function ProblemNote({ problem }: { problem: Problem }) {
  return (
    <div role="alert" className="alert alert-warning" data-testid="filing-problem">
      <p>{problem.lead}</p>
      {problem.lines.length > 0 && (
        <ul className="plain-list">
          {problem.lines.map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
