import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, invalidInput } from '../../core/errors.ts';
import { said } from '../../core/messages.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { masksContactData } from '../orders/orders.mask.ts';
import { findShop } from '../shops/shops.repository.ts';
import { noticeShopOf, renderNotice } from './notices.render.ts';
import { findOrderForPreview } from './notices.templates.repository.ts';
import type { PreviewInput } from './notices.templates.schema.ts';
import { loadWording, READERS } from './notices.templates.service.ts';
import { atField, type NoticeContext, type NoticeLang, type NoticeType, type NoticeWording, type RenderedNotice } from './notices.types.ts';

const noOrder = said('このショップにその注文番号の注文はありません。', 'no order with this number in this shop');

/** A preview is a screen, not a mail: a contractor sees who it is for by the first character only. */
const maskName = (name: string) => `${[...name][0] ?? ''}＊＊`;

/** The sample recipient of a preview without an order; a shipped parcel for the notices about one. */
const sampleRecipient = (asOf: Date, type: NoticeType): NoticeContext['recipient'] => ({
  name: '山田 花子',
  orders: [
    {
      orderNumber: 'A-10234',
      orderedAt: new Date(asOf.getTime() - 5 * 86_400_000),
      ...(type === 'shipment_exception' || type === 'returned_to_sender' ? { carrier: '日本郵便', trackingNumber: '4567-8901-2345' } : {}),
    },
  ],
});

/**
 * Renders a notice in both languages as customers will get it (every member; the editor's
 * preview): a saved version, the built-in wording, or an unsaved draft; with the caller's
 * variables; for a real order of the shop or a sample customer. Errors of both languages come
 * back together, each at its field. Reading an order's customer is audited like opening it.
 */
export async function previewNotice(db: Db, actor: Actor, input: PreviewInput, requestId?: string): Promise<Record<NoticeLang, RenderedNotice>> {
  requireRole(actor, ...READERS);
  const wording: NoticeWording = input.wording ? { type: input.type, ...input.wording } : await loadWording(db, actor.shopId, input.type, input.templateVersionId ?? null);
  const asOf = input.asOf ? new Date(input.asOf) : new Date();
  const shop = await findShop(db, actor.shopId);
  let recipient = sampleRecipient(asOf, input.type);
  if (input.orderNumber) {
    const order = await findOrderForPreview(db, actor.shopId, input.orderNumber);
    if (!order) throw invalidInput(noOrder, [atField('orderNumber', noOrder)]);
    const masked = masksContactData(actor.role);
    recipient = { name: masked ? maskName(order.customerName) : order.customerName, orders: [{ orderNumber: order.orderNumber, orderedAt: order.orderedAt, carrier: order.carrier, trackingNumber: order.trackingNumber }] };
    await recordAudit(db, actor, { action: 'notice.previewed', objectType: 'order', objectId: order.id, summary: { orderNumber: order.orderNumber, type: input.type, masked } }, requestId);
  }
  const ctx: NoticeContext = { shop: shop ? noticeShopOf(shop) : { name: '' }, recipient, asOf };
  const out: Partial<Record<NoticeLang, RenderedNotice>> = {};
  const problems: unknown[] = [];
  let first: DomainError | undefined;
  for (const lang of ['ja', 'en'] as const) {
    try {
      out[lang] = renderNotice(wording, lang, input.variables, ctx);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'invalid_input') throw e;
      first ??= e;
      // The variables' problems are the same in both languages: keep them once.
      for (const d of e.details as { path: string }[]) if (!problems.some((p) => JSON.stringify(p) === JSON.stringify(d))) problems.push(d);
    }
  }
  if (first) throw invalidInput(first.message, problems);
  return out as Record<NoticeLang, RenderedNotice>;
}
