import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { advisoryXactLock, type Db } from './core/db/client.ts';
import { findUserByEmail, setPasswordHash } from './domains/auth/auth.repository.ts';
import { hashPassword } from './domains/auth/password.ts';
import { insertMembership, insertShop, insertUser } from './domains/shops/shops.repository.ts';
import type { Role } from './domains/shops/shops.tables.ts';
import { saveImportedOrders } from './domains/orders/orders.service.ts';
import type { OrderInput } from './domains/orders/orders.schema.ts';
import { insertTermsVersion } from './domains/returns/returns.terms.repository.ts';
import { returnTermsInput } from './domains/returns/returns.terms.schema.ts';

const DEMO_SEED_LOCK = 727_002;

export interface DemoSignIn {
  email: string;
  role: Role;
  shops: string[];
  password?: string;
}

export interface DemoResult {
  created: boolean;
  shops: { id: string; name: string }[];
  users: DemoSignIn[];
}

const people: { email: string; name: string; role: Role; shops: number[] }[] = [
  // The owner has both shops, so the owner sees a shop switcher too.
  { email: 'owner@demo.madoguchi.test', name: '山田 花子', role: 'owner', shops: [0, 1] },
  { email: 'staff@demo.madoguchi.test', name: '佐藤 健', role: 'staff', shops: [0] },
  { email: 'agent@demo.madoguchi.test', name: '鈴木 一郎', role: 'agent', shops: [0] },
  { email: 'contractor@demo.madoguchi.test', name: '高橋 美咲', role: 'contractor', shops: [0, 1] },
];

const shopsToMake = [
  { name: 'まどぐち雑貨店', allowedOrigins: ['http://localhost:5173'], noticeContact: 'shop@zakka.example.jp／03-1234-5678（平日10時〜17時）' },
  { name: 'まどぐち茶舗', allowedOrigins: [] as string[], noticeContact: 'cha@chaho.example.jp（土日祝を除く翌営業日までにお返事します）' },
];

const jst = (day: number, hour = 10) => `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+09:00`;

function demoOrders(shop: number): { orderNumber: string; input: OrderInput }[] {
  const customers = [
    { name: '田中 太郎', email: 'taro.tanaka@example.jp', phone: '090-1234-5678', postcode: '150-0001', prefecture: '東京都' as const, address: '渋谷区神宮前1-2-3' },
    { name: '伊藤 さくら', email: 'sakura.ito@example.jp', phone: '080-2345-6789', postcode: '530-0001', prefecture: '大阪府' as const, address: '大阪市北区梅田2-4-6' },
    { name: '渡辺 翔', email: 'sho.watanabe@example.jp', phone: '070-3456-7890', postcode: '060-0001', prefecture: '北海道' as const, address: '札幌市中央区北1条西3-1' },
  ];
  const items =
    shop === 0
      ? [
          { sku: 'MUG-001', name: '益子焼マグカップ', unitPrice: 2750, taxRate: 10 as const, tags: ['ceramics'] },
          { sku: 'TWL-010', name: '今治タオル（フェイス）', unitPrice: 1650, taxRate: 10 as const, tags: ['sale'] },
          { sku: 'SNK-100', name: '国産ほうじ茶クッキー', unitPrice: 864, taxRate: 8 as const, tags: ['food'] },
        ]
      : [
          { sku: 'TEA-SEN', name: '静岡煎茶 100g', unitPrice: 1296, taxRate: 8 as const, tags: ['food'] },
          { sku: 'TEA-POT', name: '常滑焼急須', unitPrice: 5500, taxRate: 10 as const, tags: ['ceramics'] },
        ];
  return customers.map((customer, i) => ({
    orderNumber: `${shop === 0 ? 'MDG' : 'CHA'}-2026-${String(1001 + i)}`,
    input: {
      orderedAt: jst(10 + i * 3),
      customer,
      lines: items.slice(0, i + 1 > items.length ? items.length : i + 1).map((it, j) => ({ ...it, quantity: j + 1 })),
      shippingFee: 770,
      codFee: i === 1 ? 330 : 0,
      paymentMethod: i === 1 ? 'cod' : 'credit_card',
      carrier: 'ヤマト運輸',
      trackingNumber: `4${shop}${i}0-1234-567${i}`,
      shippedAt: jst(11 + i * 3, 15),
      deliveredAt: i < 2 ? jst(13 + i * 3, 12) : null,
      ...(i === 0 ? { coupon: { code: 'WELCOME500', discount: 500 } } : {}),
    },
  }));
}

