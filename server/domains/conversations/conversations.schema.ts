import { z } from 'zod';
import { said } from '../../core/messages.ts';
import { isoTime as time, type Same } from '../../core/openapi.ts';
import { queueNowStates, type AgentDto, type ConversationDto, type MentionDto, type SyncAnswer } from './conversations.dto.ts';
import { presenceStatuses } from './conversations.socket.events.ts';
import type { QueueMetricsDto } from './conversations.metrics.ts';
import type { RelatedDto } from './conversations.related.ts';
import { slaMetrics } from '../sla/sla.tables.ts';
import { roles } from '../shops/shops.tables.ts';
import { email, plainText, shopIdParams } from '../shops/shops.schema.ts';
import { snoozePresets } from './conversations.snooze.ts';
import { authorKinds, channels, conversationStatuses, messageKinds, priorities, statusEventActions } from './conversations.tables.ts';

/** Longest message body a person may send (characters). Bigger payloads are refused, not cut. */
export const MESSAGE_MAX = 10_000;

/**
 * Message text: any characters a person types, including new lines and tabs, but no other
 * control characters (they break terminals and CSV exports and hide text from reviewers).
 */
export const messageBody = z
  .string()
  .max(MESSAGE_MAX, `at most ${MESSAGE_MAX} characters`)
  .refine((s) => s.trim().length > 0, 'a message needs some text')
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), 'control characters are not allowed');

