import { z } from 'zod';
import { orderNumber } from '../orders/orders.schema.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { bankAccountInput, type BankAccountInput } from './returns.bank.ts';
import { returnsMessages, say } from './returns.messages.ts';
import {
  customerChoiceReasons,
  deductionKinds,
  legalBases,
  noticeChannels,
  rejectionCodes,
  returnEvents,
  requestKinds,
  returnKinds,
  returnReasons,
  returnStatuses,
  type LegalBasis,
  type NoticeChannel,
  type RejectionCode,
  type ReturnEvent,
  type ReturnKind,
  type ReturnReason,
  type ReturnStatus,
} from './returns.model.ts';
import type { ExchangeItem, RefundBreakdown, RefundRequest } from './returns.money.ts';
import type { PolicyCheck, PolicyResult } from './returns.policy.ts';
import type { OrderChanges } from './returns.snapshot.ts';
import type { publicTerms } from './returns.terms.ts';
import type { ReturnTerms, ReturnTermsDto } from './returns.terms.schema.ts';
import { registerMessages } from '../../core/messages.ts';
import type { Same } from '../../core/openapi.ts';

registerMessages(returnsMessages);

const yen = z.number().int('expected whole yen').min(0).max(100_000_000);

export const returnItemInput = z.strictObject({
  lineNo: z.number().int().min(1).max(500),
  quantity: z.number({ error: say('quantity') }).int(say('quantity')).min(1, say('quantity')).max(10_000, say('quantity')),
});

export const exchangeItemInput = z.strictObject({
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1).max(10_000),
  unitPrice: yen.describe('yen, tax included'),
  taxRate: z.union([z.literal(10), z.literal(8)]),
});

const askFields = {
  kind: z.enum(requestKinds).default('return'),
  reason: z.enum(returnReasons),
  items: z
    .array(returnItemInput)
    .min(1, say('noItem'))
    .max(500)
    .superRefine((items, ctx) => {
      const seen = new Set<number>();
      items.forEach((it, i) => {
        if (seen.has(it.lineNo)) ctx.addIssue({ code: 'custom', path: [i, 'lineNo'], message: say('lineTwice') });
        seen.add(it.lineNo);
      });
    }),
  conditionsConfirmed: z.boolean().default(false).describe('the customer confirms the terms’ conditions (unopened, tags attached)'),
  exchange: z.array(exchangeItemInput).min(1).max(50).optional().describe('for an exchange: what the customer receives; by default the same products at the same prices'),
  comment: z.string().trim().max(2000).optional(),
  bankAccount: bankAccountInput.optional().describe('where a bank-transfer refund goes (COD and transfer orders); the portal asks for it'),
};

const exchangeOnlyForExchanges = (b: { kind: string; exchange?: unknown }, ctx: z.RefinementCtx) => {
  if (b.exchange && b.kind !== 'exchange') ctx.addIssue({ code: 'custom', path: ['exchange'], message: 'exchange items need kind "exchange"' });
};

/** Filed by a person of the shop or by the shop's API key. */
export const fileReturnBody = z
  .strictObject({
    orderNumber,
    ...askFields,
    goodwill: z.boolean().default(false).describe('take it back beyond what the terms owe (the shop’s decision); not for contractors'),
    noticeReceivedAt: z.iso
      .datetime({ offset: true, message: 'expected a date and time with its offset, such as 2026-12-08T21:30:00+09:00' })
      .optional()
      .describe('filing on the customer’s behalf: when their notice (mail, phone, chat, letter) reached the shop. The window is judged at this time (到達主義, 民法 §97); not in the future, not before the order. Default: now'),
    noticeChannel: z.enum(noticeChannels).optional().describe('how that notice came; required with noticeReceivedAt'),
  })
  .superRefine(exchangeOnlyForExchanges)
  .superRefine((b, ctx) => {
    if (b.noticeReceivedAt && !b.noticeChannel) ctx.addIssue({ code: 'custom', path: ['noticeChannel'], message: say('noticeChannel') });
  });
