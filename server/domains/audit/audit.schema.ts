import { z } from 'zod';

export const auditQuery = z.strictObject({
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

/** One row of the trail as the API shows it; PostgreSQL writes it (listAuditJson), field for field. */
export const auditEventView = z.object({
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

export const auditPage = z.object({ events: z.array(auditEventView), nextBefore: z.number().nullable() });
export type AuditPage = z.infer<typeof auditPage>;
