import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { OrderInputJson as OrderInput } from '../../../server/domains/orders/orders.schema.ts';
import type { ReturnTermsInput } from '../../../server/domains/returns/returns.terms.schema.ts';
import type { Role } from '../../../server/domains/shops/shops.tables.ts';
import type { TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestShop } from '../../fixtures/builders.ts';

/**
 * Shared steps of the returns suites: a shop with a signed-in client per role and the shop
 * platform's API key, terms to publish, orders pushed "now" (so the terms published before
 * them apply), and the return calls of the API.
 */

export interface Desk {
  shop: TestShop;
  /** One signed-in client per role of the shop. */
  as: Record<Role, TestClient>;
  owner: TestClient;
  /** The shop platform, pushing orders with the shop's API key. */
  platform: TestClient;
}

export async function openDesk(server: TestServer): Promise<Desk> {
  const shop = await makeShop(server.database);
  const as = {} as Record<Role, TestClient>;
  for (const role of ['owner', 'staff', 'agent', 'contractor'] as const) as[role] = await signedIn(server.url, shop.people[role]);
  const key = await as.owner.post(`/api/shops/${shop.id}/api-keys`, { name: 'ショップ連携' });
  expect(key.status, key.text).to.equal(201);
  return { shop, as, owner: as.owner, platform: new TestClient(server.url).withKey(key.body.key) };
}

/** Terms a small shop might publish: 14 days, sale items final, fees kept on returns of choice, auto-approval up to ¥5,000. */
export function someTerms(overrides: Partial<ReturnTermsInput> = {}): ReturnTermsInput {
  return {
    acceptsReturns: true,
    windowDays: 14,
    returnShippingPaidBy: { size: 'customer', not_as_expected: 'customer', changed_mind: 'customer' },
    nonReturnableTags: ['sale'],
    tagLabels: [{ tag: 'sale', ja: 'セール品', en: 'Sale items' }],
    deductions: { outboundShipping: true, codFee: true, transferFee: 220 },
    autoApprove: { enabled: true, maxAmount: 5000 },
    agentRefundLimit: 3000,
    shipWithinDays: 10,
    ...overrides,
  };
}

export async function publish(d: Desk, terms: ReturnTermsInput = someTerms()): Promise<number> {
  const r = await d.owner.put(`/api/shops/${d.shop.id}/return-terms`, terms);
  expect(r.status, r.text).to.equal(200);
  return r.body.version as number;
}

export interface PushedOrder {
  number: string;
  /** The customer's own address, unique per order: mails are matched by it, and no two orders share a return history. */
  email: string;
  id: string;
}

/**
 * An order placed, shipped and delivered now (inside any window, and after every terms
 * version published so far): mugs 2 × ¥2,750 (10%), cookies 1 × ¥864 (8%), shipping ¥770.
 */
export async function pushOrder(d: Desk, overrides: Partial<OrderInput> = {}, shopId = d.shop.id): Promise<PushedOrder> {
  const number = newOrderNumber();
  const email = `buyer-${randomBytes(4).toString('hex')}@example.jp`;
  const now = new Date().toISOString();
  const body = anOrder({ orderedAt: now, shippedAt: now, deliveredAt: now, customer: { ...anOrder().customer, email }, ...overrides });
  const r = await d.platform.put(`/api/shops/${shopId}/orders/${number}`, body);
  expect(r.status, r.text).to.equal(201);
  return { number, email, id: r.body.order.id };
}

export const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

export interface Ask {
  orderNumber: string;
  reason?: string;
  kind?: string;
  items?: Array<{ lineNo: number; quantity: number }>;
  [field: string]: unknown;
}

/** One mug, changed mind, unless the ask says otherwise. */
const askBody = (ask: Ask) => ({ reason: 'changed_mind', items: [{ lineNo: 1, quantity: 1 }], ...ask });

export const fileReturn = (c: TestClient, shopId: string, ask: Ask) => c.post(`/api/shops/${shopId}/returns`, askBody(ask));
export const previewReturn = (c: TestClient, shopId: string, ask: Ask) => c.post(`/api/shops/${shopId}/returns/preview`, askBody(ask));

/** Files and expects 201; returns the return's view. */
export async function filed(c: TestClient, shopId: string, ask: Ask) {
  const r = await fileReturn(c, shopId, ask);
  expect(r.status, r.text).to.equal(201);
  return r.body;
}

export const move = (c: TestClient, shopId: string, returnId: string, body: Record<string, unknown>) => c.post(`/api/shops/${shopId}/returns/${returnId}/transitions`, body);

/** Moves and expects 200; returns the return's view after the move. */
export async function moved(c: TestClient, shopId: string, returnId: string, body: Record<string, unknown>) {
  const r = await move(c, shopId, returnId, body);
  expect(r.status, `${String(body.event)}: ${r.text}`).to.equal(200);
  return r.body;
}

export const eventsOf = (view: { history: Array<{ event: string }> }) => view.history.map((h) => h.event);
