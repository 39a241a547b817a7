import { useEffect } from 'react';
import { setLeaveGuard } from '../../router.ts';

/**
 * The questions of the forms that have unsaved changes now. The router holds one guard, and a
 * page may have several forms: a form saved (its cleanup) must not drop the guard of another
 * still unsaved, so the guard is set from all of them, asking once.
 */
const unsaved = new Map<object, string>();
const syncGuard = () => {
  const question = [...unsaved.values()].at(-1);
  setLeaveGuard(question === undefined ? null : () => window.confirm(question));
};

/**
 * While `dirty`, leaving the page asks first: the browser's own prompt on reload, close or a
 * typed address (beforeunload), and a confirm on the console's own links (the router's guard).
 */
export function useUnsavedWarning(dirty: boolean, question: string): void {
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    const form = {};
    window.addEventListener('beforeunload', onBeforeUnload);
    unsaved.set(form, question);
    syncGuard();
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      unsaved.delete(form);
      syncGuard();
    };
  }, [dirty, question]);
}
