import { useEffect, useRef, useState } from 'react';
import { ApiError } from './api.ts';

/** Where a call that follows typing stands: waiting or asking, answered, refused (400/404), or failed otherwise. */
export type CallState = 'updating' | 'ready' | 'invalid' | 'failed';

/**
 * Asks the server again whenever `key` changes and typing has paused `delayMs` (a live preview,
 * a count): the call before is dropped, the last answer stays on screen meanwhile. A refusal of
 * the input (`invalid_input`, or `not_found` for a number typed) goes to `onRefused`, for the
 * form to show at its fields; an answer clears them through `onReady`. A lost session is left
 * to onSessionLost. A null key asks nothing (nothing to preview).
 */
export function useDebouncedCall<T>(
  key: string | null,
  delayMs: number,
  call: (signal: AbortSignal) => Promise<T>,
  handlers: { onReady?: (data: T) => void; onRefused?: (e: ApiError) => void } = {},
): { state: CallState; data: T | null } {
  const [state, setState] = useState<CallState>('updating');
  const [data, setData] = useState<T | null>(null);
  const latest = useRef({ call, handlers });
  latest.current = { call, handlers };

  useEffect(() => {
    if (key === null) return;
    const ctrl = new AbortController();
    setState('updating');
    const timer = window.setTimeout(() => {
      latest.current.call(ctrl.signal).then(
        (answer) => {
          setData(answer);
          setState('ready');
          latest.current.handlers.onReady?.(answer);
        },
        (e: unknown) => {
          if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
          if (e instanceof ApiError && (e.code === 'invalid_input' || e.code === 'not_found')) {
            setState('invalid');
            latest.current.handlers.onRefused?.(e);
          } else setState('failed');
        },
      );
    }, delayMs);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [key, delayMs]);

  return { state, data };
}
