import { expect } from 'chai';
import { addBusinessMs, businessMsBetween, defaultCalendar, upcomingJpHolidays, type BusinessCalendar } from '../../../server/domains/sla/sla.clock.ts';

const H = 3_600_000;
/** A moment written in Japan time, as a person reads it. */
const jst = (s: string) => new Date(`${s}+09:00`);
const iso = (d: Date) => d.toISOString();

const newYearClosure = ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03'];

describe('SLA business-time clock', () => {
  describe('over a weekend', () => {
    it('counts Friday 17:00 to Monday 10:00 as two business hours', () => {
      expect(businessMsBetween(jst('2027-02-05T17:00'), jst('2027-02-08T10:00'), defaultCalendar)).to.equal(2 * H);
    });

    it('makes a two-hour target set on Friday 17:00 due on Monday 10:00', () => {
      expect(iso(addBusinessMs(jst('2027-02-05T17:00'), 2 * H, defaultCalendar))).to.equal(iso(jst('2027-02-08T10:00')));
    });

    it('counts nothing between Saturday and Sunday', () => {
      expect(businessMsBetween(jst('2027-02-06T10:00'), jst('2027-02-07T20:00'), defaultCalendar)).to.equal(0);
    });
  });

  describe('Japanese public holidays and closed dates', () => {
    it('skips 元日 2027-01-01 (a Friday) when holidays are observed', () => {
      expect(iso(addBusinessMs(jst('2026-12-31T17:00'), 2 * H, defaultCalendar))).to.equal(iso(jst('2027-01-04T10:00')));
    });

    it('works on 元日 when the shop does not observe holidays', () => {
      const cal: BusinessCalendar = { ...defaultCalendar, observeJpHolidays: false };
      expect(iso(addBusinessMs(jst('2026-12-31T17:00'), 2 * H, cal))).to.equal(iso(jst('2027-01-01T10:00')));
    });

    it('skips a configured 12/29–1/3 年末年始 closure, weekdays included', () => {
      const open = addBusinessMs(jst('2026-12-28T17:00'), 2 * H, defaultCalendar);
      expect(iso(open)).to.equal(iso(jst('2026-12-29T10:00')));
      const closed: BusinessCalendar = { ...defaultCalendar, closedDates: newYearClosure };
      expect(iso(addBusinessMs(jst('2026-12-28T17:00'), 2 * H, closed))).to.equal(iso(jst('2027-01-04T10:00')));
      expect(businessMsBetween(jst('2026-12-28T09:00'), jst('2027-01-05T09:00'), closed)).to.equal(18 * H);
    });

    it('skips Golden Week 2027: 昭和の日 on Thursday 4/29, then 5/3–5/5 after the weekend', () => {
      expect(iso(addBusinessMs(jst('2027-04-28T17:00'), 2 * H, defaultCalendar))).to.equal(iso(jst('2027-04-30T10:00')));
      expect(iso(addBusinessMs(jst('2027-04-30T17:00'), 2 * H, defaultCalendar))).to.equal(iso(jst('2027-05-06T10:00')));
      expect(businessMsBetween(jst('2027-04-28T09:00'), jst('2027-05-07T09:00'), defaultCalendar)).to.equal(27 * H);
    });

    it('skips 成人の日, the second Monday of January, from the library rather than a list of ours', () => {
      expect(iso(addBusinessMs(jst('2027-01-08T17:00'), 2 * H, defaultCalendar))).to.equal(iso(jst('2027-01-12T10:00')));
    });
  });

  describe('starting outside hours and overnight', () => {
    it('starts counting at opening when the clock starts before it', () => {
      expect(iso(addBusinessMs(jst('2027-02-08T07:00'), H, defaultCalendar))).to.equal(iso(jst('2027-02-08T10:00')));
    });

    it('carries a target over the night to the next morning', () => {
      expect(iso(addBusinessMs(jst('2027-02-08T20:00'), H, defaultCalendar))).to.equal(iso(jst('2027-02-09T10:00')));
      expect(iso(addBusinessMs(jst('2027-02-08T17:30'), H, defaultCalendar))).to.equal(iso(jst('2027-02-09T09:30')));
    });

    it('skips a lunch break between two periods of one day', () => {
      const cal: BusinessCalendar = { ...defaultCalendar, weekly: { ...defaultCalendar.weekly, '1': [['13:00', '18:00'], ['09:00', '12:00']] } };
      expect(iso(addBusinessMs(jst('2027-02-08T11:30'), H, cal))).to.equal(iso(jst('2027-02-08T13:30')));
      expect(businessMsBetween(jst('2027-02-08T00:00'), jst('2027-02-09T00:00'), cal)).to.equal(8 * H);
    });

    it('reaches a multi-day target in one pass: 40 business hours from Monday 09:00 end Friday 13:00', () => {
      expect(iso(addBusinessMs(jst('2027-02-01T09:00'), 40 * H, defaultCalendar))).to.equal(iso(jst('2027-02-05T13:00')));
    });

    it('reads "24:00" as the following midnight', () => {
      const cal: BusinessCalendar = { ...defaultCalendar, weekly: { ...defaultCalendar.weekly, '1': [['20:00', '24:00']] } };
      expect(businessMsBetween(jst('2027-02-08T00:00'), jst('2027-02-10T00:00'), cal)).to.equal(4 * H + 9 * H);
    });
  });

  describe('exact boundaries', () => {
    it('makes a target that ends at closing time due at closing time, not the next opening', () => {
      expect(iso(addBusinessMs(jst('2027-02-08T09:00'), 9 * H, defaultCalendar))).to.equal(iso(jst('2027-02-08T18:00')));
    });

    it('moves one millisecond past closing time to the next opening', () => {
      expect(addBusinessMs(jst('2027-02-08T18:00'), 1, defaultCalendar).getTime()).to.equal(jst('2027-02-09T09:00').getTime() + 1);
    });

    it('counts nothing from closing to the next opening, and nothing for a reversed span', () => {
      expect(businessMsBetween(jst('2027-02-08T18:00'), jst('2027-02-09T09:00'), defaultCalendar)).to.equal(0);
      expect(businessMsBetween(jst('2027-02-09T12:00'), jst('2027-02-09T10:00'), defaultCalendar)).to.equal(0);
    });

    it('answers the start itself for a zero target', () => {
      expect(iso(addBusinessMs(jst('2027-02-06T03:00'), 0, defaultCalendar))).to.equal(iso(jst('2027-02-06T03:00')));
    });

    it('agrees with itself: the time between a start and its due moment is the target', () => {
      const start = jst('2027-04-27T16:42:13.500');
      for (const ms of [1, 59_999, H, 9 * H, 9 * H + 1, 31 * H + 123, 200 * H]) {
        expect(businessMsBetween(start, addBusinessMs(start, ms, defaultCalendar), defaultCalendar), String(ms)).to.equal(ms);
      }
    });
  });

  describe('time zones', () => {
    it('reads the hours in the shop zone, across a daylight-saving change (New York, 2027-03-14)', () => {
      const weekdays: Array<[string, string]> = [['09:00', '17:00']];
      const cal: BusinessCalendar = {
        timeZone: 'America/New_York',
        weekly: { '0': [], '1': weekdays, '2': weekdays, '3': weekdays, '4': weekdays, '5': weekdays, '6': [] },
        observeJpHolidays: false,
        closedDates: [],
      };
      // Friday 16:00 EST is 21:00Z; Monday 10:00 EDT is 14:00Z.
      expect(iso(addBusinessMs(new Date('2027-03-12T21:00:00Z'), 2 * H, cal))).to.equal('2027-03-15T14:00:00.000Z');
    });

    it('refuses an unknown zone rather than guessing', () => {
      expect(() => businessMsBetween(jst('2027-02-08T09:00'), jst('2027-02-08T10:00'), { ...defaultCalendar, timeZone: 'Mars/Olympus' })).to.throw(RangeError);
    });
  });

  it('lists the next Japanese public holidays from the local date in the zone, today included', () => {
    // 2026-12-31 15:00 UTC is already 2027-01-01 in Tokyo (元日 is today there), still 12/31 in New York.
    const at = new Date('2026-12-31T15:00:00Z');
    expect(upcomingJpHolidays(at, 'Asia/Tokyo', 2)).to.deep.equal([
      { date: '2027-01-01', ja: '元日', en: "New Year's Day" },
      { date: '2027-01-11', ja: '成人の日', en: 'Coming of Age Day' },
    ]);
    expect(upcomingJpHolidays(new Date('2027-01-01T15:00:00Z'), 'Asia/Tokyo', 1)[0]!.date).to.equal('2027-01-11');
    expect(upcomingJpHolidays(new Date('2027-01-01T15:00:00Z'), 'America/New_York', 1)[0]!.date).to.equal('2027-01-01');
  });
});
