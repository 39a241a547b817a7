import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { secretHash } from '../../../server/core/secrets.ts';
import { customerSessions } from '../../../server/domains/conversations/conversations.tables.ts';
import { Connection } from '../../../agent-console/widget/connection.ts';
import { Store } from '../../../agent-console/widget/store.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { ask, connected, widgetClient } from '../../helpers/sockets.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { newCustomer } from '../../fixtures/chat.ts';

/**
 * A widget connection lasts no longer than the customer's widget session (30 days): once the
 * session has ended, events are refused and the connection is cut, idle or not, and the
 * widget's reconnect is refused so that it starts a new session.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] a widget connection whose session ends`, function () {
    this.timeout(30_000);
    let server: TestServer;
    /** The sweep an hour away: only the event's own check can refuse. */
    let slowSweep: TestServer;
    let shop: TestShop;

    before(async () => {
      // A short sweep: an idle connection is cut within a tenth of a second of its session's end.
      server = await startServer(kind, { socketRefreshMs: 100 });
      slowSweep = await startServer(kind, { socketRefreshMs: 3_600_000, database: server.database });
      shop = await makeShop(server.database);
    });
    after(async () => {
      await slowSweep.close();
      await server.close();
    });

    /** A widget session that ends `ms` from now (as one does after its 30 days). */
    async function endingSession(ms: number) {
      const c = await newCustomer(server.url, shop.id);
      const endsAt = new Date(Date.now() + ms);
      await server.database.db.update(customerSessions).set({ expiresAt: endsAt }).where(and(eq(customerSessions.shopId, shop.id), eq(customerSessions.id, secretHash(c.token))));
      return { ...c, endsAt };
    }

    it('refuses an event sent after the end with unauthenticated, cuts the connection, and refuses the reconnect', async () => {
      const c = await endingSession(1500);
      const w = widgetClient(slowSweep.url, shop.id, c.token);
      await connected(w);
      expect((await ask(w, 'conversation:open', {})).ok).to.equal(true);
      const cut = new Promise<string>((done) => w.once('disconnect', (reason) => done(reason)));
      await eventually(async () => Date.now() > c.endsAt.getTime(), 'the session to end', 10_000);
      const answer = await ask(w, 'conversation:open', {});
      expect(answer).to.include({ error: 'unauthenticated' });
      expect(answer.message).to.match(/expired/);
      // Cut as a network drop is, so that the widget comes back and learns why.
      expect(await cut).to.equal('transport close');
      const again = widgetClient(slowSweep.url, shop.id, c.token);
      const refusal = await new Promise<Error>((done) => again.once('connect_error', done));
      expect(refusal.message).to.match(/expired/);
    });

    it('cuts an idle connection at the end, and the widget asks for a new session', async () => {
      const c = await endingSession(1000);
      const store = new Store(shop.id);
      store.setSession({ token: c.token, expiresAt: c.endsAt.toISOString(), customer: { ...c.customer, verified: false }, identitySub: null, orderNumber: null });
      const states: string[] = [];
      const refusals: string[] = [];
      const conn = new Connection(server.url, shop.id, c.token, store, {
        state: (st) => states.push(st),
        refused: (m) => refusals.push(m),
        typing: () => undefined,
        availability: () => undefined,
      });
      try {
        await eventually(async () => states.includes('online'), 'the widget to connect');
        // Nothing sent: the cut comes from the server by itself.
        await eventually(async () => refusals.length > 0, 'the widget to be told its session has ended', 15_000);
        expect(refusals[0]).to.match(/expired/);
        expect(states).to.include('offline');
      } finally {
        conn.close();
      }
    });
  });
}
