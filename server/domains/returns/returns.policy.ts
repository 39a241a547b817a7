import { endOfTokyoDay, isShopFault, tokyoDayOf, type LegalBasis, type ReturnKind, type ReturnReason } from './returns.model.ts';
import type { ReturnTerms } from './returns.terms.schema.ts';
import { tagLabel } from './returns.terms.text.ts';

/**
 * The policy check of a return request: its legal basis, each rule with its outcome in words
 * (ja and en, for the portal and the console), whether it may be filed at all, and whether
 * the rules approve it or a person must decide. Pure: the service hands it the order, the
 * terms in force when the order was placed, and the customer's recent returns.
 */
export interface PolicyInput {
  reason: ReturnReason;
  kind: ReturnKind;
  /** `goodwill`: a merchant or agent takes it back beyond what is owed; the terms' limits do not block it. */
  goodwill?: boolean;
  /** The basis a filed return keeps when judged again; by default decided from the reason, the terms and goodwill. */
  basis?: LegalBasis;
  /** The terms version the order was placed under; null = none published, the statutory rule. */
  termsVersion: number | null;
  terms: ReturnTerms;
  deliveredAt: Date | null;
  shippedAt: Date | null;
  items: Array<{ lineNo: number; name: string; tags: readonly string[] }>;
  /** The customer ticked the terms' conditions (unopened, tags attached). */
  conditionsConfirmed: boolean;
  /** What the refund (or the exchange's credit) comes to, computed by returns.money. */
  refundTotal: number;
  /** Returns filed from the same email in the last 180 days, this one not counted. */
  recentReturns: number;
  now: Date;
  /**
   * When the customer's notice reached the shop, if not now (到達主義, 民法 §97): recorded by a
   * person filing on the customer's behalf, or an earlier request for the same items that the
   * shop let lapse. The window is judged at this time.
   */
  notice?: NoticeReached;
}

export interface NoticeReached {
  at: Date;
  by: 'staff' | 'earlier_request';
  /** The earlier request's number. */
  number?: number;
}

/** A notice recorded this long after it reached the shop is checked by a person (it moves the window). */
export const NOTICE_RECORDED_LATE_MS = 10 * 60_000;

export const policyRules = ['returns_accepted', 'window', 'non_returnable', 'exchange_accepted', 'conditions', 'delivery_known', 'auto_approve', 'frequent_returns', 'shop_fault', 'notice'] as const;

export interface PolicyCheck {
  rule: (typeof policyRules)[number];
  ok: boolean;
  /** A failed check that blocks filing (false: it only sends the request to a person). */
  blocking: boolean;
  ja: string;
  en: string;
}

export interface PolicyResult {
  basis: LegalBasis;
  checks: PolicyCheck[];
  /** Every blocking check passed: the request may be filed. */
  eligible: boolean;
  /** The rules approve it without a person. */
  autoApprove: boolean;
  reviewReasons: string[];
  flags: string[];
  /** When the window closes (the end of its last day, Asia/Tokyo); null when no window applies or delivery is unknown. */
  windowEndsAt: Date | null;
}

/** A customer with this many returns in 180 days is flagged and always reviewed. */
export const FREQUENT_RETURNS = 3;

const DAY = 86_400_000;
const JST = 9 * 3_600_000;
const tokyoDay = tokyoDayOf;
const tokyoDate = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const jaDate = (day: number) => {
  const [y, m, d] = tokyoDate(day).split('-').map(Number);
  return `${y}年${m}月${d}日`;
};
const jaTime = (d: Date) => `${jaDate(tokyoDay(d))} ${new Date(d.getTime() + JST).toISOString().slice(11, 16)}`;
const enTime = (d: Date) => `${tokyoDate(tokyoDay(d))} ${new Date(d.getTime() + JST).toISOString().slice(11, 16)} JST`;

/** Says at what time the request is judged, when that is not the filing's own. */
function noticeCheck(n: NoticeReached): PolicyCheck {
  const base = { rule: 'notice' as const, ok: true, blocking: false };
  return n.by === 'staff'
    ? { ...base, ja: `お申し出が当店に届いた日時（${jaTime(n.at)}、担当者が記録）で判断しています`, en: `judged at the time the customer’s notice reached the shop, ${enTime(n.at)} (recorded by staff)` }
    : { ...base, ja: `先のお申し込み R-${n.number}（${jaTime(n.at)}受付）の時点で判断しています。一度届いたお申し出は取り消されません`, en: `judged at the earlier request R-${n.number} (${enTime(n.at)}): a notice that reached the shop stands` };
}

/** `terms` for published terms, `statutory` without; the shop's failures (a defect, an item not as described, the wrong item, late delivery) by the reason. */
export function legalBasisOf(reason: ReturnReason, termsVersion: number | null, goodwill = false): LegalBasis {
  if (reason === 'defective' || reason === 'not_as_described') return 'defect';
  if (reason === 'wrong_item') return 'shop_error';
  if (reason === 'late_delivery') return 'late_delivery';
  if (goodwill) return 'goodwill';
  return termsVersion === null ? 'statutory' : 'terms';
}

