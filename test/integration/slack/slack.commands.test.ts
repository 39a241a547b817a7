import { randomBytes, randomUUID } from 'node:crypto';
import { alertOn } from '../../../server/domains/slack/slack.alerts.listener.ts';
import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { slackApiStandIn, testWorkspace, type SlackApiStandIn, type SlackWorkspace } from '../../helpers/slack-api.ts';
import { makeShop } from '../../fixtures/builders.ts';
import { openTicket } from '../conversations/queue.helpers.ts';
import { filed, openDesk, publish, pushOrder, someTerms, type Desk } from '../returns/returns.helpers.ts';
import { answersAt, clickPayload, commandPayload, connect, FORM, keyring, sendSigned, slackConfig, type Clicker } from './slack.receiver.helpers.ts';
import { actionIds } from './slack.fixtures.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] /madoguchi and conversations from Slack`, () => {
    let standIn: SlackApiStandIn;
    let server: TestServer;
    let d: Desk;
    let w: SlackWorkspace;
    const tag = randomBytes(3).toString('hex');
    const who = (userId: string, channelId = w.channels[0]!.id): Clicker => ({ teamId: w.teamId, userId, channelId });
    const owner = () => who(`UOWN${tag}`);
    const agent = () => who(`UAGT${tag}`);

    before(async () => {
      standIn = await slackApiStandIn();
      server = await startServer(kind, { config: slackConfig(standIn) });
      d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      w = testWorkspace(tag, {
        users: [
          { id: `UOWN${tag}`, name: 'owner', email: d.shop.people.owner.email },
          { id: `UAGT${tag}`, name: 'agent', email: d.shop.people.agent.email },
          { id: `USTF${tag}`, name: 'staff', email: d.shop.people.staff.email },
        ],
      });
      await connect(server.database, standIn, d.shop.id, w);
    });
    after(async () => {
      await server.close();
      await standIn.close();
    });

    async function command(from: Clicker, text: string): Promise<string> {
      const c = commandPayload(standIn, from, text);
      const r = await sendSigned(server.url, '/slack/commands', c.raw, FORM);
      expect(r.status, r.text).to.equal(200);
      return eventually(async () => answersAt(standIn, c.responsePath)[0], `the answer to "${text}"`);
    }
    async function click(from: Clicker, actionId: string, value: unknown, extra: Record<string, unknown> = {}) {
      const c = clickPayload(standIn, from, actionId, value, extra);
      expect((await sendSigned(server.url, '/slack/actions', c.raw, FORM)).status).to.equal(200);
      return eventually(async () => answersAt(standIn, c.responsePath)[0], `the answer to ${actionId}`);
    }
    /** An unassigned ticket with the customer's email in it. */
    async function ticket(subject = '届いた商品について') {
      const t = await openTicket(d.owner, d.shop.id, { name: '佐藤 一郎', email: `ichiro-${tag}@example.jp`, subject });
      expect(t.status, t.text).to.equal(201);
      const cleared = await d.owner.patch(`/api/shops/${d.shop.id}/conversations/${t.body.id}`, { assigneeId: null });
      expect(cleared.status, cleared.text).to.equal(200);
      return t.body as { id: string; number: number };
    }
    const assigneeOf = async (id: string) => (await d.owner.get(`/api/shops/${d.shop.id}/conversations/${id}`)).body.assignee?.id ?? null;

    it('status counts open tickets and returns waiting, ephemerally', async () => {
      await ticket();
      const order = await pushOrder(d);
      await filed(d.owner, d.shop.id, { orderNumber: order.number });
      const said = await command(owner(), 'status');
      expect(said).to.match(/判断待ちの返品：[1-9]\d*件/).and.match(/Open tickets: [1-9]/);
      const call = standIn.calls.find((c) => c.method.startsWith('response/') && c.args.text === said)!;
      expect(call.args.response_type).to.equal('ephemeral');
    });

    it('ticket <n> and return <n> give masked summaries: the customer’s name, never their email', async () => {
      const t = await ticket(`返品の件 ichiro-${tag}@example.jp`);
      const said = await command(agent(), `ticket ${t.number}`);
      expect(said).to.include(`#${t.number}`).and.include('佐藤 一郎');
      expect(said).not.to.include(`ichiro-${tag}@example.jp`);
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      const ret = await command(agent(), `return #${r.number}`);
      expect(ret).to.include(`返品 #${r.number}`).and.include(order.number).and.include('要確認');
      expect(ret).not.to.include(order.email);
      expect(await command(agent(), 'ticket 99999')).to.include('見つかりませんでした');
    });

    it('ticket <n> masks a phone number and a postcode in the subject as the alerts do, and escapes Slack markup', async () => {
      const t = await ticket('折り返し 090-1234-5678 〒150-0001 まで <!channel>');
      const said = await command(agent(), `ticket ${t.number}`);
      expect(said).to.include(`#${t.number}`).and.include('5678');
      expect(said).not.to.include('090-1234').and.not.to.include('150-0001').and.not.to.include('<!channel>');
    });

    it('help, and malformed arguments answer the help text', async () => {
      expect(await command(owner(), 'help')).to.include('/madoguchi status');
      expect(await command(owner(), '')).to.include('/madoguchi ticket 128');
      const bad = await command(owner(), 'ticket abc');
      expect(bad).to.include('理解できませんでした').and.include('/madoguchi return 42');
      expect(await command(owner(), 'frobnicate')).to.include('not understood');
    });

    it('a workspace serving two shops asks which one, and takes the shop’s name or its alert channel', async () => {
      const second = await makeShop(server.database, `二号店 ${tag}`);
      // Same workspace, another default channel.
      await connect(server.database, standIn, second.id, w, { defaultChannelId: w.channels[1]!.id });
      try {
        // A channel neither shop sends alerts to: which shop?
        const elsewhere = who(`UOWN${tag}`, w.channels[2]!.id);
        expect(await command(elsewhere, 'status')).to.include('/madoguchi status').and.include('several shops').and.include(second.name);
        expect(await command(elsewhere, `status ${d.shop.name}`)).to.include('Open tickets');
        expect(await command(elsewhere, 'status 存在しない店')).to.include('No shop is called');
        // The first shop's alert channel: that shop.
        expect(await command(owner(), 'status')).to.include('Open tickets');
        // The second shop's channel: that shop, where this Slack person is linked to nobody (asked to confirm).
        expect(await command(who(`UOWN${tag}`, w.channels[1]!.id), 'status')).to.include('/console/slack/link?token=');
      } finally {
        const { slackConnections } = await import('../../../server/domains/slack/slack.tables.ts');
        const { eq } = await import('drizzle-orm');
        await server.database.db.delete(slackConnections).where(eq(slackConnections.shopId, second.id));
      }
    });

    it('Take makes the conversation the clicker’s; a second Take by someone else says who has it', async () => {
      const t = await ticket();
      const value = { shopId: d.shop.id, objectId: t.id, v: 'open' };
      expect(await click(agent(), 'conversation.take', value)).to.include('あなたの担当にしました');
      expect(await assigneeOf(t.id)).to.equal(d.shop.people.agent.id);
      const again = await click(owner(), 'conversation.take', value);
      expect(again).to.include(`${d.shop.people.agent.name} さんが担当`);
      expect(await assigneeOf(t.id)).to.equal(d.shop.people.agent.id);
    });

    it('two people taking at the same moment: one has it, the other is told who, and the conversation keeps the first', async () => {
      for (let round = 0; round < 3; round++) {
        const t = await ticket();
        const value = { shopId: d.shop.id, objectId: t.id, v: 'open' };
        const answers = await Promise.all([click(agent(), 'conversation.take', value), click(owner(), 'conversation.take', value)]);
        const won = answers.filter((a) => a.includes('あなたの担当にしました'));
        expect(won, `round ${round}: ${answers.join(' | ')}`).to.have.length(1);
        const winner = answers[0]!.includes('あなたの担当にしました') ? d.shop.people.agent : d.shop.people.owner;
        expect(answers.find((a) => !a.includes('あなたの担当にしました'))).to.include(`${winner.name} さんが担当`);
        expect(await assigneeOf(t.id)).to.equal(winner.id);
      }
    });

    // Review of issue 14: a ticket's alert kept "unassigned" and its Take button once the ticket was
    // taken (conversation.updated and the slack-conversation-update listener since).
    it('a ticket’s SLA alert is updated in place once the ticket is taken from Slack: the Take button goes, it says who has it', async () => {
      const t = await ticket();
      const event = { name: 'sla.at_risk', id: randomUUID(), at: new Date().toISOString(), payload: { shopId: d.shop.id, conversationId: t.id, metric: 'first_response', dueAt: new Date(Date.now() + 3_600_000).toISOString() } } as const;
      // Called without a job: at the channel's pace (another test's post a moment ago) it throws, and is called again.
      await eventually(async () => (await alertOn({ db: server.database.db, keyring, apiUrl: standIn.url, baseUrl: 'http://madoguchi.test' }, 'sla_at_risk', event).catch(() => undefined)) === 'posted', 'the alert posted');
      const msg = standIn.messages.find((m) => m.channel === w.channels[0]!.id && m.text?.includes(`#${t.number}`) && !m.ephemeralTo)!;
      expect(actionIds(msg.blocks)).to.include('conversation.take');
      expect(await click(agent(), 'conversation.take', { shopId: d.shop.id, objectId: t.id, v: 'open' })).to.include('あなたの担当にしました');
      await eventually(async () => !actionIds(standIn.messages.find((m) => m.ts === msg.ts && m.channel === msg.channel)!.blocks).includes('conversation.take'), 'the alert updated in place');
      expect(JSON.stringify(standIn.messages.find((m) => m.ts === msg.ts)!.blocks)).to.include(d.shop.people.agent.name);
    });

    it('Assign from a members menu or a Slack people menu sets the assignee, who must be of the shop', async () => {
      const t = await ticket();
      const option = { shopId: d.shop.id, objectId: t.id, assigneeId: d.shop.people.staff.id };
      const staticSelect = { actions: [{ type: 'static_select', action_id: 'conversation.assign', block_id: 'b1', selected_option: { value: JSON.stringify(option) }, action_ts: '1.1' }] };
      expect(await click(owner(), 'conversation.assign', null, staticSelect)).to.include(d.shop.people.staff.name);
      expect(await assigneeOf(t.id)).to.equal(d.shop.people.staff.id);

      // The agent's Slack person is linked (by email) once they act; then they can be chosen in a people menu.
      await command(agent(), 'status');
      const usersSelect = { actions: [{ type: 'users_select', action_id: 'conversation.assign', block_id: JSON.stringify({ shopId: d.shop.id, objectId: t.id }), selected_user: `UAGT${tag}`, action_ts: '1.2' }] };
      expect(await click(owner(), 'conversation.assign', null, usersSelect)).to.include(d.shop.people.agent.name);
      expect(await assigneeOf(t.id)).to.equal(d.shop.people.agent.id);

      const outsider = await makeShop(server.database);
      const notMember = { actions: [{ type: 'static_select', action_id: 'conversation.assign', block_id: 'b1', selected_option: { value: JSON.stringify({ ...option, assigneeId: outsider.people.staff.id }) }, action_ts: '1.3' }] };
      expect(await click(owner(), 'conversation.assign', null, notMember)).to.include('できませんでした');
      expect(await assigneeOf(t.id)).to.equal(d.shop.people.agent.id);
    });
  });
}
