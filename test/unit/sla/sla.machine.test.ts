import { expect } from 'chai';
import type { ConversationStatus } from '../../../server/domains/conversations/conversations.tables.ts';
import { defaultCalendar, type BusinessCalendar } from '../../../server/domains/sla/sla.clock.ts';
import { applySla, breachedInCycle, clockState, type Clocks, type SlaContext, type SlaEvent, type SlaTargets } from '../../../server/domains/sla/sla.machine.ts';

const M = 60_000;
const allDay: Array<[string, string]> = [['00:00', '24:00']];
/** Open around the clock, so the arithmetic in these tests is plain wall time. */
const always: BusinessCalendar = {
  timeZone: 'Asia/Tokyo',
  weekly: { '0': allDay, '1': allDay, '2': allDay, '3': allDay, '4': allDay, '5': allDay, '6': allDay },
  observeJpHolidays: false,
  closedDates: [],
};
const targets: SlaTargets = { first_response: 60, next_response: 30, resolution: 600, atRiskPercent: 80 };
const t0 = new Date('2027-02-08T10:00:00+09:00');
const after = (minutes: number) => new Date(t0.getTime() + minutes * M);

/** Applies events in order, merging the changes as the service stores them. */
function run(steps: Array<[number, SlaEvent, ConversationStatus]>, ctx: Partial<SlaContext> = {}): Clocks {
  let clocks: Clocks = {};
  for (const [minute, event, status] of steps) {
    clocks = { ...clocks, ...applySla(clocks, event, { at: after(minute), status, targets, calendar: always, ...ctx }) };
  }
  return clocks;
}

