import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { sqlState } from '../../core/db/errors.ts';
import { conflict, DomainError, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { Role } from '../shops/shops.tables.ts';
import {
  deleteCanned,
  findCanned,
  findConversationContext,
  findShopName,
  insertCanned,
  listCanned,
  updateCanned,
  type CannedRow,
} from './canned.repository.ts';
import type { CreateCannedInput, DraftPreviewInput, UpdateCannedInput } from './canned.schema.ts';
import { assertTemplate, renderTemplate, templateVariables, type Locale } from './canned.template.ts';

/**
 * Everyone in the shop may use canned replies; contractors may not change them. The replies
 * speak for the shop to every customer, and outsourced staff work for several shops, so the
 * shop's own people (and its in-house agents) keep the wording.
 */
const EDITORS: Role[] = ['owner', 'staff', 'agent'];
const USERS: Role[] = [...EDITORS, 'contractor'];

export const cannedView = (r: CannedRow) => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  bodyJa: r.bodyJa,
  bodyEn: r.bodyEn,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

function checkTemplates(input: { bodyJa?: string; bodyEn?: string }): void {
  if (input.bodyJa !== undefined) assertTemplate('bodyJa', input.bodyJa);
  if (input.bodyEn !== undefined) assertTemplate('bodyEn', input.bodyEn);
}

/** The unique (shop, shortcut) key is the judge, so two people saving the same shortcut at once get one 409. */
async function shortcutTaken<T>(shortcut: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (sqlState(e) === '23505') throw conflict(`the shortcut /${shortcut} is already used in this shop`, [{ in: 'body', path: 'shortcut', message: 'already used', ja: 'このショートカットはすでに使われています。' }]);
    throw e;
  }
}

export async function listCannedReplies(db: Db, actor: Actor) {
  requireRole(actor, ...USERS);
  return (await listCanned(db, actor.shopId)).map(cannedView);
}

export async function createCannedReply(db: Db, actor: Actor, input: CreateCannedInput, requestId?: string) {
  requireRole(actor, ...EDITORS);
  checkTemplates(input);
  return shortcutTaken(input.shortcut, () =>
    db.transaction(async (tx) => {
      const row = await insertCanned(tx, { ...input, shopId: actor.shopId, createdBy: actor.userId });
      await recordAudit(tx, actor, { action: 'canned_reply.created', objectType: 'canned_reply', objectId: row.id, summary: { shortcut: row.shortcut } }, requestId);
      return cannedView(row);
    }),
  );
}

export async function updateCannedReply(db: Db, actor: Actor, id: string, patch: UpdateCannedInput, requestId?: string) {
  requireRole(actor, ...EDITORS);
  checkTemplates(patch);
  return shortcutTaken(patch.shortcut, () =>
    db.transaction(async (tx) => {
      const row = await updateCanned(tx, actor.shopId, id, patch, new Date());
      if (!row) throw notFound('canned reply');
      const summary = { shortcut: row.shortcut, changed: Object.keys(patch) };
      await recordAudit(tx, actor, { action: 'canned_reply.updated', objectType: 'canned_reply', objectId: id, summary }, requestId);
      return cannedView(row);
    }),
  );
}

export async function deleteCannedReply(db: Db, actor: Actor, id: string, requestId?: string): Promise<void> {
  requireRole(actor, ...EDITORS);
  await db.transaction(async (tx) => {
    const row = await deleteCanned(tx, actor.shopId, id);
    if (!row) throw notFound('canned reply');
    await recordAudit(tx, actor, { action: 'canned_reply.deleted', objectType: 'canned_reply', objectId: id, summary: { shortcut: row.shortcut } }, requestId);
  });
}

export interface RenderOptions {
  conversationId?: string | undefined;
  /** Defaults to the customer's language, else Japanese. */
  locale?: Locale | undefined;
}

/**
 * Renders a canned reply for a conversation as the actor would send it: the customer's name,
 * order number, formatted date and total, tracking, shop and agent name. Contact data is
 * masked when the actor is a contractor. Used by the preview route and the chat socket.
 *
 * @example
 * const { body } = await renderCannedReply(db, actor, replyId, { conversationId });
 */
export async function renderCannedReply(db: Db, actor: Actor, id: string, opts: RenderOptions = {}): Promise<{ body: string; locale: Locale }> {
  if (actor.kind === 'api_key') throw new DomainError('forbidden', 'canned replies are for people in the console');
  if (actor.kind === 'user') requireRole(actor, ...USERS);
  const reply = await findCanned(db, actor.shopId, id);
  if (!reply) throw notFound('canned reply');
  return renderFor(db, actor, reply, opts);
}

/**
 * Renders a reply that is not saved yet, exactly as it would be sent once saved: the editor's
 * live preview. Only those who may save a reply may preview a draft; a template that would be
 * refused on save is refused here with the same 400 and line.
 */
export async function previewCannedDraft(db: Db, actor: Actor, draft: DraftPreviewInput): Promise<{ body: string; locale: Locale }> {
  requireRole(actor, ...EDITORS);
  checkTemplates(draft);
  return renderFor(db, actor, draft, draft);
}

async function renderFor(db: Db, actor: Actor, reply: { bodyJa: string; bodyEn: string }, opts: RenderOptions): Promise<{ body: string; locale: Locale }> {
  const context = opts.conversationId ? await findConversationContext(db, actor.shopId, opts.conversationId) : undefined;
  if (opts.conversationId && !context) throw notFound('conversation');
  const locale: Locale = opts.locale ?? (context?.customer.locale === 'en' ? 'en' : 'ja');
  const shopName = (await findShopName(db, actor.shopId)) ?? '';
  const vars = templateVariables(
    { customer: context?.customer, order: context?.order ?? undefined, shop: { name: shopName }, agent: { name: actor.name } },
    actor.kind === 'user' ? actor.role : 'system',
    locale,
  );
  // A shop that writes only Japanese leaves bodyEn empty; English readers then get the Japanese.
  const source = locale === 'en' && reply.bodyEn.trim() ? reply.bodyEn : reply.bodyJa;
  return { body: renderTemplate(source, vars), locale };
}
