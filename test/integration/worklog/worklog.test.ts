import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { workSpans } from '../../../server/domains/worklog/worklog.tables.ts';
import { recordHeartbeat } from '../../../server/domains/worklog/worklog.service.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';

const at = (iso: string, plusSeconds = 0) => new Date(new Date(iso).getTime() + plusSeconds * 1000);

for (const kind of dbKinds) {
  describe(`[${kind}] work log`, () => {
    let server: TestServer;
    let shop: TestShop;
    const db = () => server.database.db;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
    });
    after(() => server.close());

    const conversation = async (s = shop, fields: Parameters<typeof aConversation>[3] = {}) => (await aConversation(db(), s.id, (await aCustomer(db(), s.id)).id, fields)).id;
    const beat = (userId: string, conversationId: string, when: Date, s = shop) => recordHeartbeat(db(), { shopId: s.id, userId, conversationId, at: when });
    const spansOf = (userId: string, conversationId: string) =>
      db().select().from(workSpans).where(and(eq(workSpans.userId, userId), eq(workSpans.conversationId, conversationId))).orderBy(workSpans.startedAt);

    describe('heartbeats', () => {
      it('starts a span covering the 30 s before a first heartbeat, and extends it with each heartbeat within 90 s', async () => {
        const c = await conversation();
        const me = shop.people.agent.id;
        const t = '2026-11-05T10:00:00+09:00';
        expect((await beat(me, c, at(t))).extended).to.equal(false);
        expect((await beat(me, c, at(t, 30))).extended).to.equal(true);
        expect((await beat(me, c, at(t, 120))).extended).to.equal(true); // exactly 90 s after the end
        const spans = await spansOf(me, c);
        expect(spans.map((s) => [s.startedAt.toISOString(), s.endedAt.toISOString()])).to.deep.equal([[at(t, -30).toISOString(), at(t, 120).toISOString()]]);
      });

      it('starts a new span when the last one ended more than 90 s before, so an idle tab bills nothing', async () => {
        const c = await conversation();
        const me = shop.people.agent.id;
        const t = '2026-11-05T11:00:00+09:00';
        await beat(me, c, at(t));
        const later = await beat(me, c, at(t, 91));
        expect(later.extended).to.equal(false);
        expect((await spansOf(me, c)).map((s) => (s.endedAt.getTime() - s.startedAt.getTime()) / 1000)).to.deep.equal([30, 30]);
      });

      it('keeps one span per person: another person on the same conversation gets their own', async () => {
        const c = await conversation();
        const t = at('2026-11-05T12:00:00+09:00');
        await beat(shop.people.agent.id, c, t);
        expect((await beat(shop.people.staff.id, c, at(t.toISOString(), 10))).extended).to.equal(false);
      });

      it('when several heartbeats arrive at once for a conversation without a span, only one span is started', async () => {
        const c = await conversation();
        const me = shop.people.contractor.id;
        const t = '2026-11-05T13:00:00+09:00';
        const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => beat(me, c, at(t, i))));
        expect(results.filter((r) => !r.extended)).to.have.length(1);
        const spans = await spansOf(me, c);
        expect(spans).to.have.length(1);
        expect(spans[0]!.endedAt.toISOString()).to.equal(at(t, 5).toISOString());
      });

      it("refuses a conversation of another shop (not_found) and records nothing", async () => {
        const other = await makeShop(server.database);
        const theirs = await conversation(other);
        let code: string | undefined;
        await beat(shop.people.agent.id, theirs, new Date()).catch((e: { code: string }) => (code = e.code));
        expect(code).to.equal('not_found');
        expect(await spansOf(shop.people.agent.id, theirs)).to.deep.equal([]);
      });
    });

    describe('monthly report', () => {
      let billing: TestShop;
      let ids: { c1: string; c2: string; c3: string };
      const path = (q = 'month=2026-11', s?: TestShop) => `/api/shops/${(s ?? billing).id}/work-log?${q}`;

      before(async () => {
        billing = await makeShop(server.database);
        ids = {
          c1: await conversation(billing, { status: 'resolved', resolvedAt: at('2026-11-12T09:00:00+09:00') }),
          c2: await conversation(billing),
          c3: await conversation(billing, { status: 'closed', resolvedAt: at('2026-10-31T23:55:00+09:00') }),
        };
        const agent = billing.people.agent.id;
        const contractor = billing.people.contractor.id;
        for (let i = 0; i < 10; i++) await beat(agent, ids.c1, at('2026-11-10T10:00:00+09:00', i * 30), billing); // 09:59:30–10:04:30 = 300 s
        await beat(agent, ids.c2, at('2026-11-10T15:00:00+09:00'), billing); // a lone look: 30 s
        // Over midnight into November in Tokyo: 23:49:30–00:20:00 is 630 s in October and 1200 s in November.
        for (let i = 0; i <= 30; i++) await beat(agent, ids.c3, at('2026-10-31T23:50:00+09:00', i * 60), billing);
        await beat(contractor, ids.c1, at('2026-11-11T11:00:00+09:00'), billing);
        await beat(contractor, ids.c1, at('2026-11-11T11:01:00+09:00'), billing); // 10:59:30–11:01:00 = 90 s
      });

      it('gives owner and staff every person with seconds, conversations worked and resolved, splitting spans at the Tokyo month boundary', async () => {
        const staff = await signedIn(server.url, billing.people.staff);
        const r = await staff.get(path());
        expect(r.status).to.equal(200);
        expect(r.body).to.include({ month: '2026-11', from: '2026-10-31T15:00:00.000Z', to: '2026-11-30T15:00:00.000Z' });
        const summary = r.body.agents.map((a: { userId: string; totalSeconds: number; conversations: number; resolved: number }) => [a.userId, a.totalSeconds, a.conversations, a.resolved]);
        expect(summary).to.deep.equal([
          [billing.people.agent.id, 300 + 30 + 1200, 3, 1],
          [billing.people.contractor.id, 90, 1, 1],
        ]);
        expect(r.body.agents[0].rows.map((x: { conversationId: string; seconds: number; resolved: boolean }) => [x.conversationId, x.seconds, x.resolved])).to.deep.equal([
          [ids.c1, 300, true],
          [ids.c2, 30, false],
          [ids.c3, 1200, false],
        ]);
        const october = await (await signedIn(server.url, billing.people.owner)).get(path('month=2026-10'));
        expect(october.body.agents.map((a: { totalSeconds: number; resolved: number }) => [a.totalSeconds, a.resolved])).to.deep.equal([[630, 1]]);
      });

      it('shows agents and contractors only their own time', async () => {
        for (const role of ['agent', 'contractor'] as const) {
          const c = await signedIn(server.url, billing.people[role]);
          const r = await c.get(path());
          expect(r.body.agents.map((a: { userId: string }) => a.userId), role).to.deep.equal([billing.people[role].id]);
          const csv = await c.get(`/api/shops/${billing.id}/work-log.csv?month=2026-11&by=agent`);
          expect(csv.text.trim().split('\r\n'), role).to.have.length(2);
        }
      });

      it('exports per-conversation CSV in UTF-8 with a BOM and Japanese and English headers, and audits the export', async () => {
        const owner = await signedIn(server.url, billing.people.owner);
        const res = await fetch(`${server.url}/api/shops/${billing.id}/work-log.csv?month=2026-11`, { headers: { cookie: owner.cookie! } });
        expect(res.status).to.equal(200);
        expect(res.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
        expect(res.headers.get('content-disposition')).to.include('work-log-2026-11.csv');
        const bytes = Buffer.from(await res.arrayBuffer());
        expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
        const [agentName, contractorName] = await names(owner);
        const numbers = await numbersOf(owner);
        expect(bytes.subarray(3).toString('utf8').split('\r\n')).to.deep.equal([
          '月 month,担当者 agent,会話番号 conversation,解決 resolved,秒 seconds,時間 hh:mm',
          `2026-11,${agentName},${numbers[0]},1,300,00:05`,
          `2026-11,${agentName},${numbers[1]},0,30,00:01`,
          `2026-11,${agentName},${numbers[2]},0,1200,00:20`,
          `2026-11,${contractorName},${numbers[0]},1,90,00:02`,
          '',
        ]);
        const audit = await owner.get(`/api/shops/${billing.id}/audit?action=work_log.exported`);
        expect(audit.body.events[0].summary).to.deep.equal({ month: '2026-11', by: 'conversation', rows: 4 });
      });

      it('exports a per-agent summary with ticket counts for per-ticket billing', async () => {
        const owner = await signedIn(server.url, billing.people.owner);
        const r = await owner.get(`/api/shops/${billing.id}/work-log.csv?month=2026-11&by=agent`);
        const [agentName, contractorName] = await names(owner);
        expect(r.headers.get('content-disposition')).to.include('work-log-2026-11-by-agent.csv');
        expect(r.text.split('\r\n')).to.deep.equal([
          '月 month,担当者 agent,対応件数 conversations,解決件数 resolved,秒 seconds,時間 hh:mm',
          `2026-11,${agentName},3,1,1530,00:26`,
          `2026-11,${contractorName},1,1,90,00:02`,
          '',
        ]);
      });

      it("answers another shop's members with 404 and a malformed month with 400", async () => {
        const stranger = await signedIn(server.url, shop.people.owner);
        expect((await stranger.get(path())).status).to.equal(404);
        expect((await stranger.get(`/api/shops/${billing.id}/work-log.csv?month=2026-11`)).status).to.equal(404);
        const owner = await signedIn(server.url, billing.people.owner);
        for (const q of ['month=2026-13', 'month=202611', 'month=2026-11&by=ticket', 'month=2026-11&x=1']) {
          const url = q.includes('by=') ? `/api/shops/${billing.id}/work-log.csv?${q}` : path(q);
          expect((await owner.get(url)).status, q).to.equal(400);
        }
      });

      async function names(owner: TestClient): Promise<string[]> {
        const r = await owner.get(path());
        return r.body.agents.map((a: { name: string }) => a.name);
      }
      async function numbersOf(owner: TestClient): Promise<number[]> {
        const r = await owner.get(path());
        return r.body.agents[0].rows.map((x: { number: number }) => x.number);
      }
    });
  });
}
