/**
 * Bench data written straight into the database: one shop, a few agents who sign in with a
 * password, and many widget customers with their session tokens. Inserting the sessions
 * (id = SHA-256 of the token, as the widget route stores it) takes seconds where 10,000
 * REST calls would take minutes, and the sockets cannot tell the difference.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../server/core/db/client.ts';
import { newSecret, secretHash } from '../../server/core/secrets.ts';
import { hashPassword } from '../../server/domains/auth/password.ts';
import { conversations, customers, customerSessions } from '../../server/domains/conversations/conversations.tables.ts';
import type { Author } from '../../server/domains/conversations/conversations.types.ts';
import { insertMembership, insertShop, insertUser } from '../../server/domains/shops/shops.repository.ts';

export interface Seeded {
  shopId: string;
  agents: Array<{ email: string; password: string }>;
  /** Widget session tokens, one customer each. */
  tokens: string[];
}

const PASSWORD = 'bench horse battery staple';
const CHUNK = 1000;

export async function seedChat(db: Db, input: { customers: number; agents: number }): Promise<Seeded> {
  const run = randomBytes(4).toString('hex');
  const shop = await insertShop(db, { name: `ベンチ商店 ${run}`, allowedOrigins: ['https://shop.example.jp'] });
  const passwordHash = await hashPassword(PASSWORD);
  const agents: Seeded['agents'] = [];
  for (let i = 0; i < input.agents; i++) {
    const email = `bench-agent-${i}-${run}@bench.madoguchi.test`;
    const user = await insertUser(db, { email, name: `担当 ${i + 1}`, passwordHash });
    await insertMembership(db, shop.id, user.id, 'agent');
    agents.push({ email, password: PASSWORD });
  }
  const tokens: string[] = [];
  const expiresAt = new Date(Date.now() + 86_400_000);
  for (let from = 0; from < input.customers; from += CHUNK) {
    const n = Math.min(CHUNK, input.customers - from);
    const rows = Array.from({ length: n }, (_, k) => ({ shopId: shop.id, name: `顧客 ${from + k + 1}`, email: `c${from + k}-${run}@example.jp` }));
    const created = await db.insert(customers).values(rows).returning({ id: customers.id });
    const batch = created.map((c) => ({ token: newSecret(), customerId: c.id }));
    await db.insert(customerSessions).values(batch.map((b) => ({ id: secretHash(b.token), shopId: shop.id, customerId: b.customerId, expiresAt })));
    tokens.push(...batch.map((b) => b.token));
  }
  return { shopId: shop.id, agents, tokens };
}

/** A customer's open chat, with the author their messages are sent as. */
export type BenchChat = { shopId: string; id: string; customerId: string; author: Author };

/**
 * seedChat's shop with one chat conversation for each of `customers` customers, for the benches
 * that call the chat's write path in their own process (batch.ts, gather.ts, roundtrips.ts).
 */
export async function seedChats(db: Db, input: { customers: number }): Promise<BenchChat[]> {
  const seeded = await seedChat(db, { customers: input.customers, agents: 1 });
  const rows = await db.select().from(customers).where(eq(customers.shopId, seeded.shopId));
  const byCustomer = new Map<string, string>();
  // In chunks, as seedChat's: a statement holds at most 65,535 parameters.
  for (let from = 0; from < rows.length; from += CHUNK) {
    const chunk = rows.slice(from, from + CHUNK).map((c, i) => ({ shopId: seeded.shopId, number: from + i + 1, customerId: c.id, channel: 'chat' as const }));
    for (const c of await db.insert(conversations).values(chunk).returning({ id: conversations.id, customerId: conversations.customerId })) byCustomer.set(c.customerId, c.id);
  }
  return rows.map((c) => ({ shopId: seeded.shopId, id: byCustomer.get(c.id)!, customerId: c.id, author: { kind: 'customer', principal: { shopId: seeded.shopId, customerId: c.id, customer: c } } }));
}
