import { useEffect, useId, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { reasonText, slackMessages, type SlackMessages } from '../../i18n.slack.ts';
import { slackApi, type SlackAlertKind, type SlackChannelOption, type SlackChannelRef, type SlackRouteView, type SlackView } from '../../slackApi.ts';
import { problemText } from './said.ts';

type Channels = { state: 'loading' } | { state: 'failed'; text: string } | { state: 'ready'; channels: SlackChannelOption[] };
/** Per row (an alert kind, or 'default'): saving (what is shown meanwhile), saved, or what went wrong. */
type RowState = { saving: { channelId: string | null; muted: boolean } } | { saved: true } | { problem: string };

/** The channels the pickers offer: the workspace's, plus any the shop uses that the list no longer has. */
function optionsOf(channels: Channels, view: SlackView): SlackChannelOption[] {
  const listed = channels.state === 'ready' ? channels.channels : [];
  const used = [view.connection?.defaultChannel, ...view.routes.map((r) => r.channel)].filter((c): c is SlackChannelRef => !!c);
  const extra = used.filter((c, i) => !listed.some((l) => l.id === c.id) && used.findIndex((u) => u.id === c.id) === i);
  return [...listed, ...extra.map((c) => ({ id: c.id, name: c.name ?? c.id, isPrivate: false, isMember: true }))];
}

function ChannelOptions({ options, m }: { options: SlackChannelOption[]; m: SlackMessages }) {
  return (
    <>
      {options.map((c) => (
        // A private channel the app is not in cannot be chosen until someone invites the app there.
        <option key={c.id} value={c.id} disabled={c.isPrivate && !c.isMember}>
          #{c.name}
          {c.isPrivate && !c.isMember ? ` ${m.channels.privateNotMember}` : c.isPrivate ? ` (${m.channels.private})` : ''}
        </option>
      ))}
    </>
  );
}

function Broken({ channel, m }: { channel: SlackChannelRef | null; m: SlackMessages }) {
  if (!channel?.brokenReason) return null;
  return (
    <span className="field-error slack-channel-broken" data-testid="slack-channel-broken">
      {m.channels.broken(reasonText(m, channel.brokenReason))}
    </span>
  );
}

function RowStatus({ state, m, testId }: { state: RowState | undefined; m: SlackMessages; testId: string }) {
  return (
    <span role="status" className={state && 'problem' in state ? 'field-error' : 'muted'} data-testid={testId}>
      {!state ? '' : 'problem' in state ? state.problem : 'saved' in state ? m.channels.saved : ''}
    </span>
  );
}

/**
 * The default channel and, per alert kind in the server's order, its channel ("既定のチャンネル"
 * unless chosen) and a mute switch. The owner changes them; everyone else reads them.
 */
export function SlackRoutes({ shopId, owner, view, onChanged }: { shopId: string; owner: boolean; view: SlackView; onChanged: (view: SlackView) => void }) {
  const id = useId();
  const lang = useLang();
  const m = slackMessages[lang];
  const [channels, setChannels] = useState<Channels>({ state: 'loading' });
  const [rows, setRows] = useState<Record<string, RowState>>({});
  const teamId = view.connection?.teamId ?? '';

  useEffect(() => {
    if (!owner) return;
    const ctrl = new AbortController();
    setChannels({ state: 'loading' });
    slackApi.channels(shopId, ctrl.signal).then(
      ({ channels: list }) => setChannels({ state: 'ready', channels: list }),
      (e: unknown) => {
        if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
        setChannels({ state: 'failed', text: e instanceof ApiError && (e.code === 'unavailable' || e.code === 'conflict') ? problemText(e, m, lang) : m.channels.loadFailed });
      },
    );
    return () => ctrl.abort();
    // The list belongs to the workspace: asked again when another one is connected.
  }, [shopId, owner, teamId]);

  // A change while the row's last one is on the way waits its turn (the controls keep the keyboard's focus meanwhile).
  const save = async (key: string, wanted: { channelId: string | null; muted: boolean }, call: () => Promise<SlackView>) => {
    if (busy(key)) return;
    setRows((r) => ({ ...r, [key]: { saving: wanted } }));
    try {
      onChanged(await call());
      setRows((r) => ({ ...r, [key]: { saved: true } }));
    } catch (e) {
      const text = e instanceof ApiError && e.code === 'invalid_input' && /\/invite/.test(e.message) && lang === 'ja' ? reasonText(m, 'not_in_channel') : problemText(e, m, lang);
      setRows((r) => ({ ...r, [key]: { problem: text } }));
    }
  };
  const setRoute = (r: SlackRouteView, channelId: string | null, muted: boolean) => void save(r.kind, { channelId, muted }, () => slackApi.setRoute(shopId, r.kind, channelId, muted));

  const options = optionsOf(channels, view);
  const def = view.connection?.defaultChannel ?? null;
  /** What a row shows while its change is on the way: the change, not the old value. */
  const saving = (key: string) => {
    const row = rows[key];
    return row && 'saving' in row ? row.saving : undefined;
  };
  const busy = (key: string) => saving(key) !== undefined;

  return (
    <div className="panel slack-routes" data-testid="slack-routes">
      <h3 className="subsection-title">{m.channels.title}</h3>
      {owner && channels.state === 'failed' && (
        <p role="alert" className="alert alert-error" data-testid="slack-channels-failed">
          {channels.text}
        </p>
      )}
      <div className="settings-field">
        <label htmlFor={`${id}-default`}>{m.channels.defaultChannel}</label>
        {owner ? (
          <select
            id={`${id}-default`}
            value={saving('default')?.channelId ?? def?.id ?? ''}
            disabled={channels.state === 'loading'}
            aria-busy={busy('default')}
            onChange={(e) => {
              const channelId = e.target.value;
              if (channelId) void save('default', { channelId, muted: false }, () => slackApi.setDefaultChannel(shopId, channelId));
            }}
            data-testid="slack-default-channel"
          >
            {!def && <option value="">{m.channels.choose}</option>}
            <ChannelOptions options={options} m={m} />
          </select>
        ) : (
          <span id={`${id}-default`} data-testid="slack-default-channel">
            {def ? `#${def.name ?? def.id}` : m.channels.none}
          </span>
        )}
        <span className="settings-hint muted">{m.channels.defaultLead}</span>
        <Broken channel={def} m={m} />
        <RowStatus state={rows.default} m={m} testId="slack-default-status" />
      </div>
      {!def && <p className="alert alert-warning">{m.alerts.noDefault}</p>}

      <h3 className="subsection-title" id={`${id}-alerts`}>
        {m.alerts.title}
      </h3>
      <p className="muted">{m.alerts.lead}</p>
      <div className="table-scroll">
        <table className="data-table slack-routes-table" aria-labelledby={`${id}-alerts`}>
          <thead>
            <tr>
              <th scope="col">{m.alerts.kind}</th>
              <th scope="col">{m.alerts.channel}</th>
              <th scope="col">{m.alerts.mute}</th>
            </tr>
          </thead>
          <tbody>
            {view.routes.map((r) => {
              const k = m.kinds[r.kind as SlackAlertKind];
              const label = k?.label ?? r.kind;
              const pending = saving(r.kind);
              return (
                <tr key={r.kind} data-testid={`slack-route-${r.kind}`} data-muted={r.muted}>
                  <th scope="row">
                    <span id={`${id}-${r.kind}`}>{label}</span>
                    {k && <span className="settings-hint muted">{k.description}</span>}
                  </th>
                  <td>
                    {owner ? (
                      <select
                        aria-label={`${label}: ${m.alerts.channel}`}
                        value={pending ? (pending.channelId ?? '') : (r.channel?.id ?? '')}
                        aria-busy={busy(r.kind)}
                        onChange={(e) => setRoute(r, e.target.value || null, r.muted)}
                        data-testid={`slack-route-channel-${r.kind}`}
                      >
                        <option value="">{def ? `${m.channels.useDefault} (#${def.name ?? def.id})` : m.channels.useDefault}</option>
                        <ChannelOptions options={options} m={m} />
                      </select>
                    ) : (
                      <span data-testid={`slack-route-channel-${r.kind}`}>{r.channel ? `#${r.channel.name ?? r.channel.id}` : m.channels.useDefault}</span>
                    )}
                    <Broken channel={r.channel} m={m} />
                    <RowStatus state={rows[r.kind]} m={m} testId={`slack-route-status-${r.kind}`} />
                  </td>
                  <td>
                    <label className="slack-switch">
                      <input
                        type="checkbox"
                        role="switch"
                        checked={pending ? pending.muted : r.muted}
                        disabled={!owner}
                        aria-busy={busy(r.kind)}
                        onChange={(e) => setRoute(r, r.channel?.id ?? null, e.target.checked)}
                        data-testid={`slack-route-mute-${r.kind}`}
                      />
                      <span className="sr-only">{label}: </span>
                      {m.alerts.mute}
                    </label>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