describe('SLA clock rules', () => {
  describe('first response', () => {
    it('starts with resolution when a customer opens a conversation, with due and at-risk moments', () => {
      const c = run([[0, 'created', 'open']]);
      expect(Object.keys(c).sort()).to.deep.equal(['first_response', 'resolution']);
      expect(c.first_response!.runningSince).to.deep.equal(t0);
      expect(c.first_response!.dueAt).to.deep.equal(after(60));
      expect(c.first_response!.atRiskAt).to.deep.equal(after(48));
      expect(c.resolution!.dueAt).to.deep.equal(after(600));
    });

    it("starts on the customer's first message when an agent opened the conversation", () => {
      const c = run([[0, 'customer_message', 'open']]);
      expect(c.first_response!.startedAt).to.deep.equal(t0);
      expect(c.resolution!.startedAt).to.deep.equal(t0);
      expect(c.next_response).to.equal(undefined);
    });

    it('keeps running while the customer writes again before any answer', () => {
      const c = run([[0, 'created', 'open'], [10, 'customer_message', 'open']]);
      expect(c.first_response!.startedAt).to.deep.equal(t0);
      expect(c.next_response).to.equal(undefined);
    });

    it("is met by the first agent reply, banking the time it took; resolution keeps running", () => {
      const c = run([[0, 'created', 'open'], [25, 'agent_reply', 'open']]);
      expect(c.first_response!.metAt).to.deep.equal(after(25));
      expect(c.first_response!.elapsedMs).to.equal(25 * M);
      expect(c.first_response!.runningSince).to.equal(null);
      expect(c.first_response!.dueAt).to.equal(null);
      expect(c.first_response!.breachedAt).to.equal(null);
      expect(c.resolution!.metAt).to.equal(null);
      expect(c.resolution!.runningSince).to.deep.equal(t0);
    });

    it('records a late reply as breached at the due moment, even when no timer marked it', () => {
      const c = run([[0, 'created', 'open'], [90, 'agent_reply', 'open']]);
      expect(c.first_response!.metAt).to.deep.equal(after(90));
      expect(c.first_response!.breachedAt).to.deep.equal(after(60));
    });

    it('counts business hours only: a two-hour target set Friday 17:00 is due Monday 10:00', () => {
      const friday = new Date('2027-02-05T17:00:00+09:00');
      const c = applySla({}, 'created', { at: friday, status: 'open', targets: { ...targets, first_response: 120 }, calendar: defaultCalendar });
      expect(c.first_response!.dueAt!.toISOString()).to.equal(new Date('2027-02-08T10:00:00+09:00').toISOString());
    });
  });

  describe('next response', () => {
    it('starts on a customer message after an agent reply and is met by the next reply', () => {
      let c = run([[0, 'created', 'open'], [5, 'agent_reply', 'open'], [20, 'customer_message', 'open']]);
      expect(c.next_response!.startedAt).to.deep.equal(after(20));
      expect(c.next_response!.dueAt).to.deep.equal(after(50));
      c = { ...c, ...applySla(c, 'agent_reply', { at: after(35), status: 'open', targets, calendar: always }) };
      expect(c.next_response!.metAt).to.deep.equal(after(35));
      expect(c.next_response!.elapsedMs).to.equal(15 * M);
    });

    it('runs from the first unanswered customer message, not the latest', () => {
      const c = run([[0, 'created', 'open'], [5, 'agent_reply', 'open'], [20, 'customer_message', 'open'], [28, 'customer_message', 'open']]);
      expect(c.next_response!.startedAt).to.deep.equal(after(20));
    });

    it('starts a fresh cycle on each customer message after the next reply', () => {
      const c = run([
        [0, 'created', 'open'],
        [5, 'agent_reply', 'open'],
        [20, 'customer_message', 'open'],
        [30, 'agent_reply', 'open'],
        [100, 'customer_message', 'open'],
      ]);
      expect(c.next_response!.startedAt).to.deep.equal(after(100));
      expect(c.next_response!.metAt).to.equal(null);
      expect(c.next_response!.elapsedMs).to.equal(0);
    });

    it('remembers a breach from an earlier cycle without counting the new cycle as breached', () => {
      const c = run([
        [0, 'created', 'open'],
        [5, 'agent_reply', 'open'],
        [20, 'customer_message', 'open'],
        [80, 'agent_reply', 'open'],
        [100, 'customer_message', 'open'],
      ]);
      expect(c.next_response!.breachedAt).to.deep.equal(after(50));
      expect(breachedInCycle(c.next_response!)).to.equal(false);
      expect(clockState(c.next_response!, after(101))).to.equal('ok');
    });

    it('does not start without a next-response target', () => {
      const c = run([[0, 'created', 'open'], [5, 'agent_reply', 'open'], [20, 'customer_message', 'open']], { targets: { ...targets, next_response: null } });
      expect(c.next_response).to.equal(undefined);
    });
  });

  describe('pausing', () => {
    for (const status of ['pending', 'waiting_merchant', 'snoozed'] as const) {
      it(`pauses every running clock in ${status}, banking the elapsed time`, () => {
        const c = run([[0, 'created', 'open'], [20, 'status_changed', status]]);
        for (const clock of [c.first_response!, c.resolution!]) {
          expect(clock.elapsedMs).to.equal(20 * M);
          expect(clock.runningSince).to.equal(null);
          expect(clock.dueAt).to.equal(null);
          expect(clock.atRiskAt).to.equal(null);
        }
      });
    }

    it('resumes when the status returns to open, moving the due moment by the paused time', () => {
      const c = run([[0, 'created', 'open'], [20, 'status_changed', 'pending'], [200, 'status_changed', 'open']]);
      expect(c.first_response!.runningSince).to.deep.equal(after(200));
      expect(c.first_response!.dueAt).to.deep.equal(after(240));
      expect(c.first_response!.atRiskAt).to.deep.equal(after(228));
      expect(c.resolution!.dueAt).to.deep.equal(after(780));
    });

    it('follows the status carried by any event, e.g. a customer message that reopens a pending conversation', () => {
      const c = run([[0, 'created', 'open'], [20, 'status_changed', 'pending'], [50, 'customer_message', 'open']]);
      expect(c.first_response!.runningSince).to.deep.equal(after(50));
    });

    it('starts clocks paused when the conversation is created in a waiting status', () => {
      const c = run([[0, 'created', 'snoozed']]);
      expect(c.first_response!.runningSince).to.equal(null);
      expect(c.first_response!.dueAt).to.equal(null);
    });

    it('changes nothing when the status stays open', () => {
      const clocks = run([[0, 'created', 'open']]);
      expect(applySla(clocks, 'status_changed', { at: after(5), status: 'open', targets, calendar: always })).to.deep.equal({});
    });
  });

  describe('resolution', () => {
    for (const status of ['resolved', 'closed'] as const) {
      it(`is met when the conversation becomes ${status}; an unanswered response clock pauses`, () => {
        const c = run([[0, 'created', 'open'], [40, 'status_changed', status]]);
        expect(c.resolution!.metAt).to.deep.equal(after(40));
        expect(c.resolution!.elapsedMs).to.equal(40 * M);
        expect(c.first_response!.metAt).to.equal(null);
        expect(c.first_response!.runningSince).to.equal(null);
      });
    }

    it('changes nothing when a resolved conversation is closed', () => {
      const clocks = run([[0, 'created', 'open'], [5, 'agent_reply', 'open'], [40, 'status_changed', 'resolved']]);
      expect(applySla(clocks, 'status_changed', { at: after(50), status: 'closed', targets, calendar: always })).to.deep.equal({});
    });

    it('restarts from zero when the conversation is reopened', () => {
      const c = run([[0, 'created', 'open'], [5, 'agent_reply', 'open'], [40, 'status_changed', 'resolved'], [1000, 'status_changed', 'open']]);
      expect(c.resolution!.startedAt).to.deep.equal(after(1000));
      expect(c.resolution!.elapsedMs).to.equal(0);
      expect(c.resolution!.metAt).to.equal(null);
      expect(c.resolution!.dueAt).to.deep.equal(after(1600));
      expect(c.first_response!.metAt).to.deep.equal(after(5));
    });
  });

  it('starts nothing for a shop without a policy, and ignores replies with no clocks', () => {
    expect(applySla({}, 'created', { at: t0, status: 'open', targets: null, calendar: always })).to.deep.equal({});
    expect(applySla({}, 'agent_reply', { at: t0, status: 'open', targets, calendar: always })).to.deep.equal({});
  });

  it('starts only the clocks the policy has targets for', () => {
    const c = run([[0, 'created', 'open']], { targets: { first_response: null, next_response: null, resolution: 120, atRiskPercent: 50 } });
    expect(Object.keys(c)).to.deep.equal(['resolution']);
    expect(c.resolution!.atRiskAt).to.deep.equal(after(60));
  });

  describe('state shown in the inbox', () => {
    const clock = run([[0, 'created', 'open']]).first_response!;
    it('is ok before the at-risk moment, at risk from it, breached from the due moment', () => {
      expect(clockState(clock, after(47))).to.equal('ok');
      expect(clockState(clock, after(48))).to.equal('at_risk');
      expect(clockState(clock, after(60))).to.equal('breached');
    });
    it('is at risk once the alert fired, and met once answered', () => {
      expect(clockState({ ...clock, atRiskFiredAt: after(1) }, after(2))).to.equal('at_risk');
      expect(clockState({ ...clock, metAt: after(100) }, after(200))).to.equal('met');
    });
  });
});
