/**
 * A tiny element builder. Text goes in with textContent only: nothing the server or the
 * customer sends is ever parsed as HTML (there is no innerHTML anywhere in the widget).
 */
type Attrs = Record<string, string | boolean | undefined> & { class?: string };
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Sets an element's text (and only text). */
export function text(el: Element, value: string): void {
  el.textContent = value;
}

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}

/** HH:mm in Tokyo time: the shop's customers are in Japan, whatever the device's zone. */
export function clock(iso: string, locale: string): string {
  try {
    return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  } catch {
    return '';
  }
}
