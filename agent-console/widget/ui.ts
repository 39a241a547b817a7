/**
 * The widget's shell inside a shadow root: launcher button, panel with header, notices
 * (out of hours, connection, errors), and one of three views: the pre-chat form, the chat,
 * or a message that the chat cannot start.
 */
import { h, icon, icons, show, text } from './dom.ts';
import type { I18n, TextKey } from './i18n.ts';
import { isImeKey, trapTab } from './keys.ts';
import { css } from './styles.ts';
import { carrierHintOf, mobileCarrierOf } from '../../server/domains/maillog/maillog.carriers.ts';

export interface PrechatInput {
  name: string;
  email: string;
  orderNumber?: string;
}

/** What the shop tells a visitor before the form (widget config); all optional. */
export interface PrechatIntro {
  greeting: string | null;
  /** Open now, or closed with when it opens (already worded); null when the shop set no hours. */
  hours: { open: boolean; opensAt: string | null } | null;
  replyTime: 'minutes' | 'hours' | 'day' | null;
  privacyUrl: string | null;
  /** The shop's mail domain: a visitor typing a mobile carrier address is asked to allow it. */
  mailDomain: string | null;
}

const replyWords = { minutes: 'replyMinutes', hours: 'replyHours', day: 'replyDay' } as const;

/** Greeting, hours status and usual reply time, as one polite block the screen reader reads with the form. */
function introBlock(t: I18n, intro: PrechatIntro): HTMLElement | null {
  const lines: HTMLElement[] = [];
  if (intro.greeting) lines.push(h('p', { class: 'greeting', 'data-testid': 'prechat-greeting' }, intro.greeting));
  if (intro.hours) {
    const words = intro.hours.open ? t.t('openNow') : `${t.t('closedNow')}${intro.hours.opensAt ? (t.locale === 'ja' ? '' : ' ') + t.opensAt(intro.hours.opensAt) : ''}`;
    lines.push(h('p', { class: 'hours', 'data-open': String(intro.hours.open), 'data-testid': 'prechat-hours' }, words));
  }
  if (intro.replyTime) lines.push(h('p', { 'data-testid': 'prechat-reply-time' }, t.t(replyWords[intro.replyTime])));
  return lines.length ? h('div', { class: 'intro', 'data-testid': 'prechat-intro' }, ...lines) : null;
}

/** The shop's privacy notice beside the email field: the purpose is told where the address is asked for (APPI §21). */
function privacyLine(t: I18n, url: string | null): HTMLElement | null {
  if (!url) return null;
  const link = h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'prechat-privacy' }, t.t('privacy'));
  return h('p', { class: 'privacy' }, `${t.t('privacyNote')} `, link);
}

/**
 * Under the email field, once an address at a Japanese mobile carrier is typed: their default
 * filters drop mail from unknown domains, so the visitor is told which one to allow before the
 * replies by mail never arrive.
 */
function carrierHintLine(t: I18n, input: HTMLInputElement, mailDomain: string): HTMLElement {
  const line = h('p', { class: 'carrier-hint', 'data-testid': 'prechat-carrier-hint' });
  show(line, false);
  const update = () => {
    const carrier = mobileCarrierOf(input.value.trim());
    show(line, carrier !== null);
    if (carrier) {
      const hint = carrierHintOf(carrier, mailDomain);
      text(line, t.locale === 'en' ? hint.en : hint.ja);
    }
  };
  input.addEventListener('input', update);
  input.addEventListener('change', update);
  return line;
}

export interface PrechatForm {
  el: HTMLFormElement;
  busy(b: boolean): void;
  error(message: string | null): void;
}

/** A labelled input with its own message under it, tied to it for screen readers. */
function field(label: string, input: HTMLInputElement): { el: HTMLElement; input: HTMLInputElement; error(message: string | null): void } {
  const id = `mg-${input.name}-error`;
  const err = h('p', { class: 'error-text', id, 'data-testid': `${input.dataset.testid ?? input.name}-error` });
  show(err, false);
  input.setAttribute('aria-describedby', id);
  const error = (message: string | null) => {
    show(err, message !== null);
    text(err, message ?? '');
    if (message === null) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
  };
  input.addEventListener('input', () => error(null));
  return { el: h('div', { class: 'field' }, h('label', {}, label, input), err), input, error };
}

