/**
 * The API bench's data, written in SQL (INSERT … SELECT over generate_series) rather than
 * through the API: a million messages in a minute instead of hours. 100 shops: "big" (100,000
 * conversations at scale 1), "mid" (10,000), "small" (1,000) and 97 others of 50; customers
 * with Japanese names and addresses, orders with lines, returns, an audit trail, an owner of
 * the three named shops, five agents, and a contractor who is a member of all 100.
 *
 * Rows are consistent by construction (each message's conversation exists, last_seq is 10 with
 * messages 1..10, the counters hold the highest numbers). Triggers are not skipped: the
 * schema's own (the inbox's search index, migration 0034) fill what they fill as they would
 * for rows written by the service, and the foreign keys are checked. The database is vacuumed
 * and analyzed at the end, as a long-lived one would be.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { hashPassword } from '../../server/domains/auth/password.ts';
import { prefectures } from '../../server/domains/orders/orders.model.ts';
import * as w from './words.ts';
import { customersSql, ordersSql, conversationsSql, returnsSql, auditSql } from './seed.sql.ts';

export const PASSWORD = 'bench horse battery staple';

type Size = 'big' | 'mid' | 'small' | 'other';
interface ShopPlan {
  idx: number;
  id: string;
  size: Size;
  name: string;
  conv: number;
  cust: number;
  ord: number;
  ret: number;
  aud: number;
  assignees: string[];
  assignee_names: string[];
}

interface Person {
  id: string;
  email: string;
  name: string;
}

export interface Seeded {
  shops: Record<Exclude<Size, 'other'>, { id: string; conversations: number }>;
  owner: Person;
  contractor: Person;
  counts: Record<string, number>;
  /** Values the requests search for, read back from the seeded rows. */
  samples: { number: number; customerName: string; familyName: string; subjectWord: string; orderNumber: string; tag: string; relatedId: string };
  seconds: { rows: number; vacuum: number };
}

/** Rows per shop at scale 1; `scale` divides them (at least 1 each, and never fewer orders than customers). */
const full: Record<Size, { conv: number; cust: number; ord: number; ret: number; aud: number }> = {
  big: { conv: 100_000, cust: 30_000, ord: 100_000, ret: 3_000, aud: 200_000 },
  mid: { conv: 10_000, cust: 3_000, ord: 10_000, ret: 300, aud: 20_000 },
  small: { conv: 1_000, cust: 300, ord: 1_000, ret: 30, aud: 2_000 },
  other: { conv: 50, cust: 20, ord: 50, ret: 1, aud: 100 },
};

function plan(divisor: number, staff: Person[], contractor: Person): ShopPlan[] {
  const names: Record<Size, string> = { big: 'まどぐち百貨店', mid: 'まどぐち雑貨店', small: 'まどぐち茶舗', other: 'ショップ' };
  const sizes: Size[] = ['big', 'mid', 'small', ...Array<Size>(97).fill('other')];
  return sizes.map((size, idx) => {
    const f = full[size];
    const d = (n: number) => Math.max(1, Math.round(n / divisor));
    const cust = d(f.cust);
    const team = size === 'other' ? [contractor] : [...staff, contractor];
    return {
      idx,
      id: randomUUID(),
      size,
      name: size === 'other' ? `${names.other} ${String(idx - 2).padStart(2, '0')}` : names[size],
      conv: d(f.conv),
      cust,
      ord: Math.max(cust, d(f.ord)),
      ret: d(f.ret),
      aud: d(f.aud),
      assignees: team.map((p) => p.id),
      assignee_names: team.map((p) => p.name),
    };
  });
}

