import { expect } from 'chai';
import { createLogger } from '../../../server/core/logger.ts';
import { BaseClient, problemOf } from '../../../server/domains/stores/base/base.client.ts';
import { LOOKBACK_DAYS, syncBase } from '../../../server/domains/stores/base/base.adapter.ts';
import type { BaseApp } from '../../../server/domains/stores/base/base.client.ts';
import { StoreApiError, type StoreOrder, type SyncContext, type SyncTrigger } from '../../../server/domains/stores/stores.port.ts';
import { baseApiStandIn, type BaseApiStandIn } from '../../helpers/base-api.ts';
import { baseOrder } from '../../fixtures/base/orders.ts';

/**
 * The adapter against the BASE stand-in, driven the way core's sync runner drives it: a
 * SyncContext that keeps what it is given (tokens, orders, state) in memory. The app-level
 * tests (stores.base.*.test.ts beside this file) run the same through core with a real database.
 */
interface Run {
  saved: StoreOrder[];
  rejected: Array<{ orderNumber: string; reason: string }>;
  tokens: Array<{ access: string; refresh?: string | null; expiresAt?: Date | null }>;
  state: Record<string, unknown>;
}

function context(secrets: { access: string; refresh: string | null }, state: Record<string, unknown> = {}, tokenExpiresAt: Date | null = null): { ctx: SyncContext; run: Run } {
  const run: Run = { saved: [], rejected: [], tokens: [], state };
  let current = { ...secrets };
  const ctx = {
    connection: { id: '00000000-0000-4000-8000-0000000000b1', shopId: '00000000-0000-4000-8000-0000000000a1', platform: 'base', account: 'madoguchi_test', backfillDays: 30, state, tokenExpiresAt },
    secrets: () => ({ ...current, webhook: null }),
    saveTokens: async (t: { access: string; refresh?: string | null; expiresAt?: Date | null }) => {
      run.tokens.push(t);
      current = { access: t.access, refresh: t.refresh ?? current.refresh };
    },
    save: async (orders: StoreOrder[]) => void run.saved.push(...orders),
    reject: (orderNumber: string, reason: string) => void run.rejected.push({ orderNumber, reason }),
    setState: (s: Record<string, unknown>) => void (run.state = s),
    fetch,
    logger: createLogger('silent'),
    signal: new AbortController().signal,
  } as unknown as SyncContext;
  return { ctx, run };
}

