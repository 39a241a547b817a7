import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { customers, conversations } from '../../../server/domains/conversations/conversations.tables.ts';
import { lockAndRead } from '../../../server/domains/conversations/conversations.write.repository.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { testDatabase } from '../../helpers/db.ts';

describe('[pglite] the embedded database does autovacuum’s job', () => {
  let database: Database;
  let shop: TestShop;
  before(async () => {
    database = await testDatabase('pglite');
    shop = await makeShop(database);
  });
  after(() => database.close());

  const rows = async <T>(q: ReturnType<typeof sql>) => ((await database.db.execute(q)) as unknown as { rows: T[] }).rows;
  const stats = async () => (await rows<{ reltuples: number; relallvisible: number }>(sql`select reltuples::float8 as reltuples, relallvisible from pg_class where relname = 'conversations'`))[0]!;

  it('vacuums and analyzes on maintain(): the planner then knows the table and finds a conversation by its primary key, and a batch locks and reads it', async () => {
    const [c] = await database.db.insert(customers).values({ shopId: shop.id, name: '佐藤 一郎' }).returning();
    await database.db.insert(conversations).values(Array.from({ length: 400 }, (_, i) => ({ shopId: shop.id, number: i + 1, customerId: c!.id, channel: 'chat' as const })));
    await database.db.update(conversations).set({ lastSeq: 1 }).where(sql`${conversations.shopId} = ${shop.id}`);
    const before = await stats();
    expect(before.relallvisible, 'nothing vacuumed yet').to.equal(0);
    await database.maintain!();
    const after = await stats();
    expect(after.reltuples).to.equal(400);
    expect(after.relallvisible, 'VACUUM set the visibility map').to.be.greaterThan(0);
    const [one] = await database.db.select({ id: conversations.id }).from(conversations).limit(1);
    const plan = await rows<{ 'QUERY PLAN': string }>(sql`explain select * from conversations where id = ${one!.id}`);
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).to.include('conversations_pkey');
    const { locked } = await database.db.transaction((tx) => lockAndRead(tx, [{ shopId: shop.id, conversationId: one!.id, clientId: 'c1' }]));
    expect([...locked.keys()]).to.deep.equal([one!.id]);
  });
});
