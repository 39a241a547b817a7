import { expect } from 'chai';
import { contrast, DEFAULT_WIDGET_COLOR, shopColors, textOn } from '../../../server/domains/shops/shops.color.ts';
import { hoursStatus, originOf } from '../../../server/domains/shops/shops.widget.ts';
import type { BusinessCalendar } from '../../../server/domains/sla/sla.clock.ts';

describe('the widget look and hours, pure', () => {
  it('puts white text on a dark colour and dark text on a light one, each legible (WCAG AA for bold text at least)', () => {
    for (const [c, text] of [['#0b6e4f', '#ffffff'], ['#000080', '#ffffff'], ['#ffd700', '#1f2933'], ['#ffffff', '#1f2933'], ['#7fdbff', '#1f2933']] as const) {
      expect(textOn(c), c).to.equal(text);
      expect(contrast(c, textOn(c)), c).to.be.at.least(3);
    }
    expect(shopColors(null)).to.deep.equal({ color: DEFAULT_WIDGET_COLOR, textColor: '#ffffff' });
  });

  it('takes an Origin header only when it is one (no path, no credentials, http or https)', () => {
    expect(originOf('https://shop.example.jp')).to.equal('https://shop.example.jp');
    expect(originOf('http://127.0.0.1:8080')).to.equal('http://127.0.0.1:8080');
    for (const bad of ['null', 'https://shop.example.jp/', 'https://a@shop.example.jp', 'file:///x', 'javascript:alert(1)', `https://${'a'.repeat(200)}.jp`, undefined]) expect(originOf(bad), String(bad)).to.equal(null);
  });

  it('is open inside the hours, and otherwise tells the next opening in the shop’s zone (closed days and holidays skipped)', () => {
    const weekday: Array<[string, string]> = [['09:00', '18:00']];
    const cal: BusinessCalendar = { timeZone: 'Asia/Tokyo', weekly: { '0': [], '1': weekday, '2': weekday, '3': weekday, '4': weekday, '5': weekday, '6': [] }, observeJpHolidays: true, closedDates: ['2026-12-07'] };
    expect(hoursStatus(cal, new Date('2026-12-04T10:00:00+09:00'))).to.deep.equal({ open: true, nextOpenAt: null });
    // Friday evening → Monday 7th is closed → Tuesday 09:00.
    expect(hoursStatus(cal, new Date('2026-12-04T19:00:00+09:00'))).to.deep.equal({ open: false, nextOpenAt: new Date('2026-12-08T09:00:00+09:00').toISOString() });
  });
});
