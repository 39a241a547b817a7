import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../../../server/core/db/client.ts';
import { noticeCampaigns } from '../../../server/domains/notices/notices.campaigns.tables.ts';
import { noticeSamples } from '../../../server/domains/notices/notices.types.ts';
import { upsertOrders } from '../../../server/domains/orders/orders.repository.ts';
import { toRecord } from '../../../server/domains/orders/orders.service.ts';
import { orderInput } from '../../../server/domains/orders/orders.schema.ts';
import { anOrder } from '../../fixtures/builders.ts';
import type { TestClient } from '../../helpers/client.ts';
import { eventually } from '../../helpers/eventually.ts';
import type { SinkMail } from '../../helpers/smtp.ts';

export const uniq = () => randomBytes(4).toString('hex');

export interface SeedOrder {
  orderNumber: string;
  email: string;
  name?: string;
  prefecture?: string;
  carrier?: string;
  postcode?: string;
  shipped?: boolean;
  originPrefecture?: string;
}

/** Orders written straight through the repository (hundreds at once; the API's path is tested elsewhere). */
export async function seedOrders(database: Database, shopId: string, list: SeedOrder[]): Promise<void> {
  const records = list.map((o) => {
    const input = orderInput.parse(
      anOrder({
        customer: { name: o.name ?? '田中 太郎', email: o.email, prefecture: (o.prefecture ?? '東京都') as never, postcode: o.postcode ?? '150-0001' },
        carrier: o.carrier ?? 'ヤマト運輸',
        shippedAt: o.shipped === false ? null : '2026-11-21T15:00:00+09:00',
        deliveredAt: null,
        ...(o.originPrefecture ? { originPrefecture: o.originPrefecture as never } : {}),
      }),
    );
    const r = toRecord(input, 'api');
    r.fields.orderNumber = o.orderNumber;
    return r;
  });
  for (let i = 0; i < records.length; i += 200) await upsertOrders(database.db, shopId, records.slice(i, i + 200));
}

/**
 * `customers` distinct customers over `orders` orders (the first ones have several), addresses
 * in mixed case on some orders: one customer is one lower-cased address.
 */
export function customersWithOrders(tag: string, customers: number, orders: number): SeedOrder[] {
  const list: SeedOrder[] = [];
  for (let i = 0; i < orders; i++) {
    const c = i % customers;
    const local = `buyer${c}-${tag}`;
    list.push({ orderNumber: `N${tag}-${String(i).padStart(4, '0')}`, email: i >= customers && c % 2 === 0 ? `${local.toUpperCase()}@Example.JP` : `${local}@example.jp`, name: `顧客 ${c}` });
  }
  return list;
}

export const seasonal = () => ({ ...noticeSamples.seasonal });

export function campaignBody(target: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name: `テスト ${uniq()}`,
    type: 'seasonal',
    variables: seasonal(),
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    channels: { banner: false, mail: true, chat: false },
    target,
    ...extra,
  };
}

export const campaignPath = (shopId: string, id?: string) => `/api/shops/${shopId}/notice-campaigns${id ? `/${id}` : ''}`;

export async function createAndPublish(c: TestClient, shopId: string, body: Record<string, unknown>) {
  const made = await c.post(campaignPath(shopId), body);
  if (made.status !== 201) throw new Error(`create: ${made.status} ${made.text}`);
  const pub = await c.post(`${campaignPath(shopId, made.body.id)}/publish`, { version: made.body.version });
  if (pub.status !== 200) throw new Error(`publish: ${pub.status} ${pub.text}`);
  return pub.body as { id: string; version: number; status: string };
}

export const campaignMails = (mails: SinkMail[], campaignId: string) => mails.filter((m) => String(m.raw.messageId ?? '').startsWith(`<notice-${campaignId}-`));

export async function statusOfCampaign(database: Database, id: string) {
  const [r] = await database.db.select({ status: noticeCampaigns.status }).from(noticeCampaigns).where(eq(noticeCampaigns.id, id));
  return r?.status;
}

export const untilStatus = (database: Database, id: string, status: string, ms = 30_000) =>
  eventually(async () => (await statusOfCampaign(database, id)) === status, `campaign ${id} to be ${status}`, ms);
