/**
 * The widget's state and its copy in localStorage (per shop), so a page reload continues the
 * chat: the session token, the conversation, a cache of recent messages, how far they are
 * complete, and the outbox of messages not yet acknowledged by the server.
 *
 * The messages are held in the console's MessageLog (agent-console/src/chatSequence.ts): once
 * each, in sequence order, and complete up to `heldThrough`, which a catch-up starts from. The
 * highest number seen is not that number: a live message or an acknowledgement can arrive past
 * a gap (a broadcast lost with a server process, a catch-up that failed, a reconnect that has
 * not caught up yet), and the messages in the gap must still be asked for, after a reload too.
 */
import type { AttachmentDto, ConversationStatus, CustomerConversationDto, MessageDto } from '../../server/domains/conversations/conversations.dto.ts';
import { MessageLog } from '../src/chatSequence.ts';

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
  /** The error code the server refused it with for good (explained on the message; never resent). */
  failed?: string;
}

interface Saved {
  session: SavedSession | null;
  conversationId: string | null;
  status: ConversationStatus | null;
  agentReadSeq: number;
  /**
   * Every message up to here was held (MessageLog.contiguous). A copy saved before this field
   * (it kept the highest seq seen, which could lie past a gap) has none: it catches up from 0.
   */
  heldThrough: number;
  messages: MessageDto[];
  rated: string[];
}

/** Enough for a reload to show the recent history at once; older messages come from sync. */
const CACHE_MESSAGES = 100;

const empty = (): Saved => ({ session: null, conversationId: null, status: null, agentReadSeq: 0, heldThrough: 0, messages: [], rated: [] });

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
  /** The current conversation's messages; a new log for every conversation. */
  log = new MessageLog<MessageDto>();
  outbox: OutboxItem[];
  private listeners = new Set<() => void>();
  private readonly key: string;
  private readonly outboxKey: string;

  constructor(shopId: string) {
    this.key = `madoguchi:v1:${shopId}`;
    this.outboxKey = `${this.key}:outbox`;
    const saved = read<Partial<Saved>>(this.key);
    this.s = { ...empty(), ...saved, heldThrough: typeof saved?.heldThrough === 'number' ? saved.heldThrough : 0 };
    this.outbox = read<OutboxItem[]>(this.outboxKey) ?? [];
    this.log.add((this.s.messages ?? []).filter((m) => m.conversationId === this.s.conversationId));
    // A cache that lost its messages (quota) cannot vouch for anything: ask for everything again.
    if (this.log.list().length) this.log.restore(this.s.heldThrough);
  }

  get session() { return this.s.session; }
  get conversationId() { return this.s.conversationId; }
  get status() { return this.s.status; }
  get agentReadSeq() { return this.s.agentReadSeq; }
  /** Some message of the conversation is known to exist and not held: a catch-up is due. */
  get missing() { return this.log.missing; }
  /** The last message the customer has in front of them with nothing missing before it (what a read mark may say). */
  get readThrough() { return Math.min(this.log.contiguous, this.log.last); }
  get rated() { return this.s.conversationId ? this.s.rated.includes(this.s.conversationId) : false; }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    const all = this.list();
    const kept: Saved = { ...this.s, heldThrough: this.log.contiguous, messages: all.slice(-CACHE_MESSAGES) };
    if (!write(this.key, kept)) write(this.key, { ...kept, messages: [], heldThrough: 0 });
    for (const fn of this.listeners) fn();
  }

  private saveOutbox(): void {
    write(this.outboxKey, this.outbox);
    for (const fn of this.listeners) fn();
  }

  setSession(session: SavedSession | null): void {
    // A new session is a new customer: nothing of the previous one may show.
    this.s = { ...empty(), session };
    this.log = new MessageLog();
    this.outbox = [];
    write(this.outboxKey, this.outbox);
    this.changed();
  }

  setConversation(c: CustomerConversationDto): void {
    const same = this.s.conversationId === c.id;
    if (!same) this.log = new MessageLog();
    this.s.conversationId = c.id;
    this.s.status = c.status;
    this.s.agentReadSeq = Math.max(same ? this.s.agentReadSeq : 0, c.agentReadSeq);
    // The conversation goes this far: a message whose own broadcast was lost is missing now.
    this.log.heard(c.lastSeq);
    this.changed();
  }

  /** The conversation ended for good (closed or merged away): the next message opens another. */
  forgetConversation(): void {
    this.s.conversationId = null;
    this.s.status = null;
    this.s.agentReadSeq = 0;
    this.log = new MessageLog();
    this.changed();
  }

  /** Adds messages of the current conversation (live, acknowledged), once each; see `missing` for a gap they show. */
  addMessages(ms: MessageDto[]): void {
    this.log.add(ms.filter((m) => m.conversationId === this.s.conversationId));
    this.settled();
  }

  /**
   * The log took in messages (here, or a catch-up page): the customer's own ones leave the
   * outbox, whatever way they came back, and the copy is saved.
   */
  settled(): void {
    if (this.outbox.length) {
      const stored = new Set(this.log.list().filter((m) => m.authorKind === 'customer').map((m) => m.clientId));
      const left = this.outbox.filter((o) => !stored.has(o.clientId));
      if (left.length !== this.outbox.length) {
        this.outbox = left;
        write(this.outboxKey, this.outbox);
      }
    }
    this.changed();
  }

  /** Another event says the conversation goes up to `seq` (a read mark): see `missing`. */
  heard(seq: number): void {
    this.log.heard(seq);
  }

  markAgentRead(seq: number): void {
    this.heard(seq);
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
    return this.log.list();
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

  fail(clientId: string, code: string): void {
    this.outbox = this.outbox.map((o) => (o.clientId === clientId ? { ...o, failed: code } : o));
    this.saveOutbox();
  }

  /** Messages still to send, oldest first (refused ones stay visible but are not resent). */
  unsent(): OutboxItem[] {
    return this.outbox.filter((o) => !o.failed);
  }
}
