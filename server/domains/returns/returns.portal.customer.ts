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

/**
 * A defect claim apart from any return period: the remedies (民法 562–564) and the notice period
 * of §566, which does not bind a shop that knew of the defect or missed it by gross negligence.
 * `lead` says what it stands apart from (this deadline, a refusal).
 */
const defectWords = (lead: Told): Told => ({
  ja: `${lead.ja}商品に不良や商品説明との違い（契約不適合）があった場合は、修理・交換などの追完、代金の減額、損害賠償、契約の解除を求めることができます（民法562条〜564条）。不適合に気づいてから1年以内にショップへお知らせください。ただし、ショップがお届けの時にそれを知っていた、または重大な過失で知らなかった場合は、この1年の期限はありません（民法566条）。`,
  en: `${lead.en}If the item is defective or differs from its description (契約不適合), you can ask for it to be put right (repair or replacement), a price reduction, damages or cancellation (Civil Code Arts. 562–564). Tell the shop within a year of noticing it; that year does not apply if the shop knew of the problem when it delivered, or missed it through gross negligence (Art. 566).`,
});

const DEFECT_STILL: Told = defectWords({ ja: 'この期限とは別に、', en: 'Apart from this deadline: ' });

/**
 * madoguchi knows only that the shop published no terms here, not what its checkout showed
 * (domain-jp.md), so this says that, and what the law gives then.
 */
const statutoryWords = (days: number): Told => ({
  ja: `このショップは返品条件を登録していないため、法律の定め（特定商取引法第15条の3）に従い、商品到着日を含めて${days}日以内であれば返品できます。返送料はお客様のご負担です。`,
  en: `This shop has not registered return terms, so under the law (Act on Specified Commercial Transactions, Art. 15-3) you can return items within ${days} days of delivery, the delivery day included. The return shipping is yours to pay.`,
});

type DeadlineOrder = { deliveredAt: Date | null; shippedAt: Date | null; lines: Array<{ lineNo: number; name: string; tags: readonly string[] }> };

/** One period's deadline, for the lines named (all of the order's when `names` is null). */
function deadlineOf(order: DeadlineOrder, days: number, statutory: boolean, names: string[] | null, now: Date): { told: Told; past: boolean } {
  const who: Told = names ? { ja: `${names.map((n) => `「${n}」`).join('')}：`, en: `${names.map((n) => `“${n}”`).join(', ')}: ` } : { ja: '', en: '' };
  const basis: Told = statutory
    ? { ja: `商品の到着日から${days}日間・到着日を含む`, en: `${days} days from delivery, the delivery day included` }
    : { ja: `ショップの返品特約により商品の到着日から${days}日間・到着日を含む`, en: `${days} days from delivery under the shop's return terms, the delivery day included` };
  const head: Told = { ja: `${who.ja}お客様都合の返品期限`, en: `${who.en}deadline for a change of mind` };
  const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
  const from = order.deliveredAt ?? order.shippedAt;
  if (!from) return { told: { ja: `${head.ja}：${basis.ja}。お届け日の確認後に日付が決まります。`, en: `${cap(head.en)}: ${basis.en}; the date is fixed once delivery is confirmed.` }, past: false };
  const end = endOfTokyoDay(tokyoDayOf(from) + days - 1);
  const past = now > end;
  if (!order.deliveredAt && past) {
    // Counted from the ship date it is over, but the period runs from the delivery day, which we
    // do not know: the policy sends such a request to a person (returns.policy.ts), so never "passed".
    return {
      told: {
        ja: `${head.ja}：${basis.ja}。お届け日がこちらでは確認できていないため、お申し込みいただければ担当者がお届け日を確かめます。`,
        en: `${cap(head.en)}: ${basis.en}. We do not know the delivery date, so if you send a request, a person checks it.`,
      },
      past: false,
    };
  }
  const estimate = order.deliveredAt ? null : { ja: '（お届け日が不明のため、発送日から数えています）', en: ' (counted from the ship date, as the delivery date is not known)' };
  const told: Told = past
    ? { ja: `${head.ja}（${jaDate(end)}まで）を過ぎています。`, en: `The ${head.en} (${enDate(end)}) has passed.` }
    : { ja: `${head.ja}：${jaDate(end)} 23:59 まで（${basis.ja}）${estimate?.ja ?? ''}`, en: `${cap(head.en)}: ${enDate(end)}, 23:59 (${basis.en})${estimate?.en ?? ''}` };
  return { told, past };
}

/**
 * The deadline for a return of the customer's own choice, as returns.policy.ts counts it: the
 * delivery day is day 1 (the ship date when delivery is unknown, which only ever favours the
 * customer), to the end of the last day in Tokyo. Lines whose tags give them different periods
 * (a 3-day sale item beside a 14-day one) each get their own deadline, named; one period, one line.
 */
export function returnDeadline(order: DeadlineOrder, terms: TermsInForce, now: Date) {
  const statutory = terms.version === null;
  if (!statutory && !terms.terms.acceptsReturns) {
    return { lines: [{ ja: 'このショップでは、お客様のご都合による返品・交換はお受けしていません。', en: 'This shop does not take back items for a change of mind.' }, defectWords({ ja: 'なお、', en: 'However: ' })], past: false };
  }
  const byDays = new Map<number, string[]>();
  for (const l of order.lines) {
    const days = windowFor(terms.terms, [l]);
    byDays.set(days, [...(byDays.get(days) ?? []), l.name]);
  }
  if (!byDays.size) byDays.set(terms.terms.windowDays, []);
  const periods = [...byDays].sort((x, y) => x[0] - y[0]);
  const each = periods.map(([days, names]) => deadlineOf(order, days, statutory, periods.length > 1 ? names : null, now));
  const lines: Told[] = [...(statutory ? [statutoryWords(periods[0]![0])] : []), ...each.map((e) => e.told), DEFECT_STILL];
  return { lines, past: each.every((e) => e.past) };
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
 * Where the refusal page may send the customer to chat: an https origin on a public host (the
 * widget may also run on a developer's localhost or a staging copy), else none.
 */
export function publicChatOrigin(origins: readonly string[]): string | null {
  for (const o of origins) {
    const host = new URL(o).hostname;
    const local = host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[') || /(^|\.)(staging|stg|dev|test|preview)(\.|$)/.test(host);
    if (o.startsWith('https:') && !local) return o;
  }
  return null;
}

/**
 * How to reach the shop after a refusal: its chat where the widget was last seen on an allowed,
 * public https origin (so the link leads to a page that has it), and its mail address when inbound
 * mail is active (`inboundDomain` from inboundEmailConfig); plus that a defect claim stays open
 * whatever the refusal said.
 */
export async function afterRefusal(db: Db, shopId: string, inboundDomain: string | undefined) {
  const chatAt = publicChatOrigin((await latestSightings(db, shopId)).filter((s) => s.allowed).map((s) => s.origin));
  return {
    chatUrl: chatAt,
    mail: inboundDomain ? `shop+${shopId}@${inboundDomain}` : null,
    defect: defectWords({
      ja: 'この結果にご納得いただけない場合は、上記の方法でショップにご連絡ください。また、この結果や返品期限にかかわらず、',
      en: 'If you disagree with this outcome, contact the shop as above. And whatever this outcome or the return period: ',
    }),
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
