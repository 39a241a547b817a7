import { z } from 'zod';
import { productTag } from '../orders/orders.schema.ts';
import { returnsMessages, say, type ReturnsMessageKey } from './returns.messages.ts';
import { customerChoiceReasons, STATUTORY_SHIP_WITHIN_DAYS, STATUTORY_WINDOW_DAYS } from './returns.model.ts';
import { registerMessages } from '../../core/messages.ts';

registerMessages(returnsMessages);

/** A whole number in [min, max], every failure (null for an emptied field included) told with one message. */
const whole = (min: number, max: number, key: ReturnsMessageKey) => z.number({ error: say(key) }).int(say(key)).min(min, say(key)).max(max, say(key));
const yen = whole(0, 10_000_000, 'yen');
const days = whole(1, 365, 'windowDays');
/** A product tag as orders carry it (normalised the same way), with the editor's message. */
const tag = z.string({ error: say('tag') }).trim().min(1, say('tag')).max(40, say('tag')).pipe(productTag);
const label = z.string({ error: say('label') }).trim().min(1, say('label')).max(40, say('label'));
const text = z.string({ error: say('text') }).trim().max(1000, say('text'));
export const payer = z.enum(['customer', 'shop']);
const localized = z.strictObject({ ja: text, en: text });

/**
 * A shop's return terms (返品特約), as the merchant writes them once: the published page and
 * the rules madoguchi enforces are both made from this. Money is integer yen, tax included.
 * Defects and the shop's own mistakes are not governed here: the shop always takes those back
 * and pays the shipping (民法 §562–566, 消費者契約法 §8).
 */
export const returnTermsInput = z
  .strictObject({
    acceptsReturns: z.boolean().describe('whether returns of the customer’s choice are accepted at all'),
    windowDays: days.describe('days from delivery'),
    windowDaysByTag: z
      .array(z.strictObject({ tag, days }))
      .max(50, say('tooMany'))
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
    nonReturnableTags: z.array(tag).max(50, say('tooMany')).default([]),
    tagLabels: z
      .array(z.strictObject({ tag, ja: label, en: label }))
      .max(100, say('tooMany'))
      .default([])
      .describe('what customers read for each tag the terms name (「セール品」, not "sale"): every tag of nonReturnableTags and windowDaysByTag needs one'),
    deductions: z
      .strictObject({
        returnShipping: yen.optional().describe('deducted when the shop sends a return label and the customer pays return shipping'),
        outboundShipping: z.boolean().default(false).describe('outbound shipping is not refunded'),
        codFee: z.boolean().default(false).describe('the 代引き手数料 is not refunded'),
        transferFee: yen.optional().describe('deducted from refunds paid by bank transfer'),
        restockingPercent: whole(1, 50, 'percent').optional().describe('percent of the goods refunded'),
      })
      .default({ outboundShipping: false, codFee: false })
      .describe('what may be deducted from a refund of the customer’s choice; nothing else ever is'),
    exchangesAccepted: z.boolean().default(true),
    autoApprove: z
      .strictObject({ enabled: z.boolean(), maxAmount: yen.describe('refunds up to this are approved without review') })
      .default({ enabled: false, maxAmount: 0 }),
    agentRefundLimit: yen.default(10_000).describe('refunds up to this agents and contractors may approve alone'),
    keepItemThreshold: yen.default(0).describe('below this the customer keeps the item (merchant approves)'),
    shipWithinDays: whole(3, 90, 'shipWithinDays').default(28).describe('days the customer has to send the parcel once approved; a deadline under the terms (the request ends), a date to aim for on the shop’s fault'),
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
      if (seen.has(w.tag)) ctx.addIssue({ code: 'custom', path: ['windowDaysByTag', i, 'tag'], message: say('tagTwoWindows') });
      seen.add(w.tag);
      if (t.nonReturnableTags.includes(w.tag)) ctx.addIssue({ code: 'custom', path: ['windowDaysByTag', i, 'tag'], message: say('tagAlsoNonReturnable') });
    });
    // Customers read labels, not the shop's internal tags: a term they cannot recognise on the product page tells them nothing.
    const labelled = new Set<string>();
    t.tagLabels.forEach((l, i) => {
      if (labelled.has(l.tag)) ctx.addIssue({ code: 'custom', path: ['tagLabels', i, 'tag'], message: say('labelTwice') });
      labelled.add(l.tag);
    });
    t.nonReturnableTags.forEach((tag, i) => {
      if (!labelled.has(tag)) ctx.addIssue({ code: 'custom', path: ['nonReturnableTags', i], message: say('labelMissing') });
    });
    t.windowDaysByTag.forEach((w, i) => {
      if (!labelled.has(w.tag)) ctx.addIssue({ code: 'custom', path: ['windowDaysByTag', i, 'tag'], message: say('labelMissing') });
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
  tagLabels: [],
  deductions: { outboundShipping: false, codFee: false },
  exchangesAccepted: false,
  autoApprove: { enabled: false, maxAmount: 0 },
  agentRefundLimit: 10_000,
  keepItemThreshold: 0,
  shipWithinDays: STATUTORY_SHIP_WITHIN_DAYS,
  refusedDelivery: { chargeShipping: false },
};

/** One version of the terms as the API answers it: the current one, or the statutory rule when none is published. */
export interface ReturnTermsVersionDto {
  version: number | null;
  publishedAt: string | null;
  /** true: no terms published, so the statutory rule applies. */
  statutory: boolean;
  terms: ReturnTerms;
}

/** The terms in force and the history of versions (the console's terms page). */
export interface ReturnTermsDto extends ReturnTermsVersionDto {
  versions: Array<{ version: number; publishedAt: string; publishedBy: string }>;
}
