import { useState } from 'react';
import type { Lang } from '../../i18n.ts';
import { settingsMessages } from '../../i18n.settings.ts';
import { settingsApi } from '../../settingsApi.ts';
import { useLoad } from '../metrics/useLoad.ts';

const when = (iso: string, lang: Lang) =>
  new Date(iso).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });

/**
 * Where the widget was loaded: the latest allowed origin as "seen on … at …", and a warning
 * listing the origins it loaded on without being allowed, each with an allow (owners) that asks
 * first, naming the origin: the Origin header can be made up, and a lookalike domain can pass
 * for the shop's own.
 * `version` reloads the list after the allowed origins changed.
 */
export function WidgetSightings({ shopId, lang, canEdit, version, allow }: { shopId: string; lang: Lang; canEdit: boolean; version: string; allow: (origin: string) => Promise<void> }) {
  const m = settingsMessages[lang].seen;
  const list = useLoad((signal) => settingsApi.sightings(shopId, signal), `${shopId} ${version}`);
  const [busy, setBusy] = useState<string | null>(null);
  // The origin whose allow waits for a yes: a seen origin is only what some page claimed.
  const [asking, setAsking] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const rows = list.data ?? [];
  const seen = rows.filter((s) => s.allowed);
  const blocked = rows.filter((s) => !s.allowed);

  const allowOne = async (origin: string) => {
    if (busy) return;
    setBusy(origin);
    setAsking(null);
    setFailed(false);
    try {
      await allow(origin);
    } catch {
      setFailed(true);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div data-testid="widget-sightings">
      <h3>{m.title}</h3>
      {list.state === 'failed' && (
        <p role="alert" className="alert alert-error">
          {m.loadFailed}{' '}
          <button type="button" className="button button-quiet" onClick={list.retry}>
            {m.retry}
          </button>
        </p>
      )}
      {list.state === 'ready' && rows.length === 0 && <p className="muted">{m.none}</p>}
      {seen.length > 0 && (
        <ul className="settings-seen">
          {seen.map((s) => (
            <li key={s.origin} data-testid="seen-allowed">
              {m.seenAt(s.origin, when(s.lastSeen, lang))}
            </li>
          ))}
        </ul>
      )}
      {blocked.length > 0 && (
        <div className="alert alert-warning" role="status" data-testid="seen-blocked">
          <p>{m.warning}</p>
          <ul className="settings-seen">
            {blocked.map((s) => (
              <li key={s.origin}>
                <span>{m.notAllowedAt(s.origin, when(s.lastSeen, lang))}</span>{' '}
                {canEdit && asking !== s.origin && (
                  <button type="button" className="button button-quiet" aria-label={m.allowLabel(s.origin)} aria-disabled={busy !== null} onClick={() => !busy && setAsking(s.origin)} data-testid="allow-origin">
                    {busy === s.origin ? m.allowing : m.allow}
                  </button>
                )}
                {canEdit && asking === s.origin && (
                  <span role="group" aria-label={m.allowLabel(s.origin)} data-testid="allow-origin-confirm">
                    <strong>{m.confirmAllow(s.origin)}</strong> <span>{m.confirmWarning}</span>{' '}
                    <button type="button" className="button button-primary" onClick={() => void allowOne(s.origin)} autoFocus data-testid="allow-origin-yes">
                      {m.confirmYes}
                    </button>{' '}
                    <button type="button" className="button button-quiet" onClick={() => setAsking(null)}>
                      {m.cancel}
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
          {failed && (
            <p role="alert" className="field-error">
              {m.allowFailed}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
