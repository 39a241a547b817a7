import { DomainError } from '../../core/errors.ts';
import { expiresUnshipped, isShopFault, rejectionCodes, returnStatuses, type LegalBasis, type RejectionCode, type ReturnActorRole, type ReturnEvent, type ReturnStatus } from './returns.model.ts';
import type { ReturnTerms } from './returns.terms.schema.ts';

/**
 * The return-request state machine, with no I/O (DESIGN.md, "Return requests"): which event
 * moves a return from which status to which, and who may send it. The service guards every
 * write by the expected current status; this module only says whether the move is legal.
 */

/** One event of the machine: the statuses it leaves from, the one it leads to, and who may send it. */
export interface Transition {
  event: ReturnEvent;
  from: readonly ReturnStatus[];
  to: ReturnStatus;
  roles: readonly ReturnActorRole[];
}

// Who appears in the table, named once so the rows below read as the design's role table.
const merchant = ['owner', 'staff'] as const satisfies readonly ReturnActorRole[];
const shopPeople = ['owner', 'staff', 'agent', 'contractor'] as const satisfies readonly ReturnActorRole[];
const shopPeopleAndSystem = ['system', ...shopPeople] as const satisfies readonly ReturnActorRole[];

/**
 * The whole machine, one row per event, in the order of `returnEvents`. An event has a single
 * target, so `nextStatus` never has to choose between rows.
 */
export const returnTransitions: readonly Transition[] = [
  // Only madoguchi's own rules approve without a person looking at the request.
  { event: 'auto_approve', from: ['requested'], to: 'approved', roles: ['system'] },
  { event: 'send_to_review', from: ['requested'], to: 'needs_review', roles: shopPeopleAndSystem },
  { event: 'approve', from: ['needs_review'], to: 'approved', roles: shopPeople },
  { event: 'reject', from: ['needs_review'], to: 'rejected', roles: shopPeople },
  { event: 'request_shipment', from: ['approved'], to: 'awaiting_shipment', roles: shopPeopleAndSystem },
  // Refunding without getting the item back is money given away: the merchant decides (DESIGN.md).
  { event: 'keep_item', from: ['approved'], to: 'refund_pending', roles: merchant },
  // The customer enters the tracking number from the portal; carriers' webhooks come in as system.
  { event: 'ship', from: ['awaiting_shipment'], to: 'in_transit', roles: ['customer', 'system', ...shopPeople] },
  // A parcel may arrive before anyone entered its tracking number; the shop must still be able to log it.
  { event: 'receive', from: ['in_transit', 'awaiting_shipment'], to: 'received', roles: shopPeople },
  // Only the timer decides that the shipping window has passed.
  { event: 'expire', from: ['awaiting_shipment'], to: 'expired', roles: ['system'] },
  { event: 'inspect', from: ['received'], to: 'inspected', roles: shopPeople },
  { event: 'start_refund', from: ['inspected'], to: 'refund_pending', roles: shopPeople },
  { event: 'start_exchange', from: ['inspected'], to: 'exchange_pending', roles: shopPeople },
  // The payment provider reports the outcome (system); a merchant may record a refund made by hand.
  { event: 'refund_succeeded', from: ['refund_pending'], to: 'refunded', roles: ['system', ...merchant] },
  { event: 'refund_failed', from: ['refund_pending'], to: 'refund_failed', roles: ['system', ...merchant] },
  // Retrying moves money again, so it stays with the merchant, not with agents or a timer.
  { event: 'retry_refund', from: ['refund_failed'], to: 'refund_pending', roles: merchant },
  { event: 'exchange_shipped', from: ['exchange_pending'], to: 'exchanged', roles: shopPeopleAndSystem },
  // From inspected only when there is nothing to pay back (a refused COD parcel was never paid).
  { event: 'close', from: ['refunded', 'exchanged', 'inspected'], to: 'closed', roles: shopPeopleAndSystem },
  // Cancelling is possible until the parcel is on its way; after that the shop must receive it.
  // Also while under review: a customer who changed their mind need not wait for the decision.
  { event: 'cancel', from: ['requested', 'needs_review', 'approved', 'awaiting_shipment'], to: 'canceled', roles: ['customer', ...shopPeople] },
];

/** Statuses nothing leaves: the return's story has ended. */
export const terminalStatuses: readonly ReturnStatus[] = ['rejected', 'expired', 'closed', 'canceled'];

/**
 * Statuses where the return's story has ended, for what is kept only while it runs (the refund
 * account): the terminal ones, and those only `close` leaves (refunded, exchanged), which is
 * bookkeeping that may never happen. Read off the table, so a status added later is counted.
 */
export const endedStatuses: readonly ReturnStatus[] = returnStatuses.filter((s) => returnTransitions.every((t) => !t.from.includes(s) || t.event === 'close'));

