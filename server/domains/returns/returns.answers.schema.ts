import { z } from 'zod';
import { bankAccountInput } from './returns.bank.ts';
import { customerChoiceReasons, deductionKinds, legalBases, noticeChannels, rejectionCodes, returnEvents, returnKinds, returnReasons, returnStatuses, type RejectionCode } from './returns.model.ts';
import { policyRules, type PolicyResult } from './returns.policy.ts';
import type { publicTerms } from './returns.terms.ts';
import { payer, type ReturnTerms, type ReturnTermsDto } from './returns.terms.schema.ts';
import { bilingualText } from '../../core/messages.ts';
import { isoTime as time, type Same } from '../../core/openapi.ts';
import type { ReasonsReportDto, ReturnDto, ReturnListDto } from './returns.schema.ts';

/**
 * The answers of the returns API as the API reference shows them (zod, for /openapi.json), each
 * tied at compile time to the type its handler returns (returns.schema.ts's responses); the
 * integration tests parse real answers with them.
 */

const amount = z.number().int().describe('yen, tax included');
const taxRate = z.union([z.literal(8), z.literal(10)]);
const words = bilingualText.shape;

/** ReturnTerms (returns.terms.schema.ts) as a published version stores and the API answers it. */
const returnTermsView = z.strictObject({
  acceptsReturns: z.boolean().describe('whether returns of the customer’s choice are accepted at all'),
  windowDays: z.number().int().describe('days from delivery'),
  windowDaysByTag: z.array(z.strictObject({ tag: z.string(), days: z.number().int() })).describe('product tags with a window of their own; the longest applies'),
  conditions: z.strictObject({ unopened: z.boolean(), tagsAttached: z.boolean(), note: bilingualText.optional() }),
  returnShippingPaidBy: z
    .strictObject(Object.fromEntries(customerChoiceReasons.map((r) => [r, payer])) as Record<(typeof customerChoiceReasons)[number], typeof payer>)
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
  note: bilingualText.optional(),
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
          rule: z.enum(policyRules),
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
      accountType: bankAccountInput.shape.accountType,
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
