import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../api.ts';

export type Loaded<T> =
  | { state: 'loading'; data: T | undefined }
  | { state: 'failed'; data: T | undefined }
  | { state: 'ready'; data: T };

/**
 * One GET for a section of the page, again whenever `key` changes or `retry()` is called.
 * The last answer stays on screen while the next loads, so switching the period does not
 * blank the page. A lost session is not shown as a failure: onSessionLost takes the person
 * to sign-in.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, key: string): Loaded<T> & { retry: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading', data: undefined });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoaded((l) => ({ state: 'loading', data: l.data }));
    load(ctrl.signal).then(
      (data) => setLoaded({ state: 'ready', data }),
      (e: unknown) => {
        if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
        setLoaded((l) => ({ state: 'failed', data: l.data }));
      },
    );
    return () => ctrl.abort();
    // `load` is a fresh closure each render; `key` says when what it loads has changed.
  }, [key, attempt]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  return { ...loaded, retry };
}
