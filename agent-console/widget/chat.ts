/**
 * The widget's controller: decides between the pre-chat form, a verified start and the chat;
 * owns the connection, and keeps the shell in step with the store.
 */
import { activeNotices, identitySub, widgetApi, type SessionRequest, type WidgetConfig as ShopConfig } from './api.ts';
import { Composer } from './composer.ts';
import { AckError, Connection } from './connection.ts';
import { h } from './dom.ts';
import { prechatRefusal, ratingRefusal, verifyRefusal } from './errors.ts';
import { i18n, type I18n, type Locale } from './i18n.ts';
import { MessageList } from './messages.ts';
import { Rating } from './rating.ts';
import { Store } from './store.ts';
import { prechatForm, Shell, type PrechatInput, type PrechatIntro } from './ui.ts';

export interface WidgetConfig {
  origin: string;
  shopId: string;
  locale: Locale;
  identityToken: string | null;
}

/** How long the widget waits for its config before showing without it. */
const CONFIG_TIMEOUT_MS = 5000;

/** An agent who stops typing without saying so (closed tab) does not type forever. */
const TYPING_SHOWN_MS = 8000;

/** A UUID v4 for client ids; crypto.randomUUID exists only on https (and localhost) pages. */
function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class Chat {
  private readonly t: I18n;
  private readonly api;
  private readonly store: Store;
  readonly shell: Shell;
  private conn: Connection | null = null;
  private readonly list: MessageList;
  private readonly composer: Composer;
  private readonly ratingSlot = h('div', {});
  private ratings = new Map<string, Rating>();
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private readSent = 0;
  private starting = false;
  private shop: ShopConfig | null = null;
  /** False while hidden on an origin the shop has not allowed: `open` then does nothing. */
  private mounted = false;

  constructor(private readonly cfg: WidgetConfig) {
    this.t = i18n(cfg.locale);
    this.api = widgetApi(cfg.origin, cfg.shopId);
    this.store = new Store(cfg.shopId);
    this.shell = new Shell(this.t);
    this.list = new MessageList(this.t, (a) => this.api.attachmentUrl(this.token(), a.url), this.shell.body, () => this.composer.focus());
    this.composer = new Composer(this.t, {
      send: (body, attachments) => void this.conn?.send({ clientId: newClientId(), body, attachments, createdAt: new Date().toISOString() }),
      upload: async (file) => this.api.upload(this.token(), await this.requireConn().ensureConversation(), file),
      typing: (typing) => {
        const id = this.store.conversationId;
        if (id) this.conn?.typing(id, typing);
      },
    });
    this.shell.onOpen = () => this.enter();
    this.store.onChange(() => this.render());
    document.addEventListener('visibilitychange', () => this.markRead());
  }

  private token(): string {
    return this.store.session?.token ?? '';
  }

  private requireConn(): Connection {
    if (!this.conn) throw new Error(this.t.t('sessionFailed'));
    return this.conn;
  }

  /**
   * Asks the shop's config first: on a page whose origin the shop has not allowed, the widget
   * stays hidden and tells the developer in the console (a customer could not chat there
   * anyway). If the config cannot be read at all (offline), the widget shows as before.
   */
  /**
   * Asks the shop's config, then shows the widget: hidden on an explicit `{ allowed: false }`,
   * shown as before the config existed (plain look) when the fetch fails or takes too long, so
   * a slow or broken madoguchi never takes the chat off an allowed shop's page.
   */
  async load(): Promise<void> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), CONFIG_TIMEOUT_MS);
    const answer = await this.api.config(abort.signal).catch(() => null).finally(() => clearTimeout(timer));
    if (answer && !answer.allowed) {
      console.warn(
        `[madoguchi] the chat widget is hidden on ${location.origin}: this origin is not allowed for shop ${this.cfg.shopId}. ` +
          `Add ${location.origin} to 「許可するオリジン」 (Allowed origins) in the madoguchi console: 設定 → チャットウィジェット (${this.cfg.origin}/console/).`,
      );
      return;
    }
    this.shop = answer;
    this.mount();
  }

  private intro(): PrechatIntro | null {
    const s = this.shop;
    if (!s) return null;
    const opensAt = s.hours?.nextOpenAt ? this.when(s.hours.nextOpenAt, s.timezone) : null;
    const greeting = this.cfg.locale === 'en' ? (s.greeting.en ?? null) : (s.greeting.ja ?? null);
    return { greeting, hours: s.hours && { open: s.hours.open, opensAt }, replyTime: s.replyTime, privacyUrl: s.privacyUrl, mailDomain: s.mailDomain };
  }

  /** "12月5日(土) 9:00" / "Sat 5 Dec, 09:00" in the shop's zone (its hours are written in it). */
  private when(iso: string, timeZone: string): string | null {
    try {
      const o: Intl.DateTimeFormatOptions = { timeZone, month: this.cfg.locale === 'en' ? 'short' : 'long', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' };
      return new Intl.DateTimeFormat(this.cfg.locale === 'en' ? 'en-GB' : 'ja-JP', o).format(new Date(iso));
    } catch {
      return null;
    }
  }

  private mount(): void {
    this.mounted = true;
    document.body.append(this.shell.host);
    if (this.shop) {
      this.shell.setTitle(this.shop.name);
      this.shell.setColors(this.shop.color, this.shop.textColor);
    } else void this.api.shop().then((s) => this.shell.setTitle(s.name), () => undefined);
    const s = this.store.session;
    if (s && new Date(s.expiresAt) > new Date() && this.sessionFits()) this.connect();
    // Only once the config said this page is allowed: the notices are read under the same CORS rule.
    if (this.shop) void this.showNotices();
  }

  /** The shop's delay notices at the top of the panel; a failure to read them leaves the chat as it is. */
  private async showNotices(): Promise<void> {
    const { origin, shopId, locale } = this.cfg;
    const answer = await activeNotices(origin, shopId).catch(() => null);
    if (!answer) return;
    this.shell.setNotices(answer.notices.map((n) => ({ id: n.id, headline: n[locale].headline, url: `${origin}/shops/${encodeURIComponent(shopId)}/notices?lang=${locale}#n-${n.id}` })));
  }

  /** A stored session is used only for the same person: the same signed-in customer, or an anonymous one on a page without identity. */
  private sessionFits(): boolean {
    const s = this.store.session;
    if (!s) return false;
    return this.cfg.identityToken ? s.identitySub === identitySub(this.cfg.identityToken) : s.identitySub === null;
  }

  identify(token: string): void {
    this.cfg.identityToken = token;
    if (this.store.session && !this.sessionFits()) this.reset();
    if (this.shell.isOpen && !this.store.session) this.enter();
  }

  private reset(): void {
    this.conn?.close();
    this.conn = null;
    this.ratings.clear();
    this.readSent = 0;
    this.list.clear();
    this.store.setSession(null);
  }

  /** What the panel shows when opened: the chat, a verified start, or the form. */
  private enter(): void {
    const s = this.store.session;
    if (s && !this.sessionFits()) this.reset();
    if (this.store.session) {
      if (!this.conn) this.connect();
      return this.showChat();
    }
    if (this.cfg.identityToken) return void this.start({ identityToken: this.cfg.identityToken, locale: this.cfg.locale });
    const form = prechatForm(this.t, (x: PrechatInput) => {
      form.busy(true);
      form.error(null);
      void this.start({ ...x, locale: this.cfg.locale }).catch((e: unknown) => {
        form.busy(false);
        form.error(prechatRefusal(this.t, e));
      });
    }, this.intro());
    this.shell.setView('form', [form.el]);
    this.shell.focusFirst();
  }

  /** Starts a session; a refused identity token ends in an error view, a form error is thrown back to the form. */
  private async start(req: SessionRequest): Promise<void> {
    if (this.starting) return;
    this.starting = true;
    const verified = 'identityToken' in req;
    if (verified) this.shell.setView('loading', [h('p', { class: 'empty' }, this.t.t('starting'))]);
    try {
      const r = await this.api.startSession(req);
      const identity = verified ? identitySub(req.identityToken) : null;
      this.store.setSession({ ...r, identitySub: identity, orderNumber: 'orderNumber' in req ? (req.orderNumber ?? null) : null });
      this.connect();
      this.showChat();
    } catch (e) {
      if (!verified) throw e;
      const detail = verifyRefusal(this.t, e);
      this.shell.setView('error', [h('p', { class: 'error-text', role: 'alert', 'data-testid': 'verify-error' }, this.t.both('verifyFailed')), h('p', { class: 'empty' }, detail)]);
    } finally {
      this.starting = false;
    }
  }

  private connect(): void {
    const s = this.store.session;
    if (!s) return;
    this.conn = new Connection(this.cfg.origin, this.cfg.shopId, s.token, this.store, {
      state: (st) => this.shell.setDisconnected(st === 'offline'),
      refused: () => {
        // The session expired or was revoked: start again from the form (or the identity token).
        this.reset();
        this.shell.setDisconnected(false);
        if (this.shell.isOpen) this.enter();
      },
      typing: ({ name, typing }) => {
        clearTimeout(this.typingTimer);
        this.shell.setTyping(typing ? name : null);
        if (typing) this.typingTimer = setTimeout(() => this.shell.setTyping(null), TYPING_SHOWN_MS);
      },
      availability: (a) => this.shell.setOffline(!a.open),
    });
  }

  private showChat(): void {
    this.shell.setView('chat', [this.list.el, this.ratingSlot], [this.composer.el]);
    this.render();
    this.list.scrollToEnd();
    this.composer.focus();
  }

  private render(): void {
    this.list.render(this.store);
    this.renderRating();
    const all = this.store.list();
    const last = all[all.length - 1];
    if (last && last.authorKind !== 'customer') this.shell.setTyping(null);
    this.markRead();
  }

  private renderRating(): void {
    const id = this.store.conversationId;
    if (!id || this.store.status !== 'resolved') return this.ratingSlot.replaceChildren();
    let r = this.ratings.get(id);
    if (!r) {
      r = new Rating(this.t, (rating, comment) => this.rate(id, rating, comment), (e) => ratingRefusal(this.t, e));
      if (this.store.rated) r.done();
      this.ratings.set(id, r);
    }
    this.ratingSlot.replaceChildren(r.el);
  }

  private async rate(conversationId: string, rating: number, comment: string): Promise<void> {
    try {
      await this.requireConn().rate(conversationId, rating, comment);
    } catch (e) {
      if (!(e instanceof AckError && e.code === 'conflict')) throw e; // already rated: same outcome
    }
    this.store.markRated(conversationId);
  }

  /** Tells the agent the customer has seen its messages, while the panel is open and visible. */
  private markRead(): void {
    const id = this.store.conversationId;
    if (!id || !this.shell.isOpen || document.visibilityState !== 'visible') return;
    // Only what is held without a gap before it has been seen.
    const latest = this.store.readThrough;
    if (latest > this.readSent && this.conn?.read(id, latest)) this.readSent = latest;
  }

  open(): void {
    if (this.mounted) this.shell.open();
  }

  close(): void {
    this.shell.close();
  }
}
