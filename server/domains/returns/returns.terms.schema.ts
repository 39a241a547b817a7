import { z } from 'zod';
import { productTag } from '../orders/orders.schema.ts';
import { customerChoiceReasons, STATUTORY_WINDOW_DAYS } from './returns.model.ts';

const yen = z.number().int('expected whole yen').min(0).max(10_000_000);
const tag = productTag;
const payer = z.enum(['customer', 'shop']);
const localized = z.strictObject({ ja: z.string().trim().max(1000), en: z.string().trim().max(1000) });

/**
 * A shop's return terms (返品特約), as the merchant writes them once: the published page and
 * the rules madoguchi enforces are both made from this. Money is integer yen, tax included.
 * Defects and the shop's own mistakes are not governed here: the shop always takes those back
 * and pays the shipping (民法 §562–566, 消費者契約法 §8).
 */
export const returnTermsInput = z
  .strictObject({
    acceptsReturns: z.boolean().describe('whether returns of the customer’s choice are accepted at all'),
    windowDays: z.number().int().min(1).max(365).describe('days from delivery'),
    windowDaysByTag: z
      .array(z.strictObject({ tag, days: z.number().int().min(1).max(365) }))
      .max(50)
      .default([])
      .describe('product tags with a window of their own; the longest applies when a product has several'),
    conditions: z
      .strictObject({
        unopened: z.boolean().default(false),
        tagsAttached: z.boolean().default(false),
        note: localized.optional(),
      })
      .default({ unopened: false, tagsAttached: false }),
    returnShippingPaidBy: z
      .strictObject({
        ...(Object.fromEntries(customerChoiceReasons.map((r) => [r, payer])) as Record<(typeof customerChoiceReasons)[number], typeof payer>),
        // Versions published before late delivery became the shop's failure carry it; it is read and dropped, never applied.
        late_delivery: payer.optional().describe('ignored: late delivery is the shop’s failure, and the shop pays its shipping'),
      })
      .transform(({ late_delivery: _ignored, ...byReason }) => byReason)
      .describe('who pays return shipping for each reason of the customer’s choice'),
    nonReturnableTags: z.array(tag).max(50).default([]),
    deductions: z
      .strictObject({
        returnShipping: yen.optional().describe('deducted when the shop sends a return label and the customer pays return shipping'),
        outboundShipping: z.boolean().default(false).describe('outbound shipping is not refunded'),
        codFee: z.boolean().default(false).describe('the 代引き手数料 is not refunded'),
        transferFee: yen.optional().describe('deducted from refunds paid by bank transfer'),
        restockingPercent: z.number().int().min(1).max(50).optional().describe('percent of the goods refunded'),
      })
      .default({ outboundShipping: false, codFee: false })
      .describe('what may be deducted from a refund of the customer’s choice; nothing else ever is'),
    exchangesAccepted: z.boolean().default(true),
    autoApprove: z
      .strictObject({ enabled: z.boolean(), maxAmount: yen.describe('refunds up to this are approved without review') })
      .default({ enabled: false, maxAmount: 0 }),
    agentRefundLimit: yen.default(10_000).describe('refunds up to this agents and contractors may approve alone'),
    keepItemThreshold: yen.default(0).describe('below this the customer keeps the item (merchant approves)'),
    shipWithinDays: z.number().int().min(3).max(90).default(28).describe('days the customer has to send the parcel once approved'),
    refusedDelivery: z
      .strictObject({
        chargeShipping: z.boolean().describe('a parcel refused without the shop’s fault: the outbound shipping is not refunded'),
        returnShippingFee: yen.optional().describe('and the carrier’s fee for bringing it back is charged'),
      })
      .default({ chargeShipping: false })
      .describe('受け取り拒否: what a customer who refuses the parcel pays, if anything (only what is stated here)'),
    note: localized.optional(),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.windowDaysByTag.forEach((w, i) => {
      if (seen.has(w.tag)) ctx.addIssue({ code: 'custom', path: ['windowDaysByTag', i, 'tag'], message: `tag ${w.tag} has two windows` });
      seen.add(w.tag);
      if (t.nonReturnableTags.includes(w.tag)) ctx.addIssue({ code: 'custom', path: ['windowDaysByTag', i, 'tag'], message: `tag ${w.tag} is also non-returnable` });
    });
  });

export type ReturnTerms = z.output<typeof returnTermsInput>;
export type ReturnTermsInput = z.input<typeof returnTermsInput>;

/**
 * What the law gives a buyer when the shop published nothing (特定商取引法 §15-3): 8 days from
 * delivery, the buyer pays return shipping, nothing deducted. Every return is reviewed by a
 * person: a shop without terms has said nothing about automatic approval.
 */
export const statutoryTerms: ReturnTerms = {
  acceptsReturns: true,
  windowDays: STATUTORY_WINDOW_DAYS,
  windowDaysByTag: [],
  conditions: { unopened: false, tagsAttached: false },
  returnShippingPaidBy: { size: 'customer', not_as_expected: 'customer', changed_mind: 'customer' },
  nonReturnableTags: [],
  deductions: { outboundShipping: false, codFee: false },
  exchangesAccepted: false,
  autoApprove: { enabled: false, maxAmount: 0 },
  agentRefundLimit: 10_000,
  keepItemThreshold: 0,
  shipWithinDays: 28,
  refusedDelivery: { chargeShipping: false },
};
