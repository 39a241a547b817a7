import { useEffect, useId, useState, type FormEvent } from 'react';
import { mailKinds, mailStatuses } from '../../../../server/domains/maillog/maillog.model.ts';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { mailLogMessages } from '../../i18n.maillog.ts';
import { mailLogApi, type MailLogDetail, type MailLogEntry, type MailLogFilter } from '../../mailLogApi.ts';
import type { Role } from '../../types.ts';
import { RouteLink } from '../RouteLink.tsx';
import { historyLine, shortTokyo } from './format.ts';
import '../../maillog.css';

type Draft = Required<Pick<MailLogFilter, 'kind' | 'status' | 'recipient' | 'from' | 'to'>>;
const emptyDraft: Draft = { kind: '', status: '', recipient: '', from: '', to: '' };

/** What the page was opened with (?orderNumber=… from an order's history), kept beside the form's filters. */
function linkedFilter(): MailLogFilter {
  const q = new URLSearchParams(window.location.search);
  const out: MailLogFilter = {};
  for (const k of ['conversationId', 'orderNumber', 'returnId', 'campaignId', 'kind', 'status', 'recipient', 'from', 'to'] as const) {
    const v = q.get(k);
    if (v) out[k] = v;
  }
  return out;
}

type Listing = { state: 'loading' | 'ready' | 'failed' | 'rejected'; entries: MailLogEntry[]; next: string | null };

/**
 * Every mail sent for the shop, newest first, with filters: kind, status, a part of the address
 * (not for contractors, who see addresses masked), days sent. A row opens its details: the mail
 * server's answer, the bounce report (not for contractors) and the address's suppressions.
 */
