import type { ReturnReason } from './returns.model.ts';
import { customerChoiceReasons, reminderBeforeDays, STATUTORY_SHIP_WITHIN_DAYS } from './returns.model.ts';
import type { ReturnTerms } from './returns.terms.schema.ts';

export type Locale = 'ja' | 'en';

/** The reasons as customers read them. */
export const reasonLabels: Record<ReturnReason, Record<Locale, string>> = {
  size: { ja: 'サイズが合わない', en: 'Wrong size' },
  // 「イメージと違う」 as a change of mind: the item is as its page describes it.
  not_as_expected: { ja: 'イメージと違う（商品説明どおり）', en: 'Not what I expected (as described)' },
  not_as_described: { ja: '商品説明・写真と違う', en: 'Not as described (differs from its page)' },
  defective: { ja: '不良品・破損', en: 'Defective or damaged' },
  wrong_item: { ja: '注文と違う商品が届いた', en: 'Wrong item sent' },
  changed_mind: { ja: 'お客様のご都合', en: 'Changed my mind' },
  late_delivery: { ja: 'お届けの遅れ', en: 'Late delivery' },
};

/**
 * What customers read for a tag: its label in the terms. Versions published before labels
 * existed have none; their tags are then named as the shop's own category, never as if the
 * tag were a label customers could recognise.
 */
export function tagLabel(terms: Pick<ReturnTerms, 'tagLabels'>, tag: string, l: Locale): string | null {
  return (terms.tagLabels ?? []).find((x) => x.tag === tag)?.[l] || null;
}

const yen = (n: number, l: Locale) => (l === 'ja' ? `${n.toLocaleString('ja')}円` : `¥${n.toLocaleString('en')}`);

export interface TermsSection {
  heading: string;
  lines: string[];
}

/**
 * The return part of the 「特定商取引法に基づく表記」, written from the same terms the rules
 * enforce, so the page and the decisions cannot disagree. `terms` null: nothing published,
 * and the page states the statutory rule instead.
 */
/** When the reminder comes, before the date: 「3日前」「前日」, "3 days", "1 day". */
const jaBefore = (n: number) => (n === 1 ? '前日' : `${n}日前`);
const dayWords = (n: number) => (n === 1 ? '1 day' : `${n} days`);

