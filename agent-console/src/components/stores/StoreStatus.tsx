import { useEffect, useRef, useState } from 'react';
import { useLang } from '../../i18n.ts';
import { brokenText, storesMessages } from '../../i18n.stores.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { storesApi, type StoreConnectionView } from '../../storesApi.ts';
import { LoadFailed } from '../metrics/LoadNotes.tsx';
import { inLang, problemText } from './said.ts';
import type { Notice } from './StoresPage.tsx';
import { SyncRuns } from './SyncRuns.tsx';
import { useStoreDetail } from './useStoreDetail.ts';

/**
 * A connected store: its account and state (broken: why, in words), when it last synced and next
 * will, how many orders arrived, the last error in the reader's language, the recent runs, "sync
 * now" (which shows the sync until its run ends) and disconnect, asked first, saying the orders stay.
 */
export function StoreStatus({ shopId, summary, onStale, onNotice }: { shopId: string; summary: StoreConnectionView; onStale: () => void; onNotice: (n: Notice) => void }) {
  const lang = useLang();
  const m = storesMessages[lang];
  const { detail, failed, reload, expectRun, syncing } = useStoreDetail(shopId, summary.id, `${summary.status}|${summary.brokenAt ?? ''}|${summary.createdAt}`);
  // The list's summary until this card has read the connection itself: a finished sync changes its counts.
  const c = detail?.store ?? summary;
  // A run that broke the connection (or a reconnect elsewhere) changes what the page around shows: the list is read again.
  useEffect(() => {
    if (detail && detail.store.status !== summary.status) onStale();
  }, [detail, summary.status, onStale]);
  const name = m.platforms[c.platform];
  const broken = c.status === 'broken';
  const [problem, setProblem] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const disconnectRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const when = (iso: string | null) => (iso ? tokyoDateTime(iso, lang) : m.status.never);

  const syncNow = async () => {
    if (asking || syncing) return;
    setAsking(true);
    setProblem(null);
    try {
      await storesApi.sync(shopId, c.id);
      onNotice({ kind: 'info', text: (w) => w.sync.queued });
      expectRun();
    } catch (e) {
      setProblem(problemText(e, m, lang));
      reload();
    } finally {
      setAsking(false);
    }
  };

  const disconnect = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await storesApi.disconnect(shopId, c.id);
      onNotice({ kind: 'info', text: (w) => w.disconnect.done(w.platforms[c.platform]) });
      onStale();
    } catch (e) {
      setProblem(problemText(e, m, lang));
      setBusy(false);
    }
  };

  return (
    <div className="store-status" data-testid={`store-status-${c.platform}`} data-status={c.status} data-syncing={syncing ? 'true' : 'false'}>
      <p>
        <span className={`badge ${broken ? 'store-broken' : 'store-ok'}`} data-testid="store-status-badge">
          {broken ? m.status.broken : m.status.ok}
        </span>{' '}
        {syncing && !broken && (
          <span className="badge store-syncing" role="status" data-testid="store-syncing">
            {m.status.syncing}
          </span>
        )}
      </p>
      {broken && (
        <div role="alert" className="alert alert-error" data-testid="store-broken">
          <p data-testid="store-broken-reason">
            {/* The platform's own words when the error that broke it is the last one (in both languages), else the reason's code in words. */}
            {c.lastError && c.lastError.code === c.brokenReason ? inLang(c.lastError, lang) : brokenText(m, c.brokenReason)} {c.brokenAt && <span className="muted">{m.status.brokenAt(tokyoDateTime(c.brokenAt, lang))}</span>}
          </p>
          <p>{m.status.reconnectLead}</p>
        </div>
      )}
      <dl className="settings-facts">
        <dt>{m.status.account}</dt>
        <dd data-testid="store-account">
          {c.accountName ? `${c.accountName}（${c.account}）` : c.account}
        </dd>
        <dt>{m.status.via}</dt>
        <dd>{c.via === 'oauth' ? m.status.viaOauth : m.status.viaToken}</dd>
        <dt>{m.status.lastSync}</dt>
        <dd data-testid="store-last-sync">{when(c.lastSyncAt)}</dd>
        <dt>{m.status.lastSuccess}</dt>
        <dd data-testid="store-last-success">{when(c.lastSuccessAt)}</dd>
        {!broken && (
          <>
            <dt>{m.status.nextSync}</dt>
            <dd data-testid="store-next-sync">{when(c.nextSyncAt)}</dd>
          </>
        )}
        <dt>{m.status.ordersReceived}</dt>
        <dd data-testid="store-orders-received" data-count={c.ordersReceived}>
          {m.status.orders(c.ordersReceived)}
        </dd>
        <dt>{m.status.backfill}</dt>
        <dd>{m.status.backfillDays(c.backfillDays)}</dd>
        {c.lastError && (
          <>
            <dt>{m.status.lastError}</dt>
            <dd data-testid="store-last-error" data-code={c.lastError.code}>
              {inLang(c.lastError, lang)} <span className="muted">{tokyoDateTime(c.lastError.at, lang)}</span>
            </dd>
          </>
        )}
      </dl>
      {problem && (
        <p role="alert" className="alert alert-error" data-testid="store-problem">
          {problem}
        </p>
      )}
      <div className="settings-actions">
        {!broken && (
          <button type="button" className="button" aria-disabled={asking || syncing} onClick={() => void syncNow()} data-testid="store-sync-now">
            {syncing ? m.sync.running : m.sync.now}
          </button>
        )}
        {!confirming && (
          <button type="button" className="button button-quiet" ref={disconnectRef} onClick={() => setConfirming(true)} data-testid="store-disconnect">
            {m.disconnect.action}
          </button>
        )}
      </div>
      {confirming && (
        <div className="settings-confirm" role="group" aria-label={m.disconnect.action}>
          <p data-testid="store-disconnect-confirm-text">{m.disconnect.confirm(name)}</p>
          <button type="button" className="button button-danger" ref={confirmRef} aria-disabled={busy} onClick={() => !busy && void disconnect()} data-testid="store-confirm-disconnect">
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
      )}
      {failed && !detail && <LoadFailed text={m.loadFailed} retry={reload} testId="store-detail-failed" />}
      {detail && <SyncRuns runs={detail.runs} />}
    </div>
  );
}
