import type { Db } from '../../core/db/client.ts';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { auditPage, auditQuery } from './audit.schema.ts';
import { readAudit } from './audit.service.ts';

export function auditRoutes(api: Api, db: Db): void {
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/audit',
    tag: 'Audit trail',
    summary: 'Who saw and changed what, newest first (owner); read-only',
    auth: 'session',
    params: shopIdParams,
    query: auditQuery,
    response: auditPage,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, query }) =>
      readAudit(db, actor, {
        ...query,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      }),
  });
}
