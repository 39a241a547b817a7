import { expect } from 'chai';
import { SHIP_EXPIRY_TOPIC, SHIP_REMINDER_TOPIC, timersFor } from '../../../server/domains/returns/returns.timers.ts';
import { daysPeriodEnd, reminderBeforeDays } from '../../../server/domains/returns/returns.model.ts';

const DAY = 86_400_000;

/** The date to send a return back by, counted as 民法 §140/§141 count a period of days. */
describe('the date to send a return back by', () => {
  it('ends at 24:00 JST of the Nth day after the approval day, the approval day not counted', () => {
    expect(daysPeriodEnd(new Date('2026-12-01T15:00:00+09:00'), 7).toISOString()).to.equal(new Date('2026-12-08T23:59:59.999+09:00').toISOString());
    // Approved a minute before midnight, or a minute after: the day of the approval decides.
    expect(daysPeriodEnd(new Date('2026-12-01T23:59:00+09:00'), 7).toISOString()).to.equal(new Date('2026-12-08T23:59:59.999+09:00').toISOString());
    expect(daysPeriodEnd(new Date('2026-12-02T00:01:00+09:00'), 7).toISOString()).to.equal(new Date('2026-12-09T23:59:59.999+09:00').toISOString());
    // In UTC that is still the 1st of December (15:00 UTC = 00:00 JST): the Tokyo day counts.
    expect(daysPeriodEnd(new Date('2026-12-01T16:30:00Z'), 7).toISOString()).to.equal(new Date('2026-12-09T23:59:59.999+09:00').toISOString());
  });

  it('counts the first day when the period starts at 0:00 (民法 §140 ただし書)', () => {
    expect(daysPeriodEnd(new Date('2026-12-02T00:00:00+09:00'), 7).toISOString()).to.equal(new Date('2026-12-08T23:59:59.999+09:00').toISOString());
  });
});

/** The reminder of a return waiting for its parcel: armed for every window, always inside it. */
describe('the reminder to send a return back', () => {
  const now = new Date('2026-03-01T10:00:00+09:00');
  const timers = (shipBy: Date, legalBasis: 'terms' | 'statutory' = 'terms') =>
    timersFor({ id: '00000000-0000-4000-8000-000000000001', shopId: '00000000-0000-4000-8000-000000000002', status: 'awaiting_shipment', shipBy, legalBasis }, now);
  const reminderOf = (shipBy: Date, legalBasis: 'terms' | 'statutory' = 'terms') => timers(shipBy, legalBasis).find((t) => t.topic === SHIP_REMINDER_TOPIC);

  it('is armed for every window of 1 to 90 days, after now and before the date ends, never at or after it', () => {
    for (let days = 1; days <= 90; days++) {
      for (const basis of ['terms', 'statutory'] as const) {
        const shipBy = daysPeriodEnd(now, days);
        const t = reminderOf(shipBy, basis);
        expect(t, `${days} days, ${basis}`).to.not.equal(undefined);
        expect(t!.runAt!.getTime(), `${days} days`).to.be.greaterThan(now.getTime()).and.lessThan(shipBy.getTime());
      }
    }
  });

  it('comes at 9:00 JST 3 days before the last day of a window longer than that, the day before for 2 or 3 days, half way in a single day', () => {
    expect(reminderOf(daysPeriodEnd(now, 10))!.runAt!.toISOString()).to.equal(new Date('2026-03-08T09:00:00+09:00').toISOString());
    expect(reminderOf(daysPeriodEnd(now, 4))!.runAt!.toISOString()).to.equal(new Date('2026-03-02T09:00:00+09:00').toISOString());
    expect(reminderOf(daysPeriodEnd(now, 3))!.runAt!.toISOString()).to.equal(new Date('2026-03-03T09:00:00+09:00').toISOString());
    expect(reminderOf(daysPeriodEnd(now, 2))!.runAt!.toISOString()).to.equal(new Date('2026-03-02T09:00:00+09:00').toISOString());
    const oneDay = daysPeriodEnd(now, 1);
    expect(reminderOf(oneDay)!.runAt!.getTime()).to.equal(now.getTime() + Math.floor((oneDay.getTime() - now.getTime()) / 2));
  });

  it('counts a window that starts at 0:00 as the period counts it: 4 days from 0:00 remind 3 days before, as the page says', () => {
    const midnight = new Date('2026-03-01T00:00:00+09:00');
    const shipBy = daysPeriodEnd(midnight, 4);
    expect(shipBy.toISOString()).to.equal(new Date('2026-03-04T23:59:59.999+09:00').toISOString());
    const t = timersFor({ id: '00000000-0000-4000-8000-000000000001', shopId: '00000000-0000-4000-8000-000000000002', status: 'awaiting_shipment', shipBy, legalBasis: 'terms' }, midnight).find((x) => x.topic === SHIP_REMINDER_TOPIC);
    expect(t!.runAt!.toISOString()).to.equal(new Date('2026-03-01T09:00:00+09:00').toISOString());
  });

  it('expires the instant the last day is over, never during it', () => {
    const shipBy = daysPeriodEnd(now, 10);
    const expiry = timers(shipBy).find((t) => t.topic === SHIP_EXPIRY_TOPIC);
    expect(expiry!.runAt!.toISOString()).to.equal(new Date('2026-03-12T00:00:00+09:00').toISOString());
    expect(timers(shipBy, 'statutory').find((t) => t.topic === SHIP_EXPIRY_TOPIC)).to.equal(undefined);
  });

  it('arms nothing once the date has passed', () => {
    expect(reminderOf(now)).to.equal(undefined);
    expect(reminderOf(new Date(now.getTime() - DAY))).to.equal(undefined);
  });

  it('is stated on the page as the machine arms it', () => {
    expect([3, 4, 10, 28].map(reminderBeforeDays)).to.deep.equal([1, 3, 3, 3]);
  });
});
