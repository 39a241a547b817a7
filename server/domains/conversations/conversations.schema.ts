import { z } from 'zod';
import { said } from '../../core/messages.ts';
import type { ConversationDto, MentionDto } from './conversations.dto.ts';
import { roles } from '../shops/shops.tables.ts';
import { email, plainText, shopIdParams } from '../shops/shops.schema.ts';
import { snoozePresets } from './conversations.snooze.ts';
import { channels, conversationStatuses, priorities } from './conversations.tables.ts';

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

const time = z.string().describe('ISO 8601, UTC, milliseconds');

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

// The reference and the DTO are one shape: a field added to, or changed in, one and not the other fails the type check.
type View = z.output<typeof conversationView>;
const viewIsTheDto: [View, ConversationDto] extends [ConversationDto, View] ? true : never = true;

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
type Mention = z.output<typeof mentionView>;
const mentionIsTheDto: [Mention, MentionDto] extends [MentionDto, Mention] ? true : never = true;

/** The shop's people as the console's assignment menu shows them. */
export const agentList = z.array(
  z.strictObject({ userId: z.uuid(), name: z.string(), role: z.enum(roles), status: z.enum(['online', 'away', 'offline']).describe('presence, as of now') }),
);