/** Made by the sender (a UUID or similar); the same id sent twice is the same message. */
export const clientId = z.string().regex(/^[\w-]{8,64}$/, 'expected 8–64 letters, digits, - or _');
export const conversationId = z.uuid({ message: 'expected a conversation id (UUID)' });
export const seq = z.number().int().min(0).max(2_147_483_647);
export const orderNumber = z.string().trim().min(1).max(64).regex(/^[\w\-#/.]+$/, 'letters, digits and - # / . _ only');
export const tag = z.string().trim().min(1).max(40).regex(/^[^\s,\p{Cc}]+$/u, 'one word, no spaces or commas');

/* ---------- socket payloads ---------- */

export const openPayload = z.strictObject({ orderNumber: orderNumber.optional(), subject: plainText(200).optional() });
export const sendPayload = z.strictObject({
  conversationId,
  clientId,
  body: messageBody,
  kind: z.enum(['text', 'note']).optional(),
  attachmentIds: z.array(z.uuid()).max(10).optional(),
  mentions: z.array(z.uuid()).max(20).optional(),
});
export const syncPayload = z.strictObject({ conversationId, afterSeq: seq });
export const typingPayload = z.strictObject({ conversationId, typing: z.boolean() });
export const readPayload = z.strictObject({ conversationId, seq });
export const conversationRef = z.strictObject({ conversationId });
export const presencePayload = z.strictObject({ status: z.enum(['online', 'away']) });

/* ---------- widget sessions ---------- */

export const widgetSessionBody = z.union([
  z.strictObject({ name: plainText(100), email, orderNumber: orderNumber.optional(), locale: z.enum(['ja', 'en']).optional() }),
  z.strictObject({ identityToken: z.string().min(10).max(4096), locale: z.enum(['ja', 'en']).optional() }),
]);

/* ---------- HTTP ---------- */

export const conversationParams = shopIdParams.extend({ conversationId });

export const inboxQuery = z.strictObject({
  status: z.union([z.enum(conversationStatuses), z.literal('active')]).optional(),
  assignee: z.union([z.uuid(), z.enum(['me', 'none'])]).optional(),
  tag: tag.optional(),
  priority: z.enum(priorities).optional(),
  sla: z.enum(['at_risk', 'breached']).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque cursor from the previous page. */
  before: z.string().max(200).optional(),
});

export const createConversationBody = z.strictObject({
  customer: z.strictObject({ name: plainText(100), email, externalId: plainText(200).optional() }),
  subject: plainText(200).optional(),
  orderNumber: orderNumber.optional(),
  priority: z.enum(priorities).optional(),
  tags: z.array(tag).max(20).optional(),
  message: z.strictObject({ clientId, body: messageBody }),
});

export const postMessageBody = z.strictObject({
  clientId,
  body: messageBody,
  kind: z.enum(['text', 'note']).default('text'),
  attachmentIds: z.array(z.uuid()).max(10).optional(),
  mentions: z.array(z.uuid()).max(20).optional(),
});

export const updateConversationBody = z
  .strictObject({
    status: z.enum(conversationStatuses).optional(),
    /** The status the caller saw; a different current status answers 409. */
    expectedStatus: z.enum(conversationStatuses).optional(),
    priority: z.enum(priorities).optional(),
    tags: z.array(tag).max(20).optional(),
    assigneeId: z.uuid().nullable().optional(),
    snoozedUntil: z.iso.datetime({ offset: true }).optional(),
    /** Instead of snoozedUntil: the next business day's opening, or next Monday's (conversations.snooze.ts). */
    snooze: z.enum(snoozePresets).optional(),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'expectedStatus'), 'nothing to change')
  .refine((b) => (b.status === 'snoozed') === (b.snoozedUntil !== undefined || b.snooze !== undefined), {
    message: said('再開日時（snoozedUntil）は「スヌーズ」のときだけ指定してください。', 'snoozedUntil goes with status "snoozed", and only with it'),
    path: ['snoozedUntil'],
  })
  .refine((b) => b.snoozedUntil === undefined || b.snooze === undefined, { message: said('日時の指定とプリセットはどちらか一方にしてください', 'either snoozedUntil or snooze, not both'), path: ['snooze'] });

export const mergeBody = z.strictObject({ sourceId: conversationId });

/** The inbox filters over all of the signed-in person's shops, or one of them. */
export const myInboxQuery = inboxQuery.extend({ shopId: z.uuid({ message: 'expected a shop id (UUID)' }).optional() });

/* ---------- answers (the API reference; dto.json.test.ts holds them to real pages) ---------- */

/** ConversationDto (conversations.dto.ts) as the API reference shows it. */
export const conversationView = z.strictObject({
  id: z.uuid(),
  shopId: z.uuid(),
  number: z.number().int().describe('the shop\'s running number, "#128"'),
  channel: z.enum(channels),
  subject: z.string().nullable(),
  orderNumber: z.string().nullable(),
  status: z.enum(conversationStatuses),
  priority: z.enum(priorities),
  tags: z.array(z.string()),
  assignee: z.strictObject({ id: z.uuid(), name: z.string() }).nullable(),
  awaitingAssignment: z.boolean(),
  customer: z.strictObject({
    id: z.uuid(),
    name: z.string(),
    email: z.string().nullable().describe('masked ("t***@e***.jp") for contractors'),
    verified: z.boolean(),
    externalId: z.string().nullable().describe('the shop\'s own id for the customer; null for contractors'),
  }),
  lastSeq: z.number().int(),
  customerReadSeq: z.number().int(),
  agentReadSeq: z.number().int(),
  snoozedUntil: time.nullable(),
  mergedIntoId: z.uuid().nullable(),
  lastMessageAt: time.nullable(),
  lastMessagePreview: z.string().nullable().describe('the last message the customer can see, its first 140 characters'),
  firstResponseAt: time.nullable(),
  resolvedAt: time.nullable(),
  createdAt: time,
  updatedAt: time,
  sla: z.strictObject({ state: z.enum(['ok', 'at_risk', 'breached', 'none']), dueAt: time.nullable() }).describe('the worst state among the running SLA clocks'),
});

// The reference and the DTO are one shape (Same, core/openapi.ts).
const viewIsTheDto: Same<z.output<typeof conversationView>, ConversationDto> = true;

/** InboxPage: a page of the inbox, newest activity first, and the cursor of the next (`before`). */
export const inboxPage = z.strictObject({ conversations: z.array(conversationView), next: z.string().nullable() });

/** MyQueuePage: each row with its shop's name. */
export const myQueuePage = z.strictObject({ conversations: z.array(conversationView.extend({ shopName: z.string() })), next: z.string().nullable() });

/** MentionDto: where the signed-in person was @mentioned in an internal note. */
export const mentionView = z.strictObject({
  id: z.uuid(),
  conversationId: z.uuid(),
  number: z.number().int().describe("the conversation's running number"),
  messageId: z.uuid(),
  by: z.string().describe('who wrote the note'),
  excerpt: z.string().describe("the note's first 140 characters"),
  readAt: time.nullable(),
  createdAt: time,
});
const mentionIsTheDto: Same<z.output<typeof mentionView>, MentionDto> = true;

/** The shop's people as the console's assignment menu shows them. */
export const agentList = z.array(
  z.strictObject({ userId: z.uuid(), name: z.string(), role: z.enum(roles), status: z.enum(presenceStatuses).describe('presence, as of now') }),
);
const agentsAreTheDto: Same<z.output<typeof agentList>, AgentDto[]> = true;

/** SyncAnswer: a conversation's messages after a seq, as an agent sees them (the widget's socket `sync` answers the same without notes and status events). */
export const messagesPage = z.strictObject({
  messages: z.array(
    z.strictObject({
      id: z.uuid(),
      conversationId: z.uuid(),
      seq: z.number().int().describe("the message's place in its conversation, from 1, without gaps"),
      clientId: z.string().describe('the id its sender gave it; a resend with the same one is answered with the stored message'),
      authorKind: z.enum(authorKinds),
      authorName: z.string(),
      authorId: z.uuid().nullable().describe("the agent's user id; null for customers and madoguchi itself"),
      kind: z.enum(messageKinds).describe('note: internal, never shown to the customer; event: from madoguchi itself (a notice to both sides, or an internal status event)'),
      body: z.string(),
      statusEvent: z
        .strictObject({
          action: z.enum(statusEventActions),
          by: z.string().nullable(),
          assignee: z.string().optional(),
          until: time.optional(),
        })
        .optional()
        .describe('an internal status event, for the console to render in the reader\'s language'),
      attachments: z.array(z.strictObject({ id: z.uuid(), filename: z.string(), contentType: z.string(), size: z.number().int(), url: z.string().describe('relative; served only to those who may see the conversation') })),
      createdAt: time,
    }),
  ),
  lastSeq: z.number().int(),
  more: z.boolean().describe('more after the last one answered: ask again from its seq'),
  conversation: z.strictObject({ id: z.uuid(), number: z.number().int(), status: z.enum(conversationStatuses), lastSeq: z.number().int(), agentReadSeq: z.number().int(), createdAt: time }),
});
const messagesPageIsTheDto: Same<z.output<typeof messagesPage>, SyncAnswer> = true;

/** RelatedDto: the customer's other conversations, orders and returns with the shop (numbers and states only). */
export const relatedView = z.strictObject({
  conversations: z.array(z.strictObject({ id: z.uuid(), number: z.number().int(), status: z.enum(conversationStatuses), subject: z.string().nullable(), updatedAt: time })),
  orders: z.array(z.strictObject({ orderNumber: z.string(), orderedAt: time, total: z.number().int().describe('yen'), shippedAt: time.nullable(), deliveredAt: time.nullable() })),
  returns: z.array(z.strictObject({ id: z.uuid(), number: z.number().int(), status: z.string(), orderNumber: z.string(), createdAt: time })),
});
const relatedIsTheDto: Same<z.output<typeof relatedView>, RelatedDto> = true;

/** QueueMetricsDto: the queue at a glance, and [from, to) in figures. */
export const queueMetricsView = z.strictObject({
  from: time,
  to: time,
  now: z.partialRecord(z.enum(queueNowStates), z.number().int()).describe('conversations in each state now'),
  firstResponse: z.strictObject({ count: z.number().int(), medianSeconds: z.number().nullable(), p90Seconds: z.number().nullable() }),
  sla: z.array(z.strictObject({ metric: z.enum(slaMetrics), met: z.number().int(), breached: z.number().int(), percentMet: z.number().nullable().describe('0–100, one decimal; null when nothing finished') })),
  csat: z.strictObject({
    count: z.number().int(),
    average: z.number().nullable(),
    distribution: z.strictObject({ '1': z.number().int(), '2': z.number().int(), '3': z.number().int(), '4': z.number().int(), '5': z.number().int() }),
  }),
  daily: z.array(z.strictObject({ day: z.string().describe('YYYY-MM-DD, Asia/Tokyo'), opened: z.number().int(), resolved: z.number().int() })),
});
const queueMetricsIsTheDto: Same<z.output<typeof queueMetricsView>, QueueMetricsDto> = true;
