import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { findSession } from '../../../server/domains/auth/auth.repository.ts';
import { clocksOfMany } from '../../../server/domains/sla/sla.repository.ts';
import { ownPostgresDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';

/**
 * The hot reads are prepared by name on each pooled connection (server/core/db/statement.ts).
 * A prepared `select *` fails on every connection that prepared it once a migration adds a
 * column ("cached plan must not change result type"): in a rolling upgrade, the processes
 * still running would answer every console request with an error. Their select lists are
 * written out, so a new column changes nothing for them.
 */
if (dbKinds.includes('postgres')) {
  describe('[postgres] prepared statements when a migration adds a column', function () {
    this.timeout(60_000);
    let own: Awaited<ReturnType<typeof ownPostgresDatabase>>;
    let database: Database;

    before(async () => {
      own = await ownPostgresDatabase('alter', { max: 4 });
      database = own.database;
    });
    after(() => own?.drop());

    it('keeps reading sessions and SLA clocks on connections that prepared them before', async () => {
      // (The chat's write statement, chat_write_batch, lists the columns of messages the same way.)
      const db = database.db;
      const userId = randomUUID();
      const shopId = randomUUID();
      const sessionId = `s-${randomUUID()}`;
      await db.execute(sql`insert into users (id, email, name, password_hash) values (${userId}, ${`${userId}@example.jp`}, '山田 花子', 'x')`);
      await db.execute(sql`insert into shops (id, name) values (${shopId}, 'テスト')`);
      await db.execute(sql`insert into memberships (shop_id, user_id, role) values (${shopId}, ${userId}, 'owner')`);
      await db.execute(sql`insert into sessions (id, user_id, csrf_token, expires_at) values (${sessionId}, ${userId}, 'csrf', now() + interval '1 day')`);
      // Prepared on every pooled connection: more concurrent reads than connections.
      const many = <T>(f: () => Promise<T>) => Promise.all(Array.from({ length: 16 }, f));
      await many(() => findSession(db, sessionId, shopId));
      await many(() => clocksOfMany(db, shopId, [randomUUID()]));
      await db.execute(sql`alter table users add column nickname text`);
      await db.execute(sql`alter table sla_clocks add column note text`);
      const after = await many(() => findSession(db, sessionId, shopId));
      expect(after.every((s) => s?.user.id === userId && s.role === 'owner')).to.equal(true);
      expect(await many(() => clocksOfMany(db, shopId, [randomUUID()]))).to.have.length(16);
    });
  });
}