export function describeTerms(terms: ReturnTerms | null, l: Locale): TermsSection[] {
  const ja = l === 'ja';
  // What the machine enforces, stated here so the page and the rules agree (returns.timers.ts,
  // expiresUnshipped): the shop's failures and a statutory cancellation never lapse.
  const aimDays = terms?.shipWithinDays ?? STATUTORY_SHIP_WITHIN_DAYS;
  const standing = ja
    ? `お申し出の確認後、${aimDays}日を目安に商品をご返送ください（目安の${jaBefore(reminderBeforeDays(aimDays))}にメールでお知らせします）。目安を過ぎてもお申し出は取り消されませんが、返金は商品が当店に届いてからになります。`
    : `Once we have confirmed your request, please send the item back within about ${aimDays} days (we remind you by mail ${dayWords(reminderBeforeDays(aimDays))} before). Your request stands after that too; the refund is made once the item is back with us.`;
  const defects: TermsSection = {
    heading: ja ? '不良品・誤配送・お届けの遅れ' : 'Defects, wrong items and late delivery',
    lines: [
      ja
        ? '不良・破損や商品説明と異なる商品、注文と異なる商品は、返品期間や返品不可の指定にかかわらず、交換・返金・修理のいずれかで対応します。お約束の日を過ぎてお届けした場合も同じく返品・返金をお受けします。送料は当店が負担します。'
        : 'Defective or damaged items, items not as described and items we sent by mistake are replaced, refunded or repaired whatever the return period or the item; so is a parcel delivered after the promised date. We pay the shipping.',
      ja ? '不良に気づかれてから1年以内にご連絡ください。' : 'Tell us within one year of finding the defect.',
      standing,
    ],
  };
  const reaches = ja
    ? 'お申し出は、返品ページのほか、メール・お電話・チャットでも受け付けます。期間内に当店に届いたお申し出が対象です。'
    : 'You may tell us through the returns page, or by mail, phone or chat: what counts is that your notice reaches us within the period.';
  if (!terms) {
    return [
      {
        heading: ja ? '返品について' : 'Returns',
        lines: [
          ja
            ? '当店は返品特約を定めていません。特定商取引法第15条の3により、商品到着日を含む8日以内であれば、ご購入の契約を解除（返品）できます。'
            : 'This shop has not published return terms. Under Article 15-3 of the Act on Specified Commercial Transactions you may cancel the purchase and return the goods within 8 days of delivery, the delivery day included.',
          reaches,
          ja ? '返品の送料はお客様のご負担となります。' : 'The buyer pays the return shipping.',
          standing,
        ],
      },
      defects,
    ];
  }
  const sections: TermsSection[] = [];
  if (!terms.acceptsReturns) {
    sections.push({ heading: ja ? '返品について' : 'Returns', lines: [ja ? 'お客様のご都合による返品・交換はお受けしておりません。' : 'We do not accept returns or exchanges of the customer’s choice.'] });
    return [...sections, defects];
  }
  const period = [
    ja ? `商品到着日を1日目として${terms.windowDays}日以内にお申し込みください。` : `Apply within ${terms.windowDays} days of delivery, the delivery day counting as the first.`,
    ...terms.windowDaysByTag.map((w) => {
      const name = tagLabel(terms, w.tag, l);
      if (name) return ja ? `${name}は${w.days}日以内です。` : `${name}: ${w.days} days.`;
      return ja ? `当店が区分「${w.tag}」とした商品は${w.days}日以内です。` : `Items in our category “${w.tag}”: ${w.days} days.`;
    }),
    reaches,
    ja
      ? `承認後${terms.shipWithinDays}日以内に商品をご返送ください（期限の${jaBefore(reminderBeforeDays(terms.shipWithinDays))}にメールでお知らせします）。期限までにご返送がない場合、お申し込みは終了します。`
      : `Once approved, send the item back within ${terms.shipWithinDays} days (we remind you by mail ${dayWords(reminderBeforeDays(terms.shipWithinDays))} before). If it has not been sent by then, the request ends.`,
  ];
  sections.push({ heading: ja ? '返品期間' : 'Return period', lines: period });
  const conditions: string[] = [];
  if (terms.conditions.unopened) conditions.push(ja ? '未開封・未使用の商品に限ります。' : 'Items must be unopened and unused.');
  if (terms.conditions.tagsAttached) conditions.push(ja ? 'タグが付いた状態に限ります。' : 'Tags must be attached.');
  if (terms.conditions.note?.[l]) conditions.push(terms.conditions.note[l]);
  if (conditions.length) sections.push({ heading: ja ? '返品の条件' : 'Conditions', lines: conditions });
  sections.push({
    heading: ja ? '返品送料' : 'Return shipping',
    lines: customerChoiceReasons.map(
      (r) => `${reasonLabels[r][l]}: ${terms.returnShippingPaidBy[r] === 'shop' ? (ja ? '当店負担' : 'paid by us') : ja ? 'お客様負担' : 'paid by you'}`,
    ),
  });
  if (terms.nonReturnableTags.length) {
    const named = terms.nonReturnableTags.map((t) => tagLabel(terms, t, l)).filter((x): x is string => !!x);
    const bare = terms.nonReturnableTags.filter((t) => !tagLabel(terms, t, l));
    const lines: string[] = [];
    if (named.length) {
      lines.push(
        ja
          ? `${named.join('、')}は返品できません（不良・商品説明との違い・誤配送・お届けの遅れを除く）。`
          : `${named.join(', ')} cannot be returned (except defects, items not as described, our mistakes and late delivery).`,
      );
    }
    if (bare.length) {
      lines.push(
        ja
          ? `当店が返品不可とした区分（${bare.join('、')}）の商品は返品できません。対象かどうかは商品ページまたはお問い合わせでご確認ください（不良・誤配送などを除く）。`
          : `Items in the categories we marked as non-returnable (${bare.join(', ')}) cannot be returned; check the product page or ask us whether an item is one (defects and our mistakes excepted).`,
      );
    }
    sections.push({ heading: ja ? '返品できない商品' : 'Items that cannot be returned', lines });
  }
  const d = terms.deductions;
  const deductions: string[] = [];
  if (d.returnShipping !== undefined) deductions.push(ja ? `返送用伝票を当店が手配した場合の返送料 ${yen(d.returnShipping, l)}` : `return shipping when we send you a label: ${yen(d.returnShipping, l)}`);
  if (d.outboundShipping) deductions.push(ja ? 'お届け時の送料は返金しません' : 'the original shipping is not refunded');
  if (d.codFee) deductions.push(ja ? '代引き手数料は返金しません' : 'the cash-on-delivery fee is not refunded');
  if (d.transferFee !== undefined) deductions.push(ja ? `銀行振込で返金する場合の振込手数料 ${yen(d.transferFee, l)}` : `bank transfer fee when refunded by transfer: ${yen(d.transferFee, l)}`);
  if (d.restockingPercent !== undefined) deductions.push(ja ? `再入荷手数料 商品代金の${d.restockingPercent}%` : `restocking fee: ${d.restockingPercent}% of the goods`);
  sections.push({
    heading: ja ? '返金について' : 'Refunds',
    lines: deductions.length
      ? [ja ? 'お客様都合の返品では、次の金額を差し引いて返金します。' : 'For returns of your choice we deduct:', ...deductions]
      : [ja ? 'お客様都合の返品でも、商品代金から差し引くものはありません。' : 'Nothing is deducted from refunds of your choice.'],
  });
  sections.push({ heading: ja ? '交換' : 'Exchanges', lines: [terms.exchangesAccepted ? (ja ? '同じ条件で交換を受け付けます。差額はご請求または返金します。' : 'Exchanges are accepted on the same terms; any difference is charged or refunded.') : ja ? 'お客様都合の交換はお受けしておりません。' : 'We do not exchange items of your choice.'] });
  const refused = terms.refusedDelivery;
  if (refused.chargeShipping) {
    const fee = refused.returnShippingFee;
    sections.push({
      heading: ja ? '受け取り拒否' : 'Refused deliveries',
      lines: [
        ja
          ? `お客様のご都合でお荷物の受け取りを拒否された場合、お届け時の送料${fee !== undefined ? `と返送料 ${yen(fee, l)}` : ''}を差し引いて返金します。代金引換の場合は、その金額をご請求します。`
          : `If you refuse the parcel for no fault of ours, we deduct the original shipping${fee !== undefined ? ` and ${yen(fee, l)} for bringing it back` : ''} from the refund; for cash on delivery we ask you to pay that amount.`,
      ],
    });
  }
  if (terms.note?.[l]) sections.push({ heading: ja ? 'その他' : 'Other', lines: [terms.note[l]] });
  return [...sections, defects];
}
