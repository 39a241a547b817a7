import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type { FileStorage } from '../../core/storage.ts';
import { shopColors } from '../shops/shops.color.ts';
import type { ShopRow } from '../shops/shops.repository.ts';
import { latestSightings } from '../shops/shops.sightings.repository.ts';
import type { ReplyTime } from '../shops/shops.tables.ts';
import { endOfTokyoDay, tokyoDayOf } from './returns.model.ts';
import type { ReturnParty } from './returns.parties.ts';
import { windowFor } from './returns.policy.ts';
import { findPhoto, findReturn } from './returns.repository.ts';
import type { TermsInForce } from './returns.terms.ts';

/**
 * What the portal tells a customer beyond the request itself: until when a return of their own
 * choice can be asked for, how soon the shop usually answers, how to reach the shop when a
 * request is refused, and their own photos. Japanese first, English beside it.
 */
export type Told = { ja: string; en: string };

const jaDate = (d: Date) => d.toLocaleDateString('ja-JP', { timeZone: 'Asia/Tokyo', month: 'long', day: 'numeric', weekday: 'short' });
const enDate = (d: Date) => d.toLocaleDateString('en-GB', { timeZone: 'Asia/Tokyo', weekday: 'short', day: 'numeric', month: 'short' });

const DEFECT_STILL: Told = {
  ja: '不良や商品説明との違い（契約不適合）は、この期限とは関係なく、お気づきになってから1年以内にお知らせいただければ、修理・交換・代金の減額または契約の解除をご請求いただけます（民法562条〜566条）。',
  en: 'A defect or a difference from the description (契約不適合) is not bound by this date: tell us within a year of finding it and you may ask for repair, replacement, a price reduction or cancellation (Civil Code Arts. 562–566).',
};

/**
 * The deadline for a return of the customer's own choice, as returns.policy.ts counts it: the
 * delivery day is day 1 (the ship date when delivery is unknown, which only ever favours the
 * customer), to the end of the last day in Tokyo; the shortest window of the order's lines
 * when their tags differ, since that is the one that can surprise.
 */
export function returnDeadline(order: { deliveredAt: Date | null; shippedAt: Date | null; lines: Array<{ lineNo: number; name: string; tags: readonly string[] }> }, terms: TermsInForce, now: Date) {
  const statutory = terms.version === null;
  if (!statutory && !terms.terms.acceptsReturns) {
    return { lines: [{ ja: 'このショップでは、お客様のご都合による返品・交換はお受けしていません。', en: 'This shop does not take back items for a change of mind.' }, DEFECT_STILL], past: false };
  }
  const days = windowFor(terms.terms, order.lines);
  const basis: Told = statutory
    ? { ja: `返品特約の表示がないため、特定商取引法により商品の到着日から${days}日間（到着日を含む）`, en: `no return terms were shown, so by law ${days} days from delivery (the delivery day counts)` }
    : { ja: `ショップの返品特約により商品の到着日から${days}日間（到着日を含む）`, en: `${days} days from delivery under the shop's return terms (the delivery day counts)` };
  const from = order.deliveredAt ?? order.shippedAt;
  if (!from) return { lines: [{ ja: `お客様都合の返品期限：${basis.ja}。お届け日の確認後に日付が決まります。`, en: `Deadline for a change of mind: ${basis.en}; the date is fixed once delivery is confirmed.` }, DEFECT_STILL], past: false };
  const end = endOfTokyoDay(tokyoDayOf(from) + days - 1);
  const past = now > end;
  const estimate = order.deliveredAt ? null : { ja: '（お届け日が不明のため、発送日から数えています）', en: ' (counted from the ship date, as the delivery date is not known)' };
  const line: Told = past
    ? { ja: `お客様都合の返品期限（${jaDate(end)}まで）を過ぎています${estimate?.ja ?? ''}。`, en: `The deadline for a change of mind (${enDate(end)}) has passed${estimate?.en ?? ''}.` }
    : { ja: `お客様都合の返品期限：${jaDate(end)} 23:59 まで（${basis.ja}）${estimate?.ja ?? ''}`, en: `Deadline for a change of mind: ${enDate(end)}, 23:59 (${basis.en})${estimate?.en ?? ''}` };
  return { lines: [line, DEFECT_STILL], past };
}

const replyWords: Record<ReplyTime, Told> = {
  minutes: { ja: '通常、数分以内にお返事します。', en: 'We typically reply within minutes.' },
  hours: { ja: '通常、数時間以内にお返事します。', en: 'We typically reply within a few hours.' },
  day: { ja: '通常、1日以内にお返事します。', en: 'We typically reply within a day.' },
};

export const replyTimeWords = (t: ReplyTime | null): Told | null => (t ? replyWords[t] : null);

/** The shop's name and colours on every portal page (the text colour chosen by contrast). */
export const portalLook = (shop: Pick<ShopRow, 'name' | 'widgetColor'> | undefined) => ({ shopName: shop?.name ?? '', ...shopColors(shop?.widgetColor ?? null) });

/**
 * How to reach the shop after a refusal: its chat where the widget was last seen on an allowed
 * origin (so the link leads to a page that has it), and its mail address when inbound mail is
 * set up; plus that a defect claim stays open whatever the refusal said.
 */
export async function afterRefusal(db: Db, shopId: string, inboundDomain: string | undefined) {
  const chatAt = (await latestSightings(db, shopId)).find((s) => s.allowed)?.origin ?? null;
  return {
    chatUrl: chatAt,
    mail: inboundDomain ? `shop+${shopId}@${inboundDomain}` : null,
    defect: {
      ja: 'この結果にご納得いただけない場合は、上記の方法でショップにご連絡ください。また、商品に不良や商品説明との違い（契約不適合）があった場合は、この結果や返品期限にかかわらず、お気づきになってから1年以内にお知らせいただければ、修理・交換・代金の減額または契約の解除をご請求いただけます（民法562条〜566条）。',
      en: 'If you disagree with this outcome, contact the shop as above. And if the item is defective or differs from its description (契約不適合), you may still ask for repair, replacement, a price reduction or cancellation, whatever this outcome or the return period: tell the shop within a year of finding it (Civil Code Arts. 562–566).',
    },
  };
}

/** A photo of the customer's own request: the return must belong to the order of their portal session. */
export async function ownPhoto(db: Db, storage: FileStorage, p: ReturnParty, returnId: string, photoId: string) {
  if (p.kind !== 'customer') throw new DomainError('forbidden', 'the portal serves photos to the customer only');
  const r = await findReturn(db, p.shopId, returnId);
  if (!r || r.orderId !== p.orderId) throw notFound('photo');
  const photo = await findPhoto(db, p.shopId, returnId, photoId);
  if (!photo) throw notFound('photo');
  return { contentType: photo.contentType, size: photo.sizeBytes, filename: photo.filename, stream: await storage.get(photo.storageKey) };
}