describe('BASE adapter against the BASE stand-in', () => {
  let base: BaseApiStandIn;
  let app: BaseApp;

  beforeEach(async () => {
    base = await baseApiStandIn();
    app = { apiUrl: base.url, clientId: 'client-1', clientSecret: 'secret-1', redirectUri: 'http://127.0.0.1/stores/base/callback' };
    base.addClient(app.clientId, app.clientSecret, app.redirectUri);
  });
  afterEach(() => base.close());

  const sync = (ctx: SyncContext, trigger: SyncTrigger = 'poll') => syncBase(ctx, trigger, app);

  it('a backfill brings the orders placed within backfill_days, page by page, each detail fetched once', async () => {
    for (let i = 0; i < 230; i++) base.putOrder(baseOrder(i / 10));
    base.putOrder(baseOrder(45)); // older than the 30 days of the backfill
    const { ctx, run } = context(base.issueTokens());
    await sync(ctx, 'backfill');
    expect(run.saved).to.have.length(230);
    expect(new Set(run.saved.map((o) => o.orderNumber)).size).to.equal(230);
    expect(base.callsTo('/1/orders/detail')).to.have.length(230);
    const lists = base.callsTo('/1/orders').filter((c) => c.path === '/1/orders');
    expect(lists.map((c) => c.query.offset)).to.deep.equal(['0', '100', '200']);
    expect(lists.every((c) => c.query.limit === '100')).to.equal(true);
    expect(run.state.since).to.be.a('string');
    expect(Object.keys(run.state.seen as object)).to.have.length(230);
  });

  it('a poll after it fetches only what changed, and looks back far enough to see an old order shipped', async () => {
    const old = baseOrder(20);
    base.putOrder(old);
    base.putOrder(baseOrder(1));
    const first = context(base.issueTokens());
    await sync(first.ctx, 'backfill');
    expect(first.run.saved).to.have.length(2);

    base.updateOrder(old.unique_key, { dispatched: Math.floor(Date.now() / 1000), dispatch_status: 'dispatched', delivery_company_id: 2, tracking_number: '9999-0000-1111' });
    const fresh = baseOrder(0);
    base.putOrder(fresh);
    const before = base.callsTo('/1/orders/detail').length;
    const second = context(base.issueTokens(), first.run.state);
    await sync(second.ctx);
    expect(second.run.saved.map((o) => o.orderNumber).sort()).to.deep.equal([old.unique_key, fresh.unique_key].sort());
    expect(base.callsTo('/1/orders/detail').length - before).to.equal(2);
    const shipped = second.run.saved.find((o) => o.orderNumber === old.unique_key)!;
    expect(shipped.input.carrier).to.equal('佐川急便');
    expect(shipped.input.shippedAt).to.be.a('string');
    // The window reaches back to the backfill's start (30 days here), not beyond.
    const window = base.callsTo('/1/orders').filter((c) => c.path === '/1/orders').at(-1)!;
    const start = Date.parse(`${window.query.start_ordered!.replace(' ', 'T')}+09:00`);
    expect(start).to.equal(Math.floor(Date.parse(first.run.state.floor as string) / 1000) * 1000);

    const third = context(base.issueTokens(), second.run.state);
    await sync(third.ctx);
    expect(third.run.saved).to.deep.equal([]);
  });

  it('polls look back LOOKBACK_DAYS when the backfill went further; an order placed before the backfill is never fetched', async () => {
    base.putOrder(baseOrder(70));
    base.putOrder(baseOrder(100));
    const { ctx, run } = context(base.issueTokens());
    (ctx.connection as { backfillDays: number }).backfillDays = 90;
    await sync(ctx, 'backfill');
    expect(run.saved).to.have.length(1);
    const poll = context(base.issueTokens(), run.state);
    await sync(poll.ctx);
    const window = base.callsTo('/1/orders').filter((c) => c.path === '/1/orders').at(-1)!;
    const start = Date.parse(`${window.query.start_ordered!.replace(' ', 'T')}+09:00`);
    expect(Math.round((Date.now() - start) / 86_400_000)).to.equal(LOOKBACK_DAYS);
    expect(poll.run.saved).to.deep.equal([]);
  });

  it('an access token past its time is renewed before the call, and the new pair is stored', async () => {
    base.putOrder(baseOrder(1));
    const { ctx, run } = context(base.issueTokens(), {}, new Date(Date.now() - 1000));
    await sync(ctx, 'backfill');
    expect(run.tokens).to.have.length(1);
    expect(run.tokens[0]!.refresh).to.be.a('string');
    expect(run.tokens[0]!.expiresAt!.getTime()).to.be.greaterThan(Date.now());
    expect(base.callsTo('/1/oauth/token')).to.have.length(1);
    expect(run.saved).to.have.length(1);
  });

  it('a token BASE refuses mid-run is renewed once, even with two calls refused together', async () => {
    for (let i = 0; i < 6; i++) base.putOrder(baseOrder(i));
    const { ctx, run } = context(base.issueTokens());
    base.expireAccessTokens();
    await sync(ctx, 'backfill');
    expect(base.callsTo('/1/oauth/token')).to.have.length(1);
    expect(run.tokens).to.have.length(1);
    expect(run.saved).to.have.length(6);

    // Two calls in flight when BASE starts refusing: one refresh, both answered.
    const saved: unknown[] = [];
    const client = new BaseClient({ app, fetch, tokens: { ...base.issueTokens(), expiresAt: null }, saveTokens: async (t) => void saved.push(t) });
    base.expireAccessTokens();
    const answers = await Promise.all([client.get('/1/users/me'), client.get('/1/orders', { limit: 1 }), client.get('/1/delivery_companies')]);
    expect(answers).to.have.length(3);
    expect(saved).to.have.length(1);
    expect(base.callsTo('/1/oauth/token')).to.have.length(2);
  });

  it('BASE refusing the refresh token (revoked on its side) is an auth error: core breaks the connection', async () => {
    base.putOrder(baseOrder(1));
    const tokens = base.issueTokens();
    base.revokeAll();
    const { ctx, run } = context(tokens);
    const e = await sync(ctx).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(StoreApiError);
    expect((e as StoreApiError).kind).to.equal('auth');
    expect((e as StoreApiError).ja).to.include('接続をやり直してください');
    expect(run.tokens).to.deep.equal([]);
  });

  it('a refresh token already used once is refused the same way', async () => {
    const tokens = base.issueTokens();
    const client = new BaseClient({ app, fetch, tokens: { ...tokens, expiresAt: new Date(0) }, saveTokens: async () => undefined });
    await client.get('/1/users/me');
    const again = new BaseClient({ app, fetch, tokens: { ...tokens, expiresAt: new Date(0) }, saveTokens: async () => undefined });
    const e = await again.get('/1/users/me').catch((x: unknown) => x);
    expect((e as StoreApiError).kind).to.equal('auth');
    expect((e as StoreApiError).opts.code).to.equal('refresh_refused');
  });

  it('429 is rate_limited with its Retry-After; 500 and a hang-up are unavailable; BASE’s hourly limit waits for the hour', async () => {
    const { ctx } = context(base.issueTokens());
    base.failNext('/1/orders', { status: 429, retryAfter: 120 });
    let e = (await sync(ctx).catch((x: unknown) => x)) as StoreApiError;
    expect([e.kind, e.opts.retryAfterMs]).to.deep.equal(['rate_limited', 120_000]);
    base.failNext('/1/orders', { status: 500 });
    e = (await sync(ctx).catch((x: unknown) => x)) as StoreApiError;
    expect([e.kind, e.opts.status]).to.deep.equal(['unavailable', 500]);
    base.failNext('/1/orders', { hangUp: true });
    e = (await sync(ctx).catch((x: unknown) => x)) as StoreApiError;
    expect(e.kind).to.equal('unavailable');
    base.failNext('/1/orders', { limit: 'hour' });
    e = (await sync(ctx).catch((x: unknown) => x)) as StoreApiError;
    expect(e.kind).to.equal('rate_limited');
    expect(e.opts.retryAfterMs).to.be.within(1000, 3_601_000);
  });

  it('an invalid token answered with BASE’s documented 400 is read like a 401', () => {
    const headers = new Headers();
    expect(problemOf({ status: 400, body: { error: 'invalid_request', error_description: 'アクセストークンが無効です。' }, headers }).kind).to.equal('auth');
    expect(problemOf({ status: 400, body: { error: 'day_api_limit' }, headers }).kind).to.equal('rate_limited');
    expect(problemOf({ status: 400, body: { error: 'no_order' }, headers }).kind).to.equal('not_found');
    expect(problemOf({ status: 400, body: { error: 'invalid_request', error_description: '不正なパラメーターです。' }, headers }).kind).to.equal('bad_response');
  });

  it('an order listed but gone from its detail is refused by name; the run goes on', async () => {
    const kept = baseOrder(1);
    const gone = baseOrder(1);
    base.putOrder(kept);
    base.putOrder(gone);
    base.hideDetail(gone.unique_key);
    const { ctx, run } = context(base.issueTokens());
    await sync(ctx, 'backfill');
    expect(run.saved.map((o) => o.orderNumber)).to.deep.equal([kept.unique_key]);
    expect(run.rejected.map((r) => r.orderNumber)).to.deep.equal([gone.unique_key]);
  });

  it('a token without read_orders is an auth error naming the scope', async () => {
    const { ctx } = context(base.issueTokens({ scopes: ['read_users'] }));
    const e = (await sync(ctx).catch((x: unknown) => x)) as StoreApiError;
    expect([e.kind, e.opts.code]).to.deep.equal(['auth', 'invalid_scope']);
  });
});
