/**
 * The conversations domain's answers: what the HTTP API, the socket events and acks carry
 * (conversations.socket.events.ts), named here so a service declares the shape it answers and a
 * change to one fails the type check where the API would change. The console and the widget
 * import these types; they never copy them.
 */
import type { AuthorKind, Channel, ConversationStatus, MessageKind, Priority, StatusEventData } from './conversations.tables.ts';
import type { Role } from '../shops/shops.tables.ts';
import type { PresenceStatus } from './conversations.socket.events.ts';

// The wire's enumerations, for clients that must not import the tables.
export type { AuthorKind, Channel, ConversationStatus, MessageKind, Priority };

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
  /** An internal status event's data (conversations.events.ts), for the console to render in the reader's language. */
  statusEvent?: StatusEventData;
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

export interface SyncAnswer {
  messages: MessageDto[];
  lastSeq: number;
  /** More after the last one returned: ask again from its seq. */
  more: boolean;
  /** The conversation's state now (status, read marks), so a client that was away catches up on it too. */
  conversation: CustomerConversationDto;
}

/**
 * What a new message changes on its inbox row, known from the write itself: no read of the
 * database, so a busy shop's inbox follows every message for a small share of one frame.
 * The preview is left out for internal notes, which the preview never shows.
 */
export type ConversationActivity = Pick<ConversationDto, 'id' | 'shopId' | 'lastSeq' | 'customerReadSeq' | 'agentReadSeq' | 'lastMessageAt' | 'updatedAt'> & {
  lastMessagePreview?: string;
};

/* ---------- HTTP answers ---------- */

/** The metrics page's counts of conversations by where they stand now (QueueMetricsDto in conversations.metrics.ts). */
export const queueNowStates = ['open', 'pending', 'waiting_merchant', 'snoozed', 'unassigned', 'awaiting_reply'] as const;
export type QueueNowCount = (typeof queueNowStates)[number];

/** A page of the inbox, newest activity first; `next` is the cursor of the following page. */
export interface InboxPage {
  conversations: ConversationDto[];
  next: string | null;
}

/** A row of the queue across shops: the conversation as its shop's role may see it, and whose it is. */
export type MyQueueConversationDto = ConversationDto & { shopName: string };

export interface MyQueuePage {
  conversations: MyQueueConversationDto[];
  next: string | null;
}

/** A stored message; `duplicate`: the same client id was stored before and nothing was written this time. */
export interface SendAnswer {
  message: MessageDto;
  duplicate: boolean;
}

/** A person of the shop as the console's assignment menu shows them (GET …/agents). */
export interface AgentDto {
  userId: string;
  name: string;
  role: Role;
  status: PresenceStatus;
}

/** An @mention of the signed-in person in an internal note. */
export interface MentionDto {
  id: string;
  conversationId: string;
  number: number;
  messageId: string;
  /** Who wrote the note. */
  by: string;
  /** The note's first 140 characters. */
  excerpt: string;
  readAt: string | null;
  createdAt: string;
}

/** A new widget session: `token` is the widget's only credential, shown in this answer only. */
export interface WidgetSessionDto {
  token: string;
  expiresAt: string;
  customer: { id: string; name: string; verified: boolean };
  /** The order number the pre-chat form gave, if any. */
  orderNumber: string | null;
}

/** A new identity-token key: shown in this answer only. */
export interface WidgetSecretDto {
  secret: string;
}

/** What PATCH …/conversations/:id changes (the console sends it; the route's schema checks it). */
export interface ConversationPatch {
  status?: ConversationStatus;
  expectedStatus?: ConversationStatus;
  priority?: Priority;
  tags?: string[];
  assigneeId?: string | null;
  snoozedUntil?: string;
  snooze?: 'tomorrow' | 'next_monday';
}
