import { expect } from 'chai';
import { allowedFrom, assertAction, type CampaignAction } from '../../../server/domains/notices/notices.campaigns.machine.ts';
import { campaignTarget } from '../../../server/domains/notices/notices.campaigns.schema.ts';
import { campaignStatuses } from '../../../server/domains/notices/notices.campaigns.model.ts';
import { seasonSpan } from '../../../server/domains/notices/notices.campaigns.seasons.ts';
import { isEmptyTarget } from '../../../server/domains/notices/notices.target.ts';
import { normalisePrefecture } from '../../../server/domains/notices/notices.target.prefectures.ts';
import { prefectures } from '../../../server/domains/orders/orders.model.ts';

describe('notice campaigns: pure rules', () => {
  it('reads prefectures as people type them, into the form orders store', () => {
    for (const p of prefectures) expect(normalisePrefecture(p)).to.equal(p);
    expect(normalisePrefecture('東京')).to.equal('東京都');
    expect(normalisePrefecture('Tokyo')).to.equal('東京都');
    expect(normalisePrefecture(' tokyo-to ')).to.equal('東京都');
    expect(normalisePrefecture('OSAKA')).to.equal('大阪府');
    expect(normalisePrefecture('Hokkaidō')).to.equal('北海道');
    expect(normalisePrefecture('ｔｏｋｙｏ')).to.equal('東京都');
    expect(normalisePrefecture('神奈川')).to.equal('神奈川県');
    expect(normalisePrefecture('北海')).to.equal(undefined);
    expect(normalisePrefecture('Atlantis')).to.equal(undefined);
  });

  it('allows each action only from its statuses, and only at the version last read', () => {
    for (const action of Object.keys(allowedFrom) as CampaignAction[]) {
      for (const status of campaignStatuses) {
        const allowed = allowedFrom[action].includes(status);
        const run = () => assertAction(status, 3, action, 3);
        if (allowed) expect(run).not.to.throw();
        else expect(run, `${action} from ${status}`).to.throw().with.property('code', 'conflict');
      }
    }
    expect(() => assertAction('draft', 4, 'edit', 3)).to.throw().with.property('code', 'conflict');
    for (const s of ['sending', 'paused', 'sent', 'cancelled'] as const) expect(allowedFrom.edit).not.to.include(s);
  });

  it('knows a target that narrows nothing', () => {
    expect(isEmptyTarget({})).to.equal(true);
    // A list of blank lines is no condition (refused for sending), never "every order".
    expect(isEmptyTarget({ shipment: 'any', carriers: [], orderNumbers: ['', '  '] })).to.equal(true);
    expect(isEmptyTarget({ orderNumbers: ['A-1'] })).to.equal(false);
    expect(isEmptyTarget({ shipment: 'any', carriers: [] })).to.equal(true);
    expect(isEmptyTarget({ prefectures: ['北海道'] })).to.equal(false);
  });

  it('reads pasted order numbers and postcode prefixes as orders store them, blank lines dropped', () => {
    const t = campaignTarget.parse({ orderNumbers: [' Ａ－１０２３４ ', '', '   ', 'B-2'], postcodePrefixes: ['０６０', '060-', '〒060', '06 0'] });
    expect(t.orderNumbers).to.deep.equal(['A-10234', 'B-2']);
    expect(t.postcodePrefixes).to.deep.equal(['060', '060', '060', '060']);
    expect(campaignTarget.parse({ orderNumbers: ['', ' '] }).orderNumbers).to.deep.equal([]);
    expect(campaignTarget.safeParse({ postcodePrefixes: ['〒abc'] }).success).to.equal(false);
  });

  it('dates the seasons in Tokyo: the one going on, else the next', () => {
    const at = (iso: string) => new Date(iso);
    expect(seasonSpan('oseibo', at('2026-12-05T09:00:00+09:00'))).to.deep.equal({ from: '2026-11-25', to: '2026-12-15', cutoff: '2026-12-10' });
    expect(seasonSpan('oseibo', at('2026-12-16T00:30:00+09:00')).from).to.equal('2027-11-25');
    // 15 December 23:30 in Tokyo is still the season, though UTC says the 15th too.
    expect(seasonSpan('oseibo', at('2026-12-15T23:30:00+09:00')).from).to.equal('2026-11-25');
    expect(seasonSpan('nenmatsu', at('2026-12-05T09:00:00+09:00'))).to.deep.equal({ from: '2026-12-28', to: '2027-01-05' });
    // New Year's Day belongs to the season that began the year before.
    expect(seasonSpan('nenmatsu', at('2027-01-02T09:00:00+09:00'))).to.deep.equal({ from: '2026-12-28', to: '2027-01-05' });
    expect(seasonSpan('ochugen', at('2026-12-05T09:00:00+09:00')).from).to.equal('2027-07-01');
  });
});
