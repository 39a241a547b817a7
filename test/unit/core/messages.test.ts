import { expect } from 'chai';
import { z } from 'zod';
import { zodDetails } from '../../../server/core/http.ts';
import { said } from '../../../server/core/messages.ts';
import { updateShopBody } from '../../../server/domains/shops/shops.schema.ts';

const detailsOf = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected the input to be refused');
  return zodDetails(r.error);
};

describe('validation messages in Japanese beside English', () => {
  const form = z.strictObject({
    name: z.string().trim().min(1).max(5),
    email: z.email(),
    count: z.number().int().min(1).max(10),
    kind: z.enum(['a', 'b']),
    code: z.string().regex(/^[a-z]+$/, said('英小文字で入力してください。', 'lower-case letters only')),
    note: z.string().min(3, 'an untranslated custom message'),
  });

  it("puts zod's own rules into plain Japanese, with the English message unchanged", () => {
    const d = detailsOf(form, { name: '', email: 'nope', count: 11, kind: 'c', code: 'ok', note: 'long enough' });
    const by = Object.fromEntries(d.map((x) => [x.path, x]));
    expect(by.name).to.include({ ja: '入力してください。' });
    expect(by.name!.message).to.match(/^Too small/);
    expect(by.email!.ja).to.equal('メールアドレスの形式で入力してください（例：taro@example.jp）。');
    expect(by.count!.ja).to.equal('10以下の数値で入力してください。');
    expect(by.kind!.ja).to.equal('選択肢の中から選んでください。');
  });

  it('says a missing field must be filled, and a string too long in characters', () => {
    const d = detailsOf(form, { name: 'abcdefg', count: 1, kind: 'a', code: 'ok', note: 'long enough' });
    const by = Object.fromEntries(d.map((x) => [x.path, x]));
    expect(by.name!.ja).to.equal('5文字以内で入力してください。');
    expect(by.email!.ja).to.equal('入力してください。');
  });

  it("gives a custom message's registered Japanese, and never English in its place", () => {
    const d = detailsOf(form, { name: 'a', email: 'a@b.jp', count: 1, kind: 'a', code: 'ABC', note: 'x' });
    const by = Object.fromEntries(d.map((x) => [x.path, x]));
    expect(by.code).to.include({ message: 'lower-case letters only', ja: '英小文字で入力してください。' });
    expect(by.note).to.include({ message: 'an untranslated custom message', ja: 'この項目の入力内容を確認してください。' });
  });

  it("finds the domains' message tables (a shop's allowed origins)", () => {
    const [d] = detailsOf(updateShopBody, { allowedOrigins: ['https://shop.example.jp/path'] });
    expect(d!.path).to.equal('allowedOrigins.0');
    expect(d!.ja).to.match(/^オリジンは/);
  });

  it('names unknown keys in Japanese too', () => {
    const d = detailsOf(form, { name: 'a', email: 'a@b.jp', count: 1, kind: 'a', code: 'ok', note: 'long', extra: 1 });
    expect(d.find((x) => x.path === '')).to.include({ ja: '受け付けていない項目があります：extra' });
  });
});