/** 14 days, sale items final, the label deducted on returns of choice, auto-approval up to ¥5,000. */
const demoTerms = returnTermsInput.parse({
  acceptsReturns: true,
  windowDays: 14,
  windowDaysByTag: [{ tag: 'food', days: 7 }],
  conditions: { unopened: true, tagsAttached: false },
  returnShippingPaidBy: { size: 'customer', not_as_expected: 'customer', changed_mind: 'customer' },
  nonReturnableTags: ['sale'],
  tagLabels: [
    { tag: 'sale', ja: 'セール品', en: 'Sale items' },
    { tag: 'food', ja: '食品', en: 'Food' },
  ],
  deductions: { returnShipping: 770, transferFee: 220 },
  autoApprove: { enabled: true, maxAmount: 5000 },
  agentRefundLimit: 10000,
  keepItemThreshold: 1000,
  refusedDelivery: { chargeShipping: true, returnShippingFee: 770 },
});

const newPassword = () => randomBytes(12).toString('base64url');

/**
 * Creates the demo shops, one person per role and a few orders, once. With
 * `resetPasswords`, an existing demo gets fresh passwords (printed again by `npm run demo`).
 */
export async function seedDemo(db: Db, opts: { resetPasswords?: boolean } = {}): Promise<DemoResult> {
  return db.transaction(async (tx) => {
    // Several processes starting on one empty database: one seeds, the others find it done.
    await advisoryXactLock(tx, DEMO_SEED_LOCK);
    return seedLocked(tx, opts);
  });
}

async function seedLocked(db: Db, opts: { resetPasswords?: boolean }): Promise<DemoResult> {
  if (await findUserByEmail(db, people[0]!.email)) return existingDemo(db, opts);
  return createDemo(db);
}

async function existingDemo(db: Db, opts: { resetPasswords?: boolean }): Promise<DemoResult> {
  const out: DemoSignIn[] = [];
  for (const p of people) {
    const u = await findUserByEmail(db, p.email);
    if (!u) continue;
    const entry: DemoSignIn = { email: p.email, role: p.role, shops: p.shops.map((i) => shopsToMake[i]!.name) };
    if (opts.resetPasswords) {
      entry.password = newPassword();
      await setPasswordHash(db, u.id, await hashPassword(entry.password));
    }
    out.push(entry);
  }
  return { created: false, shops: [], users: out };
}

async function createDemo(db: Db): Promise<DemoResult> {
  const shops: Awaited<ReturnType<typeof insertShop>>[] = [];
  for (const s of shopsToMake) shops.push(await insertShop(db, { name: s.name, allowedOrigins: s.allowedOrigins, noticeContact: s.noticeContact }));
  const signIns: DemoSignIn[] = [];
  for (const p of people) {
    const password = newPassword();
    const user = await insertUser(db, { email: p.email, name: p.name, passwordHash: await hashPassword(password) });
    for (const i of p.shops) await insertMembership(db, shops[i]!.id, user.id, p.role);
    signIns.push({ email: p.email, role: p.role, shops: p.shops.map((i) => shops[i]!.name), password });
  }
  for (const [i, shop] of shops.entries()) {
    const orders = demoOrders(i);
    await saveImportedOrders(db, { kind: 'system', shopId: shop.id, name: 'demo seed' }, orders, { rows: orders.length, rejected: 0, encoding: 'utf-8' });
  }
  // The first shop has published return terms (before its orders, so they apply); the second
  // has none, and shows the statutory rule.
  await insertTermsVersion(db, shops[0]!.id, demoTerms, 'demo seed', new Date('2026-11-01T00:00:00+09:00'));
  return { created: true, shops: shops.map((s) => ({ id: s.id, name: s.name })), users: signIns };
}

export function printDemo(demo: DemoResult, baseUrl: string): void {
  const lines = [
    '',
    'デモ用のサインイン / demo sign-ins (shown once; `npm run demo` sets new passwords):',
    ...demo.users.map((u) => `  ${u.role.padEnd(10)} ${u.email.padEnd(32)} ${u.password ?? '(unchanged)'}   ${u.shops.join(', ')}`),
    `  console: ${baseUrl}/console/`,
    ...demo.shops.map((s) => `  ${s.name}: returns portal ${baseUrl}/returns/${s.id} · return terms ${baseUrl}/shops/${s.id}/return-terms`),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

// `npm run demo`: create the demo (or give its people new passwords) and print the sign-ins.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { loadConfig, publicUrl } = await import('./config.ts');
  const { openConfiguredDatabase } = await import('./core/db/client.ts');
  const config = loadConfig();
  try {
    const database = await openConfiguredDatabase(config);
    const demo = await seedDemo(database.db, { resetPasswords: true });
    printDemo(demo, publicUrl(config));
    await database.close();
  } catch (e) {
    process.stderr.write(`madoguchi demo: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
