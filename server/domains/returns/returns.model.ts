/**
 * The words of the returns domain, shared by the pure modules (machine, money, policy), the
 * service, the routes and the console. No I/O here.
 */

/** What the customer asks for. A defect claim may end in a refund or a replacement. */
export const requestKinds = ['return', 'exchange'] as const;
export type RequestKind = (typeof requestKinds)[number];

/**
 * Every case a return record holds: what customers ask for, and a refused delivery
 * (受け取り拒否), which the shop records when the carrier brings the parcel back: it is not
 * a cancellation, and who pays depends on whose fault it was and on the shop's terms.
 */
export const returnKinds = [...requestKinds, 'refused_delivery'] as const;
export type ReturnKind = (typeof returnKinds)[number];

/**
 * Every reason a return may give. `not_as_described` (the item differs from its page: 「商品説明
 * と違う」) is a defect claim (契約不適合), not 「イメージと違う」 as a change of mind
 * (`not_as_expected`); `late_delivery` past the promised date is the shop's failure to
 * perform (履行遅滞, 民法 §541), not the customer's choice.
 */
export const returnReasons = ['size', 'not_as_expected', 'not_as_described', 'defective', 'wrong_item', 'changed_mind', 'late_delivery'] as const;
export type ReturnReason = (typeof returnReasons)[number];

/** Reasons that are the customer's choice: the terms decide the window, who pays and what is deducted. */
export const customerChoiceReasons = ['size', 'not_as_expected', 'changed_mind'] as const satisfies readonly ReturnReason[];
export type CustomerChoiceReason = (typeof customerChoiceReasons)[number];
export const isCustomerChoice = (r: ReturnReason): r is CustomerChoiceReason => (customerChoiceReasons as readonly ReturnReason[]).includes(r);

/** Reasons that are the shop's failure, in the order the portal offers them: the shop pays, and no window or tag applies. */
export const shopFaultReasons = ['defective', 'not_as_described', 'wrong_item', 'late_delivery'] as const satisfies readonly ReturnReason[];

/**
 * Why the shop must take it back (DESIGN.md): `statutory` — no terms published, 特定商取引法
 * §15-3, 8 days from delivery, buyer pays return shipping; `terms` — the shop's 返品特約;
 * `defect` — 契約不適合 (民法 §562–566), a defect or an item not as described, never blocked
 * by a window or a tag, shop pays shipping; `shop_error` — wrong item or quantity, shop pays;
 * `late_delivery` — delivered after the promised date (履行遅滞, 民法 §541/§542), shop pays;
 * `goodwill` — outside what is owed, the shop's decision.
 */
export const legalBases = ['statutory', 'terms', 'defect', 'shop_error', 'late_delivery', 'goodwill'] as const;
export type LegalBasis = (typeof legalBases)[number];

/** The shop's fault: no window or tag applies, it pays return shipping and refunds outbound shipping and the COD fee. */
export const shopFaultBases = ['defect', 'shop_error', 'late_delivery'] as const satisfies readonly LegalBasis[];
export const isShopFault = (b: LegalBasis) => (shopFaultBases as readonly LegalBasis[]).includes(b);

/**
 * Whether an approved return expires when its parcel is not sent by the deadline. Only what
 * the shop's own terms (or its goodwill) grant may lapse: a statutory cancellation stands once
 * it reached the shop (民法 §540②), and a claim on the shop's fault stands as the law gives it;
 * the shop may hold the refund until the goods are back, and reminds the customer, but never
 * takes the right away.
 */
export const expiresUnshipped = (b: LegalBasis) => b === 'terms' || b === 'goodwill';

/** How a customer's notice reached the shop when a person files on their behalf (到達主義, 民法 §97). */
export const noticeChannels = ['email', 'phone', 'chat', 'letter', 'other'] as const;
export type NoticeChannel = (typeof noticeChannels)[number];

export const returnStatuses = [
  'requested',
  'needs_review',
  'approved',
  'rejected',
  'awaiting_shipment',
  'in_transit',
  'received',
  'inspected',
  'expired',
  'refund_pending',
  'refund_failed',
  'exchange_pending',
  'refunded',
  'exchanged',
  'closed',
  'canceled',
] as const;
export type ReturnStatus = (typeof returnStatuses)[number];

/** What moves a return from one status to the next. */
export const returnEvents = [
  'auto_approve',
  'send_to_review',
  'approve',
  'reject',
  'request_shipment',
  'keep_item',
  'ship',
  'receive',
  'expire',
  'inspect',
  'start_refund',
  'start_exchange',
  'refund_succeeded',
  'refund_failed',
  'retry_refund',
  'exchange_shipped',
  'close',
  'cancel',
] as const;
export type ReturnEvent = (typeof returnEvents)[number];

/** Who acts on a return: the shop's people by role, the customer from the portal, madoguchi itself (rules, timers). */
export const returnActorRoles = ['owner', 'staff', 'agent', 'contractor', 'customer', 'system'] as const;
export type ReturnActorRole = (typeof returnActorRoles)[number];