export function MailLogPage({ shopId, role }: { shopId: string; role: Role }) {
  const lang = useLang();
  const m = mailLogMessages[lang];
  const id = useId();
  const masked = role === 'contractor';
  const [linked] = useState(linkedFilter);
  const [applied, setApplied] = useState<Draft>({ ...emptyDraft, ...linked });
  const [draft, setDraft] = useState<Draft>(applied);
  const [list, setList] = useState<Listing>({ state: 'loading', entries: [], next: null });
  const [more, setMore] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    const filter = { ...linked, ...applied };
    setList((l) => ({ ...l, state: 'loading', ...(more ? {} : { entries: [] }) }));
    mailLogApi.list(shopId, filter, more, ctrl.signal).then(
      (page) => setList((l) => ({ state: 'ready', entries: more ? [...l.entries, ...page.entries] : page.entries, next: page.next })),
      (e: unknown) => {
        if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
        setList((l) => ({ ...l, state: e instanceof ApiError && e.status === 400 ? 'rejected' : 'failed' }));
      },
    );
    return () => ctrl.abort();
  }, [shopId, applied, more, linked]);

  const apply = (next: Draft) => {
    setMore(null);
    setOpen(null);
    setApplied(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const set = (k: keyof Draft, v: string, now = false) => {
    const next = { ...draft, [k]: v };
    setDraft(next);
    if (now) apply(next);
  };
  const linkedAbout = linked.orderNumber ?? linked.conversationId ?? linked.returnId ?? linked.campaignId;

  return (
    <div className="mail-log-page" data-testid="mail-log-page">
      <h1 className="page-title">{m.title}</h1>
      {linkedAbout && (
        <p className="muted">
          {linked.orderNumber ? `#${linked.orderNumber}` : linkedAbout} · <RouteLink to={{ page: 'mailLog', shopId }}>{m.list.clear}</RouteLink>
        </p>
      )}
      <form className="filters mail-log-filters" role="search" onSubmit={submit} data-testid="mail-log-filters">
        <label htmlFor={`${id}-kind`}>{m.list.kind}</label>
        <select id={`${id}-kind`} value={draft.kind} onChange={(e) => set('kind', e.target.value, true)} data-testid="mail-log-kind">
          <option value="">{m.list.any}</option>
          {mailKinds.map((k) => (
            <option key={k} value={k}>
              {m.kind[k]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-status`}>{m.list.status}</label>
        <select id={`${id}-status`} value={draft.status} onChange={(e) => set('status', e.target.value, true)} data-testid="mail-log-status">
          <option value="">{m.list.any}</option>
          {mailStatuses.map((s) => (
            <option key={s} value={s}>
              {m.status[s]}
            </option>
          ))}
        </select>
        {!masked && (
          <>
            <label htmlFor={`${id}-recipient`}>{m.list.recipient}</label>
            <input id={`${id}-recipient`} type="search" value={draft.recipient} maxLength={254} placeholder={m.list.recipientHint} onChange={(e) => set('recipient', e.target.value)} data-testid="mail-log-recipient" />
          </>
        )}
        <label htmlFor={`${id}-from`}>{m.list.from}</label>
        <input id={`${id}-from`} type="date" value={draft.from} onChange={(e) => set('from', e.target.value, true)} data-testid="mail-log-from" />
        <label htmlFor={`${id}-to`}>{m.list.to}</label>
        <input id={`${id}-to`} type="date" value={draft.to} onChange={(e) => set('to', e.target.value, true)} data-testid="mail-log-to" />
        <button type="submit" className="button">
          {m.list.apply}
        </button>
        <button type="button" className="button button-quiet" onClick={() => (setDraft(emptyDraft), apply(emptyDraft))}>
          {m.list.clear}
        </button>
      </form>
      {masked && <p className="muted">{m.list.masked}</p>}
      {list.state === 'failed' && (
        <p role="alert" className="alert alert-error">
          {m.list.loadFailed}{' '}
          <button type="button" className="button button-quiet" onClick={() => setApplied({ ...applied })}>
            {m.list.retry}
          </button>
        </p>
      )}
      {list.state === 'rejected' && (
        <p role="alert" className="alert alert-error">
          {m.list.rejected}
        </p>
      )}
      {list.state === 'ready' && list.entries.length === 0 && <p className="empty-state">{m.list.empty}</p>}
      {list.entries.length > 0 && (
        <div className="table-scroll">
          <table className="data-table mail-log-table" data-testid="mail-log-table">
            <caption className="sr-only">{m.list.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{m.list.at}</th>
                <th scope="col">{m.list.kind}</th>
                <th scope="col">{m.list.recipient}</th>
                <th scope="col">{m.list.subject}</th>
                <th scope="col">{m.list.answer}</th>
              </tr>
            </thead>
            <tbody>
              {list.entries.map((e) => (
                <Row key={e.id} shopId={shopId} e={e} open={open === e.id} onToggle={() => setOpen(open === e.id ? null : e.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.next && (
        <p>
          <button type="button" className="button button-quiet" disabled={list.state === 'loading'} onClick={() => setMore(list.next)} data-testid="mail-log-more">
            {m.list.next}
          </button>
        </p>
      )}
    </div>
  );
}

function Row({ shopId, e, open, onToggle }: { shopId: string; e: MailLogEntry; open: boolean; onToggle: () => void }) {
  const m = mailLogMessages[useLang()];
  return (
    <>
      <tr className={`mail-${e.status}`} data-status={e.status} data-testid="mail-log-row">
        <td className="text-cell">{shortTokyo(e.createdAt)}</td>
        <td>{m.kind[e.kind]}</td>
        <td className="text-cell">
          {e.recipient}
          {e.mobileCarrier && (
            <>
              {' '}
              <span className="badge badge-carrier" title={e.carrierHint?.ja ?? ''}>
                {m.history.carrier}
              </span>
            </>
          )}
        </td>
        <td className="text-cell">{e.subject}</td>
        <td className="text-cell">
          <button type="button" className="button-link" aria-expanded={open} onClick={onToggle} data-testid="mail-log-open">
            {historyLine(e, m)}
          </button>
        </td>
      </tr>
      {open && (
        <tr className="mail-log-detail-row">
          <td colSpan={5}>
            <Detail shopId={shopId} id={e.id} />
          </td>
        </tr>
      )}
    </>
  );
}

function Detail({ shopId, id }: { shopId: string; id: string }) {
  const lang = useLang();
  const m = mailLogMessages[lang];
  const [d, setD] = useState<MailLogDetail | null | 'failed'>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    mailLogApi.get(shopId, id, ctrl.signal).then(setD, () => !ctrl.signal.aborted && setD('failed'));
    return () => ctrl.abort();
  }, [shopId, id]);
  if (d === 'failed') return <p className="alert alert-error">{m.list.loadFailed}</p>;
  if (!d) return <p className="muted">…</p>;
  return (
    <div className="mail-log-detail" data-testid="mail-log-detail">
      <dl className="facts">
        <dt>{m.list.messageId}</dt>
        <dd className="mono">{d.messageId}</dd>
        <dt>{m.list.smtp}</dt>
        <dd>
          {d.smtpResponse ?? '—'} <span className="muted">({m.list.attempts(d.attempts)})</span>
        </dd>
        {d.dsnStatus && (
          <>
            <dt>{m.list.dsn}</dt>
            <dd>
              {d.dsnStatus} {d.dsnDiagnostic}
            </dd>
          </>
        )}
        {d.suppressions.length > 0 && (
          <>
            <dt>{m.list.suppressions}</dt>
            <dd>{d.suppressions.map((s) => `${m.suppressedReason[s.reason] ?? s.reason} (${shortTokyo(s.createdAt)})`).join('、')}</dd>
          </>
        )}
        {d.carrierHint && (
          <>
            <dt>{m.history.carrier}</dt>
            <dd>{lang === 'ja' ? d.carrierHint.ja : d.carrierHint.en}</dd>
          </>
        )}
      </dl>
      {d.rawReport !== null && (
        <details>
          <summary>{m.list.report}</summary>
          <pre className="mail-raw-report" data-testid="mail-raw-report">
            {d.rawReport}
          </pre>
        </details>
      )}
    </div>
  );
}
