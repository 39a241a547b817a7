import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { currentTokyoMonth, workLogCsv, workLogReport } from './worklog.service.ts';

const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM')
  .optional()
  .transform((m) => m ?? currentTokyoMonth());

const seconds = z.number().int();
const reportView = z.object({
  month: z.string(),
  from: z.string(),
  to: z.string(),
  agents: z.array(
    z.object({
      userId: z.uuid(),
      name: z.string(),
      totalSeconds: seconds,
      conversations: seconds,
      resolved: seconds,
      rows: z.array(z.object({ conversationId: z.uuid(), number: seconds, seconds, resolved: z.boolean() })),
    }),
  ),
});

export function workLogRoutes(api: Api, db: Db): void {
  const tag = 'Work log';
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/work-log',
    tag,
    summary: 'Time spent per person and conversation in a month (Asia/Tokyo)',
    description: 'Owner and staff see everyone; agents and contractors see only their own time. Spans over a month boundary count in each month for their part.',
    auth: 'session',
    params: shopIdParams,
    query: z.strictObject({ month }),
    response: reportView,
    errors: ['not_found', 'forbidden', 'invalid_input'],
    handler: ({ actor, query }) => workLogReport(db, actor, query.month),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/work-log.csv',
    tag,
    summary: 'The month as CSV (UTF-8 with BOM, for Excel): per conversation, or per person with ?by=agent',
    produces: { type: 'text/csv', description: 'UTF-8 with BOM, for Excel' },
    description: 'Headers in Japanese and English. The same visibility as the JSON report; every export is audited.',
    auth: 'session',
    params: shopIdParams,
    query: z.strictObject({ month, by: z.enum(['conversation', 'agent']).default('conversation') }),
    errors: ['not_found', 'forbidden', 'invalid_input'],
    handler: async ({ actor, query, ctx, requestId }) => {
      const csv = await workLogCsv(db, actor, query.month, query.by, requestId);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.attachment(`work-log-${query.month}${query.by === 'agent' ? '-by-agent' : ''}.csv`);
      ctx.body = csv;
    },
  });
}
