import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import { builtinNotice, checkVariables, checkWording, noticeAsOf, noticeRenderer, renderNotice } from '../../../server/domains/notices/notices.render.ts';
import { noticeSampleAsOf, noticeSamples, noticeTypes, noticeVariables, type NoticeContext, type NoticeText, type NoticeType } from '../../../server/domains/notices/notices.types.ts';

const ctx: NoticeContext = {
  shop: { name: '手しごと雑貨 こもれび', contact: 'support@komorebi.example.jp／03-1234-5678（平日10時〜17時）' },
  recipient: {
    name: '山田 花子',
    orders: [
      { orderNumber: 'A-10234', orderedAt: new Date('2026-11-28T10:00:00+09:00') },
      { orderNumber: 'A-10241', orderedAt: new Date('2026-11-30T23:30:00+09:00'), carrier: '日本郵便', trackingNumber: '4567-8901-2345' },
    ],
  },
  asOf: noticeSampleAsOf,
};

/** The field paths of a refusal, e.g. ['variables.extra_days']. */
function refused(fn: () => unknown): { paths: string[]; details: { path: string; message: string; ja: string; line?: number | null }[] } {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(DomainError);
    const err = e as DomainError;
    expect(err.code).to.equal('invalid_input');
    const details = err.details as { path: string; message: string; ja: string }[];
    for (const d of details) expect(d.ja, d.path).to.be.a('string').and.match(/[ぁ-んァ-ヶ一-龠]/);
    return { paths: details.map((d) => d.path), details };
  }
  throw new Error('expected a refusal');
}

const withText = (type: NoticeType, change: (t: NoticeText) => void): NoticeText => {
  const { type: _t, ...text } = builtinNotice(type);
  change(text);
  return text;
};

describe('notice templates: the six types in both languages', () => {
  for (const type of noticeTypes) {
    for (const lang of ['ja', 'en'] as const) {
      it(`${type} (${lang}) renders its sample values as mail, banner HTML and chat, with no hole`, () => {
        expect(noticeVariables[type].safeParse(noticeSamples[type]).success).to.equal(true);
        const out = renderNotice(builtinNotice(type), lang, noticeSamples[type], ctx);
        for (const [part, value] of Object.entries(out)) {
          expect(value, part).to.be.a('string').that.is.not.empty;
          expect(value, part).not.to.match(/undefined|null|\[object Object\]|\{\{|\}\}/);
        }
        expect(out.subject).not.to.match(/[\r\n]/);
        expect(out.subject).to.include(lang === 'ja' ? '【重要】' : '[Important]').and.include(ctx.shop.name);
        expect(out.text).to.include(lang === 'ja' ? '山田 花子 様' : 'Dear 山田 花子,').and.include('A-10241');
        expect(out.text).to.include(lang === 'ja' ? '12月3日 21時' : 'Dec 3, 21:00 JST');
        expect(out.text).to.include(ctx.shop.contact!);
        expect(out.html).to.match(/^<article class="mdg-notice" lang="(ja|en)">/);
        if (lang === 'en') expect(out.text.replaceAll(ctx.shop.name, '').replaceAll(ctx.shop.contact!, '').replaceAll('山田 花子', '')).not.to.match(/[ぁ-んァ-ヶ]/);
      });

      it(`${type} (${lang}) matches its snapshot (UPDATE_SNAPSHOTS=1 writes them)`, () => {
        const out = renderNotice(builtinNotice(type), lang, noticeSamples[type], ctx);
        const shown = `Subject: ${out.subject}\n\n${out.text}\n\n--- banner\n${out.banner}\n\n--- chat\n${out.chat}\n\n--- html\n${out.html}\n`;
        const file = new URL(`../../fixtures/notices/${type}.${lang}.txt`, import.meta.url);
        if (process.env.UPDATE_SNAPSHOTS || !existsSync(file)) writeFileSync(file, shown);
        expect(shown).to.equal(readFileSync(file, 'utf8'));
      });
    }
    it(`the built-in ${type} wording passes the checks a shop's copy must pass`, () => {
      const { type: _t, ...text } = builtinNotice(type);
      checkWording(type, text);
    });
  }

  it('a weather notice without an estimate still says when the next update comes', () => {
    const { extra_days: _e, ...vars } = noticeSamples.weather;
    const out = renderNotice(builtinNotice('weather'), 'ja', vars, ctx);
    expect(out.text).to.include('見込みが立っておりません').and.include('12月4日 12時ごろ');
  });

  it('speaks as of when a notice went out: its publication, or its start when scheduled ahead', () => {
    const published = new Date('2026-12-03T12:00:00+09:00');
    const later = new Date('2026-12-04T09:00:00+09:00');
    expect(noticeAsOf({ publishedAt: published, startsAt: later })).to.deep.equal(later);
    expect(noticeAsOf({ publishedAt: later, startsAt: published })).to.deep.equal(later);
    expect(noticeAsOf({ publishedAt: null, startsAt: published })).to.deep.equal(published);
  });

  it('escapes the whole body for HTML, the shop\'s own words as much as the variables', () => {
    const text = withText('seasonal', (t) => (t.body.ja = `${t.body.ja}\n<注意> <img src=x onerror=alert(1)> "引用" & 'x'`));
    const out = renderNotice({ type: 'seasonal', ...text }, 'ja', noticeSamples.seasonal, ctx);
    expect(out.html).not.to.include('<img').and.not.to.include('<注意>');
    expect(out.html).to.include('&lt;注意&gt; &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &quot;引用&quot; &amp; &#x27;x&#x27;');
    expect(out.text, 'the mail text stays as written').to.include('<注意> <img src=x onerror=alert(1)>');
  });

  it('lists in each mail the recipient\'s own orders with their carrier and tracking number', () => {
    const ja = renderNotice(builtinNotice('shipment_exception'), 'ja', noticeSamples.shipment_exception, ctx).text;
    expect(ja).to.include('・ご注文番号 A-10241（11月30日（月）ご注文）\n　配送業者：日本郵便／お問い合わせ伝票番号：4567-8901-2345');
    const en = renderNotice(builtinNotice('shipment_exception'), 'en', noticeSamples.shipment_exception, ctx).text;
    expect(en).to.include('  carrier: Japan Post, tracking number: 4567-8901-2345');
  });

  it('renders for many recipients from one check (noticeRenderer), each mail with its own greeting and orders only', () => {
    const forRecipient = noticeRenderer(builtinNotice('seasonal'), 'ja', noticeSamples.seasonal, { shop: ctx.shop, asOf: ctx.asOf! });
    expect(forRecipient(ctx.recipient)).to.deep.equal(renderNotice(builtinNotice('seasonal'), 'ja', noticeSamples.seasonal, ctx));
    const other = forRecipient({ name: '鈴木 一郎', orders: [{ orderNumber: 'B-1', orderedAt: new Date('2026-12-01T09:00:00+09:00') }] });
    expect(other.text).to.match(/^鈴木 一郎 様/).and.include('・ご注文番号 B-1（12月1日（火）ご注文）').and.not.include('A-10234');
    expect(forRecipient(undefined).text).to.match(/^お客さま各位/);
  });

  it('shows the year when a date is not in the year the notice speaks in', () => {
    const out = renderNotice(builtinNotice('lead_time'), 'ja', { ...noticeSamples.lead_time, effective_date: '2027-01-05' }, ctx);
    expect(out.subject).to.include('2027年1月5日（火）');
  });
});

