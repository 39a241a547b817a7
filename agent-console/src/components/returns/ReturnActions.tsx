import { useId, useState, type FormEvent } from 'react';
import type { NoticeChannel } from '../../../../server/domains/returns/returns.model.ts';
import { localize } from '../../../../server/domains/returns/returns.messages.ts';
import { ApiError } from '../../api.ts';
import { NoticeChannelSelect } from './NoticeChannelSelect.tsx';
import { useMessages, type Messages } from '../../i18n.ts';
import { returnsApi } from '../../returnsApi.ts';
import type { MoveReturnInput, RejectionCode, ReturnEvent, ReturnView } from '../../types.ts';

/** Moves that need more than a click: a reason code, a tracking number, a note saying why, or a second look (cancelling is final). */
const withForm: readonly ReturnEvent[] = ['reject', 'ship', 'refund_failed', 'cancel'];

type Notice = { kind: 'done' | 'problem'; text: (m: Messages) => string };

interface Props {
  shopId: string;
  view: ReturnView;
  onChanged: (v: ReturnView) => void;
  /** Reads the return again (after a 409 or a 403). */
  reload: () => Promise<void>;
}

/**
 * Exactly the moves the server says this person may make now (`allowedEvents`), each sent
 * with the status it was seen in: when someone else moved the return first the server
 * answers 409, and the page shows the latest state instead.
 */
export function ReturnActions({ shopId, view, onChanged, reload }: Props) {
  const m = useMessages().returns;
  const [open, setOpen] = useState<ReturnEvent | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const events = view.allowedEvents;

  async function send(body: Omit<MoveReturnInput, 'expectedStatus'>): Promise<void> {
    setBusy(true);
    setNotice(null);
    try {
      onChanged(await returnsApi.move(shopId, view.id, { ...body, expectedStatus: view.status }));
      setOpen(null);
      setNotice({ kind: 'done', text: (x) => x.returns.actions.done(x.returns.action[body.event]) });
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'conflict' || e.code === 'forbidden' || e.code === 'invalid_transition')) {
        const over = e.code === 'forbidden' && (e.details as { overRefundLimit?: unknown } | undefined)?.overRefundLimit === true;
        setNotice({ kind: 'problem', text: (x) => (over ? x.returns.actions.overLimit : e.code === 'forbidden' ? x.returns.actions.forbidden : x.returns.actions.conflict) });
        setOpen(null);
        await reload();
      } else if (e instanceof ApiError && e.code === 'invalid_input') {
        // A Japanese lead first: the server's English is shown only where it has no Japanese twin.
        setNotice({ kind: 'problem', text: (x) => `${x.returns.actions.invalid} ${localize(e.message)?.[x.returns.lang] ?? e.message}` });
      } else if (!(e instanceof ApiError && e.code === 'unauthenticated')) {
        setNotice({ kind: 'problem', text: (x) => x.returns.actions.failed });
      }
    } finally {
      setBusy(false);
    }
  }

  const allMessages = useMessages();
  return (
    <section className="panel" aria-labelledby="return-actions-title" data-testid="return-actions">
      <h2 className="panel-title" id="return-actions-title">
        {m.actions.title}
      </h2>
      {notice && (
        <p role={notice.kind === 'problem' ? 'alert' : 'status'} className={`alert ${notice.kind === 'problem' ? 'alert-warning' : 'alert-info'}`} data-testid={notice.kind === 'problem' ? 'action-problem' : 'action-done'}>
          {notice.text(allMessages)}
        </p>
      )}
      {events.length === 0 ? (
        <p className="muted" data-testid="no-actions">
          {m.actions.none}
        </p>
      ) : (
        <div className="action-buttons" role="group" aria-label={m.actions.title}>
          {events.map((e) => (
            <button
              key={e}
              type="button"
              className={`button ${e === 'approve' ? 'button-primary' : ''}`}
              disabled={busy}
              aria-expanded={withForm.includes(e) ? open === e : undefined}
              onClick={() => (withForm.includes(e) ? setOpen(open === e ? null : e) : void send({ event: e }))}
              data-testid={`move-${e}`}
            >
              {m.action[e]}
            </button>
          ))}
        </div>
      )}
      {open === 'reject' && <RejectForm codes={view.rejectionCodes} reasonRequired={view.rejectNeedsReason} busy={busy} onCancel={() => setOpen(null)} onSubmit={(reasonCode, note) => send({ event: 'reject', reasonCode, ...(note ? { note } : {}) })} />}
      {open === 'ship' && <ShipForm busy={busy} onCancel={() => setOpen(null)} onSubmit={(trackingNumber, carrier) => send({ event: 'ship', trackingNumber, ...(carrier ? { carrier } : {}) })} />}
      {open === 'refund_failed' && <NoteForm busy={busy} onCancel={() => setOpen(null)} onSubmit={(note) => send({ event: 'refund_failed', note })} />}
      {open === 'cancel' && !view.cancelRecordsWithdrawal && <CancelForm busy={busy} onCancel={() => setOpen(null)} onSubmit={(note) => send({ event: 'cancel', ...(note ? { note } : {}) })} />}
      {open === 'cancel' && view.cancelRecordsWithdrawal && (
        <WithdrawalForm busy={busy} onCancel={() => setOpen(null)} onSubmit={(withdrawalReceivedAt, withdrawalChannel, note) => send({ event: 'cancel', withdrawalReceivedAt, withdrawalChannel, note })} />
      )}
    </section>
  );
}

