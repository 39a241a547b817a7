import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { reasonText, slackMessages } from '../../i18n.slack.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { slackApi, type SlackView } from '../../slackApi.ts';
import type { Role } from '../../types.ts';
import { SlackConnect } from './SlackConnect.tsx';
import { SlackPeople } from './SlackPeople.tsx';
import { SlackRoutes } from './SlackRoutes.tsx';
import { SlackUndelivered } from './SlackUndelivered.tsx';
import { takeOAuthOutcome } from './oauthOutcome.ts';
import { problemText } from './said.ts';
import '../../slack.css';

type Load = { state: 'loading' } | { state: 'failed'; unavailable: boolean } | { state: 'ready'; view: SlackView };

/**
 * Settings → Slack. Every member reads the status; the owner connects (Add to Slack, or the
 * shop's own app's token pasted), chooses channels and mutes per alert, sees who is linked and
 * disconnects. Every write answers the whole view, which replaces what is on screen.
 */
export function SlackSection({ shopId, role, userId }: { shopId: string; role: Role; userId: string }) {
  const lang = useLang();
  const m = slackMessages[lang];
  const loading = useMessages().loading;
  const owner = role === 'owner';
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [notice, setNotice] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  // Back from "Add to Slack": said once, whatever the address still carries.
  useEffect(() => {
    const o = takeOAuthOutcome();
    if (o) setNotice(o.ok ? { kind: 'info', text: m.connect.connected } : { kind: 'error', text: o.reason ? reasonText(m, o.reason) : m.failed });
    // Once, on arrival.
  }, []);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoad((l) => (l.state === 'ready' ? l : { state: 'loading' }));
    slackApi.view(shopId, ctrl.signal).then(
      (view) => setLoad({ state: 'ready', view }),
      (e: unknown) => {
        if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
        setLoad({ state: 'failed', unavailable: e instanceof ApiError && e.code === 'unavailable' });
      },
    );
    return () => ctrl.abort();
  }, [shopId, attempt]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  const changed = useCallback((view: SlackView) => setLoad({ state: 'ready', view }), []);

  return (
    <section className="settings-section slack-section" id="settings-slack" aria-labelledby="settings-slack-title" data-testid="settings-slack">
      <h2 id="settings-slack-title">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      {notice && (
        <p role={notice.kind === 'error' ? 'alert' : 'status'} className={`alert alert-${notice.kind}`} data-testid="slack-notice">
          {notice.text}
        </p>
      )}
      {load.state === 'loading' && <p className="muted" role="status">{loading}</p>}
      {load.state === 'failed' && (
        <div role="alert" className="alert alert-error" data-testid="slack-load-failed">
          <p>{load.unavailable ? m.unavailable : m.loadFailed}</p>
          <button type="button" className="button button-quiet" onClick={reload}>
            {m.retry}
          </button>
        </div>
      )}
      {load.state === 'ready' && (
        <SlackBody shopId={shopId} owner={owner} role={role} userId={userId} view={load.view} onChanged={changed} onGone={reload} onNotice={setNotice} />
      )}
    </section>
  );
}

interface BodyProps {
  shopId: string;
  owner: boolean;
  role: Role;
  userId: string;
  view: SlackView;
  onChanged: (view: SlackView) => void;
  onGone: () => void;
  onNotice: (n: { kind: 'info' | 'error'; text: string } | null) => void;
}

function SlackBody({ shopId, owner, role, userId, view, onChanged, onGone, onNotice }: BodyProps) {
  const lang = useLang();
  const m = slackMessages[lang];
  const c = view.connection;
  return (
    <>
      {c ? <ConnectionStatus shopId={shopId} owner={owner} view={view} onGone={onGone} onNotice={onNotice} /> : <p data-testid="slack-status" data-status="none">{m.notConnected}</p>}
      {owner && (!c || c.status === 'broken') && (
        <SlackConnect
          shopId={shopId}
          installUrl={view.installUrl}
          reconnect={c !== null}
          onConnected={(v) => {
            onChanged(v);
            onNotice({ kind: 'info', text: m.connect.connected });
          }}
        />
      )}
      {!owner && !c && <p className="muted">{m.ownerOnly}</p>}
      {c && <SlackRoutes shopId={shopId} owner={owner} view={view} onChanged={onChanged} />}
      {c && <SlackPeople shopId={shopId} owner={owner} userId={userId} me={view.me} onUnlinkedMe={onGone} />}
      {c && (owner || role === 'staff') && <SlackUndelivered shopId={shopId} />}
    </>
  );
}

function ConnectionStatus({ shopId, owner, view, onGone, onNotice }: { shopId: string; owner: boolean; view: SlackView; onGone: () => void; onNotice: BodyProps['onNotice'] }) {
  const lang = useLang();
  const m = slackMessages[lang];
  const c = view.connection!;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const disconnectRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const disconnect = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await slackApi.disconnect(shopId);
      onNotice({ kind: 'info', text: m.disconnect.done });
      onGone();
    } catch (e) {
      setProblem(problemText(e, m, lang));
      setBusy(false);
    }
  };

  const broken = c.status === 'broken';
  return (
    <div className="panel slack-status" data-testid="slack-status" data-status={c.status}>
      <p>
        <span className={`badge ${broken ? 'slack-broken' : 'slack-ok'}`} data-testid="slack-status-badge">
          {broken ? m.status.broken : m.status.ok}
        </span>
      </p>
      {broken && (
        <div role="alert" className="alert alert-error" data-testid="slack-broken">
          <p data-testid="slack-broken-reason">
            {reasonText(m, c.brokenReason ?? 'invalid_auth')} {c.brokenAt && <span className="muted">{m.status.brokenAt(tokyoDateTime(c.brokenAt, lang))}</span>}
          </p>
          {owner && <p>{m.status.reconnectLead}</p>}
        </div>
      )}
      <dl className="settings-facts">
        <dt>{m.status.workspace}</dt>
        <dd data-testid="slack-team-name">{c.teamName}</dd>
        <dt>{m.status.via}</dt>
        <dd>{c.via === 'oauth' ? m.status.viaOauth : m.status.viaToken}</dd>
        <dt>{m.status.connectedBy}</dt>
        <dd>{c.connectedBy?.name ?? m.status.someone}</dd>
        <dt>{m.status.connectedAt}</dt>
        <dd>{tokyoDateTime(c.connectedAt, lang)}</dd>
      </dl>
      {problem && (
        <p role="alert" className="alert alert-error">
          {problem}
        </p>
      )}
      {owner &&
        (confirming ? (
          <div className="settings-confirm" role="group" aria-label={m.disconnect.action}>
            <p>{m.disconnect.confirm}</p>
            <button type="button" className="button button-danger" ref={confirmRef} aria-disabled={busy} onClick={() => !busy && void disconnect()} data-testid="slack-confirm-disconnect">
              {m.disconnect.yes}
            </button>{' '}
            <button
              type="button"
              className="button button-quiet"
              onClick={() => {
                setConfirming(false);
                requestAnimationFrame(() => disconnectRef.current?.focus());
              }}
            >
              {m.disconnect.cancel}
            </button>
          </div>
        ) : (
          <p>
            <button type="button" className="button button-quiet" ref={disconnectRef} onClick={() => setConfirming(true)} data-testid="slack-disconnect">
              {m.disconnect.action}
            </button>
          </p>
        ))}
    </div>
  );
}
