/**
 * The widget's state and its copy in localStorage (per shop), so a page reload continues the
 * chat: the session token, the conversation, the last sequence number seen, a cache of recent
 * messages, and the outbox of messages not yet acknowledged by the server.
 */
import type { AttachmentDto, ConversationStatus, CustomerConversationDto, MessageDto } from '../../server/domains/conversations/conversations.events.ts';

export interface SavedSession {
  token: string;
  expiresAt: string;
  customer: { id: string; name: string; verified: boolean };
  /** The `sub` of the identity token the session was made from; null for the pre-chat form. */
  identitySub: string | null;
  /** From the pre-chat form, used when the conversation is opened. */
  orderNumber: string | null;
}

export interface OutboxItem {
  clientId: string;
  body: string;
  attachments: AttachmentDto[];
  createdAt: string;
  /** Why the server refused it for good (shown on the message; never resent). */
  failed?: string;
}

interface Saved {
  session: SavedSession | null;
  conversationId: string | null;
  status: ConversationStatus | null;
  agentReadSeq: number;
  lastSeq: number;
  messages: MessageDto[];
  rated: string[];
}

/** Enough for a reload to show the recent history at once; older messages come from sync. */
const CACHE_MESSAGES = 100;

const empty = (): Saved => ({ session: null, conversationId: null, status: null, agentReadSeq: 0, lastSeq: 0, messages: [], rated: [] });

function read<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null; // storage blocked (privacy mode) or garbage: start afresh
  }
}

function write(key: string, value: unknown): boolean {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

export class Store {
  private s: Saved;
  private messages = new Map<string, MessageDto>();
  outbox: OutboxItem[];
  private listeners = new Set<() => void>();
  private readonly key: string;
  private readonly outboxKey: string;

  constructor(shopId: string) {
    this.key = `madoguchi:v1:${shopId}`;
    this.outboxKey = `${this.key}:outbox`;
    this.s = { ...empty(), ...read<Saved>(this.key) };
    this.outbox = read<OutboxItem[]>(this.outboxKey) ?? [];
    for (const m of this.s.messages) this.messages.set(m.id, m);
    // A cache that lost messages (quota) cannot vouch for lastSeq: ask for everything again.
    if (this.s.lastSeq > 0 && this.messages.size === 0) this.s.lastSeq = 0;
  }

  get session() { return this.s.session; }
  get conversationId() { return this.s.conversationId; }
  get status() { return this.s.status; }
  get agentReadSeq() { return this.s.agentReadSeq; }
  get lastSeq() { return this.s.lastSeq; }
  get rated() { return this.s.conversationId ? this.s.rated.includes(this.s.conversationId) : false; }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    const all = this.list();
    const kept = { ...this.s, messages: all.slice(-CACHE_MESSAGES) };
    if (!write(this.key, kept)) write(this.key, { ...kept, messages: [], lastSeq: 0 });
    for (const fn of this.listeners) fn();
  }

  private saveOutbox(): void {
    write(this.outboxKey, this.outbox);
    for (const fn of this.listeners) fn();
  }

  setSession(session: SavedSession | null): void {
    // A new session is a new customer: nothing of the previous one may show.
    this.s = { ...empty(), session };
    this.messages.clear();
    this.outbox = [];
    write(this.outboxKey, this.outbox);
    this.changed();
  }

  setConversation(c: CustomerConversationDto): void {
    const same = this.s.conversationId === c.id;
    if (!same) {
      this.messages.clear();
      this.s.lastSeq = 0;
    }
    this.s.conversationId = c.id;
    this.s.status = c.status;
    this.s.agentReadSeq = Math.max(same ? this.s.agentReadSeq : 0, c.agentReadSeq);
    this.changed();
  }

  /** The conversation ended for good (closed or merged away): the next message opens another. */
  forgetConversation(): void {
    this.s.conversationId = null;
    this.s.status = null;
    this.s.agentReadSeq = 0;
    this.s.lastSeq = 0;
    this.messages.clear();
    this.changed();
  }

  /** Adds messages of the current conversation, once each; acknowledged ones leave the outbox. */
  addMessages(ms: MessageDto[]): void {
    let outboxChanged = false;
    for (const m of ms) {
      if (m.conversationId !== this.s.conversationId) continue;
      this.messages.set(m.id, m);
      this.s.lastSeq = Math.max(this.s.lastSeq, m.seq);
      if (m.authorKind === 'customer') {
        const before = this.outbox.length;
        this.outbox = this.outbox.filter((o) => o.clientId !== m.clientId);
        outboxChanged ||= this.outbox.length !== before;
      }
    }
    if (outboxChanged) write(this.outboxKey, this.outbox);
    this.changed();
  }

  markAgentRead(seq: number): void {
    if (seq <= this.s.agentReadSeq) return;
    this.s.agentReadSeq = seq;
    this.changed();
  }

  markRated(conversationId: string): void {
    this.s.rated = [...this.s.rated.filter((id) => id !== conversationId), conversationId].slice(-20);
    this.changed();
  }

  /** The conversation's messages in sequence order. */
  list(): MessageDto[] {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }

  queue(item: OutboxItem): void {
    this.outbox = [...this.outbox, item];
    this.saveOutbox();
  }

  /** The server has it (whatever conversation it landed in): never send it again. */
  acked(clientId: string): void {
    if (!this.outbox.some((o) => o.clientId === clientId)) return;
    this.outbox = this.outbox.filter((o) => o.clientId !== clientId);
    this.saveOutbox();
  }

  fail(clientId: string, reason: string): void {
    this.outbox = this.outbox.map((o) => (o.clientId === clientId ? { ...o, failed: reason } : o));
    this.saveOutbox();
  }

  /** Messages still to send, oldest first (refused ones stay visible but are not resent). */
  unsent(): OutboxItem[] {
    return this.outbox.filter((o) => !o.failed);
  }
}
