/**
 * Keyboard helpers shared by the widget's parts.
 */

/**
 * Whether a key press belongs to an IME (a Japanese conversion): Chrome and Firefox mark it
 * isComposing; Safari sends the Enter that confirms, and the Esc that cancels, a conversion with
 * isComposing false and keyCode 229. Such a key must not send, close or move anything.
 */
export function isImeKey(e: KeyboardEvent): boolean {
  return e.isComposing || e.keyCode === 229;
}

const FOCUSABLE = 'button, input, textarea, select, a[href], [tabindex]:not([tabindex="-1"])';

/** The controls inside `box` that Tab can reach now, in order (not disabled, not hidden). */
export function tabbables(box: HTMLElement): HTMLElement[] {
  return [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !(el as HTMLButtonElement).disabled && el.tabIndex >= 0 && el.getClientRects().length > 0,
  );
}

/**
 * Keeps Tab and Shift+Tab inside `box` while `active()` says so: from the last control Tab goes
 * to the first, from the first (or the box itself) Shift+Tab goes to the last.
 */
export function trapTab(box: HTMLElement, active: () => boolean): void {
  box.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab' || !active()) return;
    const items = tabbables(box);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return e.preventDefault();
    const current = (box.getRootNode() as ShadowRoot | Document).activeElement;
    if (e.shiftKey && (current === first || current === box || !box.contains(current))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (current === last || !box.contains(current))) {
      e.preventDefault();
      first.focus();
    }
  });
}
