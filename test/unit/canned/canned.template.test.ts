import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import { cannedVariables } from '../../../server/domains/canned/canned.variables.ts';
import { assertTemplate, formatYen, renderTemplate, templateVariables, type RenderContext } from '../../../server/domains/canned/canned.template.ts';

const context: RenderContext = {
  customer: { name: '田中 太郎', email: 'taro.tanaka@example.co.jp' },
  order: { number: 'A-1001', orderedAt: new Date('2026-11-20T01:00:00Z'), total: 12345, trackingNumber: '1234-5678-9012', carrier: 'ヤマト運輸' },
  shop: { name: '窓口商店 & Co.' },
  agent: { name: '佐藤' },
};

const TEMPLATE = '{{customer.name}} 様 ({{customer.email}}) ご注文 {{order.number}}（{{order.orderedAt}}、{{order.total}}）は{{order.carrier}} {{order.trackingNumber}}で発送しました。{{shop.name}} {{agent.name}}';

function refusal(source: string): DomainError {
  try {
    assertTemplate('bodyJa', source);
  } catch (e) {
    expect(e).to.be.instanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be refused`);
}

describe('canned reply templates', () => {
  it('renders every variable for an agent, with the date in Japanese style in Asia/Tokyo and the total in yen', () => {
    const out = renderTemplate(TEMPLATE, templateVariables(context, 'agent', 'ja'));
    expect(out).to.equal(
      '田中 太郎 様 (taro.tanaka@example.co.jp) ご注文 A-1001（2026年11月20日 10:00、¥12,345）はヤマト運輸 1234-5678-9012で発送しました。窓口商店 & Co. 佐藤',
    );
  });

  it('offers the console exactly the variables rendering fills (cannedVariables)', () => {
    const vars = templateVariables(context, 'owner', 'ja') as Record<string, Record<string, unknown>>;
    const filled = Object.entries(vars).flatMap(([group, fields]) => Object.keys(fields).map((f) => `${group}.${f}`));
    expect([...cannedVariables].sort()).to.deep.equal(filled.sort());
  });

  it('masks the email for a contractor but keeps the name', () => {
    const out = renderTemplate('{{customer.name}} / {{customer.email}}', templateVariables(context, 'contractor', 'ja'));
    expect(out).to.equal('田中 太郎 / t***@e***.jp');
  });

  it('formats the date in English for English replies', () => {
    const out = renderTemplate('{{order.orderedAt}}', templateVariables(context, 'owner', 'en'));
    expect(out).to.match(/^November 20, 2026.*10:00\sAM$/);
  });

  it('renders variables the conversation lacks as empty text', () => {
    const bare = templateVariables({ shop: { name: 'S' }, agent: { name: 'A' } }, 'staff', 'ja');
    expect(renderTemplate('[{{customer.name}}][{{order.number}}][{{order.total}}]{{#if order.number}}x{{/if}}', bare)).to.equal('[][][]');
  });

  it('does not HTML-escape, since chat text is shown as text', () => {
    expect(renderTemplate('{{shop.name}} <b>', templateVariables(context, 'agent', 'ja'))).to.equal('窓口商店 & Co. <b>');
  });

  it('cannot reach prototype properties', () => {
    expect(renderTemplate('[{{constructor}}][{{customer.constructor}}][{{__proto__}}]', templateVariables(context, 'agent', 'ja'))).to.equal('[][][]');
  });

  it('formats yen with the half-width sign and thousands separators', () => {
    expect([0, 999, 1234, 1234567].map(formatYen)).to.deep.equal(['¥0', '¥999', '¥1,234', '¥1,234,567']);
  });

  const bad: [string, string, number, RegExp][] = [
    ['an unclosed block', 'こんにちは\n{{#if order.number}}ご注文', 2, /Parse error/],
    ['a broken mustache', '{{customer.name}', 1, /Parse error/],
    ['mismatched blocks', 'a\nb {{#each x}}{{/if}}', 2, /doesn't match/],
    ['an unknown helper', '{{shout customer.name}}', 1, /unknown helper shout/],
    ['the log helper', '{{log customer.email}}', 1, /unknown helper log/],
    ['a partial', 'x\n{{> footer}}', 2, /partials/],
    ['a decorator', '{{* inline}}', 1, /decorators/],
  ];
  for (const [what, source, line, message] of bad) {
    it(`refuses ${what} with the line of the error`, () => {
      const e = refusal(source);
      expect(e.code).to.equal('invalid_input');
      const [detail] = e.details as { path: string; line: number; message: string }[];
      expect(detail!.path).to.equal('bodyJa');
      expect(detail!.line).to.equal(line);
      expect(detail!.message).to.match(message);
    });
  }

  it('accepts if, unless, each and with', () => {
    expect(() => assertTemplate('bodyEn', '{{#if order.number}}{{#with order}}{{number}}{{/with}}{{else}}-{{/if}}{{#unless customer.name}}?{{/unless}}{{#each order}}{{@key}}{{/each}}')).not.to.throw();
  });
});
