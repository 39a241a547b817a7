import { expect } from 'chai';
import { changes, draftOf, formOf, noticeErrors, orderNumbersFromFile, targetOf, variablesForm, variablesOf } from '../../../agent-console/src/components/notices/notices.draft.ts';
import { fromTokyoInput, mayAct, tokyoInput } from '../../../agent-console/src/notices.format.ts';
import type { Campaign, NoticeTypeInfo } from '../../../agent-console/src/noticesApi.ts';

/** The console's notice form: what it loads is what it sends back, in the shapes the schemas read. */
describe('the console’s notice campaign draft', () => {
  const label = { ja: 'x', en: 'x' };
  const shopDelay: NoticeTypeInfo = {
    type: 'shop_delay',
    name: { ja: 'ショップ都合の遅延', en: 'Shop delay' },
    variables: [
      { name: 'order_no', kind: 'text', required: false, label },
      { name: 'cause', kind: 'text', required: true, label, choices: [{ value: 'stock', label }, { value: 'surge', label }] },
      { name: 'items', kind: 'list', required: true, label },
      { name: 'original_ship_date', kind: 'date', required: true, label },
      { name: 'next_update_at', kind: 'datetime', required: false, label },
      { name: 'extra_days', kind: 'number', required: false, label },
      { name: 'options', kind: 'list', required: true, label, choices: [{ value: 'wait', label }, { value: 'cancel', label }] },
    ],
    sample: {
      order_no: 'A-10234',
      cause: 'stock',
      items: [{ ja: '手織りリネンのストール', en: 'Hand-woven linen stole' }, '木の器'],
      original_ship_date: '2026-12-04',
      next_update_at: '2026-12-04T12:00:00.000Z',
      extra_days: 2,
      options: ['wait', 'cancel'],
    },
  };

  it('gives the variables back as they came, per language and kind', () => {
    const form = variablesForm(shopDelay, shopDelay.sample);
    expect(form['items']).to.equal('手織りリネンのストール\n木の器');
    expect(form['items@en']).to.equal('Hand-woven linen stole\n');
    expect(form['next_update_at'], 'on the Tokyo clock').to.equal('2026-12-04T21:00');
    expect(form['options']).to.equal('wait\ncancel');
    expect(variablesOf(shopDelay, form)).to.deep.equal(shopDelay.sample);
  });

  it('leaves out what is empty, and sends what cannot be read as typed for the server to name', () => {
    const form = { ...variablesForm(shopDelay, {}), extra_days: 'two', order_no: '  ', original_ship_date: '2026-12-04' };
    expect(variablesOf(shopDelay, form)).to.deep.equal({ extra_days: 'two', original_ship_date: '2026-12-04' });
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

  it('reads order numbers from a Shift_JIS CSV, first column, header skipped', () => {
    const sjis = Uint8Array.from([0x92, 0x8d, 0x95, 0xb6, 0x94, 0xd4, 0x8d, 0x86, 0x2c, 0x82, 0xa8, 0x96, 0xbc, 0x91, 0x4f, 0x0d, 0x0a, 0x41, 0x2d, 0x31, 0x2c, 0x78, 0x0d, 0x0a, 0x22, 0x41, 0x2d, 0x32, 0x22, 0x0d, 0x0a]);
    expect(orderNumbersFromFile(sjis.buffer)).to.deep.equal(['A-1', 'A-2']);
    expect(orderNumbersFromFile(new TextEncoder().encode('A-3\nA-4\n').buffer as ArrayBuffer)).to.deep.equal(['A-3', 'A-4']);
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
