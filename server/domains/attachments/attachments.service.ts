import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { type Actor, requireKind } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { sqlState } from '../../core/db/errors.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { newStorageKey, type FileStorage } from '../../core/storage.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { AttachmentDto } from '../conversations/conversations.dto.ts';
import { cleanFilename, sniffType } from './attachments.file.ts';
import {
  claimUnattached,
  deleteUnclaimedBefore,
  findAttachment,
  findConversationOwner,
  findCustomerAttachment,
  insertAttachment,
  listForMessages,
  type AttachmentRow,
} from './attachments.repository.ts';

export interface AttachmentDeps {
  db: Db;
  storage: FileStorage;
}

export type Uploader = { kind: 'customer' | 'agent'; id: string };
export type Audience = 'agent' | 'customer';

/** Where each side downloads the file: the console under the shop, the widget under the public prefix. */
export const attachmentUrl = (shopId: string, id: string, audience: Audience) =>
  audience === 'agent' ? `/api/shops/${shopId}/attachments/${id}` : `/api/public/shops/${shopId}/widget/attachments/${id}`;

/** The widget's URL for a file, from the console's (for messages built once and sent to both sides). */
export const customerAttachmentUrl = (agentUrl: string) =>
  agentUrl.replace(/^\/api\/shops\/([^/]+)\/attachments\/([^/]+)$/, (_, shopId: string, id: string) => attachmentUrl(shopId, id, 'customer'));

export const attachmentDto = (a: AttachmentRow, audience: Audience): AttachmentDto => ({
  id: a.id,
  filename: a.filename,
  contentType: a.contentType,
  size: a.size,
  url: attachmentUrl(a.shopId, a.id, audience),
});

export interface UploadInput {
  shopId: string;
  conversationId: string;
  uploader: Uploader;
  /** The Content-Type the sender gave; must match what the bytes are. */
  declaredType: string;
  filename?: string;
  bytes: Buffer;
}

/**
 * Stores an upload that a message will claim later (see `claimAttachments`). The agent must
 * be a member (the route checked) and the customer must own the conversation; otherwise the
 * conversation is "not found". Refused with 415 when the bytes are not an allowed type or
 * not the declared one, before anything is written.
 */
export async function uploadAttachment(deps: AttachmentDeps, input: UploadInput): Promise<AttachmentDto> {
  const owner = await findConversationOwner(deps.db, input.shopId, input.conversationId);
  if (!owner || (input.uploader.kind === 'customer' && owner.customerId !== input.uploader.id)) throw notFound('conversation');
  const type = await sniffType(input.bytes, input.declaredType);
  const row = await storeAttachment(deps, {
    shopId: input.shopId,
    conversationId: input.conversationId,
    filename: cleanFilename(input.filename, type),
    contentType: type,
    uploader: input.uploader,
    bytes: input.bytes,
  });
  return attachmentDto(row, input.uploader.kind);
}

/**
 * Bytes first, then the row; when the row cannot be written the bytes are deleted again, so
 * there is never a row without a file nor (short of a crash in between) a file without a row.
 */
export async function storeAttachment(
  deps: AttachmentDeps,
  f: { shopId: string; conversationId: string; filename: string; contentType: string; uploader: Uploader; bytes: Buffer },
): Promise<AttachmentRow> {
  const storageKey = newStorageKey(f.shopId);
  await deps.storage.put(storageKey, f.bytes);
  try {
    return await insertAttachment(deps.db, {
      shopId: f.shopId,
      conversationId: f.conversationId,
      storageKey,
      filename: f.filename,
      contentType: f.contentType,
      size: f.bytes.length,
      sha256: createHash('sha256').update(f.bytes).digest('hex'),
      uploadedByKind: f.uploader.kind,
      uploadedById: f.uploader.id,
    });
  } catch (e) {
    await deps.storage.delete(storageKey);
    // The conversation was deleted between the check and the insert.
    if (sqlState(e) === '23503') throw notFound('conversation');
    throw e;
  }
}

export interface OpenedAttachment {
  row: AttachmentRow;
  stream: Readable;
}

