import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { readAudit } from './audit.service.ts';

const auditQuery = z.strictObject({
  actorId: z.string().max(64).optional().describe('user or API key id'),
  action: z.string().max(64).optional().describe('e.g. order.revealed'),
  objectType: z.string().max(32).optional(),
  objectId: z.string().max(128).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  searched: z.string().trim().min(1).max(120).optional().describe('only searches for this value (an email, a phone number, a name or order number); the trail keeps a keyed digest, not the text'),
  before: z.coerce.number().int().positive().optional().describe('nextBefore of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const auditEventView = z.object({
  id: z.number(),
  actorType: z.enum(['user', 'api_key', 'system']),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  objectType: z.string(),
  objectId: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
  createdAt: z.string(),
});

export function auditRoutes(api: Api, db: Db): void {
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/audit',
    tag: 'Audit trail',
    summary: 'Who saw and changed what, newest first (owner); read-only',
    auth: 'session',
    params: shopIdParams,
    query: auditQuery,
    response: z.object({ events: z.array(auditEventView), nextBefore: z.number().nullable() }),
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, query }) =>
      readAudit(db, actor, {
        ...query,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      }),
  });
}
