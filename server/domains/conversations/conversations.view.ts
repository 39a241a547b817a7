import type { Role } from '../shops/shops.tables.ts';
import { maskEmail, masksContactData } from '../orders/orders.mask.ts';
import type { AttachmentDto, ConversationActivity, ConversationDto, CustomerConversationDto, CustomerDto, MessageDto } from './conversations.dto.ts';
import { chatHooks } from './conversations.hooks.ts';
import type { CustomerRow } from './conversations.customers.repository.ts';
import { type ConversationRow, type MessageRow } from './conversations.repository.ts';
import { PREVIEW_LENGTH } from './conversations.list.repository.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Who reads decides what they get: contractors never receive a customer's email. From the
 * customer's row, or from a DTO already built for an unmasked viewer (an inbox page
 * PostgreSQL built: conversations.inbox.ts).
 */
export function toCustomerDto(c: CustomerRow | CustomerDto, viewer: Role | 'api_key'): CustomerDto {
  const mask = masksContactData(viewer);
  return { id: c.id, name: c.name, email: c.email && (mask ? maskEmail(c.email) : c.email), verified: c.verified, externalId: mask ? null : c.externalId };
}

/**
 * An inbox row's preview of a message: its first PREVIEW_LENGTH characters, counted as
 * PostgreSQL's left() counts them (code points), so a live row and a listed one agree and no
 * emoji is cut in half.
 */
export const previewText = (body: string): string => (body.length <= PREVIEW_LENGTH ? body : Array.from(body.slice(0, 2 * PREVIEW_LENGTH)).slice(0, PREVIEW_LENGTH).join(''));

/** The inbox row's fields a stored message changed (see ConversationActivity). */
export function toActivity(c: ConversationRow, m: MessageRow): ConversationActivity {
  return {
    id: c.id,
    shopId: c.shopId,
    lastSeq: c.lastSeq,
    customerReadSeq: c.customerReadSeq,
    agentReadSeq: c.agentReadSeq,
    lastMessageAt: c.lastMessageAt ? c.lastMessageAt.toISOString() : null,
    updatedAt: c.updatedAt.toISOString(),
    ...(isInternal(m) ? {} : { lastMessagePreview: previewText(m.body) }),
  };
}

/**
 * Internal messages never reach a customer: notes, and status events (conversations.events.ts).
 * The one rule for every path in code; conversations.repository.ts keeps its SQL twin.
 */
export const isInternal = (m: { kind: string; statusEvent?: unknown }) => m.kind === 'note' || m.statusEvent != null;

export function toMessageDto(m: MessageRow, attachments: AttachmentDto[] = []): MessageDto {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    clientId: m.clientId,
    authorKind: m.authorKind,
    authorName: m.authorName,
    authorId: m.authorKind === 'agent' ? m.authorId : null,
    kind: m.kind,
    body: m.body,
    ...(m.statusEvent ? { statusEvent: m.statusEvent } : {}),
    attachments,
    createdAt: m.createdAt.toISOString(),
  };
}

/**
 * The customer's copy of a message, on every path that reaches a customer (the sender's ack,
 * a resend's answer, sync after a reconnect, the live broadcast to their tabs): files at the
 * widget's address, since the console's answers a widget token with 401 and the browser then
 * shows a bare file chip; and no agent's user id, which is the shop's internal business.
 */
export const toCustomerMessageDto = ({ statusEvent: _internal, ...m }: MessageDto): MessageDto => ({
  ...m,
  authorId: null,
  attachments: m.attachments.map((a) => ({ ...a, url: chatHooks.customerAttachmentUrl(a.url) })),
});

export interface ConversationExtras {
  customer: CustomerRow;
  assigneeName: string | null;
  preview: string | null;
  sla: ConversationDto['sla'];
}

export function toConversationDto(c: ConversationRow, x: ConversationExtras, viewer: Role | 'api_key'): ConversationDto {
  return {
    id: c.id,
    shopId: c.shopId,
    number: c.number,
    channel: c.channel,
    subject: c.subject,
    orderNumber: c.orderNumber,
    status: c.status,
    priority: c.priority,
    tags: c.tags,
    assignee: c.assigneeId ? { id: c.assigneeId, name: x.assigneeName ?? '' } : null,
    awaitingAssignment: c.awaitingAssignment,
    customer: toCustomerDto(x.customer, viewer),
    lastSeq: c.lastSeq,
    customerReadSeq: c.customerReadSeq,
    agentReadSeq: c.agentReadSeq,
    snoozedUntil: iso(c.snoozedUntil),
    mergedIntoId: c.mergedIntoId,
    lastMessageAt: iso(c.lastMessageAt),
    lastMessagePreview: x.preview,
    firstResponseAt: iso(c.firstResponseAt),
    resolvedAt: iso(c.resolvedAt),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    sla: x.sla,
  };
}

export const toCustomerConversationDto = (c: ConversationRow): CustomerConversationDto => ({
  id: c.id,
  number: c.number,
  status: c.status,
  lastSeq: c.lastSeq,
  agentReadSeq: c.agentReadSeq,
  createdAt: c.createdAt.toISOString(),
});
