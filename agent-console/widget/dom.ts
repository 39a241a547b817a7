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

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Inline line icons (24×24 paths): drawn in the button's colour, hidden from screen readers, nothing fetched. */
export const icons = {
  chat: 'M4 5h16v11H9l-5 4z',
  close: 'M6 6l12 12M18 6 6 18',
  clip: 'M20 11.5l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7L9.7 17a1.7 1.7 0 0 1-2.4-2.4L15 7',
} as const;

export function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  const p = document.createElementNS(SVG_NS, 'path');
  p.setAttribute('d', path);
  for (const [k, v] of Object.entries({ viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false', class: 'icon', fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' })) svg.setAttribute(k, v);
  svg.append(p);
  return svg;
}