/** The widget's own words for what the input's constraints refuse (the browser's bubbles are off). */
function invalid(t: I18n, input: HTMLInputElement, missing: TextKey, wrong: TextKey): string | null {
  const v = input.validity;
  if (v.valueMissing || (input.required && !input.value.trim())) return t.t(missing);
  return v.valid ? null : t.t(wrong);
}

export function prechatForm(t: I18n, submit: (x: PrechatInput) => void, intro: PrechatIntro | null = null): PrechatForm {
  const name = field(t.both('name'), h('input', { name: 'name', required: true, maxlength: '100', autocomplete: 'name', 'data-testid': 'prechat-name' }));
  const email = field(t.both('email'), h('input', { name: 'email', type: 'email', required: true, maxlength: '254', autocomplete: 'email', 'data-testid': 'prechat-email' }));
  // The server's rule for order numbers, so a typo is caught before the round trip.
  const order = field(t.both('orderNumber'), h('input', { name: 'orderNumber', maxlength: '64', pattern: '[\\w\\-#\\/.]+', 'data-testid': 'prechat-order' }));
  const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'prechat-submit' }, t.t('start'));
  const err = h('p', { class: 'error-text', role: 'alert', 'data-testid': 'prechat-error' });
  show(err, false);
  const privacy = privacyLine(t, intro?.privacyUrl ?? null);
  if (privacy) email.el.append(privacy);
  const mailDomain = intro?.mailDomain;
  if (mailDomain) email.el.append(carrierHintLine(t, email.input, mailDomain));
  const el = h('form', { class: 'prechat', novalidate: true, 'data-testid': 'prechat' }, intro && introBlock(t, intro), name.el, email.el, order.el, err, button);
  const checks: Array<[ReturnType<typeof field>, TextKey, TextKey]> = [
    [name, 'nameMissing', 'badName'],
    [email, 'emailMissing', 'badEmail'],
    [order, 'badOrderNumber', 'badOrderNumber'],
  ];
  el.addEventListener('submit', (e) => {
    e.preventDefault();
    let first: HTMLInputElement | null = null;
    for (const [f, missing, wrong] of checks) {
      const message = invalid(t, f.input, missing, wrong);
      f.error(message);
      if (message && !first) first = f.input;
    }
    if (first) return first.focus();
    const orderNumber = order.input.value.trim();
    submit({ name: name.input.value.trim(), email: email.input.value.trim(), ...(orderNumber ? { orderNumber } : {}) });
  });
  return {
    el,
    busy(b) {
      button.disabled = b;
      text(button, b ? t.t('starting') : t.t('start'));
    },
    error(message) {
      show(err, message !== null);
      text(err, message ?? '');
    },
  };
}

export type View = 'loading' | 'form' | 'chat' | 'error';

export class Shell {
  readonly host: HTMLElement;
  private readonly launcher: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private readonly title: HTMLElement;
  private readonly offline: HTMLElement;
  private readonly connection: HTMLElement;
  private readonly problem: HTMLElement;
  private readonly notices: HTMLElement;
  private readonly typingEl: HTMLElement;
  readonly body: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly root: ShadowRoot;
  private opened = false;
  /** At this width the open panel covers the whole screen (styles.ts): then it is modal. */
  private readonly fullScreen = window.matchMedia('(max-width: 480px)');
  onOpen: () => void = () => undefined;