/** What a claim on the shop's fault is, in the customer's words and the shop's. */
function shopFaultWords(basis: LegalBasis, reason: ReturnReason): { ja: string; en: string } {
  if (basis === 'shop_error') return { ja: '誤配送: ショップ負担で受け付け', en: 'wrong item sent: accepted at the shop’s cost' };
  if (basis === 'late_delivery') {
    return {
      ja: 'お届けの遅れ（履行遅滞）: 期間にかかわらず受け付け、送料はショップ負担（お約束の日を過ぎていたかを担当者が確認します）',
      en: 'late delivery (履行遅滞): accepted whatever the window; the shop pays shipping (a person checks the promised date)',
    };
  }
  return reason === 'not_as_described'
    ? { ja: '商品説明と違う（契約不適合）: 期間・返品不可の指定にかかわらず受け付け、送料はショップ負担', en: 'not as described (契約不適合): accepted whatever the window or tags; the shop pays shipping' }
    : { ja: '不良・破損（契約不適合）: 期間・返品不可の指定にかかわらず受け付け、送料はショップ負担', en: 'defect claim (契約不適合): accepted whatever the window or tags; the shop pays shipping' };
}

/**
 * The window for these items. An item's own window is the longest of its tags' windows where
 * the terms set one (a product with several tags), else the general one; every item must be
 * inside its own, so a request's window is the shortest of its items' (one delivery date).
 * Counted the way 特定商取引法 counts its 8 days: the delivery day is the first, and the window
 * closes at the end of the last day, Asia/Tokyo.
 */
export function windowFor(terms: ReturnTerms, items: PolicyInput['items']): number {
  const own = (tags: readonly string[]) => {
    const days = terms.windowDaysByTag.filter((w) => tags.includes(w.tag)).map((w) => w.days);
    return days.length ? Math.max(...days) : terms.windowDays;
  };
  return items.length ? Math.min(...items.map((i) => own(i.tags))) : terms.windowDays;
}


