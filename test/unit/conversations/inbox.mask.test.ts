import { expect } from 'chai';
import { dtoJsonFor } from '../../../server/domains/conversations/conversations.inbox.ts';
import type { JsonPageRow } from '../../../server/domains/conversations/conversations.list.repository.ts';

/**
 * A JSON page row shaped for a masked viewer (dtoJsonFor): only its customer is decoded and
 * replaced, where the DTO holds the customer's own text after its key; never anything that only
 * looks like it inside a string, and a row whose customer is not found is masked all the same.
 */
describe('a JSON inbox row for a masked viewer', () => {
  const customer = { id: '7d1c2f6e-0d38-4d2b-9a51-3f3a2b1c0d9e', name: '田中 "太郎" \\ 😀', email: 'taro.tanaka@example.co.jp', verified: true, externalId: 'ext-1' };
  // A subject that spells out the customer field itself: inside a JSON string its quotes are escaped.
  const decoy = `"customer":${JSON.stringify(customer)}`;
  const dto = { id: 'c1', subject: decoy, tags: ['a"b'], assignee: null, customer, lastSeq: 3, lastMessagePreview: 'x', sla: { state: 'none', dueAt: null } };
  const row = (over: Partial<JsonPageRow> = {}): JsonPageRow => ({ dto: JSON.stringify(dto), key: 'k', moment: null, shop: 's', customer: JSON.stringify(customer), ...over });
  const masked = { ...customer, email: 't***@e***.jp', externalId: null };

  it('replaces the customer and nothing else, not a look-alike inside the subject', () => {
    const out = JSON.parse(dtoJsonFor(row(), 'contractor')) as typeof dto;
    expect(out).to.deep.equal({ ...dto, customer: masked });
    expect(out.subject).to.equal(decoy);
  });

  it('decodes only the customer: the rest of the text stays as PostgreSQL wrote it', () => {
    // A character written as an escape: decoding and encoding the whole DTO would write it as itself.
    const text = row().dto.replace('"id":"c1"', '"id":"c\\u0031"');
    const out = dtoJsonFor(row({ dto: text }), 'contractor');
    expect(out).to.include('"id":"c\\u0031"');
    expect(JSON.parse(out)).to.deep.equal({ ...dto, customer: masked });
  });

  it('masks a row whose customer is not where its text says, or not followed by the field after it, by decoding it whole', () => {
    const out = JSON.parse(dtoJsonFor(row({ customer: JSON.stringify(customer, null, 1) }), 'contractor')) as typeof dto;
    expect(out).to.deep.equal({ ...dto, customer: masked });
    // The customer's text first inside an object before the DTO's own (no such field today): the DTO's customer is the one masked.
    const { customer: _c, lastSeq: _l, ...rest } = dto;
    const inner = JSON.stringify({ extra: { customer }, ...rest, customer, lastSeq: 3 });
    expect(inner.indexOf(`"customer":${JSON.stringify(customer)}`)).to.be.below(inner.lastIndexOf(`"customer":${JSON.stringify(customer)}`));
    const shaped = JSON.parse(dtoJsonFor(row({ dto: inner }), 'contractor')) as Record<string, unknown>;
    expect(shaped['customer']).to.deep.equal(masked);
  });

  it('sends the row as it is to a viewer who sees contact data', () => {
    for (const viewer of ['owner', 'staff', 'agent', 'api_key'] as const) expect(dtoJsonFor(row(), viewer)).to.equal(row().dto);
  });
});
