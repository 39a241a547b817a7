/**
 * The chat's wire contract: DTOs and Socket.IO event maps for the widget (`/widget`) and the
 * console (`/agent`) namespaces. The console and the widget import these types; they never
 * copy them. Every client→server event takes one payload object and an ack callback, and
 * the ack answers `{ ok: true, ... }` or `{ error: code, message }`.
 */
import type { AccessEnd } from '../auth/auth.access.ts';
import type { ReturnChanged } from '../returns/returns.changed.ts';
import type { AuthorKind, Channel, ConversationStatus, MessageKind, Priority } from './conversations.tables.ts';

export type { AccessEnd, AuthorKind, Channel, ConversationStatus, MessageKind, Priority };

export interface AttachmentDto {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  /** Relative URL; served only to those allowed to see the conversation. */
  url: string;
}

export interface MessageDto {
  id: string;
  conversationId: string;
  seq: number;
  clientId: string;
  authorKind: AuthorKind;
  authorName: string;
  /** Agent's user id; null for customers and the system. */
  authorId: string | null;
  kind: MessageKind;
  body: string;
  attachments: AttachmentDto[];
  createdAt: string;
}

export interface CustomerDto {
  id: string;
  name: string;
  /** Masked ("t***@e***.jp") for contractors. */
  email: string | null;
  verified: boolean;
  externalId: string | null;
}

export interface ConversationDto {
  id: string;
  shopId: string;
  number: number;
  channel: Channel;
  subject: string | null;
  orderNumber: string | null;
  status: ConversationStatus;
  priority: Priority;
  tags: string[];
  assignee: { id: string; name: string } | null;
  awaitingAssignment: boolean;
  customer: CustomerDto;
  lastSeq: number;
  customerReadSeq: number;
  agentReadSeq: number;
  snoozedUntil: string | null;
  mergedIntoId: string | null;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Worst SLA state among the running clocks. */
  sla: { state: 'ok' | 'at_risk' | 'breached' | 'none'; dueAt: string | null };
}

/** What the customer sees of its conversation: no assignee ids, tags, notes or SLA. */
export interface CustomerConversationDto {
  id: string;
  number: number;
  status: ConversationStatus;
  lastSeq: number;
  agentReadSeq: number;
  createdAt: string;
}

export type PresenceStatus = 'online' | 'away' | 'offline';

export interface Viewer {
  userId: string;
  name: string;
  typing: boolean;
}

/** `retryAfter` (seconds) comes with `error: 'unavailable'`: nothing was done, send the same again then. */
export type Ack<T = object> = (answer: ({ ok: true } & T) | { error: string; message: string; details?: unknown; retryAfter?: number }) => void;

export interface SyncAnswer {
  messages: MessageDto[];
  lastSeq: number;
  /** More after the last one returned: ask again from its seq. */
  more: boolean;
  /** The conversation's state now (status, read marks), so a client that was away catches up on it too. */
  conversation: CustomerConversationDto;
}

/* ---------- /widget namespace (customer) ---------- */

export interface WidgetClientEvents {
  /** The customer's open chat, or a new one. Idempotent: a resend finds the same one. */
  'conversation:open': (p: { orderNumber?: string; subject?: string }, ack: Ack<{ conversation: CustomerConversationDto }>) => void;
  'message:send': (p: { conversationId: string; clientId: string; body: string; attachmentIds?: string[] }, ack: Ack<{ message: MessageDto; duplicate: boolean }>) => void;
  sync: (p: { conversationId: string; afterSeq: number }, ack: Ack<SyncAnswer>) => void;
  typing: (p: { conversationId: string; typing: boolean }) => void;
  read: (p: { conversationId: string; seq: number }, ack?: Ack) => void;
  'csat:rate': (p: { conversationId: string; rating: number; comment?: string }, ack: Ack) => void;
}

export interface WidgetServerEvents {
  message: (m: MessageDto) => void;
  typing: (p: { conversationId: string; name: string; typing: boolean }) => void;
  read: (p: { conversationId: string; seq: number }) => void;
  conversation: (c: CustomerConversationDto) => void;
  /** Whether someone can answer now: an agent online and inside business hours. */
  availability: (p: { open: boolean; agentsOnline: boolean }) => void;
}

/* ---------- /agent namespace (console) ---------- */

export interface AgentClientEvents {
  'conversation:join': (p: { conversationId: string }, ack: Ack<{ conversation: ConversationDto; viewers: Viewer[] }>) => void;
  'conversation:leave': (p: { conversationId: string }) => void;
  'message:send': (
    p: { conversationId: string; clientId: string; body: string; kind?: 'text' | 'note'; attachmentIds?: string[] },
    ack: Ack<{ message: MessageDto; duplicate: boolean }>,
  ) => void;
  sync: (p: { conversationId: string; afterSeq: number }, ack: Ack<SyncAnswer>) => void;
  typing: (p: { conversationId: string; typing: boolean }) => void;
  read: (p: { conversationId: string; seq: number }, ack?: Ack) => void;
  'presence:set': (p: { status: 'online' | 'away' }, ack?: Ack) => void;
  /** Sent every ~30 s while the conversation is open and the tab visible; feeds the work log. */
  'work:heartbeat': (p: { conversationId: string }) => void;
}

/**
 * What a new message changes on its inbox row, known from the write itself: no read of the
 * database, so a busy shop's inbox follows every message for a small share of one frame.
 * The preview is left out for internal notes, which the preview never shows.
 */
export type ConversationActivity = Pick<ConversationDto, 'id' | 'shopId' | 'lastSeq' | 'customerReadSeq' | 'agentReadSeq' | 'lastMessageAt' | 'updatedAt'> & {
  lastMessagePreview?: string;
};

export interface AgentServerEvents {
  message: (m: MessageDto) => void;
  /** Any change a list or a header shows: status, assignee, tags, new message, SLA. */
  'conversation:updated': (c: ConversationDto) => void;
  /**
   * Rows that messages moved (their status did not change: that comes as conversation:updated),
   * coalesced per shop: the latest state of each row, about every 100 ms while messages flow.
   */
  'conversation:activity': (rows: ConversationActivity[]) => void;
  typing: (p: { conversationId: string; who: 'customer' | 'agent'; userId: string | null; name: string; typing: boolean }) => void;
  read: (p: { conversationId: string; by: 'customer' | 'agent'; seq: number }) => void;
  viewers: (p: { conversationId: string; viewers: Viewer[] }) => void;
  presence: (p: { userId: string; name: string; status: PresenceStatus }) => void;
  mention: (p: { conversationId: string; number: number; messageId: string; by: string; excerpt: string }) => void;
  sla: (p: { conversationId: string; metric: 'first_response' | 'next_response' | 'resolution'; state: 'at_risk' | 'breached'; dueAt: string }) => void;
  /**
   * Sent just before the server ends this connection because the person's access changed:
   * `removed` (no longer in the shop: drop it), `role_changed` (connect again to get what the
   * new role sees), or the session is over (`session_ended`, `expired`, `disabled`: sign in).
   * A reconnect that is refused says the same in `connect_error`'s `data.reason`.
   */
  'access:changed': (p: { shopId: string; reason: AccessEnd }) => void;
  /** A return of the shop changed (filed, moved on): lists and its page read it again. */
  'return:changed': (p: ReturnChanged) => void;
}
