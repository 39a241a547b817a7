import { useMessages } from '../i18n.ts';
import { useLive } from '../socket.ts';

/** Online or away: auto-assignment hands new conversations only to people who are online. */
export function PresenceToggle() {
  const m = useMessages().chat.presence;
  const { socket, presence, setPresence } = useLive();
  if (!socket) return null;
  return (
    <div className="presence" role="group" aria-label={m.label} data-testid="presence-toggle">
      <span className={`presence-dot presence-${presence}`} aria-hidden="true" />
      <div className="segmented">
        {(['online', 'away'] as const).map((s) => (
          <button key={s} type="button" aria-pressed={presence === s} onClick={() => setPresence(s)} data-testid={`presence-${s}`}>
            {m[s]}
          </button>
        ))}
      </div>
    </div>
  );
}
