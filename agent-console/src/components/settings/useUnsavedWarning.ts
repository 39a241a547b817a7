import { useEffect } from 'react';
import { setLeaveGuard } from '../../router.ts';

/**
 * The questions of the sections that have unsaved changes now. Several sections of one page
 * (widget origins, business hours, a canned reply) can be dirty at once; the router holds one
 * guard, so it asks while any of them is dirty, not only the one that became dirty last.
 */
const dirtyNow = new Map<symbol, string>();

function syncGuard(): void {
  const question = dirtyNow.values().next().value;
  setLeaveGuard(question === undefined ? null : () => window.confirm(question));
}

/**
 * While `dirty`, leaving the page asks first: the browser's own prompt on reload, close or a
 * typed address (beforeunload), and a confirm on the console's own links (the router's guard).
 */
export function useUnsavedWarning(dirty: boolean, question: string): void {
  useEffect(() => {
    if (!dirty) return;
    const id = Symbol('unsaved');
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    dirtyNow.set(id, question);
    syncGuard();
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      dirtyNow.delete(id);
      syncGuard();
    };
  }, [dirty, question]);
}
