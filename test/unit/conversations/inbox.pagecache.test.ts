import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { InboxPageCache } from '../../../server/domains/conversations/conversations.pagecache.ts';
import { keyOf } from '../../../server/domains/conversations/conversations.pagecache.keys.ts';
import type { InboxChangesSeen } from '../../../server/domains/conversations/conversations.pagecache.repository.ts';
import { changedSince, keptSnapshot, sees } from '../../../server/domains/conversations/conversations.pagecache.snapshot.ts';

/**
 * The inbox page cache's rules that need no database: which snapshot sees another, a view's
 * key, how a kept page is judged by what was read with the session, and a cache with no room.
 * With a database: test/integration/conversations/inbox.pagecache.test.ts.
 */
describe('the inbox page cache, without a database', () => {
  it('takes a snapshot to see another only when it sees every transaction the other does', () => {
    const at = (s: string, incarnation = '1733550000.5/16384') => `${incarnation}/${s}`;
    expect(sees(at('100:105:101,103'), at('100:105:101,103'))).to.equal(true);
    // b sees 103 (committed since a was taken): a does not.
    expect(sees(at('100:105:101,103'), at('100:105:101'))).to.equal(false);
    // a is later: it sees 101 too, and everything below 105 that b sees.
    expect(sees(at('102:110:103'), at('100:105:101,103'))).to.equal(true);
    // b's xmax is past a's: b may see 105, which a cannot.
    expect(sees(at('100:105:'), at('100:106:'))).to.equal(false);
    // a running transaction of a above b's xmax does not matter to b.
    expect(sees(at('100:110:107'), at('100:105:'))).to.equal(true);
    // Another server (a failover), or the same one restarted: its ids are not comparable.
    expect(sees(at('100:110:'), at('100:105:', '1733559999.1/16384'))).to.equal(false);
    expect(sees(at('not a snapshot'), at('100:105:'))).to.equal(false);
  });

  it('keys a view by shop, masking, filters, person and size, and never keeps a search, the SLA filter or a later page', () => {
    const base = { limit: 51 };
    const shop = '6f1c0a52-6c1e-4e53-9d9e-0e9c4a1d2b3c';
    const k = (masked: boolean, f: Record<string, unknown>) => keyOf(shop, masked, { ...base, ...f });
    expect(k(false, {})).to.be.a('string');
    expect(k(true, {})).to.not.equal(k(false, {}));
    expect(k(false, { assigneeId: 'a' })).to.not.equal(k(false, { assigneeId: 'b' }));
    expect(k(false, { assigneeId: null })).to.not.equal(k(false, {}));
    expect(k(false, { statuses: ['open'] })).to.not.equal(k(false, {}));
    expect(k(false, { limit: 21 })).to.not.equal(k(false, {}));
    // No value of a filter stands for "not filtered", nor for another field's value.
    for (const unset of ['*', '0', 0, '', '[]', [], null]) expect(k(false, { tag: unset }), JSON.stringify(unset)).to.not.equal(k(false, {}));
    expect(k(false, { tag: 'urgent' })).to.not.equal(k(false, { priority: 'urgent' }));
    // Only first pages are kept: any date would make another page to keep.
    expect(k(false, { before: { updatedAt: new Date(0), id: shop } })).to.equal(undefined);
    expect(keyOf(shop.toUpperCase(), false, base)).to.equal(k(false, {}));
    expect(k(false, { text: '配送' })).to.equal(undefined);
    expect(k(false, { ids: sql`true` })).to.equal(undefined);
  });

  it('judges a kept page by what the session read brought: changed, unchanged, or cannot tell', () => {
    const inc = '1733550000.5/16384';
    const seen = (o: Partial<InboxChangesSeen> = {}): InboxChangesSeen => ({ list: 'inbox', shopId: 's', snapshot: `${inc}/120:125:`, horizon: 90n, newest: 99n, asked: new Set([101n, 103n]), committed: new Set(), ...o });
    const kept = keptSnapshot(`${inc}/100:105:101,103`);
    expect(changedSince(kept, seen())).to.equal(false);
    // The newest change is one the kept snapshot could not see (at or past its xmax), or not.
    expect(changedSince(kept, seen({ newest: 105n }))).to.equal(true);
    expect(changedSince(kept, seen({ newest: 104n }))).to.equal(false);
    expect(changedSince(kept, seen({ newest: null }))).to.equal(false);
    // A transaction it saw running wrote a change and committed.
    expect(changedSince(kept, seen({ committed: new Set([103n]) }))).to.equal(true);
    // Rows it would need are gone (the horizon passed its xmin), or there is no horizon.
    expect(changedSince(kept, seen({ horizon: 101n }))).to.equal(true);
    expect(changedSince(kept, seen({ horizon: 100n }))).to.equal(false);
    expect(changedSince(kept, seen({ horizon: null }))).to.equal(true);
    // Another incarnation of the server: its ids mean nothing here.
    expect(changedSince(kept, seen({ snapshot: `1733559999.1/16384/120:125:` }))).to.equal(true);
    // A running transaction of the kept snapshot that was not asked about: only a statement can
    // tell, unless what was asked says changed.
    expect(changedSince(kept, seen({ asked: new Set([101n]) }))).to.equal(undefined);
    expect(changedSince(kept, seen({ asked: new Set([101n]), newest: 107n }))).to.equal(true);
    expect(changedSince(kept, seen({ asked: new Set([101n]), committed: new Set([101n]) }))).to.equal(true);
    expect(changedSince(keptSnapshot(`${inc}/not a snapshot`), seen())).to.equal(true);
  });

  it('keeps no page when it has no room, and sends no statement then', async () => {
    const none = new InboxPageCache({ maxBytes: 0, maxAgeMs: 60_000 });
    let reads = 0;
    const read = async () => ({ json: `{"n":${++reads}}`, moment: null });
    // The database is never touched: it is not even given.
    expect((await none.page(undefined as never, 'shop', false, { limit: 2 }, read)).toString()).to.equal('{"n":1}');
    expect((await none.page(undefined as never, 'shop', false, { limit: 2 }, read)).toString()).to.equal('{"n":2}');
    expect(none.size()).to.deep.equal({ pages: 0, bytes: 0 });
  });
});
