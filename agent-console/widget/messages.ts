/**
 * The message list: server messages in sequence order, then the customer's messages still in
 * the outbox. A message keeps its element from "sending" to stored (keyed by client id), so
 * each shows once. Read receipts (既読) mark the customer's messages the agent has read.
 */
import type { AttachmentDto, MessageDto } from '../../server/domains/conversations/conversations.dto.ts';
import { clock, h, icon, icons, show, text } from './dom.ts';
import { sendRefusal } from './errors.ts';
import type { I18n } from './i18n.ts';
import type { OutboxItem, Store } from './store.ts';

interface Row {
  el: HTMLElement;
  meta: HTMLElement;
}

type Entry = { key: string; mine: boolean; message?: MessageDto; pending?: OutboxItem };

export type FileOpener = (a: AttachmentDto) => Promise<string>;

export class MessageList {
  readonly el = h('div', { class: 'messages', 'data-testid': 'messages', role: 'log', 'aria-live': 'polite' });
  private readonly emptyEl: HTMLElement;
  /** Shown when an agent's message comes while the customer reads earlier ones; takes them down to it. */
  private readonly newer: HTMLButtonElement;
  private rows = new Map<string, Row>();
  /** Whether the customer is at the newest message: then what comes (or grows, an image) keeps it in view. */
  private pinned = true;

  constructor(
    private readonly t: I18n,
    private readonly openFile: FileOpener,
    private readonly scroller: HTMLElement,
    /** Where focus goes after the 新しいメッセージ button (it hides once used). */
    private readonly onFollow: () => void,
  ) {
    this.emptyEl = h('p', { class: 'empty' }, t.t('empty'));
    this.newer = h('button', { type: 'button', class: 'newer', 'data-testid': 'newer-messages' }, t.t('newer'));
    show(this.newer, false);
    this.newer.addEventListener('click', () => {
      this.scrollToEnd();
      this.onFollow();
    });
    scroller.addEventListener('scroll', () => {
      this.pinned = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
      if (this.pinned) show(this.newer, false);
    }, { passive: true });
  }

  scrollToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.pinned = true;
    show(this.newer, false);
  }

  private entries(store: Store): Entry[] {
    const stored = store.list().map((m): Entry => ({ key: m.authorKind === 'customer' ? `c:${m.clientId}` : `m:${m.id}`, mine: m.authorKind === 'customer', message: m }));
    const seen = new Set(stored.map((e) => e.key));
    const pending = store.outbox.filter((o) => !seen.has(`c:${o.clientId}`)).map((o): Entry => ({ key: `c:${o.clientId}`, mine: true, pending: o }));
    return [...stored, ...pending];
  }

  render(store: Store): void {
    const entries = this.entries(store);
    const keep = new Set(entries.map((e) => e.key));
    for (const key of this.rows.keys()) if (!keep.has(key)) this.rows.delete(key);
    // The customer's own new message is followed; others only when they were at the newest one
    // (scrolled up to read earlier messages, they stay where they are).
    const sentByCustomer = entries.some((e) => e.mine && !this.rows.has(e.key));
    const cameFromShop = entries.some((e) => !e.mine && !this.rows.has(e.key));
    const els = entries.map((e) => {
      let row = this.rows.get(e.key);
      if (!row) {
        row = this.build(e);
        this.rows.set(e.key, row);
      }
      this.updateMeta(row, e, store.agentReadSeq);
      return row.el;
    });
    this.el.replaceChildren(...(els.length ? [...els, this.newer] : [this.emptyEl]));
    if (this.pinned || sentByCustomer) this.scrollToEnd();
    else if (cameFromShop) show(this.newer, true);
  }

  private build(e: Entry): Row {
    const m = e.message;
    const kind = m?.authorKind === 'system' ? 'system' : e.mine ? 'mine' : 'theirs';
    const body = m?.body ?? e.pending?.body ?? '';
    const attachments = m?.attachments ?? e.pending?.attachments ?? [];
    const who = kind === 'theirs' && m ? h('span', { class: 'who' }, m.authorName) : null;
    const meta = h('div', { class: 'meta' });
    const el = h(
      'div',
      { class: `msg ${kind}`, 'data-testid': 'message', 'data-author': m?.authorKind ?? 'customer' },
      who,
      h('div', { class: 'bubble', 'data-testid': 'message-body' }, body),
      attachments.length ? this.files(attachments) : null,
      meta,
    );
    return { el, meta };
  }

  private updateMeta(row: Row, e: Entry, agentReadSeq: number): void {
    const parts: HTMLElement[] = [];
    if (e.message) parts.push(h('span', {}, clock(e.message.createdAt, this.t.locale)));
    if (e.pending?.failed) {
      const why = sendRefusal(this.t, e.pending.failed);
      parts.push(h('span', { class: 'failed', 'data-testid': 'failed' }, why ? `${this.t.t('failed')}: ${why}` : this.t.t('failed')));
    } else if (e.pending) parts.push(h('span', { 'data-testid': 'sending' }, this.t.t('sending')));
    else if (e.mine && e.message && e.message.seq <= agentReadSeq) parts.push(h('span', { 'data-testid': 'read-receipt' }, this.t.t('read')));
    row.el.dataset.state = e.pending ? (e.pending.failed ? 'failed' : 'sending') : 'stored';
    row.meta.replaceChildren(...parts);
  }

  /** Images are shown, PDFs open on click; both are fetched with the session token. */
  private files(attachments: AttachmentDto[]): HTMLElement {
    return h(
      'div',
      { class: 'files' },
      ...attachments.map((a) => {
        const button = h('button', { type: 'button', class: 'file', 'data-testid': 'attachment' }, icon(icons.clip), a.filename);
        if (a.contentType.startsWith('image/') && a.url) {
          // Whether the customer was at the newest message when this one came: the scroll event
          // of that moment can arrive after the image has already grown the list, and would then
          // read as the customer having scrolled away.
          const follow = this.pinned;
          void this.openFile(a).then((src) => {
            const img = h('img', { src, alt: a.filename });
            img.addEventListener('load', () => (follow || this.pinned) && this.scrollToEnd(), { once: true });
            button.replaceChildren(img);
          }, () => undefined);
        }
        button.addEventListener('click', () => {
          void this.openFile(a).then((src) => {
            const link = h('a', { href: src, download: a.filename, target: '_blank', rel: 'noopener' });
            link.click();
          });
        });
        return button;
      }),
    );
  }

  clear(): void {
    this.rows.clear();
    text(this.el, '');
  }
}
