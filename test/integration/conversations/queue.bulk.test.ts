import holidayJp from '@holiday-jp/holiday_jp';
import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, ask, cid, connected, waitFor, type AgentSocket } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, openTicket, storedConversation } from './queue.helpers.ts';
import { messagesPage } from '../../../server/domains/conversations/conversations.schema.ts';

/** Bulk actions on the inbox, and the status events every change writes into the history. */
for (const kind of dbKinds) {
  describe(`[${kind}] bulk actions and status events`, function () {
    // Two shops and three sign-ins before the first test: slow on a loaded machine.
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let other: TestShop;
    let agent: TestClient;
    let staff: TestClient;
    let stranger: TestClient;
    let staffSocket: AgentSocket;

    before(async () => {
      server = await startServer(kind);
      [shop, other] = await Promise.all([makeShop(server.database), makeShop(server.database)]);
      [agent, staff, stranger] = await Promise.all([signedIn(server.url, shop.people.agent), signedIn(server.url, shop.people.staff), signedIn(server.url, other.people.agent)]);
      staffSocket = agentClient(server.url, shop.id, staff.cookie);
      await connected(staffSocket);
    });
    after(async () => {
      staffSocket.disconnect();
      await server.close();
    });

    const bulk = (body: unknown, as: TestClient = agent, shopId = shop.id) => as.post(`/api/shops/${shopId}/conversations/bulk`, body);
    const ticket = async (as: TestClient = agent, shopId = shop.id) => (await openTicket(as, shopId)).body.id as string;
    const history = async (id: string) => {
      const page = (await agent.get(`${conversationPath(shop.id, id)}/messages?after=0`)).body;
      // Status events and all: the answer is what the API reference says, field for field.
      expect(messagesPage.safeParse(page).error?.issues ?? []).to.deep.equal([]);
      return page.messages as Array<{ kind: string; body: string; statusEvent?: Record<string, unknown> }>;
    };
    /** The events people caused (none of madoguchi's own: a snooze that ran out). */
    const events = async (id: string) => (await history(id)).filter((m) => m.statusEvent && m.statusEvent.by !== null).map((m) => m.statusEvent);

    it('resolves each conversation on its own and answers a result per id: ok, not_found (another shop), invalid_transition (closed)', async () => {
      const [a, b, closed] = [await ticket(), await ticket(), await ticket()];
      await agent.patch(conversationPath(shop.id, closed), { status: 'closed' });
      const theirs = await ticket(stranger, other.id);
      // The other agent's console hears each change as it would a single one.
      const heard = waitFor<{ id: string; status: string }>(staffSocket, 'conversation:updated', (c) => c.id === b && c.status === 'resolved');
      const r = await bulk({ ids: [a, theirs, b, closed], action: { type: 'resolve' } });
      expect(r.status, r.text).to.equal(200);
      expect(r.body.results.map((x: { id: string; result: string }) => [x.id, x.result])).to.deep.equal([
        [a, 'ok'],
        [theirs, 'not_found'],
        [b, 'ok'],
        [closed, 'invalid_transition'],
      ]);
      expect(r.body.results[0].conversation.status).to.equal('resolved');
      await heard;
      expect((await storedConversation(server.database.db, shop.id, b)).status).to.equal('resolved');
      expect((await storedConversation(server.database.db, other.id, theirs)).status, 'another shop is untouched').to.equal('open');
      expect(await events(a)).to.deep.equal([{ action: 'resolved', by: shop.people.agent.name }]);
    });

    it('assigns and adds a tag to the ones asked, keeping the tags they had; a non-member assignee is refused per id', async () => {
      const [a, b] = [(await openTicket(agent, shop.id, { tags: ['配送'] })).body.id as string, await ticket()];
      const tagged = await bulk({ ids: [a, b], action: { type: 'tag', tag: '至急' } });
      expect(tagged.body.results.map((x: { conversation: { tags: string[] } }) => x.conversation.tags)).to.deep.equal([['配送', '至急'], ['至急']]);
      const assigned = await bulk({ ids: [a, b], action: { type: 'assign', assigneeId: shop.people.owner.id } });
      expect(assigned.body.results.map((x: { result: string }) => x.result)).to.deep.equal(['ok', 'ok']);
      expect((await events(b)).at(-1)).to.deep.equal({ action: 'assigned', by: shop.people.agent.name, assignee: shop.people.owner.name });
      const outsider = await bulk({ ids: [a], action: { type: 'assign', assigneeId: other.people.agent.id } });
      expect(outsider.body.results[0].result).to.equal('invalid_input');
      expect((await storedConversation(server.database.db, shop.id, a)).assigneeId).to.equal(shop.people.owner.id);
    });

    it('refuses a tag that would make a conversation’s 21st, per id, rather than drop it unsaid', async () => {
      const full = (await openTicket(agent, shop.id, { tags: Array.from({ length: 20 }, (_, i) => `t${i}`) })).body.id as string;
      const room = await ticket();
      const r = await bulk({ ids: [full, room], action: { type: 'tag', tag: '至急' } });
      expect(r.body.results.map((x: { result: string }) => x.result)).to.deep.equal(['invalid_input', 'ok']);
      expect((await storedConversation(server.database.db, shop.id, full)).tags).to.have.length(20).and.not.include('至急');
    });

    it('refuses more than 100 ids, the same id twice, an unknown action and a caller without a session with nothing changed', async () => {
      const a = await ticket();
      const many = await bulk({ ids: [a, ...Array.from({ length: 100 }, () => cid())], action: { type: 'resolve' } });
      expect(many.status).to.equal(400);
      expect(many.body.error.code).to.equal('invalid_input');
      expect(JSON.stringify(many.body.error.details)).to.contain('ids').and.to.contain('100件まで');
      const twice = await bulk({ ids: [a, a], action: { type: 'resolve' } });
      expect(twice.status).to.equal(400);
      expect(twice.body.error.details[0]).to.include({ path: 'ids', ja: '同じ会話が2回指定されています。' });
      const unknown = await bulk({ ids: [a], action: { type: 'delete' } });
      expect(unknown.status).to.equal(400);
      const anonymous = await new TestClient(server.url).post(`/api/shops/${shop.id}/conversations/bulk`, { ids: [a], action: { type: 'resolve' } });
      expect(anonymous.status).to.equal(401);
      // A person of another shop cannot reach this shop's route at all.
      expect([403, 404]).to.include((await bulk({ ids: [a], action: { type: 'resolve' } }, stranger)).status);
      expect((await storedConversation(server.database.db, shop.id, a)).status).to.equal('open');
    });

    it('writes assign, snooze (preset: the next business day’s 9:00, shop time), reopen and unassign as events with the change; the customer never gets them', async () => {
      const chat = await customerChat(server, shop.id);
      const id = chat.conversationId;
      const customerHeard: Array<{ kind: string }> = [];
      chat.w.on('message', (m: { kind: string }) => customerHeard.push(m));
      const live = waitFor<{ kind: string; statusEvent?: { action: string } }>(staffSocket, 'message', (m) => m.statusEvent?.action === 'snoozed');
      await ask(staffSocket, 'conversation:join', { conversationId: id });
      expect((await agent.patch(conversationPath(shop.id, id), { assigneeId: shop.people.agent.id })).status).to.equal(200);
      const snoozed = await agent.patch(conversationPath(shop.id, id), { status: 'snoozed', snooze: 'tomorrow' });
      expect(snoozed.status, snoozed.text).to.equal(200);
      const until = new Date(snoozed.body.snoozedUntil as string);
      const tokyo = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString();
      // No hours set: 9:00 of the next business day of the default week (Mon–Fri, not a Japanese holiday), Tokyo time.
      let day = new Date(Date.parse(tokyo(new Date()).slice(0, 10)) + 86_400_000);
      while ([0, 6].includes(day.getUTCDay()) || holidayJp.isHoliday(new Date(`${day.toISOString().slice(0, 10)}T12:00:00+09:00`))) day = new Date(day.getTime() + 86_400_000);
      expect(tokyo(until).slice(11, 16)).to.equal('09:00');
      expect(tokyo(until).slice(0, 10)).to.equal(day.toISOString().slice(0, 10));
      await live;
      await agent.patch(conversationPath(shop.id, id), { status: 'open' });
      await agent.patch(conversationPath(shop.id, id), { assigneeId: null });
      const by = shop.people.agent.name;
      expect(await events(id)).to.deep.equal([
        { action: 'assigned', by, assignee: by },
        { action: 'snoozed', by, until: until.toISOString() },
        { action: 'reopened', by },
        { action: 'unassigned', by },
      ]);
      const rows = (await history(id)).filter((m) => m.statusEvent);
      expect(rows.every((m) => m.kind === 'event' && /\/ /.test(m.body)), 'a bilingual text for API readers').to.equal(true);
      // The customer's sync and live feed leave them out; the inbox row does not show them as its preview.
      const synced = await ask(chat.w, 'sync', { conversationId: id, afterSeq: 0 });
      expect(synced.messages.filter((m: { kind: string }) => m.kind === 'event')).to.deep.equal([]);
      // A reply after them reaches the customer: by then every event would have, too.
      const reply = waitFor(chat.w, 'message', (m: { body: string }) => m.body === '承知しました');
      await agent.post(`${conversationPath(shop.id, id)}/messages`, { clientId: cid(), body: '承知しました' });
      await reply;
      expect(customerHeard.filter((m) => m.kind === 'event')).to.deep.equal([]);
      const row = (await agent.get(conversationPath(shop.id, id))).body;
      expect(row.lastMessagePreview ?? '').to.not.contain('/ ');
      chat.w.disconnect();
    });

    it("snooze presets follow the shop's business hours when it has set them: the next opening, Monday's opening", async () => {
      const fresh = await makeShop(server.database);
      const boss = await signedIn(server.url, fresh.people.owner);
      const day = [['10:30', '18:00']];
      const weekly = Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, day]));
      expect((await boss.put(`/api/shops/${fresh.id}/business-hours`, { weekly, observeJpHolidays: false })).status).to.equal(200);
      const id = (await openTicket(boss, fresh.id)).body.id as string;
      const tokyo = (iso: string) => new Date(new Date(iso).getTime() + 9 * 3_600_000);
      const tomorrow = await boss.patch(conversationPath(fresh.id, id), { status: 'snoozed', snooze: 'tomorrow' });
      expect(tomorrow.status, tomorrow.text).to.equal(200);
      const t = tokyo(tomorrow.body.snoozedUntil);
      expect(t.toISOString().slice(0, 16)).to.equal(`${tokyo(new Date(Date.now() + 86_400_000).toISOString()).toISOString().slice(0, 10)}T10:30`);
      const monday = await boss.patch(conversationPath(fresh.id, id), { status: 'snoozed', snooze: 'next_monday' });
      expect(monday.status, monday.text).to.equal(200);
      const mon = tokyo(monday.body.snoozedUntil);
      expect([mon.getUTCDay(), mon.getUTCHours(), mon.getUTCMinutes()]).to.deep.equal([1, 10, 30]);
      expect(mon.getTime() - Date.now()).to.be.within(0, 8 * 86_400_000);
    });

    it('refuses snoozedUntil and a preset together, and a preset without status snoozed', async () => {
      const id = await ticket();
      const both = await agent.patch(conversationPath(shop.id, id), { status: 'snoozed', snooze: 'next_monday', snoozedUntil: new Date(Date.now() + 3_600_000).toISOString() });
      expect(both.status).to.equal(400);
      const alone = await agent.patch(conversationPath(shop.id, id), { snooze: 'next_monday' });
      expect(alone.status).to.equal(400);
      const monday = await agent.patch(conversationPath(shop.id, id), { status: 'snoozed', snooze: 'next_monday' });
      expect(monday.status, monday.text).to.equal(200);
      const local = new Date(new Date(monday.body.snoozedUntil as string).getTime() + 9 * 3_600_000);
      expect([local.getUTCDay(), local.getUTCHours()]).to.deep.equal([1, 9]);
    });
  });
}
