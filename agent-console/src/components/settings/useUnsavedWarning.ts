import { useEffect } from 'react';
import { setLeaveGuard } from '../../router.ts';

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
    window.addEventListener('beforeunload', onBeforeUnload);
    setLeaveGuard(() => window.confirm(question));
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      setLeaveGuard(null);
    };
  }, [dirty, question]);
}