export type FileReturnBody = z.output<typeof fileReturnBody>;

export const previewReturnBody = fileReturnBody;

export const returnParams = shopIdParams.extend({ returnId: z.uuid({ message: 'expected a return id' }) });

export const moveReturnBody = z
  .strictObject({
    event: z.enum(returnEvents),
    expectedStatus: z.enum(returnStatuses).optional().describe('the status the caller saw; another status answers 409'),
    reasonCode: z.enum(rejectionCodes).optional(),
    note: z.string().trim().min(1).max(2000).optional(),
    carrier: z.string().trim().min(1).max(64).optional(),
    trackingNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{4,40}$/, 'expected a tracking number of letters, digits and "-"')
      .optional(),
    withdrawalReceivedAt: z.iso
      .datetime({ offset: true, message: 'expected a date and time with its offset, such as 2026-12-08T21:30:00+09:00' })
      .optional()
      .describe(
        'with "cancel" by the shop: when the customer’s own withdrawal (mail, phone, chat, letter) reached the shop. Required, with withdrawalChannel and a note, to cancel a statutory cancellation or a claim on the shop’s fault, which stand once made (民法 §540②): the shop only records the customer’s withdrawal',
      ),
    withdrawalChannel: z.enum(noticeChannels).optional().describe('how the customer’s withdrawal came; goes with withdrawalReceivedAt'),
  })
  .superRefine((b, ctx) => {
    if ((b.withdrawalReceivedAt || b.withdrawalChannel) && b.event !== 'cancel') ctx.addIssue({ code: 'custom', path: [b.withdrawalReceivedAt ? 'withdrawalReceivedAt' : 'withdrawalChannel'], message: say('withdrawalOnlyOnCancel') });
    else if (b.withdrawalReceivedAt && !b.withdrawalChannel) ctx.addIssue({ code: 'custom', path: ['withdrawalChannel'], message: say('withdrawalChannel') });
    else if (b.withdrawalChannel && !b.withdrawalReceivedAt) ctx.addIssue({ code: 'custom', path: ['withdrawalReceivedAt'], message: say('withdrawalReceivedAt') });
    if (b.event === 'ship' && !b.trackingNumber) ctx.addIssue({ code: 'custom', path: ['trackingNumber'], message: 'shipping needs the tracking number' });
    if (b.reasonCode && b.event !== 'reject') ctx.addIssue({ code: 'custom', path: ['reasonCode'], message: 'a reason code goes with "reject" only' });
    if (b.event === 'refund_failed' && !b.note) ctx.addIssue({ code: 'custom', path: ['note'], message: `"${b.event}" needs a note saying why` });
  });
export type MoveReturnBody = z.output<typeof moveReturnBody>;

export const listReturnsQuery = z.strictObject({
  status: z
    .string()
    .max(400)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(returnStatuses)).max(returnStatuses.length))
    .optional()
    .describe('comma-separated statuses'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  before: z.coerce.number().int().min(1).optional().describe('nextBefore of the previous page'),
});

export const revealBankBody = z.strictObject({
  reason: z.string().trim().min(5, 'say why in a few words (at least 5 characters)').max(500),
});

/* ---------- responses: the shapes the API answers, named so a change to them is a type error ---------- */

/** What identifies a return in lists and at the head of its page. */
export interface ReturnSummaryDto {
  id: string;
  number: number;
  status: ReturnStatus;
  kind: ReturnKind;
  reason: ReturnReason;
  legalBasis: LegalBasis;
}

export interface ReturnItemDto {
  lineNo: number;
  quantity: number;
  sku: string;
  name: string;
  unitPrice: number;
  taxRate: number;
  tags: string[];
  /** The platform pushed the order without this line since filing: the return stands on its snapshot. */
  removedFromOrder: boolean;
}

export interface ReturnPhotoDto {
  id: string;
  contentType: string;
  sizeBytes: number;
  filename: string;
  /** Null for the customer: the API serves photos to the shop's people, each view audited; the portal serves a customer their own. */
  url: string | null;
}

