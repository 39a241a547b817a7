import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import { activeStatuses, assertStatusTransition, reopensOnCustomerMessage, statusTransitions } from '../../../server/domains/conversations/conversations.machine.ts';
import { conversationStatuses, type ConversationStatus } from '../../../server/domains/conversations/conversations.tables.ts';

/** The moves a person may make by hand, written out so a change to the table shows up here. */
const allowed: Array<[ConversationStatus, ConversationStatus]> = [
  ['open', 'pending'],
  ['open', 'waiting_merchant'],
  ['open', 'snoozed'],
  ['open', 'resolved'],
  ['open', 'closed'],
  ['pending', 'open'],
  ['pending', 'waiting_merchant'],
  ['pending', 'snoozed'],
  ['pending', 'resolved'],
  ['pending', 'closed'],
  ['waiting_merchant', 'open'],
  ['waiting_merchant', 'pending'],
  ['waiting_merchant', 'snoozed'],
  ['waiting_merchant', 'resolved'],
  ['waiting_merchant', 'closed'],
  ['snoozed', 'open'],
  ['snoozed', 'pending'],
  ['snoozed', 'waiting_merchant'],
  ['snoozed', 'resolved'],
  ['snoozed', 'closed'],
  ['resolved', 'open'],
  ['resolved', 'closed'],
];

const forbidden: Array<[ConversationStatus, ConversationStatus]> = [
  ['resolved', 'pending'],
  ['resolved', 'waiting_merchant'],
  ['resolved', 'snoozed'],
  ['closed', 'open'],
  ['closed', 'pending'],
  ['closed', 'waiting_merchant'],
  ['closed', 'snoozed'],
  ['closed', 'resolved'],
];

function refusal(from: ConversationStatus, to: ConversationStatus): DomainError {
  try {
    assertStatusTransition(from, to);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`${from} → ${to} was allowed`);
}

describe('conversation status machine', () => {
  for (const [from, to] of allowed) {
    it(`lets a person move a conversation from ${from} to ${to}`, () => {
      expect(() => assertStatusTransition(from, to)).not.to.throw();
    });
  }

  for (const [from, to] of forbidden) {
    it(`refuses ${from} → ${to} with invalid_transition, naming the allowed moves`, () => {
      const e = refusal(from, to);
      expect(e.code).to.equal('invalid_transition');
      expect(e.details).to.deep.equal({ from, to, allowed: statusTransitions[from] });
    });
  }

  it('covers every pair of statuses exactly once between the two tables', () => {
    const pairs = conversationStatuses.flatMap((from) => conversationStatuses.filter((to) => to !== from).map((to) => `${from}>${to}`));
    const listed = [...allowed, ...forbidden].map(([f, t]) => `${f}>${t}`);
    expect([...listed].sort()).to.deep.equal([...pairs].sort());
  });

  it('treats staying in the same status as no move at all, even for closed', () => {
    for (const s of conversationStatuses) expect(() => assertStatusTransition(s, s), s).not.to.throw();
  });

  it('keeps closed final: nothing leaves it by hand', () => {
    expect(statusTransitions.closed).to.deep.equal([]);
  });

  it('reopens on a customer message only what waits on the customer, sleeps or was resolved', () => {
    const reopening = conversationStatuses.filter(reopensOnCustomerMessage);
    expect(reopening.sort()).to.deep.equal(['pending', 'resolved', 'snoozed']);
  });

  it('counts open, pending and waiting_merchant against an agent’s capacity, not snoozed or finished ones', () => {
    expect([...activeStatuses].sort()).to.deep.equal(['open', 'pending', 'waiting_merchant']);
  });
});