/** What the caller knows about the return beyond its status, for the rules that depend on it. */
export interface TransitionContext {
  /** The refund is above the shop's limit for agents; only a merchant may approve or start it. */
  overRefundLimit?: boolean;
  /** The refund comes to nothing (a refused COD parcel): an inspected case may be closed at once. */
  nothingToRefund?: boolean;
  /** Why the return is rejected; required by `reject`, and one of `rejectionCodes` when those are known. */
  reasonCode?: RejectionCode | null;
  /** The rejection reasons that fit this return's legal basis (see {@link rejectionCodesFor}); absent: any. */
  rejectionCodes?: readonly RejectionCode[];
  /** false: the return's basis does not lapse when the parcel is late (see `expiresUnshipped`). */
  mayExpire?: boolean;
  /** A `cancel` by the shop records the customer's own withdrawal: when it came, how, and a note. */
  withdrawalRecorded?: boolean;
  /** The move carries a note: with `reject`, the reason the customer is given in their own words. */
  noteGiven?: boolean;
}

/** What the filing established, for the rejection reasons that may still be given. */
export interface RejectionFacts {
  basis: LegalBasis;
  /** The filing found the notice inside the window (a fact, not an estimate): "outside the window" would be untrue. */
  windowConfirmed: boolean;
  /** The terms accepted returns of the customer's choice when the order was placed. */
  returnsAccepted: boolean;
}

/**
 * The rejection reasons that fit a return. A claim on the shop's fault (a defect, the wrong
 * item, late delivery) is never refused for a window, a tag, the shop's policy on returns or
 * its conditions, none of which apply to it (消費者契約法 §8): only for what was found, missing
 * evidence, suspected abuse or another stated reason. A statutory cancellation has no
 * conditions, tags or opt-out either (特定商取引法 §15-3), and neither kind is refused as
 * outside a window the filing found it inside.
 */
export function rejectionCodesFor(f: RejectionFacts): RejectionCode[] {
  if (isShopFault(f.basis)) return ['no_defect_found', 'missing_evidence', 'suspected_abuse', 'other'];
  const fits = new Set<RejectionCode>(['suspected_abuse', 'other']);
  if (!f.windowConfirmed) fits.add('outside_window');
  if (f.basis !== 'statutory') {
    // The shop's own terms (and its goodwill) may have conditions and non-returnable products a person finds unmet.
    for (const c of ['non_returnable_item', 'condition_not_met', 'missing_evidence'] as const) fits.add(c);
    if (!f.returnsAccepted) fits.add('returns_not_accepted');
  }
  return rejectionCodes.filter((c) => fits.has(c));
}

type StoredCheck = { rule?: string; ok?: boolean; blocking?: boolean };

/** The facts a stored return's policy check recorded at filing. */
export function rejectionFactsOf(r: { legalBasis: LegalBasis; policy: unknown }): RejectionFacts {
  const checks = ((r.policy as { checks?: StoredCheck[] } | null)?.checks ?? []).filter((c) => c && typeof c === 'object');
  return {
    basis: r.legalBasis,
    windowConfirmed: checks.some((c) => c.rule === 'window' && c.ok === true && c.blocking === true),
    returnsAccepted: checks.some((c) => c.rule === 'returns_accepted' && c.ok === true),
  };
}

/** What the machine needs to know of a stored return beyond its status. */
export const contextOf = (r: { refundTotal: number; refundLimit: number; kind: string; legalBasis: LegalBasis; policy: unknown }): Omit<TransitionContext, 'reasonCode'> => ({
  overRefundLimit: isOverRefundLimit(r),
  nothingToRefund: r.refundTotal === 0 && r.kind !== 'exchange',
  rejectionCodes: rejectionCodesFor(rejectionFactsOf(r)),
  mayExpire: expiresUnshipped(r.legalBasis),
});

// The refund limit (DESIGN.md, "Roles": above it the merchant approves), one rule for every path:
// a move, the exchange items, the list, the view and the console's notes.

/** The limit a return is held to, recorded at filing: the agents' limit of the terms version that judges it. */
export const refundLimitOf = (terms: Pick<ReturnTerms, 'agentRefundLimit'>): number => terms.agentRefundLimit;

/**
 * Above the limit, not at it: a refund of exactly the limit is the agents' to approve. What
 * counts is this return's own total, what the shop pays back for it (fees given back and the
 * terms' deductions included, as returns.money computes it), not what earlier returns of the
 * order refunded: each return is a decision of its own.
 */
export const isOverRefundLimit = (r: { refundTotal: number; refundLimit: number }): boolean => r.refundTotal > r.refundLimit;

const limitedRoles: readonly ReturnActorRole[] = ['agent', 'contractor'];
/** Agents and contractors are held to the shop's refund limit. */
export const heldToRefundLimit = (role: ReturnActorRole): boolean => limitedRoles.includes(role);

