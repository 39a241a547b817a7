import { useId, useState } from 'react';
import { useLang } from '../../i18n.ts';
import { reasonText, slackMessages } from '../../i18n.slack.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import type { Route } from '../../router.ts';
import { slackApi, type SlackAlertView } from '../../slackApi.ts';
import { LoadFailed } from '../metrics/LoadNotes.tsx';
import { useLoad } from '../metrics/useLoad.ts';
import { RouteLink } from '../RouteLink.tsx';
import { problemText } from './said.ts';

/** The page an alert was about, when the console has one. */
function routeOf(shopId: string, a: SlackAlertView): Route | null {
  if (a.objectType === 'return') return { page: 'returnDetail', shopId, returnId: a.objectId };
  if (a.objectType === 'conversation') return { page: 'conversation', shopId, conversationId: a.objectId };
  if (a.objectType === 'notice') return { page: 'noticeCampaign', shopId, campaignId: a.objectId };
  return null;
}

/**
 * Alerts Slack did not take after the queue's retries (owner and staff): what, why, and a way
 * to send one again once the cause is fixed. A retried alert leaves the list (it is pending again).
 */
export function SlackUndelivered({ shopId }: { shopId: string }) {
  const id = useId();
  const lang = useLang();
  const m = slackMessages[lang];
  const u = m.undelivered;
  const list = useLoad((signal) => slackApi.alerts(shopId, 'undelivered', signal), shopId);
  const [busy, setBusy] = useState<string | null>(null);
  const [said, setSaid] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);

  const retry = async (a: SlackAlertView) => {
    setBusy(a.id);
    setSaid(null);
    try {
      await slackApi.retryAlert(shopId, a.id);
      setSaid({ kind: 'info', text: u.queued });
      list.retry();
    } catch (e) {
      setSaid({ kind: 'error', text: problemText(e, m, lang) });
    } finally {
      setBusy(null);
    }
  };

  const rows = list.data?.alerts ?? [];
  return (
    <div className="panel slack-undelivered" aria-labelledby={`${id}-title`} data-testid="slack-undelivered">
      <h3 className="subsection-title" id={`${id}-title`}>
        {u.title}
      </h3>
      <p className="muted">{u.lead}</p>
      {list.state === 'failed' && <LoadFailed text={u.loadFailed} retry={list.retry} testId="slack-undelivered-failed" />}
      {said && (
        <p role={said.kind === 'error' ? 'alert' : 'status'} className={`alert alert-${said.kind}`} data-testid="slack-undelivered-said">
          {said.text}
        </p>
      )}
      {list.data && rows.length === 0 && <p className="muted">{u.none}</p>}
      {rows.length > 0 && (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{u.kind}</th>
                <th scope="col">{u.object}</th>
                <th scope="col">{u.attempts}</th>
                <th scope="col">{u.lastError}</th>
                <th scope="col">{u.at}</th>
                <th scope="col">{''}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => {
                const to = routeOf(shopId, a);
                return (
                  <tr key={a.id} data-testid="slack-undelivered-row">
                    <td>{m.kinds[a.kind]?.label ?? a.kind}</td>
                    <td>{to ? <RouteLink to={to}>{a.objectType}</RouteLink> : a.objectType}</td>
                    <td>{a.attempts}</td>
                    <td>{a.lastError ? (/^[a-z_]+$/.test(a.lastError) ? reasonText(m, a.lastError) : a.lastError) : '—'}</td>
                    <td>{tokyoDateTime(a.createdAt, lang)}</td>
                    <td>
                      <button type="button" className="button button-quiet" disabled={busy === a.id} onClick={() => void retry(a)} data-testid="slack-retry">
                        {busy === a.id ? u.retrying : u.retry}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
