import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import type { EventSink } from '../../events/commit.ts';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { listCsat, rateConversation } from './csat.service.ts';

export interface CsatDeps {
  db: Db;
  /** A rating says csat.received after its commit. */
  sink: EventSink;
}

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const tokyoDay = z
  .string()
  .regex(DAY, 'expected a date as YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, 'no such date');

const count = z.number().int();
const listView = z.object({
  from: z.string(),
  to: z.string(),
  summary: z.object({ count, average: z.number().nullable(), distribution: z.object({ '1': count, '2': count, '3': count, '4': count, '5': count }) }),
  ratings: z.array(
    z.object({ conversationId: z.uuid(), number: count, assigneeId: z.uuid().nullable(), rating: count, comment: z.string().nullable(), createdAt: z.string() }),
  ),
  truncated: z.boolean(),
});

/** Japan has no daylight saving time, so a Tokyo day is always [00:00+09:00, next 00:00+09:00). */
const startOfTokyoDay = (d: string) => new Date(`${d}T00:00:00+09:00`);
const todayInTokyo = (now = new Date()) => new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);

export function csatRoutes(api: Api, deps: CsatDeps): void {
  const { db } = deps;
  api.route({
    method: 'post',
    path: '/api/public/shops/:shopId/widget/conversations/:conversationId/csat',
    tag: 'Widget',
    summary: 'The customer rates a resolved conversation (1–5, optional comment); once per conversation',
    description: 'Authenticated by the widget customer token (Bearer). Not yet resolved → 409 invalid_transition; already rated → 409 conflict; not this customer’s conversation → 404.',
    auth: 'widget',
    params: shopIdParams.extend({ conversationId: z.uuid({ message: 'expected a conversation id (UUID)' }) }),
    body: z.strictObject({ rating: z.int().min(1).max(5), comment: z.string().max(1000).optional() }),
    response: z.object({ conversationId: z.uuid(), rating: z.number(), comment: z.string().nullable(), createdAt: z.string() }),
    status: 201,
    errors: ['unauthenticated', 'not_found', 'invalid_transition', 'conflict'],
    handler: ({ params, body, customer }) => rateConversation(db, deps.sink, { shopId: params.shopId, conversationId: params.conversationId, customerId: customer.customerId, ...body }),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/csat',
    tag: 'CSAT',
    summary: 'Satisfaction ratings of a period with their average and distribution (members)',
    description: 'from and to are days in Asia/Tokyo, both included; by default the current month so far.',
    auth: 'session',
    params: shopIdParams,
    query: z
      .strictObject({ from: tokyoDay.optional(), to: tokyoDay.optional() })
      .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] }),
    response: listView,
    errors: ['not_found', 'forbidden', 'invalid_input'],
    handler: ({ actor, query }) => {
      const to = query.to ?? todayInTokyo();
      const from = query.from ?? `${to.slice(0, 7)}-01`;
      const end = new Date(startOfTokyoDay(to).getTime() + 86_400_000);
      return listCsat(db, actor, startOfTokyoDay(from), end);
    },
  });
}