interface FormProps<A extends unknown[]> {
  busy: boolean;
  onCancel: () => void;
  onSubmit: (...args: A) => Promise<void>;
}

/** `codes`: the reasons that fit this return's legal basis, as the server says (a defect claim is never "outside the window"). */
/** `reasonRequired`: a request that stands once made is refused only with a reason, mailed to the customer as written. */
function RejectForm({ codes, reasonRequired, busy, onCancel, onSubmit }: FormProps<[RejectionCode, string]> & { codes: readonly RejectionCode[]; reasonRequired: boolean }) {
  const m = useMessages().returns;
  const id = useId();
  const [code, setCode] = useState<RejectionCode | ''>('');
  const [note, setNote] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code && (!reasonRequired || note.trim())) void onSubmit(code, note.trim());
  };
  return (
    <form className="move-form" onSubmit={submit} data-testid="reject-form">
      {reasonRequired && <p className="hint">{m.actions.rejectReasonLead}</p>}
      <label htmlFor={`${id}-code`}>{m.actions.reasonCode}</label>
      <select id={`${id}-code`} required value={code} onChange={(e) => setCode(e.target.value as RejectionCode | '')} data-testid="reject-code">
        <option value="">{m.actions.choose}</option>
        {codes.map((c) => (
          <option key={c} value={c}>
            {m.rejection[c]}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-note`}>{reasonRequired ? m.actions.rejectReason : m.actions.note}</label>
      <textarea id={`${id}-note`} rows={2} required={reasonRequired} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} data-testid="reject-note" />
      <FormButtons busy={busy || !code || (reasonRequired && !note.trim())} label={m.action.reject} onCancel={onCancel} />
    </form>
  );
}

function ShipForm({ busy, onCancel, onSubmit }: FormProps<[string, string]>) {
  const m = useMessages().returns;
  const id = useId();
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (tracking.trim()) void onSubmit(tracking.trim(), carrier.trim());
  };
  return (
    <form className="move-form" onSubmit={submit} data-testid="ship-form">
      <label htmlFor={`${id}-carrier`}>{m.actions.carrier}</label>
      <input id={`${id}-carrier`} maxLength={64} value={carrier} onChange={(e) => setCarrier(e.target.value)} />
      <label htmlFor={`${id}-tracking`}>{m.actions.tracking}</label>
      <input id={`${id}-tracking`} required maxLength={40} pattern="[A-Za-z0-9\-]{4,40}" value={tracking} onChange={(e) => setTracking(e.target.value)} data-testid="ship-tracking" />
      <FormButtons busy={busy} label={m.action.ship} onCancel={onCancel} />
    </form>
  );
}

function NoteForm({ busy, onCancel, onSubmit }: FormProps<[string]>) {
  const m = useMessages().returns;
  const id = useId();
  const [note, setNote] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (note.trim()) void onSubmit(note.trim());
  };
  return (
    <form className="move-form" onSubmit={submit} data-testid="refund-failed-form">
      <label htmlFor={`${id}-note`}>{m.actions.failNote}</label>
      <textarea id={`${id}-note`} rows={2} required maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      <FormButtons busy={busy} label={m.action.refund_failed} onCancel={onCancel} />
    </form>
  );
}

function CancelForm({ busy, onCancel, onSubmit }: FormProps<[string]>) {
  const m = useMessages().returns;
  const id = useId();
  const [note, setNote] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void onSubmit(note.trim());
  };
  return (
    <form className="move-form" onSubmit={submit} data-testid="cancel-form">
      <p>{m.actions.confirmCancel}</p>
      <label htmlFor={`${id}-note`}>{m.actions.note}</label>
      <textarea id={`${id}-note`} rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      <FormButtons busy={busy} label={m.action.cancel} onCancel={onCancel} />
    </form>
  );
}

/** A Tokyo wall-clock time as the datetime-local input holds it ("2026-12-08T21:30"). */
const tokyoLocal = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 16);
/** That input's value as an instant: Asia/Tokyo has no daylight saving, so +09:00 always. */
const fromTokyoLocal = (v: string) => `${v}:00+09:00`;

/**
 * A request that stands once made (statutory, or the shop's fault) is canceled only as a record
 * of the customer's own withdrawal: when it reached the shop, how, and what they said.
 */
function WithdrawalForm({ busy, onCancel, onSubmit }: FormProps<[string, NoticeChannel, string]>) {
  const m = useMessages().returns;
  const id = useId();
  const [at, setAt] = useState(() => tokyoLocal(new Date()));
  const [channel, setChannel] = useState<NoticeChannel | ''>('');
  const [note, setNote] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (at && channel && note.trim()) void onSubmit(fromTokyoLocal(at), channel, note.trim());
  };
  return (
    <form className="move-form" onSubmit={submit} data-testid="withdrawal-form">
      <p>{m.actions.withdrawalLead}</p>
      <label htmlFor={`${id}-at`}>{m.actions.withdrawalAt}</label>
      <input id={`${id}-at`} type="datetime-local" required value={at} max={tokyoLocal(new Date())} onChange={(e) => setAt(e.target.value)} data-testid="withdrawal-at" />
      <label htmlFor={`${id}-channel`}>{m.actions.withdrawalChannel}</label>
      <NoticeChannelSelect id={`${id}-channel`} value={channel} onChange={setChannel} testId="withdrawal-channel" />
      <label htmlFor={`${id}-note`}>{m.actions.withdrawalNote}</label>
      <textarea id={`${id}-note`} rows={2} required maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} data-testid="withdrawal-note" />
      <FormButtons busy={busy || !channel || !note.trim()} label={m.action.cancel} onCancel={onCancel} />
    </form>
  );
}

function FormButtons({ busy, label, onCancel }: { busy: boolean; label: string; onCancel: () => void }) {
  const m = useMessages().returns;
  return (
    <span className="move-form-buttons">
      <button type="submit" className="button button-primary" disabled={busy} data-testid="move-submit">
        {label}
      </button>
      <button type="button" className="button button-quiet" onClick={onCancel}>
        {m.actions.cancel}
      </button>
    </span>
  );
}