export interface ReturnHistoryEntryDto {
  event: ReturnEvent | 'file';
  from: ReturnStatus | null;
  to: ReturnStatus;
  /** The person's name; for the customer "shop" or "madoguchi" instead of staff names. */
  by: string;
  byKind: 'user' | 'api_key' | 'system' | 'customer';
  reasonCode: string | null;
  note: string | null;
  at: string;
}

export type RefundMethod = RefundRequest['refundMethod'];

/**
 * One return as the service shapes it (returns.view.ts), before the bank details: the
 * customer's name and no contact data. Items, prices and dates are the order's as filed.
 */
export interface ReturnViewDto extends ReturnSummaryDto {
  termsVersion: number | null;
  source: 'portal' | 'console' | 'api';
  order: { orderNumber: string; orderedAt: string; deliveredAt: string | null; paymentMethod: string; customerName: string };
  /** What the shop platform changed on the order since filing (null for the customer, or when nothing did). */
  orderChangedSinceFiling: OrderChanges | null;
  items: ReturnItemDto[];
  comment: string | null;
  /** When the request reached the shop, the time its window was judged at (到達主義); and how, when a person filed it for the customer. */
  noticeAt: string;
  noticeChannel: NoticeChannel | null;
  /** The customer's own withdrawal, as a person of the shop recorded it with the cancel: when it reached the shop, and how. */
  withdrawalReceivedAt: string | null;
  withdrawalChannel: NoticeChannel | null;
  /**
   * true: the request stands once made (statutory, or the shop's fault), so the shop's `cancel`
   * only records the customer's own withdrawal and needs withdrawalReceivedAt, withdrawalChannel
   * and a note (the console asks for them when the button is clicked).
   */
  cancelRecordsWithdrawal: boolean;
  /** true: for the same reason a `reject` needs a note, the reason the customer is mailed as written (the console asks for it). */
  rejectNeedsReason: boolean;
  photos: ReturnPhotoDto[];
  policy: PolicyResult;
  reviewReasons: string[];
  flags: string[];
  refundMethod: RefundMethod;
  returnLabelByShop: boolean;
  keepItem: boolean;
  refund: RefundBreakdown & { refused?: { paid: boolean; owed: number } };
  refundTotal: number;
  /** The return's own limit for agents; null for the customer. */
  refundLimit: number | null;
  overRefundLimit: boolean | null;
  exchangeItems: ExchangeItem[] | null;
  rejectionCode: RejectionCode | null;
  decisionNote: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  shipBy: string | null;
  /** true: the return expires if the parcel is not sent by `shipBy`; false: a date to aim for, the right stands. */
  shipByIsDeadline: boolean;
  shippedAt: string | null;
  receivedAt: string | null;
  refundedAt: string | null;
  /** The refund account was deleted then, its retention over (the portal's form says how long it is kept). */
  bankPurgedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The moves the viewer's role may make now. */
  allowedEvents: ReturnEvent[];
  /** The rejection reasons that fit this return's legal basis, when it may be rejected now (the console offers only these). */
  rejectionCodes: readonly RejectionCode[];
  history: ReturnHistoryEntryDto[];
}

/** The bank details as a return's view carries them: whole for those who may see them, else masked. */
export type ReturnBankAccountDto = BankAccountInput & { masked: boolean };

/** One return as the API answers it (GET, every move, the filing): the view plus the bank details. */
export interface ReturnDto extends ReturnViewDto {
  bankAccount: ReturnBankAccountDto | null;
}

/** The whole bank details a contractor sees after giving a reason (never masked). */
export interface RevealedBankAccountDto {
  bankAccount: BankAccountInput;
}