/** Seeds the bench's shops through `client`, printing each step's rows and time with `say`. */
export async function seedApi(client: Client, divisor: number, say: (line: string) => void): Promise<Seeded> {
  const t0 = performance.now();
  const passwordHash = await hashPassword(PASSWORD);
  const person = (local: string, name: string): Person => ({ id: randomUUID(), email: `${local}@bench.madoguchi.test`, name });
  const owner = person('owner', '山田 花子');
  const agents = ['佐藤 健', '鈴木 一郎', '伊藤 美穂', '渡辺 大輝', '中村 舞'].map((n, i) => person(`agent${i + 1}`, n));
  const contractor = person('contractor', '高橋 美咲');
  const shops = plan(divisor, [...agents, owner], contractor);

  const step = async (label: string, text: string, values: unknown[] = []) => {
    const t = performance.now();
    const r = await client.query(text, values);
    say(`  ${label.padEnd(28)} ${String(r.rowCount ?? '').padStart(9)} rows  ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };

  await client.query('SELECT setseed(0.17)');
  await client.query(`CREATE TEMP TABLE seed_shops (idx int PRIMARY KEY, id uuid NOT NULL, name text NOT NULL, conv int NOT NULL, cust int NOT NULL,
    ord int NOT NULL, ret int NOT NULL, aud int NOT NULL, assignees uuid[] NOT NULL, assignee_names text[] NOT NULL)`);
  await client.query('INSERT INTO seed_shops SELECT * FROM json_populate_recordset(null::seed_shops, $1)', [JSON.stringify(shops.map(({ size: _s, ...s }) => s))]);
  await step('shops', `INSERT INTO shops (id, name, created_at, updated_at) SELECT id, name, now() - interval '400 days', now() - interval '400 days' FROM seed_shops`);
  const people = [owner, ...agents, contractor];
  await step('users', `INSERT INTO users (id, email, name, password_hash) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`, [
    people.map((p) => p.id),
    people.map((p) => p.email),
    people.map((p) => p.name),
    people.map(() => passwordHash),
  ]);
  const named = shops.filter((s) => s.size !== 'other').map((s) => s.id);
  await step('memberships', `INSERT INTO memberships (shop_id, user_id, role)
      SELECT s, $2::uuid, 'owner' FROM unnest($1::uuid[]) s
      UNION ALL SELECT s, a, 'agent' FROM unnest($1::uuid[]) s, unnest($3::uuid[]) a
      UNION ALL SELECT id, $4::uuid, 'contractor' FROM seed_shops`, [named, owner.id, agents.map((a) => a.id), contractor.id]);

  const fam = w.familyNames.map((f) => f[0]);
  const famR = w.familyNames.map((f) => f[1]);
  await step('customers', customersSql, [fam, famR, w.givenNames.map((g) => g[0]), w.givenNames.map((g) => g[1]), w.mailDomains]);
  await client.query('CREATE INDEX ON seed_customers (shop_idx, n)');
  await client.query('INSERT INTO customers (id, shop_id, external_id, name, email, verified, locale, created_at, updated_at) SELECT id, shop_id, external_id, name, email, verified, \'ja\', created_at, created_at FROM seed_customers');
  const p = w.products;
  await step('orders (temp)', ordersSql.temp, [p.map((x) => x[2]), w.paymentMethods, w.carriers, [...prefectures], w.addresses]);
  await client.query('CREATE INDEX ON seed_orders (shop_idx, k)');
  await step('orders', ordersSql.orders);
  await step('order lines', ordersSql.lines, [p.map((x) => x[0]), p.map((x) => x[1]), p.map((x) => x[2]), p.map((x) => x[3])]);
  await step('conversations (temp)', conversationsSql.temp, [w.tags, w.orderSubjects, w.plainSubjects]);
  await step('conversations', conversationsSql.conversations);
  await step('messages', conversationsSql.messages, [w.customerLines, w.agentLines, w.noteLines]);
  await step('counters', conversationsSql.counters);
  await step('sla clocks', conversationsSql.slaClocks);
  await step('returns', returnsSql.returns, [p.map((x) => x[0]), p.map((x) => x[1]), p.map((x) => x[2]), p.map((x) => x[3])]);
  await step('return counters', returnsSql.counters);
  await step('audit events', auditSql);
  const rows = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  await client.query('VACUUM (ANALYZE)');
  const vacuum = (performance.now() - t1) / 1000;

  const big = shops[0]!;
  const one = async <T>(text: string, values: unknown[]) => (await client.query(text, values)).rows[0] as T;
  const middle = Math.ceil(big.conv / 2);
  const named1 = await one<{ name: string; order_number: string }>(
    `SELECT cu.name, c.order_number FROM conversations c JOIN customers cu ON cu.id = c.customer_id
     WHERE c.shop_id = $1 AND c.number >= $2 AND c.order_number IS NOT NULL ORDER BY c.number LIMIT 1`,
    [big.id, Math.ceil(big.conv / 3)],
  );
  // A verified customer with several conversations: the sidebar has something to find.
  const related = await one<{ id: string }>(
    `SELECT c.id FROM conversations c JOIN customers cu ON cu.id = c.customer_id
     WHERE c.shop_id = $1 AND cu.verified AND c.number >= $2 ORDER BY c.number LIMIT 1`,
    [big.id, middle],
  );
  const counts: Record<string, number> = {};
  for (const t of ['customers', 'conversations', 'messages', 'orders', 'order_lines', 'return_requests', 'audit_events']) {
    counts[t] = Number((await one<{ n: string }>(`SELECT count(*) AS n FROM ${t}`, [])).n);
  }
  const shopOf = (s: ShopPlan) => ({ id: s.id, conversations: s.conv });
  return {
    shops: { big: shopOf(big), mid: shopOf(shops[1]!), small: shopOf(shops[2]!) },
    owner,
    contractor,
    counts,
    samples: {
      number: middle,
      customerName: named1.name,
      familyName: named1.name.split(' ')[0]!,
      subjectWord: '配送',
      orderNumber: named1.order_number,
      tag: w.tags[0]!,
      relatedId: related.id,
    },
    seconds: { rows, vacuum },
  };
}
