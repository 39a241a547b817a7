import { useEffect, useId, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { slackMessages } from '../../i18n.slack.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { slackApi, type SlackLinkView, type SlackView } from '../../slackApi.ts';
import { problemText } from './said.ts';

type Links = { state: 'loading' } | { state: 'failed' } | { state: 'ready'; links: SlackLinkView[] };

/**
 * Who acts from Slack as whom: the viewer's own link (anyone may undo their own), and for the
 * owner the whole list with an unlink per person.
 */
export function SlackPeople({ shopId, owner, userId, me, onUnlinkedMe }: { shopId: string; owner: boolean; userId: string; me: SlackView['me']; onUnlinkedMe: () => void }) {
  const id = useId();
  const lang = useLang();
  const m = slackMessages[lang];
  const p = m.people;
  const roles = useMessages().roles;
  const [links, setLinks] = useState<Links>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!owner) return;
    const ctrl = new AbortController();
    slackApi.links(shopId, ctrl.signal).then(
      ({ links: list }) => setLinks({ state: 'ready', links: list }),
      (e: unknown) => {
        if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
        setLinks({ state: 'failed' });
      },
    );
    return () => ctrl.abort();
  }, [shopId, owner, attempt]);

  const unlink = async (who: string) => {
    setBusy(who);
    setProblem(null);
    try {
      await slackApi.unlink(shopId, who);
      if (owner) setAttempt((a) => a + 1);
      if (who === userId) onUnlinkedMe();
    } catch (e) {
      setProblem(problemText(e, m, lang));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="panel slack-people" aria-labelledby={`${id}-title`} data-testid="slack-people">
      <h3 className="subsection-title" id={`${id}-title`}>
        {p.title}
      </h3>
      <p className="muted">{p.lead}</p>
      {problem && (
        <p role="alert" className="alert alert-error">
          {problem}
        </p>
      )}
      <div className="slack-me" data-testid="slack-me" data-linked={me.linked}>
        <strong>{p.me}</strong>: {me.linked && me.slackUserId ? p.meLinked(me.slackUserId) : p.meNotLinked}{' '}
        {me.linked && !owner && (
          <button type="button" className="button button-quiet" disabled={busy === userId} onClick={() => void unlink(userId)} data-testid="slack-unlink-me">
            {p.unlinkMe}
          </button>
        )}
      </div>
      {owner && links.state === 'failed' && (
        <p role="alert" className="alert alert-error">
          {p.loadFailed}
        </p>
      )}
      {owner && links.state === 'ready' && links.links.length === 0 && <p className="muted">{p.none}</p>}
      {owner && links.state === 'ready' && links.links.length > 0 && (
        <div className="table-scroll">
          <table className="data-table" data-testid="slack-links">
            <thead>
              <tr>
                <th scope="col">{p.name}</th>
                <th scope="col">{p.role}</th>
                <th scope="col">{p.slackUser}</th>
                <th scope="col">{p.via}</th>
                <th scope="col">{p.since}</th>
                <th scope="col">{''}</th>
              </tr>
            </thead>
            <tbody>
              {links.links.map((l) => (
                <tr key={l.userId} data-testid="slack-link-row">
                  <td>{l.name}</td>
                  <td>{roles[l.role]}</td>
                  <td className="mono">{l.slackUserId}</td>
                  <td>{l.via === 'email' ? p.viaEmail : p.viaConfirmed}</td>
                  <td>{tokyoDateTime(l.createdAt, lang)}</td>
                  <td>
                    <button type="button" className="button button-quiet" disabled={busy === l.userId} aria-label={p.unlinkLabel(l.name)} onClick={() => void unlink(l.userId)} data-testid="slack-unlink">
                      {p.unlink}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
