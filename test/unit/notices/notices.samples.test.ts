import { expect } from 'chai';
import { samplesOn } from '../../../server/domains/notices/notices.templates.service.ts';
import { noticeSampleAsOf, noticeSamples } from '../../../server/domains/notices/notices.types.ts';

/**
 * A new draft starts with the type's example values as of its own day (samplesOn): every date
 * and time moves by whole days in Tokyo, so a reply-by date or a next update is never already
 * past when the draft is made.
 */
describe('notice samples as of the day a draft is made', () => {
  it('are the written samples on their own day, and earlier', () => {
    for (const at of [noticeSampleAsOf, new Date('2026-12-03T23:59:59+09:00'), new Date('2026-01-01T00:00:00+09:00')]) {
      const { asOf, samples } = samplesOn(at);
      expect(asOf.toISOString()).to.equal(noticeSampleAsOf.toISOString());
      expect(samples).to.deep.equal(noticeSamples);
    }
  });

  it('move every date and time by the days since, counted in Tokyo, and nothing else', () => {
    // 00:30 on 8 December in Tokyo is still the 7th in UTC: five days after the samples' 3rd.
    const { asOf, samples } = samplesOn(new Date('2026-12-07T15:30:00Z'));
    expect(asOf.toISOString()).to.equal(new Date('2026-12-08T21:00:00+09:00').toISOString());
    expect(samples.shop_delay).to.deep.equal({ ...noticeSamples.shop_delay, original_ship_date: '2026-12-09', new_ship_date: '2026-12-16', reply_by: '2026-12-12' });
    expect(samples.weather).to.deep.equal({ ...noticeSamples.weather, as_of: '2026-12-08T21:00:00+09:00', next_update_at: '2026-12-09T12:00:00+09:00' });
    expect(samples.seasonal).to.deep.equal({ ...noticeSamples.seasonal, period_from: '2026-12-06', period_to: '2026-12-30', gift_order_cutoff: '2026-12-23' });
    // Across a month and a year.
    expect(samplesOn(new Date('2027-01-30T12:00:00+09:00')).samples.returned_to_sender.storage_deadline).to.equal('2027-02-13');
  });
});