/** A file for the console: any member of the shop; every download is audited (contractors too). */
export async function openAgentAttachment(deps: AttachmentDeps, actor: Actor, id: string, requestId?: string): Promise<OpenedAttachment> {
  requireKind(actor, 'user');
  const row = await findAttachment(deps.db, actor.shopId, id);
  if (!row) throw notFound('attachment');
  const stream = await deps.storage.get(row.storageKey);
  // No filename in the trail: names like "山田_免許証.jpg" are personal data.
  await recordAudit(
    deps.db,
    actor,
    { action: 'attachment.downloaded', objectType: 'attachment', objectId: row.id, summary: { conversationId: row.conversationId, contentType: row.contentType, size: row.size } },
    requestId,
  ).catch((e: unknown) => {
    stream.destroy();
    throw e;
  });
  return { row, stream };
}

/** A file for the widget: only what the customer may see of its own conversations. */
export async function openCustomerAttachment(deps: AttachmentDeps, shopId: string, customerId: string, id: string): Promise<OpenedAttachment> {
  const row = await findCustomerAttachment(deps.db, shopId, id, customerId);
  if (!row) throw notFound('attachment');
  return { row, stream: await deps.storage.get(row.storageKey) };
}

/** A message carries at most this many files. */
export const MAX_PER_MESSAGE = 10;
const claimIds = z.array(z.uuid()).max(MAX_PER_MESSAGE);

/**
 * Attaches uploads to a message, inside the message service's transaction. Each id must be
 * an upload to this conversation by this uploader that no message has taken yet; otherwise
 * the whole call is refused (invalid_input) and the caller's transaction rolls back.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   const m = await insertMessage(tx, …);
 *   const files = await claimAttachments(tx, { shopId, conversationId, messageId: m.id, ids: p.attachmentIds ?? [], uploader: { kind: 'customer', id: customerId } });
 * });
 */
export async function claimAttachments(
  tx: Db,
  input: { shopId: string; conversationId: string; messageId: string; ids: string[]; uploader: Uploader; audience?: Audience },
): Promise<AttachmentDto[]> {
  const ids = [...new Set(input.ids)];
  if (ids.length === 0) return [];
  const parsed = claimIds.safeParse(ids);
  if (!parsed.success) throw new DomainError('invalid_input', `attachmentIds: at most ${MAX_PER_MESSAGE} attachment ids (UUIDs)`, { ids: input.ids });
  const rows = await claimUnattached(tx, {
    shopId: input.shopId,
    conversationId: input.conversationId,
    messageId: input.messageId,
    ids,
    uploaderKind: input.uploader.kind,
    uploaderId: input.uploader.id,
  });
  if (rows.length !== ids.length) {
    const taken = new Set(rows.map((r) => r.id));
    const refused = ids.filter((id) => !taken.has(id));
    throw new DomainError('invalid_input', 'some attachments are unknown, not yours, of another conversation, or already sent', { refused });
  }
  const order = new Map(ids.map((id, i) => [id, i]));
  rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return rows.map((r) => attachmentDto(r, input.audience ?? input.uploader.kind));
}

/** Each message's files, in upload order; messages without files are absent from the map. */
export async function attachmentsForMessages(db: Db, shopId: string, messageIds: string[], audience: Audience): Promise<Map<string, AttachmentDto[]>> {
  const out = new Map<string, AttachmentDto[]>();
  if (messageIds.length === 0) return out;
  for (const row of await listForMessages(db, shopId, [...new Set(messageIds)])) {
    const list = out.get(row.messageId!) ?? [];
    list.push(attachmentDto(row, audience));
    out.set(row.messageId!, list);
  }
  return out;
}

/**
 * Deletes uploads that no message claimed and that are older than `olderThan` (the caller
 * passes now − 24 h), rows first and then bytes: a crash in between leaves a stray file,
 * never a row pointing at nothing. Answers how many were removed.
 */
export async function purgeUnclaimedAttachments(db: Db, storage: FileStorage, olderThan: Date, batch = 500): Promise<number> {
  let removed = 0;
  for (;;) {
    const keys = await deleteUnclaimedBefore(db, olderThan, batch);
    await Promise.all(keys.map((k) => storage.delete(k)));
    removed += keys.length;
    if (keys.length < batch) return removed;
  }
}
