import { z } from 'zod';
import { orderNumber } from '../orders/orders.schema.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { bankAccountInput, type BankAccountInput } from './returns.bank.ts';
import { returnsMessages, say } from './returns.messages.ts';
import { noticeChannels, rejectionCodes, returnEvents, requestKinds, returnReasons, returnStatuses, type LegalBasis, type NoticeChannel, type RejectionCode, type ReturnEvent, type ReturnKind, type ReturnReason, type ReturnStatus } from './returns.model.ts';
import type { ExchangeItem, RefundBreakdown, RefundRequest } from './returns.money.ts';
import type { PolicyCheck, PolicyResult } from './returns.policy.ts';
import type { OrderChanges } from './returns.snapshot.ts';
import { registerMessages } from '../../core/messages.ts';


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