/** Runs every rule; see PolicyResult. */
export function checkPolicy(p: PolicyInput): PolicyResult {
  const basis = p.basis ?? legalBasisOf(p.reason, p.termsVersion, p.goodwill);
  const checks: PolicyCheck[] = [];
  const reviewReasons: string[] = [];
  const flags: string[] = [];
  const add = (c: PolicyCheck) => checks.push(c);
  const limited = basis === 'terms' || basis === 'statutory';
  let windowEndsAt: Date | null = null;
  // The window is judged when the notice reached the shop, not when someone typed it in.
  const noticeAt = p.notice?.at ?? p.now;
  if (p.notice) {
    add(noticeCheck(p.notice));
    if (p.notice.by === 'earlier_request') reviewReasons.push('earlier_notice');
    else if (p.now.getTime() - p.notice.at.getTime() > NOTICE_RECORDED_LATE_MS) reviewReasons.push('notice_recorded_later');
  }

  if (isShopFault(basis)) add({ rule: 'shop_fault', ok: true, blocking: false, ...shopFaultWords(basis, p.reason) });
  if (basis === 'goodwill') add({ rule: 'shop_fault', ok: true, blocking: false, ja: '特別対応（ショップの判断）', en: 'goodwill (the shop’s own decision)' });

  if (limited) {
    const ok = p.terms.acceptsReturns;
    add({ rule: 'returns_accepted', ok, blocking: true, ja: ok ? 'お客様都合の返品を受け付けています' : 'このショップはお客様都合の返品を受け付けていません', en: ok ? 'returns of the customer’s choice are accepted' : 'this shop does not accept returns of the customer’s choice' });
  }

  const delivered = p.deliveredAt ?? p.shippedAt;
  if (!delivered) {
    add({ rule: 'delivery_known', ok: false, blocking: false, ja: 'お届け日が不明です（担当者が確認します）', en: 'delivery date unknown (a person checks)' });
    reviewReasons.push('delivery_unknown');
  } else if (limited || isShopFault(basis)) {
    const days = windowFor(p.terms, p.items);
    const lastDay = tokyoDay(delivered) + days - 1;
    if (limited) windowEndsAt = endOfTokyoDay(lastDay);
    const inside = tokyoDay(noticeAt) <= lastDay;
    const source = p.termsVersion === null ? '特定商取引法の8日間' : `${days}日間`;
    // Counted from the ship date when the delivery date is unknown: the parcel arrived later, so
    // an estimate may never refuse a customer (the statutory right counts from delivery); past it, a person checks.
    const estimated = !p.deliveredAt;
    if (limited && estimated && !inside) {
      reviewReasons.push('delivery_estimated');
      add({
        rule: 'window',
        ok: false,
        blocking: false,
        ja: `お届け日が不明のため発送日から数えると${source}を過ぎています（担当者がお届け日を確認します）`,
        en: `counted from the ship date (delivery unknown) it is past the ${days}-day window; a person checks the delivery date`,
      });
    } else if (limited) {
      add({
        rule: 'window',
        ok: inside,
        blocking: true,
        ja: inside ? `お届けから${source}の期間内（${jaDate(lastDay)}まで${estimated ? '・発送日から計算' : ''}）` : `お届けから${source}の期間を過ぎています（${jaDate(lastDay)}まで）`,
        en: inside ? `inside ${days}-day window (until ${tokyoDate(lastDay)}${estimated ? ', counted from the ship date' : ''})` : `outside ${days}-day window (it ended ${tokyoDate(lastDay)})`,
      });
    } else if (!inside) {
      add({ rule: 'window', ok: true, blocking: false, ja: `${days}日間の返品期間外ですが、ショップ側の理由のため受け付けます`, en: `past the ${days}-day window, which does not apply to this claim` });
    }
  }

  for (const item of p.items) {
    const tag = item.tags.find((t) => p.terms.nonReturnableTags.includes(t));
    if (!tag) continue;
    // Customers read the label the terms give the tag (「セール品」), never the raw tag.
    const [labelJa, labelEn] = [tagLabel(p.terms, tag, 'ja'), tagLabel(p.terms, tag, 'en')];
    const what = { ja: labelJa ? `${labelJa}` : `返品不可の区分（${tag}）の商品`, en: labelEn ? `${labelEn}` : `in the non-returnable category ${tag}` };
    const [ja, en] = limited
      ? [`「${item.name}」は${what.ja}のため返品できません`, `${item.name}: ${labelEn ? `${labelEn} cannot be returned` : `${what.en}, cannot be returned`}`]
      : basis === 'goodwill'
        ? [`「${item.name}」は${what.ja}ですが、ショップの判断で受け付けます`, `${item.name}: ${what.en}; taken back as the shop’s own decision`]
        : [`「${item.name}」は${what.ja}ですが、ショップ側の理由（不良・説明違い・誤配送・遅延）には適用されません`, `${item.name}: ${what.en}, which does not apply to this claim`];
    add({ rule: 'non_returnable', ok: !limited, blocking: limited, ja, en });
  }

  if (p.kind === 'exchange' && limited) {
    const ok = p.terms.exchangesAccepted;
    add({ rule: 'exchange_accepted', ok, blocking: true, ja: ok ? '交換を受け付けています' : 'お客様都合の交換は受け付けていません（返品をお選びください）', en: ok ? 'exchanges are accepted' : 'exchanges of the customer’s choice are not accepted (choose a return)' });
  }

  const conditions = [p.terms.conditions.unopened && '未開封', p.terms.conditions.tagsAttached && 'タグ付き'].filter(Boolean) as string[];
  if (limited && conditions.length) {
    const ok = p.conditionsConfirmed;
    const en = [p.terms.conditions.unopened && 'unopened', p.terms.conditions.tagsAttached && 'tags attached'].filter(Boolean).join(', ');
    add({ rule: 'conditions', ok, blocking: true, ja: ok ? `条件（${conditions.join('・')}）を確認済み` : `返品条件（${conditions.join('・')}）の確認が必要です`, en: ok ? `conditions confirmed (${en})` : `the conditions must be confirmed (${en})` });
  }

  if (p.recentReturns >= FREQUENT_RETURNS) {
    flags.push('frequent_returns');
    reviewReasons.push('frequent_returns');
    add({ rule: 'frequent_returns', ok: false, blocking: false, ja: `過去180日に${p.recentReturns}件の返品があります（担当者が確認します）`, en: `${p.recentReturns} returns in the last 180 days (a person checks)` });
  }

  const eligible = checks.every((c) => c.ok || !c.blocking);
  const auto = p.terms.autoApprove;
  if (basis !== 'terms') reviewReasons.push(basis === 'statutory' ? 'no_published_terms' : `basis_${basis}`);
  else if (!auto.enabled) reviewReasons.push('auto_approve_off');
  else if (p.refundTotal > auto.maxAmount) {
    flags.push('high_value');
    reviewReasons.push('above_auto_approve_amount');
    add({ rule: 'auto_approve', ok: false, blocking: false, ja: `返金額が自動承認の上限（${auto.maxAmount.toLocaleString('ja')}円）を超えるため確認します`, en: `the refund is above the auto-approval amount (¥${auto.maxAmount.toLocaleString('en')})` });
  }
  const autoApprove = eligible && reviewReasons.length === 0;
  if (autoApprove) add({ rule: 'auto_approve', ok: true, blocking: false, ja: '自動承認の条件を満たしています', en: 'meets the auto-approval rules' });
  return { basis, checks, eligible, autoApprove, reviewReasons, flags, windowEndsAt };
}

/**
 * Cheap enough that the merchant may let the customer keep it: the return waits in `approved`
 * for that decision instead of asking for the parcel (at filing and at a person's approval).
 */
export const keepItemCandidate = (j: { terms: { terms: Pick<ReturnTerms, 'keepItemThreshold'> }; refund: { total: number } }, kind: string) =>
  kind === 'return' && j.terms.terms.keepItemThreshold > 0 && j.refund.total <= j.terms.terms.keepItemThreshold;
