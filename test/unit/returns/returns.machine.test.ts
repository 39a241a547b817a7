import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import {
  allowedEvents,
  assertTransition,
  nextStatus,
  returnTransitions,
  terminalStatuses,
  type TransitionContext,
} from '../../../server/domains/returns/returns.machine.ts';
import {
  rejectionCodes,
  returnActorRoles,
  returnEvents,
  returnStatuses,
  type ReturnActorRole,
  type ReturnEvent,
  type ReturnStatus,
} from '../../../server/domains/returns/returns.model.ts';
import { bankDoneStatuses } from '../../../server/domains/returns/returns.repository.ts';

type Row = [from: ReturnStatus, event: ReturnEvent, to: ReturnStatus, roles: ReturnActorRole[]];

/**
 * The machine as DESIGN.md and the returns brief state it, written out by hand so that any
 * change to the module's table shows up here. One row per (from, event); the roles are every
 * role that may send the event. Everything not listed must be refused.
 */
const allowed: Row[] = [
  ['requested', 'auto_approve', 'approved', ['system']],
  ['requested', 'send_to_review', 'needs_review', ['system', 'owner', 'staff', 'agent', 'contractor']],
  ['needs_review', 'approve', 'approved', ['owner', 'staff', 'agent', 'contractor']],
  ['needs_review', 'reject', 'rejected', ['owner', 'staff', 'agent', 'contractor']],
  ['approved', 'request_shipment', 'awaiting_shipment', ['system', 'owner', 'staff', 'agent', 'contractor']],
  ['approved', 'keep_item', 'refund_pending', ['owner', 'staff']],
  ['awaiting_shipment', 'ship', 'in_transit', ['customer', 'system', 'owner', 'staff', 'agent', 'contractor']],
  ['in_transit', 'receive', 'received', ['owner', 'staff', 'agent', 'contractor']],
  ['awaiting_shipment', 'receive', 'received', ['owner', 'staff', 'agent', 'contractor']],
  ['awaiting_shipment', 'expire', 'expired', ['system']],
  ['received', 'inspect', 'inspected', ['owner', 'staff', 'agent', 'contractor']],
  ['inspected', 'start_refund', 'refund_pending', ['owner', 'staff', 'agent', 'contractor']],
  ['inspected', 'start_exchange', 'exchange_pending', ['owner', 'staff', 'agent', 'contractor']],
  ['refund_pending', 'refund_succeeded', 'refunded', ['system', 'owner', 'staff']],
  ['refund_pending', 'refund_failed', 'refund_failed', ['system', 'owner', 'staff']],
  ['refund_failed', 'retry_refund', 'refund_pending', ['owner', 'staff']],
  ['exchange_pending', 'exchange_shipped', 'exchanged', ['system', 'owner', 'staff', 'agent', 'contractor']],
  ['refunded', 'close', 'closed', ['system', 'owner', 'staff', 'agent', 'contractor']],
  ['exchanged', 'close', 'closed', ['system', 'owner', 'staff', 'agent', 'contractor']],
  // Only with nothing to refund (a refused COD parcel); see the context tests.
  ['inspected', 'close', 'closed', ['system', 'owner', 'staff', 'agent', 'contractor']],
  ['requested', 'cancel', 'canceled', ['customer', 'owner', 'staff', 'agent', 'contractor']],
  ['needs_review', 'cancel', 'canceled', ['customer', 'owner', 'staff', 'agent', 'contractor']],
  ['approved', 'cancel', 'canceled', ['customer', 'owner', 'staff', 'agent', 'contractor']],
  ['awaiting_shipment', 'cancel', 'canceled', ['customer', 'owner', 'staff', 'agent', 'contractor']],
];

const expectedTerminal: ReturnStatus[] = ['rejected', 'expired', 'closed', 'canceled'];
const overLimitMessage = 'this refund is above the shop’s limit for agents; a merchant (owner or staff) approves it';

const rowFor = (from: ReturnStatus, event: ReturnEvent) => allowed.find(([f, e]) => f === from && e === event);
const eventsFrom = (from: ReturnStatus) => allowed.filter(([f]) => f === from).map(([, e]) => e);
const sorted = <T>(xs: readonly T[]) => [...xs].sort();

/** Every (status, event, role) the list allows, and its complement over the model's words. */
const allowedTriples = allowed.flatMap(([from, event, to, roles]) => roles.map((role) => ({ from, event, role, to })));
const key = (from: ReturnStatus, event: ReturnEvent, role: ReturnActorRole) => `${from} ${event} ${role}`;
const allowedKeys = new Set(allowedTriples.map(({ from, event, role }) => key(from, event, role)));
const allTriples = returnStatuses.flatMap((from) => returnEvents.flatMap((event) => returnActorRoles.map((role) => ({ from, event, role }))));
const forbiddenTriples = allTriples.filter(({ from, event, role }) => !allowedKeys.has(key(from, event, role)));

