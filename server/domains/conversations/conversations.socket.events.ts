/**
 * The chat's Socket.IO event maps for the widget (`/widget`) and the console (`/agent`)
 * namespaces (socket.io's typed events), shared with the console and the widget, which never
 * copy them. Every client→server event takes one payload object and an ack callback, and the
 * ack answers `{ ok: true, ... }` or `{ error: code, message }`. What the events carry is in
 * conversations.dto.ts.
 */
import type { AccessEnd } from '../auth/auth.access.ts';
import type { ReturnChanged } from '../returns/returns.changed.ts';
import type { NoticeProgress } from '../notices/notices.send.progress.ts';
import type { ConversationActivity, ConversationDto, CustomerConversationDto, MessageDto, SendAnswer, SyncAnswer } from './conversations.dto.ts';

export type { AccessEnd };

export const presenceStatuses = ['online', 'away', 'offline'] as const;
export type PresenceStatus = (typeof presenceStatuses)[number];

export interface Viewer {
  userId: string;
  name: string;
  typing: boolean;
}

/** `retryAfter` (seconds) comes with `error: 'unavailable'`: nothing was done, send the same again then. */
export type Ack<T = object> = (answer: ({ ok: true } & T) | { error: string; message: string; details?: unknown; retryAfter?: number }) => void;

/* ---------- /widget namespace (customer) ---------- */

export interface WidgetClientEvents {
  /** The customer's open chat, or a new one. Idempotent: a resend finds the same one. */
  'conversation:open': (p: { orderNumber?: string; subject?: string }, ack: Ack<{ conversation: CustomerConversationDto }>) => void;
  'message:send': (p: { conversationId: string; clientId: string; body: string; attachmentIds?: string[] }, ack: Ack<SendAnswer>) => void;
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
    ack: Ack<SendAnswer>,
  ) => void;
  sync: (p: { conversationId: string; afterSeq: number }, ack: Ack<SyncAnswer>) => void;
  typing: (p: { conversationId: string; typing: boolean }) => void;
  read: (p: { conversationId: string; seq: number }, ack?: Ack) => void;
  'presence:set': (p: { status: 'online' | 'away' }, ack?: Ack) => void;
  /** Sent every ~30 s while the conversation is open and the tab visible; feeds the work log. */
  'work:heartbeat': (p: { conversationId: string }) => void;
}

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
  /** To the person's own room, which their connections to every shop are in: `shopId` says whose. */
  mention: (p: { shopId: string; conversationId: string; number: number; messageId: string; by: string; excerpt: string }) => void;
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
  /** A notice campaign's status and counts, at most about four times a second per campaign while it sends. */
  'notice:progress': (p: NoticeProgress) => void;
}
