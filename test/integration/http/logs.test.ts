import { Writable } from 'node:stream';
import { expect } from 'chai';
import { serializeError } from '../../../server/core/logger.ts';
import { insertUser } from '../../../server/domains/shops/shops.repository.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { anOrder, makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

describe('[pglite] structured logs', () => {
  let server: TestServer;
  let shop: TestShop;
  const lines: string[] = [];

  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    server = await startServer('pglite', { logTo: sink });
    shop = await makeShop(server.database);
  });
  after(() => server.close());

  it('are JSON lines with a request id, and carry no personal data even at debug level', async () => {
    const owner = await signedIn(server.url, shop.people.owner);
    await owner.put(`/api/shops/${shop.id}/orders/LOG-1`, anOrder());
    await owner.get(`/api/shops/${shop.id}/orders/LOG-1`);
    await owner.post(`/api/shops/${shop.id}/orders/LOG-1/reveal`, { field: 'email', reason: 'テストのため' });
    await owner.post('/api/auth/sign-in', { email: shop.people.staff.email, password: 'wrong password' });
    await owner.put(`/api/shops/${shop.id}/orders/LOG-2`, { ...anOrder(), bogus: 1 });
    expect(lines.length).to.be.greaterThan(5);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = parsed.filter((p) => p.msg === 'request');
    expect(requests.every((p) => typeof p.reqId === 'string' && typeof p.route === 'string')).to.equal(true);
    const all = lines.join('\n');
    for (const secret of ['taro@example.jp', '090-1234-5678', '渋谷区', '田中', shop.people.owner.email, shop.people.staff.email, 'LOG-1', 'wrong password']) {
      expect(all, secret).not.to.include(secret);
    }
  });

  it('log a database error by its SQLSTATE and constraint, never the values it quotes', async () => {
    let error: unknown;
    try {
      await insertUser(server.database.db, { email: shop.people.owner.email, name: '重複 花子', passwordHash: '$argon2id$secret-hash' });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
    const logged = JSON.stringify(serializeError(error));
    expect(logged).to.include('23505');
    expect(logged).to.include('users_email_unique');
    for (const secret of [shop.people.owner.email, '重複 花子', 'secret-hash']) expect(logged, secret).not.to.include(secret);
  });
});
