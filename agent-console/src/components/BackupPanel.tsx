import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api.ts';
import { backupApi, type BackupState } from '../backupApi.ts';
import { backupMessages } from '../i18n.backup.ts';
import { useLang } from '../i18n.ts';
import { tokyoDateTime } from '../returns.format.ts';
import '../backup.css';

const size = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);
/** How often to look again while a backup runs (a small shop's takes seconds to a minute). */
const POLL_MS = 3000;

/**
 * For owners: when the deployment's last backup ran and whether it worked. The person who owns
 * every shop also sees its size, why it failed (a code the panel words itself), and a button to
 * take one now (the embedded database only; on PostgreSQL that is the operator's). In the side
 * navigation, so it is there on the page owners land on, and on every other.
 */
export function BackupPanel({ shopId }: { shopId: string }) {
  const lang = useLang();
  const m = backupMessages[lang];
  const [state, setState] = useState<BackupState | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      backupApi.state(shopId, signal).then(
        (s) => {
          setState(s);
          setProblem(null);
        },
        () => {
          if (!signal?.aborted) setProblem(m.loadFailed);
        },
      ),
    [shopId, m.loadFailed],
  );

  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  const running = state?.scope === 'deployment' && state.running;
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => void load(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [running, load]);

  const refused = (e: unknown) => {
    const code = e instanceof ApiError ? e.code : null;
    const waitMinutes = ((e as ApiError).retryAfterSeconds ?? 600) / 60;
    setProblem(code === 'conflict' ? m.alreadyRunning : code === 'rate_limited' ? m.coolingDown(waitMinutes) : code === 'forbidden' ? m.notAllowed : m.runFailed);
    // A backup that was already running shows, and is polled, like one started here.
    void load();
  };
  const runNow = () => backupApi.runNow(shopId).then((s) => (setState(s), setProblem(null)), refused);

  const last = state?.last;
  const whole = state?.scope === 'deployment' ? state : null;
  const detail = whole?.last;
  return (
    <section className="backup-panel" aria-label={m.title} data-testid="backup-panel">
      <h2 className="backup-title">{m.title}</h2>
      {problem && (
        <p className="backup-problem" role="alert">
          {problem}
        </p>
      )}
      {state && (
        <>
          {running ? (
            <p role="status" data-testid="backup-running">
              {m.running}
            </p>
          ) : last ? (
            <p data-testid="backup-last">
              <span className={last.ok ? 'backup-ok' : 'backup-failed'}>{last.ok ? m.ok : m.failed}</span> {tokyoDateTime(last.finishedAt, lang)}
              {detail?.ok && detail.bytes != null && <span className="muted"> · {size(detail.bytes)}</span>}
              {detail?.failure && (
                <span className="backup-error" data-testid="backup-failure">
                  {m.failure[detail.failure.code]}
                </span>
              )}
            </p>
          ) : (
            <p className="muted">{m.none}</p>
          )}
          {last && !last.ok && state.lastSuccess && (
            <p className="muted">
              {m.lastGood}: {tokyoDateTime(state.lastSuccess.finishedAt, lang)}
            </p>
          )}
          <p className="muted backup-note">{whole ? (whole.nightly ? m.nightly(whole.nightly.hour, whole.nightly.keepDaily, whole.nightly.keepWeekly) : whole.database === 'postgres' ? m.operator : null) : m.deploymentOwners}</p>
          {whole?.canRunNow && (
            <button type="button" className="button button-quiet" onClick={() => void runNow()} disabled={whole.running} data-testid="backup-run-now">
              {m.runNow}
            </button>
          )}
        </>
      )}
    </section>
  );
}
