import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { storeAudit } from './audit.batch.ts';
import { listAuditJson, type AuditFilter, type AuditRow } from './audit.repository.ts';
import { JsonText } from '../../core/json.ts';
import { searchRecord } from './audit.search.ts';

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId?: string | null;
  /** What changed, as field names and values that carry no contact data (a search: `searchRecord`). */
  summary?: Record<string, unknown>;
}

const actorColumns = (a: Actor) => ({
  shopId: a.shopId,
  actorType: a.kind,
  actorId: a.kind === 'user' ? a.userId : a.kind === 'api_key' ? a.keyId : null,
  actorLabel: a.kind === 'user' ? `${a.name} (${a.role})` : a.name,
});

/**
 * Records what an actor did: inside the caller's transaction, so the change and its audit row
 * land together or not at all; outside one (a read), in an INSERT shared with the reads
 * recorded at the same moment (storeAudit), stored before this resolves.
 */
export async function recordAudit(db: Db, actor: Actor, entries: AuditEntry | AuditEntry[], requestId?: string): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  await storeAudit(
    db,
    list.map((e) => ({
      ...actorColumns(actor),
      action: e.action,
      objectType: e.objectType,
      objectId: e.objectId ?? null,
      summary: e.summary ?? {},
      requestId: requestId ?? null,
    })),
  );
}

/** An event of the trail as the owner reads it: every field but the shop, the time as ISO 8601. */
export type AuditEventView = Omit<AuditRow, 'shopId' | 'createdAt'> & { createdAt: string };

/**
 * Owners read their shop's trail, newest first; nobody can edit it (no route, and a DB
 * trigger). `searched`: only the searches for this value (an address, a phone number, a
 * name), found by its digest, since the trail does not hold the text. Answered as the text
 * PostgreSQL wrote for each event (listAuditJson).
 */
export async function readAudit(db: Db, actor: Actor, filter: Omit<AuditFilter, 'searchDigest'> & { searched?: string }): Promise<JsonText<{ events: AuditEventView[]; nextBefore: number | null }>> {
  requireRole(actor, 'owner');
  const { searched, ...rest } = filter;
  const searchDigest = searched ? (await searchRecord(db, actor.shopId, searched)).digest : undefined;
  const events = await listAuditJson(db, actor.shopId, { ...rest, searchDigest, limit: filter.limit + 1 });
  const more = events.length > filter.limit;
  const page = more ? events.slice(0, filter.limit) : events;
  return new JsonText(`{"events":[${page.map((e) => e.event).join(',')}],"nextBefore":${more ? page.at(-1)!.id : null}}`);
}
