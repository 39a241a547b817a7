import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import { listMemberships } from '../auth/auth.repository.ts';
import { JsonText } from '../../core/json.ts';
import type { MyQueuePage } from './conversations.dto.ts';
import { dtoJsonFor, inboxFilter, jsonPageText, type InboxQuery } from './conversations.inbox.ts';
import { listConversationPageAcross } from './conversations.across.repository.ts';
import type { InboxPageCache } from './conversations.pagecache.ts';
import { masksContactData } from '../orders/orders.mask.ts';

/**
 * The signed-in person's queue over every shop they belong to (or `q.shopId`, one of them),
 * with the per-shop inbox's filters and cursor, as the JSON the route sends. The rows come in
 * one statement over those shops, each row's DTO built by PostgreSQL as for one shop's inbox
 * (listConversationPageAcross); each row is then shaped with the person's role in its shop, so
 * a contractor in one shop and agent in another gets masked contact data exactly where the
 * per-shop inbox would mask it, and given its shop's name. With `cache`, a first page is kept
 * while none of the shops changes anything it shows (InboxPageCache.pageAcross).
 *
 * @example listMyQueue(db, { userId, name }, { status: 'active', limit: 50 })
 */
export async function listMyQueue(db: Db, person: { userId: string; name: string }, q: InboxQuery & { shopId?: string }, cache?: InboxPageCache): Promise<JsonText<MyQueuePage>> {
  const all = await listMemberships(db, person.userId);
  const shops = q.shopId ? all.filter((m) => m.shopId === q.shopId) : all;
  if (q.shopId && !shops.length) throw new DomainError('not_found', 'shop not found');
  // The filter is the same in every shop: `assignee=me` is this person, and nothing else depends on the role.
  const actor: Actor | undefined = shops[0] && { kind: 'user', shopId: shops[0].shopId, userId: person.userId, name: person.name, role: shops[0].role };
  if (!actor) return new JsonText(jsonPageText([], q.limit, () => '').json);
  const f = inboxFilter(actor, q);
  const byShop = new Map(shops.map((m) => [m.shopId, m]));
  const read = async () =>
    jsonPageText(await listConversationPageAcross(db, shops.map((m) => m.shopId), f), q.limit, (r) => {
      const m = byShop.get(r.shop)!;
      // The DTO's object with its shop's name after its last field, as the schema lists it (myQueuePage).
      return `${dtoJsonFor(r, m.role).slice(0, -1)},"shopName":${JSON.stringify(m.shopName)}}`;
    });
  if (!cache) return new JsonText((await read()).json);
  // Kept while none of these shops changes what a page shows, for everyone who sees them the same way (conversations.pagecache.ts).
  const seen = shops.map((m) => ({ shopId: m.shopId, masked: masksContactData(m.role), name: m.shopName }));
  return new JsonText(await cache.pageAcross(db, seen, f, read));
}