/** A context that satisfies every rule, so only the table decides. */
const passing: TransitionContext = { reasonCode: 'other', nothingToRefund: true };

function refusal(fn: () => unknown, what: string): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`${what} was allowed`);
}

describe('return request state machine', () => {
  describe('allowed transitions', () => {
    for (const { from, event, role, to } of allowedTriples) {
      it(`lets ${role} send ${event} from ${from}, leading to ${to}`, () => {
        expect(assertTransition(from, event, role, passing)).to.equal(to);
      });
    }
  });

  describe('forbidden transitions (everything the list does not allow)', () => {
    for (const { from, event, role } of forbiddenTriples) {
      const row = rowFor(from, event);
      if (!row) {
        it(`refuses ${event} from ${from} for ${role} with invalid_transition, naming the events possible from ${from}`, () => {
          const e = refusal(() => assertTransition(from, event, role, passing), `${key(from, event, role)}`);
          expect(e.code).to.equal('invalid_transition');
          const d = e.details as { from: ReturnStatus; event: ReturnEvent; allowed: ReturnEvent[] };
          expect(Object.keys(d).sort()).to.deep.equal(['allowed', 'event', 'from']);
          expect(d.from).to.equal(from);
          expect(d.event).to.equal(event);
          expect(sorted(d.allowed)).to.deep.equal(sorted(eventsFrom(from)));
        });
      } else {
        it(`refuses ${event} from ${from} for ${role} with forbidden, naming the roles that may`, () => {
          const e = refusal(() => assertTransition(from, event, role, passing), `${key(from, event, role)}`);
          expect(e.code).to.equal('forbidden');
          const d = e.details as { event: ReturnEvent; role: ReturnActorRole; roles: ReturnActorRole[] };
          expect(Object.keys(d).sort()).to.deep.equal(['event', 'role', 'roles']);
          expect(d.event).to.equal(event);
          expect(d.role).to.equal(role);
          expect(sorted(d.roles)).to.deep.equal(sorted(row[3]));
        });
      }
    }
  });

  describe('the table itself', () => {
    it('holds exactly the hand-written transitions, no more and no fewer', () => {
      const fromModule = returnTransitions.flatMap((t) => t.from.flatMap((from) => t.roles.map((role) => `${key(from, t.event, role)} > ${t.to}`)));
      const fromList = allowedTriples.map(({ from, event, role, to }) => `${key(from, event, role)} > ${to}`);
      expect(sorted(fromModule)).to.deep.equal(sorted(fromList));
      expect(new Set(fromModule).size, 'no triple listed twice').to.equal(fromModule.length);
    });

    it('has at most one target for each (status, event), so the next status is never ambiguous', () => {
      const pairs = returnTransitions.flatMap((t) => t.from.map((from) => `${from} ${t.event}`));
      expect(new Set(pairs).size).to.equal(pairs.length);
    });

    it('uses only the words of the model', () => {
      for (const t of returnTransitions) {
        expect(returnEvents).to.include(t.event);
        expect(returnStatuses).to.include(t.to);
        for (const f of t.from) expect(returnStatuses).to.include(f);
        for (const r of t.roles) expect(returnActorRoles).to.include(r);
      }
    });

    it('gives every event of the model a transition', () => {
      expect(sorted([...new Set(returnTransitions.map((t) => t.event))])).to.deep.equal(sorted(returnEvents));
    });

    it('covers every (status, event, role) exactly once between allowed and forbidden', () => {
      expect(allowedTriples.length + forbiddenTriples.length).to.equal(returnStatuses.length * returnEvents.length * returnActorRoles.length);
      expect(allowedTriples.length).to.equal(allowedKeys.size);
    });
  });

  describe('ended statuses (what the bank-details purge counts as done)', () => {
    it('are every terminal status and every status only `close` leaves: refunded and exchanged', () => {
      expect(sorted(bankDoneStatuses)).to.deep.equal(sorted([...expectedTerminal, 'refunded', 'exchanged']));
      for (const s of terminalStatuses) expect(bankDoneStatuses, s).to.include(s);
    });
  });

  describe('terminal statuses', () => {
    it('are rejected, expired, closed and canceled', () => {
      expect(sorted(terminalStatuses)).to.deep.equal(sorted(expectedTerminal));
    });

    for (const s of expectedTerminal) {
      it(`lets nothing leave ${s}, for any role`, () => {
        expect(returnTransitions.filter((t) => t.from.includes(s))).to.deep.equal([]);
        for (const role of returnActorRoles) expect(allowedEvents(s, role), role).to.deep.equal([]);
      });
    }

    it('are the only statuses nothing leaves', () => {
      const stuck = returnStatuses.filter((s) => !returnTransitions.some((t) => t.from.includes(s)));
      expect(sorted(stuck)).to.deep.equal(sorted(expectedTerminal));
    });

    it('leaves no status unreachable from requested, and every path can end in a terminal status', () => {
      const reached = new Set<ReturnStatus>(['requested']);
      for (let grew = true; grew; ) {
        grew = false;
        for (const t of returnTransitions) {
          if (t.from.some((f) => reached.has(f)) && !reached.has(t.to)) {
            reached.add(t.to);
            grew = true;
          }
        }
      }
      expect(sorted([...reached])).to.deep.equal(sorted(returnStatuses));

      const canEnd = new Set<ReturnStatus>(expectedTerminal);
      for (let grew = true; grew; ) {
        grew = false;
        for (const t of returnTransitions) {
          for (const f of t.from) {
            if (canEnd.has(t.to) && !canEnd.has(f)) {
              canEnd.add(f);
              grew = true;
            }
          }
        }
      }
      expect(sorted([...canEnd])).to.deep.equal(sorted(returnStatuses));
    });
  });

  describe('nextStatus', () => {
    it('gives the listed target for every (status, event), and null for everything else', () => {
      for (const from of returnStatuses) {
        for (const event of returnEvents) {
          expect(nextStatus(from, event), `${from} ${event}`).to.equal(rowFor(from, event)?.[2] ?? null);
        }
      }
    });

    it('receives a parcel that arrives before its tracking number', () => {
      expect(nextStatus('awaiting_shipment', 'receive')).to.equal('received');
      expect(nextStatus('in_transit', 'receive')).to.equal('received');
    });
  });

  describe('invalid_transition message', () => {
    it('names the status and the event in plain English', () => {
      const e = refusal(() => assertTransition('in_transit', 'approve', 'owner'), 'approving in transit');
      expect(e.code).to.equal('invalid_transition');
      expect(e.message).to.equal('a return in status in_transit cannot be approved');
    });

    it('reads as a sentence for every event', () => {
      for (const event of returnEvents) {
        const e = refusal(() => assertTransition('closed', event, 'owner', passing), `closed ${event}`);
        expect(e.message, event).to.match(/^a return in status closed cannot [a-z]/);
        expect(e.message, event).not.to.include('undefined');
      }
    });
  });

  describe('check order: transition exists → role → context', () => {
    it('reports a wrong status before a wrong role', () => {
      const e = refusal(() => assertTransition('closed', 'approve', 'customer'), 'customer approving a closed return');
      expect(e.code).to.equal('invalid_transition');
    });

    it('reports a wrong role before a refund above the limit', () => {
      const e = refusal(() => assertTransition('needs_review', 'approve', 'customer', { overRefundLimit: true }), 'customer approving');
      expect(e.code).to.equal('forbidden');
      expect(e.details).to.deep.equal({ event: 'approve', role: 'customer', roles: ['owner', 'staff', 'agent', 'contractor'] });
    });

    it('reports a wrong role before a missing reason code', () => {
      const e = refusal(() => assertTransition('needs_review', 'reject', 'customer'), 'customer rejecting');
      expect(e.code).to.equal('forbidden');
    });

    it('reports a wrong status before a missing reason code', () => {
      const e = refusal(() => assertTransition('approved', 'reject', 'owner'), 'rejecting an approved return');
      expect(e.code).to.equal('invalid_transition');
    });
  });

  describe('refund limit for agents', () => {
    // Starting an exchange commits the shop to the difference it pays out, so it is held too.
    for (const [from, event] of [['needs_review', 'approve'], ['inspected', 'start_refund'], ['inspected', 'start_exchange']] as const) {
      for (const role of ['agent', 'contractor'] as const) {
        it(`refuses ${event} above the limit to a ${role}, sending it to a merchant`, () => {
          const e = refusal(() => assertTransition(from, event, role, { overRefundLimit: true }), `${role} ${event} over the limit`);
          expect(e.code).to.equal('forbidden');
          expect(e.message).to.equal(overLimitMessage);
          const d = e.details as { event: ReturnEvent; role: ReturnActorRole; roles: ReturnActorRole[] };
          expect(d.event).to.equal(event);
          expect(d.role).to.equal(role);
          expect(sorted(d.roles)).to.deep.equal(['owner', 'staff']);
        });

        it(`lets a ${role} ${event} when the refund is within the limit`, () => {
          expect(assertTransition(from, event, role, { overRefundLimit: false })).to.equal(rowFor(from, event)![2]);
          expect(assertTransition(from, event, role, {})).to.equal(rowFor(from, event)![2]);
        });
      }

      for (const role of ['owner', 'staff'] as const) {
        it(`lets ${role} ${event} above the limit`, () => {
          expect(assertTransition(from, event, role, { overRefundLimit: true })).to.equal(rowFor(from, event)![2]);
        });
      }
    }

    it('holds no other allowed move to the limit', () => {
      for (const { from, event, role, to } of allowedTriples) {
        if ((event === 'approve' || event === 'start_refund' || event === 'start_exchange') && (role === 'agent' || role === 'contractor')) continue;
        expect(assertTransition(from, event, role, { ...passing, overRefundLimit: true }), key(from, event, role)).to.equal(to);
      }
    });
  });

  describe('rejection reason', () => {
    for (const [label, ctx] of [
      ['no context', undefined],
      ['an empty context', {}],
      ['a null reason code', { reasonCode: null }],
    ] as const) {
      it(`refuses a rejection with ${label} as invalid_input on reasonCode`, () => {
        const e = refusal(() => assertTransition('needs_review', 'reject', 'staff', ctx), `rejecting with ${label}`);
        expect(e.code).to.equal('invalid_input');
        expect(e.message).to.equal('a rejection needs a reason code');
        expect(e.details).to.deep.equal({ path: ['reasonCode'] });
      });
    }

    it('refuses a reason code that is not one of the model’s', () => {
      const ctx = { reasonCode: 'because' } as unknown as TransitionContext;
      const e = refusal(() => assertTransition('needs_review', 'reject', 'owner', ctx), 'rejecting with an unknown code');
      expect(e.code).to.equal('invalid_input');
      expect(e.details).to.deep.equal({ path: ['reasonCode'] });
    });

    it('accepts every rejection code of the model', () => {
      for (const reasonCode of rejectionCodes) expect(assertTransition('needs_review', 'reject', 'agent', { reasonCode }), reasonCode).to.equal('rejected');
    });

    it('asks no reason code of any other event', () => {
      for (const { from, event, role, to } of allowedTriples) {
        if (event === 'reject') continue;
        expect(assertTransition(from, event, role, { nothingToRefund: true }), key(from, event, role)).to.equal(to);
      }
    });
  });

  describe('closing an inspected case', () => {
    it('is possible only when there is nothing to refund (a refused COD parcel)', () => {
      expect(assertTransition('inspected', 'close', 'agent', { nothingToRefund: true })).to.equal('closed');
      for (const ctx of [{}, { nothingToRefund: false }]) {
        const e = refusal(() => assertTransition('inspected', 'close', 'owner', ctx), 'inspected close');
        expect(e.code).to.equal('invalid_transition');
        expect(e.message).to.equal('this return has a refund to pay; start the refund instead of closing it');
      }
      expect(allowedEvents('inspected', 'owner')).to.deep.equal(['start_refund', 'start_exchange']);
      expect(allowedEvents('inspected', 'owner', { nothingToRefund: true })).to.deep.equal(['start_refund', 'start_exchange', 'close']);
    });
  });

  describe('allowedEvents (the console’s buttons)', () => {
    it('lists, for every status and role, the listed events in the model’s order', () => {
      for (const from of returnStatuses) {
        for (const role of returnActorRoles) {
          const expected = returnEvents.filter((e) => allowedKeys.has(key(from, e, role)));
          expect(allowedEvents(from, role, { nothingToRefund: true }), `${from} ${role}`).to.deep.equal(expected);
        }
      }
    });

    it('lists reject, whose reason is asked for at click time', () => {
      expect(allowedEvents('needs_review', 'contractor')).to.deep.equal(['approve', 'reject', 'cancel']);
    });

    it('leaves out approve and start_refund for agents and contractors above the limit', () => {
      for (const role of ['agent', 'contractor'] as const) {
        expect(allowedEvents('needs_review', role, { overRefundLimit: true }), role).to.deep.equal(['reject', 'cancel']);
        expect(allowedEvents('inspected', role, { overRefundLimit: true }), role).to.deep.equal([]);
      }
    });

    it('leaves the merchant’s buttons alone above the limit', () => {
      for (const role of ['owner', 'staff'] as const) {
        expect(allowedEvents('needs_review', role, { overRefundLimit: true }), role).to.deep.equal(['approve', 'reject', 'cancel']);
        expect(allowedEvents('inspected', role, { overRefundLimit: true }), role).to.deep.equal(['start_refund', 'start_exchange']);
      }
    });

    it('agrees with assertTransition for every status, role and limit', () => {
      for (const overRefundLimit of [false, true]) {
        for (const from of returnStatuses) {
          for (const role of returnActorRoles) {
            const passes = returnEvents.filter((event) => {
              try {
                assertTransition(from, event, role, { ...passing, overRefundLimit });
                return true;
              } catch {
                return false;
              }
            });
            expect(allowedEvents(from, role, { overRefundLimit, nothingToRefund: true }), `${from} ${role} ${overRefundLimit}`).to.deep.equal(passes);
          }
        }
      }
    });
  });
});