/** Events that commit the shop to paying a refund, and so are held to the agents' refund limit. */
const refundLimitedEvents: readonly ReturnEvent[] = ['approve', 'start_refund', 'start_exchange'];

const overLimitError = (details: Record<string, unknown>) =>
  new DomainError('forbidden', 'this refund is above the shop’s limit for agents; a merchant (owner or staff) approves it', { ...details, overRefundLimit: true });

/**
 * For a change of the refund outside a move (new exchange items): a role held to the limit may
 * not set a refund above it. @throws DomainError `forbidden`, details `{ overRefundLimit: true }`.
 */
export function assertWithinRefundLimit(role: ReturnActorRole, r: { refundTotal: number; refundLimit: number }): void {
  if (heldToRefundLimit(role) && isOverRefundLimit(r)) throw overLimitError({});
}

/** The English the invalid_transition message uses, so a console can show it as is. */
const eventPhrase: Record<ReturnEvent, string> = {
  auto_approve: 'be approved automatically',
  send_to_review: 'be sent to review',
  approve: 'be approved',
  reject: 'be rejected',
  request_shipment: 'have its shipment requested',
  keep_item: 'be refunded with the customer keeping the item',
  ship: 'be shipped',
  receive: 'be received',
  expire: 'expire',
  inspect: 'be inspected',
  start_refund: 'start a refund',
  start_exchange: 'start an exchange',
  refund_succeeded: 'be marked refunded',
  refund_failed: 'have its refund marked failed',
  retry_refund: 'have its refund retried',
  exchange_shipped: 'have its exchange marked shipped',
  close: 'be closed',
  cancel: 'be canceled',
};

const transitionFor = (from: ReturnStatus, event: ReturnEvent): Transition | undefined =>
  returnTransitions.find((t) => t.event === event && t.from.includes(from));

const eventsFrom = (from: ReturnStatus): ReturnEvent[] => returnTransitions.filter((t) => t.from.includes(from)).map((t) => t.event);

/** Closing an inspected case skips the refund, so only a case with nothing to refund may. */
const closesUnpaid = (from: ReturnStatus, event: ReturnEvent, ctx: Pick<TransitionContext, 'nothingToRefund'>) => event === 'close' && from === 'inspected' && ctx.nothingToRefund !== true;

/** A statutory cancellation or a claim on the shop's fault stands: no timer takes it away. */
const lapsesNot = (event: ReturnEvent, ctx: Pick<TransitionContext, 'mayExpire'>) => event === 'expire' && ctx.mayExpire === false;

/**
 * The shop's people cancelling a request whose basis stands (民法 §540②) without recording the
 * customer's own withdrawal: the shop would be taking the customer's right away.
 */
const shopTakesRightAway = (event: ReturnEvent, role: ReturnActorRole, ctx: Pick<TransitionContext, 'mayExpire' | 'withdrawalRecorded'>) =>
  event === 'cancel' && role !== 'customer' && ctx.mayExpire === false && ctx.withdrawalRecorded !== true;

/**
 * Rejecting a request whose basis stands (a statutory cancellation, a claim on the shop's fault)
 * without saying why: a code such as "other" tells the customer only 「担当者の判断により」, and
 * a right the law gives is not refused without a reason the customer can read and answer.
 */
const rejectsUnexplained = (event: ReturnEvent, ctx: Pick<TransitionContext, 'mayExpire' | 'noteGiven'>) => event === 'reject' && ctx.mayExpire === false && ctx.noteGiven !== true;

const overLimitFor = (event: ReturnEvent, role: ReturnActorRole, ctx: Pick<TransitionContext, 'overRefundLimit'>) =>
  ctx.overRefundLimit === true && refundLimitedEvents.includes(event) && heldToRefundLimit(role);

/** The status the event leads to from `from`, or null. */
export function nextStatus(from: ReturnStatus, event: ReturnEvent): ReturnStatus | null {
  return transitionFor(from, event)?.to ?? null;
}

/**
 * Checks that `role` may send `event` to a return in status `from`, and returns the status it
 * leads to. Checks in this order, so the error names the first thing wrong: the transition
 * exists → the role may send it → the context allows it.
 *
 * @throws DomainError `invalid_transition` — the event is not possible from this status;
 *   details `{ from, event, allowed }`, `allowed` being every event possible from `from`.
 * @throws DomainError `forbidden` — the role may not send this event; details `{ event, role, roles }`.
 * @throws DomainError `forbidden` — an agent or contractor approving or starting a refund above
 *   the shop's limit; details `{ event, role, roles: ['owner', 'staff'], overRefundLimit: true }`.
 * @throws DomainError `invalid_transition` — expiring a return whose basis does not lapse.
 * @throws DomainError `invalid_input` — a rejection without a reason code, or with one that does
 *   not fit the return's legal basis; details `{ path: ['reasonCode'], allowed? }`.
 * @throws DomainError `invalid_input` — a rejection of a basis that does not lapse without a
 *   note (the reason the customer is told); details `{ path: ['note'], say }`.
 */