export interface ReturnListItemDto extends ReturnSummaryDto {
  orderNumber: string;
  customerName: string;
  refundTotal: number;
  /** The return's own limit (from the terms version it is judged by), not the current terms'. */
  refundLimit: number;
  overRefundLimit: boolean;
  flags: string[];
  reviewReasons: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ReturnListDto {
  returns: ReturnListItemDto[];
  /** The cursor of the next page (`before`), or null on the last. */
  nextBefore: number | null;
}

/** What the customer would get back, and why, before anything is filed. */
export interface ReturnPreviewDto {
  termsVersion: number | null;
  basis: LegalBasis;
  eligible: boolean;
  autoApprove: boolean;
  checks: PolicyCheck[];
  reviewReasons: string[];
  windowEndsAt: string | null;
  noticeAt: string;
  refundMethod: RefundMethod;
  returnLabelByShop: boolean;
  refund: RefundBreakdown;
}

/** Returned quantities of one product for one reason in one Tokyo month. */
export interface ReasonRow {
  month: string;
  sku: string;
  name: string;
  reason: ReturnReason;
  requests: number;
  quantity: number;
}

/** The "customer voice" report: why products come back, by product and Tokyo month. */
export interface ReasonsReportDto {
  from: string;
  to: string;
  months: string[];
  rows: ReasonRow[];
  byReason: Record<ReturnReason, number>;
  products: Array<{ sku: string; name: string; quantity: number; byReason: Record<string, number> }>;
}

/* ---------- answers (the API reference; the integration tests parse real answers with them) ---------- */

const time = z.string().describe('ISO 8601, UTC, milliseconds');
const amount = z.number().int().describe('yen, tax included');
const taxRate = z.union([z.literal(8), z.literal(10)]);
const words = { ja: z.string(), en: z.string() };

/** ReturnTerms (returns.terms.schema.ts) as a published version stores and the API answers it. */
const returnTermsView = z.strictObject({
  acceptsReturns: z.boolean().describe('whether returns of the customer’s choice are accepted at all'),
  windowDays: z.number().int().describe('days from delivery'),
  windowDaysByTag: z.array(z.strictObject({ tag: z.string(), days: z.number().int() })).describe('product tags with a window of their own; the longest applies'),
  conditions: z.strictObject({ unopened: z.boolean(), tagsAttached: z.boolean(), note: z.strictObject(words).optional() }),
  returnShippingPaidBy: z
    .strictObject(Object.fromEntries(customerChoiceReasons.map((r) => [r, z.enum(['customer', 'shop'])])) as Record<(typeof customerChoiceReasons)[number], z.ZodEnum<{ customer: 'customer'; shop: 'shop' }>>)
    .describe('who pays return shipping for each reason of the customer’s choice (the shop always pays on its own fault)'),
  nonReturnableTags: z.array(z.string()),
  tagLabels: z.array(z.strictObject({ tag: z.string(), ...words })).describe('what customers read for each tag the terms name'),
  deductions: z
    .strictObject({
      returnShipping: amount.optional(),
      outboundShipping: z.boolean(),
      codFee: z.boolean(),
      transferFee: amount.optional(),
      restockingPercent: z.number().int().optional(),
    })
    .describe('what may be deducted from a refund of the customer’s choice; nothing else ever is'),
  exchangesAccepted: z.boolean(),
  autoApprove: z.strictObject({ enabled: z.boolean(), maxAmount: amount }).describe('the shop’s internal control: never in the public answer'),
  agentRefundLimit: amount.describe('refunds up to this agents and contractors may approve alone; never in the public answer'),
  keepItemThreshold: amount.describe('below this the customer keeps the item; never in the public answer'),
  shipWithinDays: z.number().int().describe('days the customer has to send the parcel once approved'),
  refusedDelivery: z.strictObject({ chargeShipping: z.boolean(), returnShippingFee: amount.optional() }).describe('受け取り拒否: what a customer who refuses the parcel pays'),
  note: z.strictObject(words).optional(),
});
const termsAreTheTerms: Same<z.output<typeof returnTermsView>, ReturnTerms> = true;

const termsVersionFields = {
  version: z.number().int().nullable().describe('null: no terms published, the statutory rule applies'),
  publishedAt: time.nullable(),
  statutory: z.boolean().describe('true: no terms published, so the statutory rule (特定商取引法 §15-3) applies'),
};

/** ReturnTermsDto: the terms in force (or the statutory rule) and every published version, newest first. */
export const returnTermsAnswer = z.strictObject({
  ...termsVersionFields,
  terms: returnTermsView,
  versions: z.array(z.strictObject({ version: z.number().int(), publishedAt: time, publishedBy: z.string().describe('the owner’s name') })),
});
const returnTermsIsTheDto: Same<z.output<typeof returnTermsAnswer>, ReturnTermsDto> = true;

/** What the public JSON answers (publicTerms in returns.terms.ts; no named type of its own). */
export type PublicTermsDto = Awaited<ReturnType<typeof publicTerms>>;
const termsSections = z.array(z.strictObject({ heading: z.string(), lines: z.array(z.string()) }));

/** PublicTermsDto: what the published page states, as data and as its sections; without the shop’s internal controls. */
export const publicTermsAnswer = z.strictObject({
  shop: z.strictObject({ id: z.uuid(), name: z.string() }),
  ...termsVersionFields,
  terms: returnTermsView.omit({ autoApprove: true, agentRefundLimit: true, keepItemThreshold: true }).describe('the statutory rule’s when none is published'),
  sections: z.strictObject({ ja: termsSections, en: termsSections }).describe('the return part of the 「特定商取引法に基づく表記」, as the page words it'),
});
const publicTermsIsTheDto: Same<z.output<typeof publicTermsAnswer>, PublicTermsDto> = true;

const summaryFields = {
  id: z.uuid(),
  number: z.number().int().describe('the shop’s running number of returns (shown as "R-12")'),
  status: z.enum(returnStatuses),
  kind: z.enum(returnKinds),
  reason: z.enum(returnReasons),
  legalBasis: z.enum(legalBases).describe('on what ground it is taken back: the statutory rule, the shop’s terms, a defect, the shop’s error, late delivery, or goodwill'),
};

/** ReturnListDto: a page of returns, newest first. */
export const returnListAnswer = z.strictObject({
  returns: z.array(
    z.strictObject({
      ...summaryFields,
      orderNumber: z.string(),
      customerName: z.string().describe('the name only, for every role; no contact data'),
      refundTotal: amount,
      refundLimit: amount.describe('the return’s own limit for agents and contractors, from the terms version it is judged by'),
      overRefundLimit: z.boolean(),
      flags: z.array(z.string()),
      reviewReasons: z.array(z.string()),
      createdAt: time,
      updatedAt: time,
    }),
  ),
  nextBefore: z.number().int().nullable().describe('the cursor of the next page (`before`), or null on the last'),
});
const returnListIsTheDto: Same<z.output<typeof returnListAnswer>, ReturnListDto> = true;

/** ReasonsReportDto: returned quantities by product, reason and Tokyo month. */
export const reasonsReportAnswer = z.strictObject({
  from: z.string().describe('YYYY-MM, Asia/Tokyo, included'),
  to: z.string().describe('YYYY-MM, Asia/Tokyo, included'),
  months: z.array(z.string()).describe('every month from `from` to `to`'),
  rows: z.array(
    z.strictObject({
      month: z.string().describe('YYYY-MM, Asia/Tokyo'),
      sku: z.string(),
      name: z.string(),
      reason: z.enum(returnReasons),
      requests: z.number().int(),
      quantity: z.number().int(),
    }),
  ),
  byReason: z.record(z.enum(returnReasons), z.number().int()).describe('quantities by reason, every reason present'),
  products: z
    .array(z.strictObject({ sku: z.string(), name: z.string(), quantity: z.number().int(), byReason: z.record(z.string(), z.number().int()).describe('keyed by reason; only the reasons it came back for') }))
    .describe('most returned first'),
});
const reasonsReportIsTheDto: Same<z.output<typeof reasonsReportAnswer>, ReasonsReportDto> = true;

const lineFacts = z.strictObject({ sku: z.string(), name: z.string(), quantity: z.number().int(), unitPrice: amount, taxRate: z.number() });
const exchangeItem = { sku: z.string(), name: z.string(), quantity: z.number().int(), unitPrice: amount, taxRate };

/** ReturnDto: one return as the shop's people (and its API key) read it, with the bank details. */
export const returnAnswer = z.strictObject({
  ...summaryFields,
  termsVersion: z.number().int().nullable().describe('the terms version it is judged by; null: the statutory rule'),
  source: z.enum(['portal', 'console', 'api']),
  order: z
    .strictObject({ orderNumber: z.string(), orderedAt: time, deliveredAt: time.nullable(), paymentMethod: z.string(), customerName: z.string() })
    .describe('the order it was filed against (its number and the customer’s name as the order says them now); no contact data, for every role'),
  orderChangedSinceFiling: z
    .strictObject({
      fields: z.array(
        z.strictObject({
          field: z.enum(['shippingFee', 'codFee', 'couponDiscount', 'paymentMethod', 'orderedAt', 'shippedAt', 'deliveredAt']),
          then: z.union([z.string(), z.number()]).nullable(),
          now: z.union([z.string(), z.number()]).nullable(),
        }),
      ),
      lines: z.array(z.strictObject({ lineNo: z.number().int(), then: lineFacts.nullable(), now: lineFacts.nullable() })),
    })
    .nullable()
    .describe('what the shop platform changed on the order since filing, never applied; null when nothing did (and for the customer)'),
  items: z.array(
    z.strictObject({
      lineNo: z.number().int(),
      quantity: z.number().int(),
      sku: z.string(),
      name: z.string(),
      unitPrice: amount,
      taxRate: z.number(),
      tags: z.array(z.string()),
      removedFromOrder: z.boolean().describe('the platform pushed the order without this line since filing: the return stands on its snapshot'),
    }),
  ),
  comment: z.string().nullable(),
  noticeAt: time.describe('when the request reached the shop: its window is judged at this time (到達主義)'),
  noticeChannel: z.enum(noticeChannels).nullable().describe('how, when a person filed it for the customer'),
  withdrawalReceivedAt: time.nullable().describe('the customer’s own withdrawal, as a person of the shop recorded it with the cancel'),
  withdrawalChannel: z.enum(noticeChannels).nullable(),
  cancelRecordsWithdrawal: z.boolean().describe('true: the request stands once made, so a `cancel` by the shop needs withdrawalReceivedAt, withdrawalChannel and a note'),
  rejectNeedsReason: z.boolean().describe('true: a `reject` needs a note, mailed to the customer as written'),
  photos: z.array(
    z.strictObject({
      id: z.uuid(),
      contentType: z.string(),
      sizeBytes: z.number().int(),
      filename: z.string(),
      url: z.string().nullable().describe('relative; each view is audited; null for the customer'),
    }),
  ),
  policy: z
    .strictObject({
      basis: z.enum(legalBases),
      checks: z.array(
        z.strictObject({
          rule: z.enum(['returns_accepted', 'window', 'non_returnable', 'exchange_accepted', 'conditions', 'delivery_known', 'auto_approve', 'frequent_returns', 'shop_fault', 'notice']),
          ok: z.boolean(),
          blocking: z.boolean().describe('a failed check that blocks filing (false: it only sends the request to a person)'),
          ...words,
        }),
      ),
      eligible: z.boolean(),
      autoApprove: z.boolean(),
      reviewReasons: z.array(z.string()),
      flags: z.array(z.string()),
      windowEndsAt: time.nullable().describe('the end of the window’s last day, Asia/Tokyo; null when no window applies; counted from shipping when only the ship date is known'),
    })
    .describe('the policy check at filing'),
  reviewReasons: z.array(z.string()).describe('empty for the customer'),
  flags: z.array(z.string()).describe('empty for the customer'),
  refundMethod: z.enum(['original_payment', 'bank_transfer']),
  returnLabelByShop: z.boolean(),
  keepItem: z.boolean(),
  refund: z
    .strictObject({
      lines: z.array(
        z.strictObject({
          lineNo: z.number().int(),
          quantity: z.number().int(),
          unitPrice: amount,
          taxRate,
          gross: amount,
          couponShare: amount.describe('the part of the coupon these units carried'),
          net: amount,
        }),
      ),
      goods: amount,
      fees: z.array(z.strictObject({ kind: z.enum(['outbound_shipping', 'cod_fee']), amount })).describe('fees given back (non-zero only)'),
      deductions: z.array(z.strictObject({ kind: z.enum(deductionKinds), amount })).describe('non-zero only'),
      clamped: amount.describe('how much the deductions exceeded what they were taken from'),
      total: amount.describe('what the shop pays back'),
      byTaxRate: z.array(z.strictObject({ rate: taxRate, amount, tax: amount })),
      feesIncluded: z.boolean(),
      exchange: z
        .strictObject({
          newItems: z.array(z.strictObject({ ...exchangeItem, subtotal: amount })),
          newItemsTotal: amount,
          difference: z.number().int().describe('yen; > 0: the customer pays it; < 0: the shop refunds −difference'),
        })
        .nullable(),
      refused: z.strictObject({ paid: z.boolean(), owed: amount }).optional().describe('a refused delivery only: whether the order was paid, and what the terms charge if it was not'),
    })
    .describe('the refund as it was last computed and stored, every step visible'),
  refundTotal: amount,
  refundLimit: amount.nullable().describe('the return’s own limit for agents and contractors; null for the customer'),
  overRefundLimit: z.boolean().nullable().describe('null for the customer'),
  exchangeItems: z.array(z.strictObject(exchangeItem)).nullable().describe('what an exchange sends out'),
  rejectionCode: z.enum(rejectionCodes).nullable(),
  decisionNote: z.string().nullable(),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  shipBy: time.nullable(),
  shipByIsDeadline: z.boolean().describe('true: the return expires if the parcel is not sent by `shipBy`; false: a date to aim for, the right stands'),
  shippedAt: time.nullable(),
  receivedAt: time.nullable(),
  refundedAt: time.nullable(),
  bankPurgedAt: time.nullable().describe('the refund account was deleted then, its retention over'),
  createdAt: time,
  updatedAt: time,
  allowedEvents: z.array(z.enum(returnEvents)).describe('the moves the caller’s role may make now'),
  rejectionCodes: z.array(z.enum(rejectionCodes)).describe('the rejection reasons that fit its legal basis, when it may be rejected now'),
  history: z.array(
    z.strictObject({
      event: z.enum([...returnEvents, 'file']),
      from: z.enum(returnStatuses).nullable(),
      to: z.enum(returnStatuses),
      by: z.string().describe('the person’s name; for the customer "shop" or "madoguchi" instead of staff names'),
      byKind: z.enum(['user', 'api_key', 'system', 'customer']),
      reasonCode: z.string().nullable(),
      note: z.string().nullable(),
      at: time,
    }),
  ),
  bankAccount: z
    .strictObject({
      bankName: z.string(),
      branchName: z.string(),
      accountType: z.enum(['ordinary', 'current']).describe('普通 or 当座'),
      accountNumber: z.string().describe('7 digits; masked ("*****67") for contractors'),
      holderKana: z.string().describe('masked to its first character ("タ＊＊＊") for contractors'),
      masked: z.boolean().describe('true for contractors: they reveal the whole with a written reason (POST …/reveal-bank, audited); every unmasked read is audited'),
    })
    .nullable()
    .describe('where a bank-transfer refund goes; null when none was given or it was deleted'),
});
/**
 * ReturnDto as JSON carries it: the policy is stored as jsonb, so its windowEndsAt (a Date in
 * PolicyResult) reads back as the ISO string; and JSON has no read-only arrays.
 */
type ReturnDtoAsJson = Omit<ReturnDto, 'policy' | 'rejectionCodes'> & {
  policy: Omit<PolicyResult, 'windowEndsAt'> & { windowEndsAt: string | null };
  rejectionCodes: RejectionCode[];
};
const returnIsTheDto: Same<z.output<typeof returnAnswer>, ReturnDtoAsJson> = true;
