import type { Db } from '../../core/db/client.ts';
import { JsonText } from '../../core/json.ts';
import type { MyQueuePage } from './conversations.dto.ts';
import { dtoJsonFor, inboxFilter, jsonPageText, type InboxQuery } from './conversations.inbox.ts';
import { listConversationPageAcross } from './conversations.across.repository.ts';
import { InboxPageCache } from './conversations.pagecache.ts';
import type { MineSeen, MyShop } from './conversations.pagecache.repository.ts';

/**
 * The signed-in person's queue over every shop they belong to (or `q.shopId`, one of them),
 * with the per-shop inbox's filters and cursor, as the JSON the route sends. The rows come in
 * one statement over those shops, each row's DTO built by PostgreSQL as for one shop's inbox
 * (listConversationPageAcross); each row is then shaped with the person's role in its shop, so
 * a contractor in one shop and agent in another gets masked contact data exactly where the
 * per-shop inbox would mask it, and given its shop's name. With `cache`, a first page is kept
 * while none of the shops changes anything it shows (InboxPageCache.pageMine), checked by `seen`
 * when it was read with the session (InboxPageCache.alongMine) and can tell.
 *
 * @example listMyQueue(db, { userId, name }, { status: 'active', limit: 50 }, deps.pages, along)
 */
export async function listMyQueue(db: Db, person: { userId: string; name: string }, q: InboxQuery & { shopId?: string }, cache?: InboxPageCache, seen?: MineSeen): Promise<JsonText<MyQueuePage>> {
  // The filter is the same in every shop: `assignee=me` is this person.
  const f = inboxFilter(person.userId, q);
  const read = async (shops: MyShop[]) => {
    const byShop = new Map(shops.map((m) => [m.shopId, m]));
    return jsonPageText(await listConversationPageAcross(db, shops.map((m) => m.shopId), f), q.limit, (r) => {
      const m = byShop.get(r.shop)!;
      // The DTO's object with its shop's name after its last field, as the schema lists it (myQueuePage).
      return `${dtoJsonFor(r, m.role).slice(0, -1)},"shopName":${JSON.stringify(m.shopName)}}`;
    });
  };
  return new JsonText(await (cache ?? UNKEPT).pageMine(db, person.userId, q.shopId, f, read, seen));
}

/** No page kept: every request reads its page. */
const UNKEPT = new InboxPageCache({ maxBytes: 0, maxAgeMs: 0 });