export function assertTransition(from: ReturnStatus, event: ReturnEvent, role: ReturnActorRole, ctx: TransitionContext = {}): ReturnStatus {
  const t = transitionFor(from, event);
  if (!t) {
    throw new DomainError('invalid_transition', `a return in status ${from} cannot ${eventPhrase[event] ?? `take the event ${event}`}`, {
      from,
      event,
      allowed: eventsFrom(from),
    });
  }
  if (!t.roles.includes(role)) {
    throw new DomainError('forbidden', `the ${role} role may not take the action ${event} on a return`, { event, role, roles: t.roles });
  }
  if (closesUnpaid(from, event, ctx)) {
    throw new DomainError('invalid_transition', 'this return has a refund to pay; start the refund instead of closing it', { from, event, allowed: eventsFrom(from).filter((e) => e !== 'close') });
  }
  if (lapsesNot(event, ctx)) {
    throw new DomainError('invalid_transition', 'a statutory cancellation or a claim on the shop’s fault does not expire; the shop may hold the refund until the goods are back', {
      from,
      event,
      allowed: eventsFrom(from).filter((e) => e !== 'expire'),
    });
  }
  if (shopTakesRightAway(event, role, ctx)) {
    throw new DomainError(
      'invalid_transition',
      'this request stands once it reached the shop (a statutory cancellation or a claim on the shop’s fault, 民法 §540②): the shop cannot cancel it, only record the customer’s own withdrawal; give withdrawalReceivedAt, withdrawalChannel and a note',
      {
        from,
        event,
        required: ['withdrawalReceivedAt', 'withdrawalChannel', 'note'],
        say: {
          ja: 'このお申し出（法定の解除、不良品・誤配送・お届けの遅れによるもの）は、当店に届いた時点で成立しており、当店の判断で取り消すことはできません。お客様ご本人から取り消しのご連絡があった場合に限り、そのご連絡が届いた日時と方法、メモを入力して記録してください。',
          en: 'This request (a statutory cancellation, or a claim for a defect, a wrong item or late delivery) stands once it reached the shop, and the shop cannot cancel it. Only when the customer withdrew it themselves, record when and how their withdrawal reached the shop, with a note.',
        },
      },
    );
  }
  if (overLimitFor(event, role, ctx)) throw overLimitError({ event, role, roles: merchant });
  // The type already narrows the code; checking the list too keeps an unchecked value from a
  // caller (a Slack action, an old client) from being stored as a reason nobody can read.
  if (event === 'reject' && (!ctx.reasonCode || !rejectionCodes.includes(ctx.reasonCode))) {
    throw new DomainError('invalid_input', 'a rejection needs a reason code', { path: ['reasonCode'] });
  }
  if (event === 'reject' && ctx.rejectionCodes && !ctx.rejectionCodes.includes(ctx.reasonCode!)) {
    throw new DomainError('invalid_input', `the reason ${ctx.reasonCode} does not fit this return’s legal basis; give one of: ${ctx.rejectionCodes.join(', ')}`, {
      path: ['reasonCode'],
      allowed: ctx.rejectionCodes,
    });
  }
  if (rejectsUnexplained(event, ctx)) {
    throw new DomainError('invalid_input', 'rejecting a statutory cancellation or a claim on the shop’s fault needs a note: the reason the customer is given', {
      path: ['note'],
      say: {
        ja: '法定の解除や、不良品・誤配送・お届けの遅れによるお申し出をお断りするときは、お客様にお伝えする理由をメモ（note）に入力してください。メールでお客様にそのままお伝えします。',
        en: 'To reject a statutory cancellation, or a claim for a defect, a wrong item or late delivery, give the reason in the note: it is sent to the customer as written.',
      },
    });
  }
  return t.to;
}

/**
 * The events this role may send to a return in status `from`, in table order — what the console
 * shows as buttons. Leaves out the ones the context forbids. `reject` is listed even though it
 * needs a reason code: the console asks for the code when the button is clicked.
 */
export function allowedEvents(from: ReturnStatus, role: ReturnActorRole, ctx: Omit<TransitionContext, 'reasonCode'> = {}): ReturnEvent[] {
  return returnTransitions
    .filter((t) => t.from.includes(from) && t.roles.includes(role) && !overLimitFor(t.event, role, ctx) && !closesUnpaid(from, t.event, ctx) && !lapsesNot(t.event, ctx))
    .map((t) => t.event);
}
