import { expect } from 'chai';
import { changes, draftOf, formOf, noticeErrors, starterDraft, targetOf } from '../../../agent-console/src/components/notices/notices.draft.ts';
import { mayAct } from '../../../agent-console/src/notices.format.ts';
import type { Campaign, NoticeTypeInfo } from '../../../agent-console/src/noticesApi.ts';
import { noticeTypeList } from '../../../server/domains/notices/notices.templates.service.ts';
import { noticeVariables } from '../../../server/domains/notices/notices.types.ts';

/** The console's campaign form: what it loads is what it sends back, in the shapes the schemas read. */
describe('the console’s notice campaign draft', () => {
  const types = noticeTypeList().types as NoticeTypeInfo[];
  const shopDelay = types.find((t) => t.type === 'shop_delay')!;
  /** A time given with +09:00 may come back written another way: compared as instants. */
  const instants = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && /T\d{2}:\d{2}/.test(x) ? new Date(x).toISOString() : x))) as unknown;
  const campaignOf = (t: NoticeTypeInfo): Campaign => ({
    ...starterDraft(t, `${t.type} のお知らせ`),
    startsAt: '2026-12-03T12:00:00.000Z',
    id: 'c',
    shopId: 's',
    status: 'draft',
    counts: { total: 0, queued: 0, sent: 0, failed: 0, suppressed: 0, cancelled: 0 },
    version: 1,
    publishedAt: null,
    startFailure: null,
    finishedAt: null,
    createdAt: '',
    updatedAt: '',
  });

  it('gives every type’s sample values back through the form as they came, and the schema takes them', () => {
    for (const t of types) {
      const back = draftOf(formOf(campaignOf(t), t), t);
      expect(instants(back.variables), t.type).to.deep.equal(instants(t.sample));
      expect(noticeVariables[t.type].safeParse(back.variables).success, t.type).to.equal(true);
      expect(Date.parse(back.startsAt), 'the start on the Tokyo clock and back').to.equal(Date.parse('2026-12-03T12:00:00.000Z'));
      expect(formOf(campaignOf(t), t).startsAt).to.equal('2026-12-03T21:00');
    }
  });

  it('sends only the target criteria given, lists one per line', () => {
    const t = targetOf({ orderedFrom: '2026-12-01', orderedTo: '', carriers: 'ヤマト運輸\n\n 佐川急便 ', prefectures: [], postcodePrefixes: '', routes: [{ from: '東京都', to: '福岡県' }, { from: '', to: '' }], shipment: 'any', orderNumbers: 'A-1\r\nA-2\n' });
    expect(t).to.deep.equal({ orderedFrom: '2026-12-01', carriers: ['ヤマト運輸', '佐川急便'], routes: [{ from: '東京都', to: '福岡県' }], orderNumbers: ['A-1', 'A-2'] });
  });

  it('patches only what changed since the campaign was read', () => {
    const c: Campaign = { ...campaignOf(shopDelay), name: '年末の遅延', target: { orderNumbers: ['A-1'] } };
    const form = formOf(c, shopDelay);
    const saved = draftOf(form, shopDelay);
    expect(changes(saved, saved)).to.deep.equal({});
    const edited = draftOf({ ...form, name: '年末の遅延（改）', endsAt: '2026-12-10T18:00' }, shopDelay);
    expect(changes(edited, saved)).to.deep.equal({ name: '年末の遅延（改）', endsAt: '2026-12-10T18:00:00+09:00' });
  });

  it('takes a 400’s field details in either shape', () => {
    expect([...noticeErrors([{ path: 'variables.extra_days', message: 'too many', ja: '多すぎます' }], 'ja')]).to.deep.equal([['variables.extra_days', ['多すぎます']]]);
    expect([...noticeErrors({ fields: { 'wording.body.ja': 'broken' } }, 'en')]).to.deep.equal([['wording.body.ja', ['broken']]]);
  });

  it('offers the actions the campaign machine allows', () => {
    expect(mayAct.pause('sending') && mayAct.resume('paused') && !mayAct.pause('paused')).to.equal(true);
    expect(mayAct.edit('scheduled') && !mayAct.edit('sending') && !mayAct.edit('paused')).to.equal(true);
    expect(mayAct.retry('sent', { total: 2, queued: 0, sent: 1, failed: 1, suppressed: 0, cancelled: 0 })).to.equal(true);
  });

  it('offers to end a published notice now, a sent banner included, until its end has passed', () => {
    const now = Date.parse('2026-12-05T10:00:00+09:00');
    for (const s of ['scheduled', 'sending', 'paused', 'sent'] as const) expect(mayAct.end(s, null, now), s).to.equal(true);
    for (const s of ['draft', 'cancelled'] as const) expect(mayAct.end(s, null, now), s).to.equal(false);
    expect(mayAct.end('sent', '2026-12-06T00:00:00+09:00', now)).to.equal(true);
    expect(mayAct.end('sent', '2026-12-05T09:00:00+09:00', now), 'already over').to.equal(false);
  });

  it('starts a per-order notice without the public banner, and a public one with it', () => {
    expect(starterDraft(shopDelay, 'x').channels).to.deep.equal({ banner: false, mail: true, chat: true });
    expect(starterDraft(types.find((t) => t.type === 'weather')!, 'x').channels.banner).to.equal(true);
  });
});
