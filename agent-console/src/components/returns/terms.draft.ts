import type { CustomerChoiceReason, ReturnTerms, ReturnTermsInput } from '../../types.ts';

/**
 * The terms as the form holds them: numbers as typed (an empty optional amount means "not
 * deducted"), tags as one line of text, notes in two boxes. The server's schema is the only
 * judge of what is valid; the form shows its answers next to the fields.
 */
export interface TermsDraft {
  acceptsReturns: boolean;
  windowDays: string;
  windowDaysByTag: Array<{ key: number; tag: string; days: string }>;
  unopened: boolean;
  tagsAttached: boolean;
  conditionsNote: { ja: string; en: string };
  returnShippingPaidBy: Record<CustomerChoiceReason, 'customer' | 'shop'>;
  nonReturnableTags: string;
  /** What customers read for each tag (「セール品」 for "sale"), by the tag as the server stores it. */
  tagLabels: Record<string, { ja: string; en: string }>;
  returnShipping: string;
  outboundShipping: boolean;
  codFee: boolean;
  transferFee: string;
  restockingPercent: string;
  exchangesAccepted: boolean;
  autoApprove: boolean;
  autoApproveMax: string;
  agentRefundLimit: string;
  keepItemThreshold: string;
  shipWithinDays: string;
  refusedChargeShipping: boolean;
  refusedReturnShippingFee: string;
  note: { ja: string; en: string };
}

let keys = 0;
/** A stable React key for a row of the tag windows (their order and values change as people type). */
export const rowKey = () => ++keys;

const text = (n: number | undefined) => (n === undefined ? '' : String(n));

export function toDraft(t: ReturnTerms): TermsDraft {
  return {
    acceptsReturns: t.acceptsReturns,
    windowDays: text(t.windowDays),
    windowDaysByTag: t.windowDaysByTag.map((w) => ({ key: rowKey(), tag: w.tag, days: text(w.days) })),
    unopened: t.conditions.unopened,
    tagsAttached: t.conditions.tagsAttached,
    conditionsNote: { ja: t.conditions.note?.ja ?? '', en: t.conditions.note?.en ?? '' },
    returnShippingPaidBy: { ...t.returnShippingPaidBy },
    nonReturnableTags: t.nonReturnableTags.join(' '),
    // Versions published before labels existed have none.
    tagLabels: Object.fromEntries((t.tagLabels ?? []).map((l) => [l.tag, { ja: l.ja, en: l.en }])),
    returnShipping: text(t.deductions.returnShipping),
    outboundShipping: t.deductions.outboundShipping,
    codFee: t.deductions.codFee,
    transferFee: text(t.deductions.transferFee),
    restockingPercent: text(t.deductions.restockingPercent),
    exchangesAccepted: t.exchangesAccepted,
    autoApprove: t.autoApprove.enabled,
    autoApproveMax: text(t.autoApprove.maxAmount),
    agentRefundLimit: text(t.agentRefundLimit),
    keepItemThreshold: text(t.keepItemThreshold),
    shipWithinDays: text(t.shipWithinDays),
    refusedChargeShipping: t.refusedDelivery.chargeShipping,
    refusedReturnShippingFee: text(t.refusedDelivery.returnShippingFee),
    note: { ja: t.note?.ja ?? '', en: t.note?.en ?? '' },
  };
}

/**
 * A number as typed. An empty or malformed field becomes NaN, which JSON sends as null, so the
 * server answers for it at the field's own path instead of the console guessing a value.
 */
const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s.trim().normalize('NFKC')));
const optionalNum = (s: string) => (s.trim() === '' ? undefined : num(s));
const localized = (l: { ja: string; en: string }) => (l.ja.trim() || l.en.trim() ? { ja: l.ja.trim(), en: l.en.trim() } : undefined);

/** Tags as people type them: spaces, commas or 読点 between. */
export const splitTags = (s: string) => s.split(/[\s,、，]+/).filter(Boolean);

/**
 * A tag as the server will store it (the products' tags are normalised the same way), so a
 * label typed for "Sale" stays with "sale". Only for keying the form's rows: the server decides.
 */
const asStored = (tag: string) => tag.trim().normalize('NFKC').toLowerCase();

/** Every tag the draft names (non-returnable, then windows), once each, in that order: one label row each. */
export function usedTags(d: Pick<TermsDraft, 'nonReturnableTags' | 'windowDaysByTag'>): string[] {
  const all = [...splitTags(d.nonReturnableTags), ...d.windowDaysByTag.map((w) => w.tag)].map(asStored).filter(Boolean);
  return [...new Set(all)];
}

/**
 * The body to preview or publish. It starts from the version the form was loaded with, so a
 * field the server has and this form does not yet know is sent back as it was instead of being
 * reset to its default; every field the form knows is set, an emptied optional one to
 * undefined (JSON leaves it out, so it is cleared).
 */
export function toBody(d: TermsDraft, base?: ReturnTerms): ReturnTermsInput {
  return {
    ...base,
    acceptsReturns: d.acceptsReturns,
    windowDays: num(d.windowDays),
    windowDaysByTag: d.windowDaysByTag.map((w) => ({ tag: w.tag.trim(), days: num(w.days) })),
    conditions: { ...base?.conditions, unopened: d.unopened, tagsAttached: d.tagsAttached, note: localized(d.conditionsNote) },
    returnShippingPaidBy: d.returnShippingPaidBy,
    nonReturnableTags: splitTags(d.nonReturnableTags),
    // One label per tag in use, in usedTags order, so the server's "tagLabels.<i>" is the form's row i.
    tagLabels: usedTags(d).map((tag) => ({ tag, ja: d.tagLabels[tag]?.ja.trim() ?? '', en: d.tagLabels[tag]?.en.trim() ?? '' })),
    deductions: {
      ...base?.deductions,
      outboundShipping: d.outboundShipping,
      codFee: d.codFee,
      returnShipping: optionalNum(d.returnShipping),
      transferFee: optionalNum(d.transferFee),
      restockingPercent: optionalNum(d.restockingPercent),
    },
    exchangesAccepted: d.exchangesAccepted,
    autoApprove: { enabled: d.autoApprove, maxAmount: d.autoApprove ? num(d.autoApproveMax) : (optionalNum(d.autoApproveMax) ?? 0) },
    agentRefundLimit: num(d.agentRefundLimit),
    keepItemThreshold: num(d.keepItemThreshold),
    shipWithinDays: num(d.shipWithinDays),
    refusedDelivery: {
      ...base?.refusedDelivery,
      chargeShipping: d.refusedChargeShipping,
      returnShippingFee: d.refusedChargeShipping ? optionalNum(d.refusedReturnShippingFee) : undefined,
    },
    note: localized(d.note),
  };
}

export { errorsAt, fieldErrors, readable, type FieldErrors } from '../../fieldErrors.ts';
