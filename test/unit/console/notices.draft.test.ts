import { expect } from 'chai';
import { changes, draftOf, formOf, noticeErrors, targetOf, variablesForm, variablesOf } from '../../../agent-console/src/components/notices/notices.draft.ts';
import { fromTokyoInput, mayAct, tokyoInput } from '../../../agent-console/src/notices.format.ts';
import type { Campaign, NoticeTypeInfo } from '../../../agent-console/src/noticesApi.ts';
import { noticeTypeList } from '../../../server/domains/notices/notices.templates.service.ts';
import { noticeVariables } from '../../../server/domains/notices/notices.types.ts';

/** The console's notice form: what it loads is what it sends back, in the shapes the schemas read. */
describe('the console’s notice campaign draft', () => {
  const types = noticeTypeList().types as NoticeTypeInfo[];
  const shopDelay = types.find((t) => t.type === 'shop_delay')!;
  /** A time given with +09:00 comes back as the same instant in UTC. */
  const instants = (v: Record<string, unknown>) => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && /T\d{2}:\d{2}/.test(x) ? new Date(x).toISOString() : x))) as unknown;

  it('gives every type’s sample values back as they came, and the schema takes them', () => {
    for (const t of types) {
      const back = variablesOf(t, variablesForm(t, t.sample));
      expect(instants(back), t.type).to.deep.equal(instants(t.sample));
      expect(noticeVariables[t.type].safeParse(back).success, t.type).to.equal(true);
    }
  });

  it('keeps each language of a text or list apart in the form, times on the Tokyo clock', () => {
    const weather = types.find((t) => t.type === 'weather')!;
    const form = variablesForm(weather, weather.sample);
    expect(form['event']).to.equal('大雪');
    expect(form['event@en']).to.equal('heavy snow');
    expect(form['regions']).to.equal('北海道\n青森県\n秋田県');
    expect(form['regions@en']).to.equal('Hokkaido\nAomori\nAkita');
    expect(form['as_of']).to.equal('2026-12-03T21:00');
    expect(variablesForm(shopDelay, shopDelay.sample)['options']).to.equal('wait\npartial\ncancel');
  });

  it('leaves out what is empty, and sends what cannot be read as typed for the server to name', () => {
    const seasonal = types.find((t) => t.type === 'seasonal')!;
    const form = { ...variablesForm(seasonal, {}), extra_days: 'two', carrier: '  ', period_from: '2026-12-04' };
    expect(variablesOf(seasonal, form)).to.deep.equal({ extra_days: 'two', period_from: '2026-12-04' });
  });

  it('reads Tokyo times whatever the computer’s zone', () => {
    expect(fromTokyoInput('2026-12-03T21:00')).to.equal('2026-12-03T12:00:00.000Z');
    expect(tokyoInput('2026-12-03T12:00:00.000Z')).to.equal('2026-12-03T21:00');
    expect(fromTokyoInput('')).to.equal(null);
  });

  it('sends only the target criteria given, lists one per line', () => {
    const t = targetOf({ orderedFrom: '2026-12-01', orderedTo: '', carriers: 'ヤマト運輸\n\n 佐川急便 ', prefectures: [], postcodePrefixes: '', routes: [{ from: '東京都', to: '福岡県' }, { from: '', to: '' }], shipment: 'any', orderNumbers: 'A-1\r\nA-2\n' });
    expect(t).to.deep.equal({ orderedFrom: '2026-12-01', carriers: ['ヤマト運輸', '佐川急便'], routes: [{ from: '東京都', to: '福岡県' }], orderNumbers: ['A-1', 'A-2'] });
  });

  it('patches only what changed since the campaign was read', () => {
    const c: Campaign = {
      id: 'c',
      shopId: 's',
      name: '年末の遅延',
      type: 'shop_delay',
      templateVersionId: null,
      variables: shopDelay.sample,
      startsAt: '2026-12-03T12:00:00.000Z',
      endsAt: null,
      channels: { banner: true, mail: true, chat: false },
      target: { orderNumbers: ['A-1'] },
      status: 'draft',
      counts: { total: 0, queued: 0, sent: 0, failed: 0, suppressed: 0, cancelled: 0 },
      version: 3,
      publishedAt: null,
      finishedAt: null,
      createdAt: '',
      updatedAt: '',
    };
    const form = formOf(c, shopDelay);
    const saved = draftOf(form, shopDelay);
    expect(changes(saved, saved)).to.deep.equal({});
    const edited = draftOf({ ...form, name: '年末の遅延（改）', endsAt: '2026-12-10T18:00' }, shopDelay);
    expect(changes(edited, saved)).to.deep.equal({ name: '年末の遅延（改）', endsAt: '2026-12-10T09:00:00.000Z' });
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
});
