import { useEffect, useRef } from 'react';

/** True while the person types somewhere: single-letter shortcuts must not steal their keys. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export type KeyHandlers = Partial<Record<string, (e: KeyboardEvent) => void>>;

/**
 * Single-key shortcuts (`j`, `Enter`, `?`, `Escape`…) while mounted. Keys typed into a field
 * are left alone, except Escape, which leaves the field so the next key is a shortcut again.
 */
export function useShortcuts(handlers: KeyHandlers): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      // An open dialog (the shortcut list) owns the keyboard; Esc closes it, nothing more.
      if (document.querySelector('dialog[open]')) return;
      if (isTyping(e.target)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      // Enter on a link or button is that control's own (the skip link, the menu): not a shortcut.
      if (e.key === 'Enter' && e.target instanceof Element && e.target.closest('a[href], button, summary')) return;
      const run = ref.current[e.key];
      if (!run) return;
      e.preventDefault();
      run(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
