import { useId } from 'react';
import { useLang } from '../../i18n.ts';
import { mailLogMessages } from '../../i18n.maillog.ts';
import { mailLogApi, type MailLogEntry, type MailLogFilter } from '../../mailLogApi.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { RouteLink } from '../RouteLink.tsx';
import { historyLine } from './format.ts';
import '../../maillog.css';

/** The most lines a page's panel shows; the shop-wide log has the rest. */
const SHOWN = 10;

/**
 * The mail sent about one conversation, order or return, newest first, one line each:
 * "12/3 21:04 送信済み", "12/3 21:05 不達: 550 5.1.1 user unknown". An address at a Japanese
 * mobile carrier is flagged with what to tell the customer (its filter drops unknown senders).
 */
export function DeliveryHistory({ shopId, about }: { shopId: string; about: Pick<MailLogFilter, 'conversationId' | 'orderNumber' | 'returnId'> }) {
  const id = useId();
  const lang = useLang();
  const m = mailLogMessages[lang];
  const key = `${shopId}/${about.conversationId ?? ''}/${about.orderNumber ?? ''}/${about.returnId ?? ''}`;
  const log = useLoad((signal) => mailLogApi.list(shopId, about, null, signal, SHOWN + 1), key);
  const entries = log.data?.entries ?? [];
  const hint = entries.find((e) => e.carrierHint)?.carrierHint;
  return (
    <section className="panel mail-history" aria-labelledby={`${id}-title`} data-testid="mail-history">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.history.title}
      </h2>
      {log.state === 'failed' && (
        <p className="alert alert-error">
          {m.history.failed}{' '}
          <button type="button" className="button button-quiet" onClick={log.retry}>
            {m.list.retry}
          </button>
        </p>
      )}
      {log.data && entries.length === 0 && <p className="muted">{m.history.empty}</p>}
      {entries.length > 0 && (
        <ul className="mail-history-list">
          {entries.slice(0, SHOWN).map((e) => (
            <HistoryItem key={e.id} e={e} />
          ))}
        </ul>
      )}
      {hint && (
        <p className="mail-carrier-hint" data-testid="mail-carrier-hint">
          <span className="badge badge-carrier">{m.history.carrier}</span> {lang === 'ja' ? hint.ja : hint.en}
        </p>
      )}
      {entries.length > SHOWN && (
        <p>
          <RouteLink to={{ page: 'mailLog', shopId, filter: about }}>{m.history.more}</RouteLink>
        </p>
      )}
    </section>
  );
}

function HistoryItem({ e }: { e: MailLogEntry }) {
  const m = mailLogMessages[useLang()];
  return (
    <li className={`mail-history-item mail-${e.status}`} data-status={e.status} data-testid="mail-history-item">
      <span className="mail-history-line">{historyLine(e, m)}</span> <span className="muted">{m.kind[e.kind]}</span>{' '}
      <span className="muted mail-recipient">{e.recipient}</span>
    </li>
  );
}
