import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api.ts';
import { storesApi, type StoreDetail, type SyncRunView } from '../../storesApi.ts';

/** How often a connection is read again while it syncs. */
const POLL_MS = 1500;
/** A sync asked for but not seen starting by then (deduplicated into one already done): stop waiting. */
const WAIT_LIMIT_MS = 120_000;

/**
 * One connection with its recent runs, read again every moment while it syncs (a backfill just
 * after connecting, or a sync someone asked for) until the run has ended. `expectRun()` says a
 * sync was just queued: the server only marks it as syncing once a worker takes it, so until a
 * run the page had not seen has finished, the page keeps asking. `version` changes when the
 * list says the connection changed (a reconnect keeps its id): then it is read again.
 */
export function useStoreDetail(shopId: string, storeId: string, version: string) {
  const [detail, setDetail] = useState<StoreDetail | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  /** The runs on screen when a sync was asked for, and until when to wait for a new one. */
  const expecting = useRef<{ known: Set<SyncRunView['id']>; until: number } | null>(null);
  const [waiting, setWaiting] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    let timer: number | undefined;
    const read = () => {
      storesApi.get(shopId, storeId, ctrl.signal).then(
        (d) => {
          setDetail(d);
          setFailed(false);
          const e = expecting.current;
          if (e && (d.runs.some((r) => !e.known.has(r.id) && r.finishedAt !== null && !d.store.syncing) || Date.now() > e.until)) expecting.current = null;
          setWaiting(expecting.current !== null);
          if (d.store.syncing || expecting.current) timer = window.setTimeout(read, POLL_MS);
        },
        (e: unknown) => {
          if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
          setFailed(true);
          // Keep trying while a sync is awaited: one lost answer should not freeze "syncing".
          if (expecting.current) timer = window.setTimeout(read, POLL_MS * 2);
        },
      );
    };
    read();
    return () => {
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [shopId, storeId, version, attempt]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  const expectRun = useCallback(() => {
    expecting.current = { known: new Set(detail?.runs.map((r) => r.id) ?? []), until: Date.now() + WAIT_LIMIT_MS };
    setWaiting(true);
    setAttempt((a) => a + 1);
  }, [detail]);

  return { detail, failed, reload, expectRun, syncing: Boolean(detail?.store.syncing) || waiting };
}
