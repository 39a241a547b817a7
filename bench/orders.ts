/**
 * Order intake figures: latency of `PUT /orders/:n` (the shop platform's push) and the
 * throughput of a CSV import (madoguchi's columns, and the same orders as Shopify's export), on
 * PGlite (default) or PostgreSQL (BENCH_DATABASE_URL).
 *
 *   npx tsx bench/orders.ts [pushes=500] [csvOrders=5000]
 *
 * Prints its figures; it is a script, not a test, and asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { wrapPglite, type Database } from '../server/core/db/client.ts';
import { freshPostgres } from './postgres.ts';
import { tmpdir } from 'node:os';
import { createLogger } from '../server/core/logger.ts';
import { createMailer } from '../server/core/mail.ts';
import { connectRedis } from '../server/core/redis.ts';
import { demoOwnerSession } from './session.ts';

const pushes = Number(process.argv[2] ?? 500);
const csvOrders = Number(process.argv[3] ?? 5000);
const pgUrl = process.env.BENCH_DATABASE_URL;

async function openDb(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (!pgUrl) return { database: await wrapPglite(await PGlite.create()), drop: async () => undefined };
  return freshPostgres(pgUrl);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const order = (i: number) => ({
  orderedAt: '2026-11-20T10:00:00+09:00',
  customer: { name: `顧客 ${i}`, email: `c${i}@example.jp`, phone: '090-1234-5678', postcode: '150-0001', prefecture: '東京都', address: '渋谷区1-2-3' },
  lines: [
    { sku: 'A', name: '商品A', quantity: 1 + (i % 3), unitPrice: 1980, taxRate: 10 },
    { sku: 'B', name: '商品B', quantity: 1, unitPrice: 864, taxRate: 8 },
  ],
  shippingFee: 770,
  paymentMethod: 'credit_card',
});

async function main() {
  const { database, drop } = await openDb();
  const redis = connectRedis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const config = loadConfig({ REDIS_KEY_PREFIX: `mdg-bench-${Date.now()}:`, IMPORT_LIMIT_MB: '100', SEED_DEMO: 'false' });
  const logger = createLogger('silent');
  const mailer = createMailer({ from: config.MAIL_FROM, outboxDir: `${tmpdir()}/madoguchi-bench-outbox` }, logger);
  const app = createApp({ config, database, redis, logger, mailer, version: 'bench' });
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const session = await demoOwnerSession(database.db, base);
  const shopId = session.shopId;
  const headers = { ...session.headers };

  const timeGets = async (path: string, n = 300) => {
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await (await fetch(base + path, { headers })).arrayBuffer();
      ts.push(performance.now() - t);
    }
    return `p50 ${pct(ts, 50).toFixed(2)} ms, p99 ${pct(ts, 99).toFixed(2)} ms`;
  };
  const health = await timeGets('/healthz');
  const shopGet = await timeGets(`/api/shops/${shopId}`);
  const times: number[] = [];
  for (let i = 0; i < pushes; i++) {
    const t = performance.now();
    const r = await fetch(`${base}/api/shops/${shopId}/orders/B-${i}`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(order(i)) });
    if (r.status !== 201) throw new Error(`push ${i}: ${r.status} ${await r.text()}`);
    times.push(performance.now() - t);
  }

  const head = 'order_number,ordered_at,customer_name,customer_email,customer_phone,postcode,prefecture,address,sku,item_name,quantity,unit_price,tax_rate,shipping_fee,payment_method';
  const rows = [head];
  for (let i = 0; i < csvOrders; i++) {
    for (const [sku, price, tax] of [['A', 1980, 10], ['B', 864, 8]] as const) {
      rows.push(`C-${i},2026/11/20 10:00,顧客 ${i},c${i}@example.jp,090-1234-5678,1500001,東京都,渋谷区1-2-3,${sku},商品${sku},1,${price},${tax},770,クレジットカード`);
    }
  }
  const csv = rows.join('\n');
  const imp = async () => {
    const t = performance.now();
    const r = await fetch(`${base}/api/shops/${shopId}/orders/import`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: csv });
    const body = (await r.json()) as { orders: Record<string, number> };
    return { ms: performance.now() - t, body };
  };
  const first = await imp();
  const again = await imp();

  // The same orders as Shopify's orders_export.csv writes them (its 79 columns, order fields on the first row of each
  // order only, #-names, JP-13 and '150-0001): the preset's cost beside madoguchi's own columns, in the same run.
  const shopifyHeader = readFileSync(new URL('../test/fixtures/exports/shopify-orders_export.csv', import.meta.url), 'utf8').split(/\r?\n/)[0]!.split(',');
  const shopifyRow = (cells: Record<string, string | number>) => shopifyHeader.map((h) => String(cells[h] ?? '')).join(',');
  const shopifyRows = [shopifyHeader.join(',')];
  for (let i = 0; i < csvOrders; i++) {
    const common = { Name: `#S${i}`, 'Created at': '2026-11-20 10:00:00 +0900', Currency: 'JPY', Id: 5_900_000_000_000 + i };
    shopifyRows.push(
      shopifyRow({
        ...common,
        Email: `s${i}@example.jp`, 'Financial Status': 'paid', Subtotal: 3080, Shipping: 770, Taxes: 350, Total: 3850,
        'Lineitem quantity': 1, 'Lineitem name': '商品A', 'Lineitem price': 1980, 'Lineitem sku': 'A',
        'Billing Name': `顧客 ${i}`, 'Shipping Name': `顧客 ${i}`, 'Shipping Address1': '神宮前1-2-3', 'Shipping City': '渋谷区', 'Shipping Zip': "'150-0001",
        'Shipping Province': 'JP-13', 'Shipping Country': 'JP', 'Shipping Phone': '090-1234-5678', 'Payment Method': 'Shopify Payments', 'Tax 1 Name': 'JCT 10%', 'Tax 1 Value': 350,
      }),
      shopifyRow({ ...common, 'Lineitem quantity': 1, 'Lineitem name': '商品B', 'Lineitem price': 1100, 'Lineitem sku': 'B' }),
    );
  }
  const shopifyCsv = shopifyRows.join('\n');
  const t0 = performance.now();
  const shopifyImport = await fetch(`${base}/api/shops/${shopId}/orders/import`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: shopifyCsv });
  const shopifyBody = (await shopifyImport.json()) as { preset?: string; orders: Record<string, number> };
  const shopifyMs = performance.now() - t0;

  const kind = pgUrl ? 'postgres' : 'pglite';
  console.log(`database: ${kind}`);
  console.log(`GET /healthz (no database): ${health}; GET /api/shops/:id (session + membership + one read): ${shopGet}`);
  console.log(`PUT order (new, 2 lines), ${pushes} sequential: p50 ${pct(times, 50).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms, ${(pushes / (times.reduce((a, b) => a + b, 0) / 1000)).toFixed(0)} orders/s`);
  console.log(`CSV import ${csvOrders} orders (${csvOrders * 2} rows, ${(csv.length / 1024 / 1024).toFixed(1)} MiB): ${(first.ms / 1000).toFixed(2)} s, ${(csvOrders / (first.ms / 1000)).toFixed(0)} orders/s → ${JSON.stringify(first.body.orders)}`);
  console.log(`same file again (all unchanged): ${(again.ms / 1000).toFixed(2)} s → ${JSON.stringify(again.body.orders)}`);
  console.log(
    `Shopify orders_export.csv, the same ${csvOrders} orders (${(shopifyCsv.length / 1024 / 1024).toFixed(1)} MiB, preset ${shopifyBody.preset}): ${(shopifyMs / 1000).toFixed(2)} s, ${(csvOrders / (shopifyMs / 1000)).toFixed(0)} orders/s (${(shopifyMs / first.ms).toFixed(2)}× madoguchi's columns) → ${JSON.stringify(shopifyBody.orders)}`,
  );

  server.close();
  await redis.quit();
  await database.close();
  await drop();
}

await main();