  constructor(private readonly t: I18n) {
    // An unknown custom element: page rules written for div or button do not match it.
    this.host = document.createElement('madoguchi-chat');
    const root = this.host.attachShadow({ mode: 'open' });
    this.title = h('span', { class: 'title', 'data-testid': 'shop-name' }, t.t('greeting'));
    const close = h('button', { type: 'button', 'aria-label': t.t('close'), title: t.t('close'), 'data-testid': 'close' }, icon(icons.close));
    this.offline = h('div', { class: 'notice', role: 'status', 'data-testid': 'offline-notice' }, t.both('offline'));
    this.connection = h('div', { class: 'notice', role: 'status', 'data-testid': 'connection-notice' }, t.t('disconnected'));
    this.problem = h('div', { class: 'notice error', role: 'alert', 'data-testid': 'widget-error' });
    this.notices = h('div', { 'data-testid': 'shop-notices' });
    this.body = h('div', { class: 'body' });
    this.typingEl = h('div', { class: 'typing', 'aria-live': 'polite', 'data-testid': 'typing' });
    this.footer = h('div', {});
    for (const el of [this.offline, this.connection, this.problem, this.typingEl]) show(el, false);
    this.panel = h(
      'section',
      { class: 'panel', role: 'dialog', tabindex: '-1', 'aria-label': t.t('greeting'), 'data-testid': 'panel' },
      h('div', { class: 'header' }, this.title, close),
      this.notices,
      this.offline,
      this.connection,
      this.problem,
      this.body,
      this.typingEl,
      this.footer,
    );
    show(this.panel, false);
    this.launcher = h('button', { type: 'button', class: 'launcher', 'aria-label': t.t('launcher'), title: t.t('launcher'), 'aria-expanded': 'false', 'data-testid': 'launcher' }, icon(icons.chat));
    this.root = root;
    const box = h('div', { class: 'root', lang: t.locale }, this.panel, this.launcher);
    root.append(h('style', {}, css), box);
    this.launcher.addEventListener('click', () => (this.opened ? this.close() : this.open()));
    close.addEventListener('click', () => this.close());
    // Esc anywhere in the widget (the launcher too) closes it; Esc that ends an IME composition does not.
    box.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || isImeKey(e) || !this.opened) return;
      e.preventDefault();
      this.close();
    });
    // Full screen, the panel is all the customer sees: Tab stays in it. Floating, Tab may leave.
    trapTab(this.panel, () => this.isModal);
    this.fullScreen.addEventListener('change', () => this.applyModal());
  }

  private get isModal(): boolean {
    return this.opened && this.fullScreen.matches;
  }

  /** Modal: the panel says so, and the launcher it covers cannot be reached or read. */
  private applyModal(): void {
    const modal = this.isModal;
    if (modal) this.panel.setAttribute('aria-modal', 'true');
    else this.panel.removeAttribute('aria-modal');
    this.launcher.inert = modal;
  }

  get isOpen(): boolean {
    return this.opened;
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    show(this.panel, true);
    this.launcher.setAttribute('aria-expanded', 'true');
    this.applyModal();
    this.onOpen();
    // The view usually focuses its first field; a loading or error view leaves it to the panel.
    if (!this.panel.contains(this.root.activeElement)) this.panel.focus();
  }

  close(): void {
    const inside = this.panel.contains(this.root.activeElement);
    this.opened = false;
    show(this.panel, false);
    this.launcher.setAttribute('aria-expanded', 'false');
    this.applyModal();
    if (inside) this.launcher.focus();
  }

  /** Moves focus to the view's first field (the form's, else the panel). */
  focusFirst(): void {
    const first = this.body.querySelector<HTMLElement>('input, textarea');
    (first ?? this.panel).focus();
  }

  setTitle(name: string): void {
    text(this.title, name);
  }

  /** The shop's colour and the text colour the server chose for it by contrast. */
  setColors(color: string, textColor: string): void {
    const box = this.root.querySelector<HTMLElement>('.root');
    box?.style.setProperty('--mg-accent', color);
    box?.style.setProperty('--mg-on-accent', textColor);
  }

  /** Puts a view in the scrolling body and an optional footer (the composer) under it. */
  setView(view: View, content: Node[], footer: Node[] = []): void {
    this.panel.dataset.view = view;
    this.body.replaceChildren(...content);
    this.footer.replaceChildren(...footer);
    if (view !== 'chat') this.setTyping(null);
  }

  /** The shop's delay notices showing now, each a line with a link to the notices page (text only, like everything here). */
  setNotices(list: { id: string; headline: string; url: string }[]): void {
    this.notices.replaceChildren(
      ...list.map((n) => h('div', { class: 'notice', role: 'status', 'data-testid': 'shop-notice' }, n.headline, ' ', h('a', { href: n.url, target: '_blank', rel: 'noopener' }, this.t.t('noticeDetails')))),
    );
  }

  setOffline(closed: boolean): void {
    show(this.offline, closed);
  }

  setDisconnected(down: boolean): void {
    show(this.connection, down);
  }

  setProblem(message: string | null): void {
    show(this.problem, message !== null);
    text(this.problem, message ?? '');
  }

  setTyping(name: string | null): void {
    show(this.typingEl, name !== null);
    text(this.typingEl, name === null ? '' : this.t.t('typing'));
    if (name) this.typingEl.title = name;
  }
}
