import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { JsonText } from '../../core/json.ts';
import type { FileStorage } from '../../core/storage.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { InboxPageCache, ReadPage } from '../conversations/conversations.pagecache.ts';
import { keyFrom } from '../conversations/conversations.pagecache.keys.ts';
import type { InboxChangesSeen } from '../conversations/conversations.pagecache.repository.ts';
import { findOrderById } from '../orders/orders.repository.ts';
import { maskBankAccount, seesBankDetails } from './returns.bank.ts';
import { isOverRefundLimit } from './returns.machine.ts';
import type { ReturnStatus } from './returns.model.ts';
import { roleOf, shopOf, type ReturnParty } from './returns.parties.ts';
import { findBankAccount, findPhoto, findReturn, listPhotos, listReturns, listTransitions, type ReturnWithItems } from './returns.repository.ts';
import type { ReturnDto, ReturnListDto, ReturnListItemDto, RevealedBankAccountDto } from './returns.schema.ts';
import { returnSummary, toReturnView } from './returns.view.ts';

/*
 * What the shop's people and the customer read of returns: one return (its view, the bank
 * details, a claim photo) and the shop's list. Who read personal data is in the audit trail.
 */

/** One return, for the shop's people (with the moves their role may make) or for its customer. */
export async function getReturnFor(db: Db, p: ReturnParty, id: string, opts: { requestId?: string } = {}): Promise<ReturnDto> {
  const r = await findReturn(db, shopOf(p), id);
  if (!r || (p.kind === 'customer' && r.orderId !== p.orderId)) throw notFound('return');
  return viewOf(db, p, r, opts);
}

export async function viewOf(db: Db, p: ReturnParty, r: ReturnWithItems, opts: { requestId?: string } = {}): Promise<ReturnDto> {
  const [order, history, photos, bank] = await Promise.all([
    findOrderById(db, r.shopId, r.orderId),
    listTransitions(db, r.shopId, r.id),
    listPhotos(db, r.shopId, r.id),
    findBankAccount(db, r.shopId, r.id),
  ]);
  if (!order) throw notFound('order');
  const role = roleOf(p);
  const whole = !!bank && seesBankDetails(role);
  // Who saw a customer's bank details, and when, is in the audit trail (APPI supervision).
  if (whole && p.kind === 'staff') await recordAudit(db, p.actor, { action: 'return.bank_viewed', objectType: 'return', objectId: r.id, summary: { number: r.number } }, opts.requestId);
  const bankAccount = bank ? { ...(whole ? bank : maskBankAccount(bank)), masked: !whole } : null;
  return { ...toReturnView(r, order, history, photos, role), bankAccount };
}

/** A contractor's look at the bank details, with the reason written down; audited. */
export async function revealBankAccount(db: Db, actor: Actor, returnId: string, reason: string, requestId?: string): Promise<RevealedBankAccountDto> {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'bank details are revealed by a person, with a reason');
  const r = await findReturn(db, actor.shopId, returnId);
  if (!r) throw notFound('return');
  const bank = await findBankAccount(db, actor.shopId, returnId);
  if (!bank) throw notFound('bank account');
  await recordAudit(db, actor, { action: 'return.bank_revealed', objectType: 'return', objectId: returnId, summary: { number: r.number, reason } }, requestId);
  return { bankAccount: bank };
}

/** A claim photo for a person or key of the shop; shop and return are both checked, and who looked at it is in the audit trail. */
export async function viewPhoto(db: Db, storage: FileStorage, actor: Actor, returnId: string, photoId: string, requestId?: string) {
  if (actor.kind === 'system') throw new DomainError('forbidden', 'not for system callers');
  const p = await findPhoto(db, actor.shopId, returnId, photoId);
  if (!p) throw notFound('photo');
  const stream = await storage.get(p.storageKey);
  await recordAudit(db, actor, { action: 'return_photo.viewed', objectType: 'return', objectId: returnId, summary: { photoId } }, requestId);
  return { contentType: p.contentType, size: p.sizeBytes, filename: p.filename, stream };
}

/**
 * The shop's return requests, newest first, as the answer's text. The first page of each filter
 * is kept (InboxPageCache.shopPage, checked with the session's statement, `seen`, on the
 * console's requests): answered again only while nothing it shows changed (list_changes,
 * migration 0040).
 */
export async function listShopReturns(db: Db, actor: Actor, q: ReturnListQuery, pages?: InboxPageCache, seen?: InboxChangesSeen): Promise<JsonText<ReturnListDto>> {
  if (actor.kind === 'system') throw new DomainError('forbidden', 'not for system callers');
  const read = async (): Promise<ReadPage> => ({ json: JSON.stringify(await returnList(db, actor.shopId, q)), moment: null });
  return new JsonText(pages ? (await pages.shopPage(db, 'returns', actor.shopId, returnListKey(actor.shopId, q), read, seen)).body : (await read()).json);
}

type ReturnListQuery = { status?: ReturnStatus[]; limit: number; before?: number };

/**
 * How each field of the list's query counts for the page cache (keyFrom): a later page is
 * never kept. Not the viewer: the list shows no contact data (a return carries its customer's
 * name, which every role sees: returns.view.ts), so every viewer of the shop is answered the same
 * page; a field shown differently by role would have to be in the key.
 */
const FIELDS = { status: 'key', limit: 'key', before: 'never' } as const satisfies Record<keyof ReturnListQuery, 'key' | 'never'>;

/**
 * The page cache's key of a returns list's page, or undefined for a page after the first. The
 * statuses as a set, as the list filters by them: the same ones in another order, or twice, are
 * one page. Never an inbox page's key (those start with the shop's id, or "mine"), nor the
 * orders list's.
 */
const returnListKey = (shopId: string, q: ReturnListQuery) => keyFrom(['returns', shopId.toLowerCase()], FIELDS, { ...q, status: q.status && [...new Set(q.status)].sort() });

async function returnList(db: Db, shopId: string, q: ReturnListQuery): Promise<ReturnListDto> {
  const rows = await listReturns(db, shopId, q);
  return {
    // Object.assign, not `{ ...summary, more }`: V8 (Node 20) defines each property added
    // after a spread by a runtime call, a microsecond or more each: 12 µs a row here, a quarter
    // of the list's CPU in the process (bench/api.ts, returns).
    returns: rows.map((r): ReturnListItemDto => Object.assign(returnSummary(r), {
      orderNumber: r.orderNumber,
      customerName: r.customerName,
      refundTotal: r.refundTotal,
      refundLimit: r.refundLimit,
      overRefundLimit: isOverRefundLimit(r),
      flags: r.flags,
      reviewReasons: r.reviewReasons,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    })),
    nextBefore: rows.length === q.limit ? rows[rows.length - 1]!.number : null,
  };
}