/** Why a return was rejected; a rejection always carries one. */
export const rejectionCodes = [
  'outside_window',
  'non_returnable_item',
  'condition_not_met',
  'returns_not_accepted',
  'no_defect_found',
  'missing_evidence',
  'suspected_abuse',
  'other',
] as const;
export type RejectionCode = (typeof rejectionCodes)[number];

/** What the terms may deduct from a refund of the customer's choice, and nothing else. */
export const deductionKinds = ['return_shipping', 'outbound_shipping', 'cod_fee', 'transfer_fee', 'restocking'] as const;
export type DeductionKind = (typeof deductionKinds)[number];

/** The statutory fallback of 特定商取引法 §15-3 when a shop publishes no return terms. */
export const STATUTORY_WINDOW_DAYS = 8;
/** Without terms, the days the customer is asked to send the parcel in once approved: a date to aim for, never a deadline. */
export const STATUTORY_SHIP_WITHIN_DAYS = 28;
/** The customer is reminded this many days before the date to send the parcel by (the published page says so). */
export const REMINDER_BEFORE_DAYS = 3;

const DAY_MS = 86_400_000;
const JST_MS = 9 * 3_600_000;

/** The Asia/Tokyo calendar day of `d`, as a day number since 1970-01-01 (Asia/Tokyo has no daylight saving). */
export const tokyoDayOf = (d: Date): number => Math.floor((d.getTime() + JST_MS) / DAY_MS);

/** The last instant of a Tokyo day number: 23:59:59.999 JST. */
export const endOfTokyoDay = (day: number): Date => new Date((day + 1) * DAY_MS - JST_MS - 1);

/**
 * The end of a period of `days` days that starts at `from`, counted as the 民法 counts a period
 * of days: the first day is not counted when the period starts during it (§140; counted when it
 * starts at 0:00), and the period ends at the end of its last day (§141), 24:00 Asia/Tokyo.
 * Approved on 12月1日 at 15:00 with 7 days: the last day is 12月8日, and this is 12月8日
 * 23:59:59.999 JST, the date the customer is told. Every day-count deadline of a return is this.
 */
export function daysPeriodEnd(from: Date, days: number): Date {
  const startsAtMidnight = (from.getTime() + JST_MS) % DAY_MS === 0;
  return endOfTokyoDay(tokyoDayOf(from) + days - (startsAtMidnight ? 1 : 0));
}

/** The reminder goes out at this hour (JST) of its day, not at midnight. */
export const REMINDER_HOUR_JST = 9;

/**
 * The days before the last day to send the parcel on which the customer is reminded, for a
 * window of `windowDays` whole days: REMINDER_BEFORE_DAYS days when the window is longer than
 * that, one day before (the 前日) for a window of 2 or 3 days (a terms' short send-by window),
 * and 0 (half way instead, see {@link reminderAt}) for a single day. The page states it.
 */
export function reminderBeforeDays(windowDays: number): number {
  if (windowDays > REMINDER_BEFORE_DAYS) return REMINDER_BEFORE_DAYS;
  if (windowDays >= 2) return 1;
  return 0;
}

/**
 * When the customer is reminded to send the parcel by `shipBy` (the end of its last day, see
 * {@link daysPeriodEnd}), seen at `now`: at REMINDER_HOUR_JST on the day
 * {@link reminderBeforeDays} calendar days before that last day; half way for a window too
 * short for that. Always inside the window: after now, before the date ends. Null once the
 * date has passed.
 */
export function reminderAt(shipBy: Date, now: Date): Date | null {
  if (shipBy.getTime() <= now.getTime()) return null;
  const lastDay = tokyoDayOf(shipBy);
  // A period that starts at 0:00 counts its first day (民法 §140): the window is one day longer.
  const lead = reminderBeforeDays(lastDay - tokyoDayOf(new Date(now.getTime() - 1)));
  const at = (lastDay - lead) * DAY_MS - JST_MS + REMINDER_HOUR_JST * 3_600_000;
  if (lead > 0 && at > now.getTime() && at < shipBy.getTime()) return new Date(at);
  return new Date(now.getTime() + Math.floor((shipBy.getTime() - now.getTime()) / 2));
}

/**
 * The order as it was when a return was filed, kept with the return. The shop platform may push
 * the order again later (a line cancelled, prices corrected, a delivery date set): a return is
 * judged and refunded on the order its customer filed against, so its refund never moves under
 * it and a lower quantity never strands it. Later changes are shown to the shop's people
 * (`orderChanges` in returns.snapshot.ts), never applied silently. No contact data: a return's view carries none.
 */
export interface OrderSnapshot {
  orderedAt: string;
  shippedAt: string | null;
  deliveredAt: string | null;
  paymentMethod: string;
  shippingFee: number;
  codFee: number;
  couponDiscount: number;
  lines: SnapshotLine[];
}

export interface SnapshotLine {
  lineNo: number;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  taxRate: number;
  tags: string[];
}
