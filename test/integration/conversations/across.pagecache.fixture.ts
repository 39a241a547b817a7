import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Database } from '../../../server/core/db/client.ts';
import type { JsonText } from '../../../server/core/json.ts';
import type { InboxQuery } from '../../../server/domains/conversations/conversations.inbox.ts';
import type { MyQueuePage } from '../../../server/domains/conversations/conversations.dto.ts';
import { listMyQueue } from '../../../server/domains/conversations/conversations.myqueue.ts';
import { InboxPageCache } from '../../../server/domains/conversations/conversations.pagecache.ts';
import { myShopsSeen, type MineSeen } from '../../../server/domains/conversations/conversations.pagecache.repository.ts';
import { findSession, insertSession } from '../../../server/domains/auth/auth.repository.ts';
import { insertMembership } from '../../../server/domains/shops/shops.repository.ts';
import { countStatements, driverClient, testDatabase } from '../../helpers/db.ts';
import type { DbKind } from '../../helpers/env.ts';
import { makeShop, type TestPerson, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';

/*
 * The suites of "all my shops" kept in the process (inbox.across.pagecache*.test.ts): three
 * shops and two people, a page cache new for each test, and the page read as the route reads
 * it, its check by the cache's own statement or by what the session's read brought.
 */

export type Row = { id: string; shopId: string; shopName: string; status: string; subject: string | null; customer: { name: string; email: string | null }; assignee: { name: string } | null };
export type Page = { conversations: Row[]; next: string | null };
export type Counted = Record<'hit' | 'miss' | 'changed' | 'joined', number>;
type Query = Partial<InboxQuery & { shopId: string }>;

export interface AcrossSuite {
  database: Database;
  /** A: the person is an agent there; B: a contractor; C: not theirs. */
  a: TestShop;
  b: TestShop;
  c: TestShop;
  person: TestPerson;
  /** Staff in A and contractor in B: the same shops, seen the same way as `person`. */
  twin: TestPerson;
  /** New for each test, counting how it answered. */
  cache: InboxPageCache;
  counted: Counted;
  ids: Record<'a' | 'b' | 'c' | 'b2', string>;
  emailB: string;
  /** The id of a session of `who`, made the first time. */
  sessionOf(who: TestPerson): Promise<string>;
  /** The page as `who` reads it, kept by the test's cache (with the session's read, a check of its own only with `own`), or read without one. */
  listed(q: Query, who: TestPerson, kept: boolean, own?: boolean): Promise<JsonText<MyQueuePage>>;
  /** A page as `who` (the person) reads it, kept by the test's cache, or with `kept` false read without one. */
  read(q?: Query, who?: TestPerson, kept?: boolean): Promise<Page>;
  row(p: Page, id: string): Row | undefined;
}

/** Registers the suite's hooks (in a describe) and answers what they fill in: read its fields in tests and hooks, not before. */
export function acrossSuite(kind: DbKind, via: 'statement' | 'session'): AcrossSuite {
  const sessions = new Map<string, string>();
  const t = {
    ids: { a: '', b: '', c: '', b2: '' },
    emailB: 'hanako.yamada@example.jp',
    sessionOf: async (who: TestPerson) => {
      if (!sessions.has(who.id)) {
        const now = new Date();
        sessions.set(who.id, randomUUID());
        await insertSession(t.database.db, { id: sessions.get(who.id)!, userId: who.id, csrfToken: 'csrf', createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 3_600_000) });
      }
      return sessions.get(who.id)!;
    },
    listed: async (q: Query, who: TestPerson, kept: boolean, own = false) => {
      const seen = kept ? await seenBy(who, q.shopId) : undefined;
      const sent: string[] = [];
      const restore = countStatements(driverClient(t.database), sent);
      try {
        return await listMyQueue(t.database.db, { userId: who.id, name: who.name }, { limit: 20, ...q }, kept ? t.cache : undefined, seen);
      } finally {
        restore();
        if (seen) expect(sent.filter((s) => s === myShopsSeen.text)).to.have.length(own ? 1 : 0);
      }
    },
    read: async (q: Query = {}, who = t.person, kept = true) => JSON.parse((await t.listed(q, who, kept)).text) as Page,
    row: (p: Page, id: string) => p.conversations.find((r) => r.id === id),
  } as AcrossSuite;
  /** What the route's session read brings along for `who` and the shop asked for, as the middleware reads it for the console. */
  const seenBy = async (who: TestPerson, shopId: string | undefined): Promise<MineSeen | undefined> =>
    via === 'statement' ? undefined : (await findSession(t.database.db, await t.sessionOf(who), shopId ?? null, t.cache.alongMine))!.along;

  before(async () => {
    t.database = await testDatabase(kind);
    const db = t.database.db;
    [t.a, t.b, t.c] = [await makeShop(t.database), await makeShop(t.database), await makeShop(t.database)];
    t.person = t.a.people.agent;
    t.twin = t.a.people.staff;
    await insertMembership(db, t.b.id, t.person.id, 'contractor');
    await insertMembership(db, t.b.id, t.twin.id, 'contractor');
    for (const who of [t.person, t.twin]) await t.sessionOf(who);
    t.ids.a = (await aConversation(db, t.a.id, (await aCustomer(db, t.a.id, { name: '鈴木 太郎', email: 'taro.suzuki@example.jp' })).id)).id;
    t.ids.b = (await aConversation(db, t.b.id, (await aCustomer(db, t.b.id, { name: '山田 花子', email: t.emailB })).id)).id;
    t.ids.c = (await aConversation(db, t.c.id, (await aCustomer(db, t.c.id)).id)).id;
  });
  beforeEach(() => {
    t.counted = { hit: 0, miss: 0, changed: 0, joined: 0 };
    t.cache = new InboxPageCache({ maxBytes: 8 * 1024 * 1024, maxAgeMs: 60_000, observe: (r) => void t.counted[r]++ });
  });
  after(() => t.database.close());
  return t;
}
