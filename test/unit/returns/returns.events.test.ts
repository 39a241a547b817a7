import { expect } from 'chai';
import { SHIP_REMINDER_TOPIC, timersFor } from '../../../server/domains/returns/returns.events.ts';
import { reminderBeforeDays } from '../../../server/domains/returns/returns.model.ts';

const DAY = 86_400_000;

/** The reminder of a return waiting for its parcel: armed for every window, always inside it. */
describe('the reminder to send a return back', () => {
  const now = new Date('2026-03-01T10:00:00+09:00');
  const reminderOf = (windowMs: number, legalBasis: 'terms' | 'statutory' = 'terms') =>
    timersFor({ id: '00000000-0000-4000-8000-000000000001', shopId: '00000000-0000-4000-8000-000000000002', status: 'awaiting_shipment', shipBy: new Date(now.getTime() + windowMs), legalBasis }, now).find((t) => t.topic === SHIP_REMINDER_TOPIC);

  it('is armed for every window of 1 to 90 days, after now and before the date, never at or after it', () => {
    for (let days = 1; days <= 90; days++) {
      for (const basis of ['terms', 'statutory'] as const) {
        const t = reminderOf(days * DAY, basis);
        expect(t, `${days} days, ${basis}`).to.not.equal(undefined);
        expect(t!.runAt!.getTime(), `${days} days`).to.be.greaterThan(now.getTime()).and.lessThan(now.getTime() + days * DAY);
      }
    }
  });

  it('comes 3 days before a window longer than that, one day before a window of 2 or 3 days, half way in a shorter one', () => {
    expect(reminderOf(10 * DAY)!.runAt!.getTime()).to.equal(now.getTime() + 7 * DAY);
    expect(reminderOf(4 * DAY)!.runAt!.getTime()).to.equal(now.getTime() + DAY);
    expect(reminderOf(3 * DAY)!.runAt!.getTime()).to.equal(now.getTime() + 2 * DAY);
    expect(reminderOf(2 * DAY)!.runAt!.getTime()).to.equal(now.getTime() + DAY);
    expect(reminderOf(DAY)!.runAt!.getTime()).to.equal(now.getTime() + DAY / 2);
    // A window armed a moment after the date was set is still the window it was.
    expect(reminderOf(3 * DAY - 50)!.runAt!.getTime()).to.equal(now.getTime() + 2 * DAY - 50);
  });

  it('arms nothing once the date has passed', () => {
    expect(reminderOf(0)).to.equal(undefined);
    expect(reminderOf(-DAY)).to.equal(undefined);
  });

  it('is stated on the page as the machine arms it', () => {
    expect([3, 4, 10, 28].map(reminderBeforeDays)).to.deep.equal([1, 3, 3, 3]);
  });
});