describe('notice rendering is strict', () => {
  it('refuses a missing variable at its field', () => {
    const { extra_days: _e, ...vars } = noticeSamples.seasonal;
    expect(refused(() => renderNotice(builtinNotice('seasonal'), 'ja', vars, ctx)).paths).to.deep.equal(['variables.extra_days']);
  });

  it('refuses an unknown variable at its field', () => {
    expect(refused(() => checkVariables('seasonal', { ...noticeSamples.seasonal, extra_dayz: 2 })).paths).to.deep.equal(['variables.extra_dayz']);
  });

  it('refuses a line break in a text variable (no header injection into the subject)', () => {
    const r = refused(() => checkVariables('weather', { ...noticeSamples.weather, event: '大雪\r\nBcc: x@example.com' }));
    expect(r.paths).to.deep.equal(['variables.event']);
    expect(r.details[0]!.ja).to.include('1行');
    expect(refused(() => checkVariables('weather', { ...noticeSamples.weather, event: { ja: '大雪' } })).paths).to.deep.equal(['variables.event.en']);
  });

  for (const [type, change, path] of [
    ['seasonal', { period_to: '2026-11-30' }, 'variables.period_to'],
    ['weather', { next_update_at: '2026-12-03T20:00:00+09:00' }, 'variables.next_update_at'],
    ['lead_time', { new_lead_time: 1 }, 'variables.new_lead_time'],
    ['shop_delay', { new_ship_date: '2026-12-04' }, 'variables.new_ship_date'],
    ['shipment_exception', { new_expected_date: '2026-12-01' }, 'variables.new_expected_date'],
  ] as const) {
    it(`refuses dates in the wrong order: ${type} ${Object.keys(change)[0]}`, () => {
      expect(refused(() => renderNotice(builtinNotice(type), 'ja', { ...noticeSamples[type], ...change }, ctx)).paths).to.deep.equal([path]);
    });
  }

  it('refuses a next update already past, and a deadline before today; a past effective date is fine', () => {
    const late = { ...ctx, asOf: new Date('2026-12-20T09:00:00+09:00') };
    expect(refused(() => renderNotice(builtinNotice('weather'), 'ja', noticeSamples.weather, late)).paths).to.deep.equal(['variables.next_update_at']);
    expect(refused(() => renderNotice(builtinNotice('returned_to_sender'), 'ja', noticeSamples.returned_to_sender, late)).paths).to.deep.equal(['variables.storage_deadline']);
    expect(renderNotice(builtinNotice('lead_time'), 'ja', noticeSamples.lead_time, late).subject).to.include('12月14日');
  });

  it('never says "date unknown" without a next update: no new date and no next update is refused', () => {
    const { new_ship_date: _n, ...vars } = noticeSamples.shop_delay;
    expect(refused(() => checkVariables('shop_delay', vars)).paths).to.deep.equal(['variables.next_update_at']);
  });

  it('refuses broken Handlebars at the part and language, with the line', () => {
    const r = refused(() => checkWording('seasonal', withText('seasonal', (t) => (t.body.ja = 'いつも\n{{#if gift_order_cutoff}}ご注文を'))));
    expect(r.paths).to.deep.equal(['wording.body.ja']);
    expect(r.details[0]!.line).to.equal(2);
  });

  it('refuses a variable the type does not have, and prototype names', () => {
    expect(refused(() => checkWording('seasonal', withText('seasonal', (t) => (t.subject.en = '{{tracking_no}} {{constructor}}')))).details.map((d) => d.path + ' ' + d.message)).to.deep.equal([
      'wording.subject.en unknown variable "tracking_no"',
      'wording.subject.en unknown variable "constructor"',
    ]);
  });

  it('refuses an optional variable outside its own {{#if}}, which would leave a hole', () => {
    const r = refused(() => checkWording('seasonal', withText('seasonal', (t) => (t.chat.ja = '{{gift_order_cutoff}}までにご注文ください'))));
    expect(r.paths).to.deep.equal(['wording.chat.ja']);
    expect(r.details[0]!.ja).to.include('{{#if gift_order_cutoff}}');
  });

  for (const [what, source] of [
    ['raw output', '{{{shop_name}}}'],
    ['a partial', '{{> footer}}'],
    ['another helper', '{{#with shop_name}}x{{/with}}'],
    ['lookup', '{{lookup shop_name "length"}}'],
    ['a path into an object', '{{shop_name.length}}'],
  ] as const) {
    it(`refuses ${what}`, () => {
      expect(refused(() => checkWording('seasonal', withText('seasonal', (t) => (t.banner.ja = source)))).paths).to.deep.equal(['wording.banner.ja']);
    });
  }

  it('refuses an oversize template at its field', () => {
    const r = refused(() => checkWording('weather', withText('weather', (t) => (t.body.en = 'x'.repeat(8001)))));
    expect(r.paths).to.deep.equal(['wording.body.en']);
    expect(r.details[0]!.ja).to.include('8000文字以内');
  });

  it('refuses a part that renders empty with the samples', () => {
    expect(refused(() => checkWording('weather', withText('weather', (t) => (t.chat.ja = '{{#if postcode_prefixes}}{{postcode_prefixes}}{{/if}}')))).paths).to.deep.equal(['wording.chat.ja']);
  });

  it('escapes a variable for HTML but not in the mail text; the subject stays one line', () => {
    const event = '<script>alert("x")</script> & 大雪';
    const text = withText('weather', (t) => (t.subject.ja = '【重要】\n{{event}}'));
    const out = renderNotice({ type: 'weather', ...text }, 'ja', { ...noticeSamples.weather, event }, ctx);
    expect(out.html).not.to.include('<script>');
    expect(out.html).to.include('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 大雪');
    expect(out.text).to.include(event);
    expect(out.subject).to.equal(`【重要】 ${event}`);
  });

  it('links only http(s) addresses in the HTML, with the address escaped', () => {
    const out = renderNotice(builtinNotice('weather'), 'en', { ...noticeSamples.weather, carrier_status_url: 'https://example.jp/a?x=1&y="2"' }, ctx);
    expect(out.html).to.include('<a href="https://example.jp/a?x&#x3D;1&amp;y&#x3D;&quot;2&quot;"');
    expect(refused(() => checkVariables('weather', { ...noticeSamples.weather, carrier_status_url: 'javascript:alert(1)' })).paths).to.deep.equal(['variables.carrier_status_url']);
  });
});
