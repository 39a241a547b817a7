/**
 * The bare twins of the console's list routes: a Koa app with a router and nothing else (no
 * session, no membership check, no query schema, no DTOs, no masking, no audit row) whose
 * routes call the same repository functions the real routes call and answer their rows as
 * JSON (the inbox's rows, the related panel and the audit trail's events are JSON PostgreSQL
 * wrote, as their repositories answer them). They
 * are imported, never copied, so a twin follows its repository when it changes; the distance
 * between a route and its twin is what the service adds around the query.
 *
 * Who is asking comes in `?user=` (the real routes read it from the session).
 */
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import type { Db } from '../../server/core/db/client.ts';
import { listAuditJson } from '../../server/domains/audit/audit.repository.ts';
import { listMemberships } from '../../server/domains/auth/auth.repository.ts';
import { inboxFilter, type InboxQuery } from '../../server/domains/conversations/conversations.inbox.ts';
import { relatedJson } from '../../server/domains/conversations/conversations.related.repository.ts';
import { listConversationPageJson } from '../../server/domains/conversations/conversations.list.repository.ts';
import { listConversationPageAcross } from '../../server/domains/conversations/conversations.across.repository.ts';
import { listOrders } from '../../server/domains/orders/orders.repository.ts';
import { listReturns } from '../../server/domains/returns/returns.repository.ts';

const str = (ctx: Context, k: string) => (typeof ctx.query[k] === 'string' ? (ctx.query[k] as string) : undefined);

/** The inbox query as the real route's schema would give it, from raw strings. */
function inboxQuery(ctx: Context): InboxQuery {
  return {
    status: str(ctx, 'status') as InboxQuery['status'],
    assignee: str(ctx, 'assignee'),
    tag: str(ctx, 'tag'),
    priority: str(ctx, 'priority') as InboxQuery['priority'],
    q: str(ctx, 'q'),
    limit: Number(str(ctx, 'limit') ?? 50),
    before: str(ctx, 'before'),
  };
}

export function twinApp(db: Db): Koa {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/twin/session', async (ctx) => {
    ctx.body = await listMemberships(db, str(ctx, 'user')!);
  });
  router.get('/twin/shops/:shopId/conversations', async (ctx) => {
    const shopId = ctx.params.shopId!;
    // The rows' DTOs as PostgreSQL built them, in a JSON array.
    const rows = await listConversationPageJson(db, shopId, inboxFilter(str(ctx, 'user')!, inboxQuery(ctx)));
    ctx.type = 'application/json';
    ctx.body = `[${rows.map((r) => r.dto).join(',')}]`;
  });
  router.get('/twin/me/conversations', async (ctx) => {
    const userId = str(ctx, 'user')!;
    const q = inboxQuery(ctx);
    const shops = await listMemberships(db, userId);
    const filter = inboxFilter(userId, q);
    // The rows' DTOs as PostgreSQL built them, in a JSON array, as for one shop.
    const rows = await listConversationPageAcross(db, shops.map((m) => m.shopId), filter);
    ctx.type = 'application/json';
    ctx.body = `[${rows.slice(0, q.limit).map((r) => r.dto).join(',')}]`;
  });
  router.get('/twin/shops/:shopId/conversations/:conversationId/related', async (ctx) => {
    const { shopId, conversationId } = ctx.params as { shopId: string; conversationId: string };
    const json = await relatedJson(db, shopId, conversationId, true);
    if (json === undefined) return void (ctx.status = 404);
    ctx.type = 'application/json';
    ctx.body = json;
  });
  router.get('/twin/shops/:shopId/orders', async (ctx) => {
    ctx.body = await listOrders(db, ctx.params.shopId!, { q: str(ctx, 'q'), limit: Number(str(ctx, 'limit') ?? 25) + 1, matchContact: true });
  });
  router.get('/twin/shops/:shopId/returns', async (ctx) => {
    ctx.body = await listReturns(db, ctx.params.shopId!, { limit: Number(str(ctx, 'limit') ?? 25) });
  });
  router.get('/twin/shops/:shopId/audit', async (ctx) => {
    // Each event as PostgreSQL wrote it, in a JSON array, as the real route's repository answers them.
    const events = await listAuditJson(db, ctx.params.shopId!, { limit: Number(str(ctx, 'limit') ?? 50) + 1 });
    ctx.type = 'application/json';
    ctx.body = `[${events.map((e) => e.event).join(',')}]`;
  });
  const app = new Koa();
  app.use(router.routes());
  return app;
}
