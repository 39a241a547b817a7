import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

const nineToSix: Array<[string, string]> = [['09:00', '18:00']];
const weekly = { '0': [], '1': nineToSix, '2': nineToSix, '3': nineToSix, '4': nineToSix, '5': [['10:00', '12:00'], ['13:00', '17:00']], '6': [] };

for (const kind of dbKinds) {
  describe(`[${kind}] business hours and SLA policies`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let agent: TestClient;
    let staff: TestClient;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      agent = await signedIn(server.url, shop.people.agent);
      staff = await signedIn(server.url, shop.people.staff);
    });
    after(() => server.close());

    const hours = (s = shop) => `/api/shops/${s.id}/business-hours`;
    const policies = (s = shop) => `/api/shops/${s.id}/sla-policies`;

    describe('business hours', () => {
      it('shows every member the default (Mon–Fri 9–18, Tokyo, JP holidays) until the owner sets hours', async () => {
        const contractor = await signedIn(server.url, shop.people.contractor);
        const r = await contractor.get(hours());
        expect(r.status).to.equal(200);
        expect(r.body).to.include({ isDefault: true, observeJpHolidays: true, timeZone: 'Asia/Tokyo', updatedAt: null });
        expect(r.body.weekly['1']).to.deep.equal([['09:00', '18:00']]);
        expect(r.body.weekly['0']).to.deep.equal([]);
        // The next public holidays, so the owner sees what the flag closes; the list is the library's, so only its shape is fixed here.
        const upcoming = r.body.upcomingJpHolidays as Array<{ date: string; ja: string; en: string }>;
        expect(upcoming).to.have.length(5);
        const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' }).format(new Date());
        expect(upcoming[0]!.date >= today).to.equal(true);
        expect(upcoming.map((h) => h.date)).to.deep.equal(upcoming.map((h) => h.date).sort());
        expect(upcoming.every((h) => h.ja && h.en)).to.equal(true);
      });

      it('lets the owner set hours, closed dates and the time zone, and audits it', async () => {
        const r = await owner.put(hours(), { weekly, closedDates: ['2027-01-03', '2026-12-29', '2026-12-29'], timeZone: 'Asia/Tokyo' });
        expect(r.status).to.equal(200);
        expect(r.body.isDefault).to.equal(false);
        expect(r.body.closedDates).to.deep.equal(['2026-12-29', '2027-01-03']);
        expect(r.body.weekly['5']).to.deep.equal(weekly['5']);
        expect((await agent.get(hours())).body.weekly['5']).to.deep.equal(weekly['5']);
        const audit = await owner.get(`/api/shops/${shop.id}/audit?action=business_hours.updated`);
        expect(audit.body.events).to.have.length(1);
        expect(audit.body.events[0].summary).to.deep.equal({ observeJpHolidays: true, closedDates: 2, timeZone: 'Asia/Tokyo' });
      });

      it('moves the shop to another time zone when the owner names one', async () => {
        const other = await makeShop(server.database);
        const otherOwner = await signedIn(server.url, other.people.owner);
        const r = await otherOwner.put(hours(other), { weekly, timeZone: 'America/Los_Angeles' });
        expect(r.body.timeZone).to.equal('America/Los_Angeles');
        expect((await otherOwner.get(`/api/shops/${other.id}`)).body.timezone).to.equal('America/Los_Angeles');
      });

      it('refuses staff and agents (403) and leaves the hours as they were', async () => {
        const before = (await owner.get(hours())).body;
        for (const c of [staff, agent]) expect((await c.put(hours(), { weekly: { ...weekly, '6': nineToSix } })).status).to.equal(403);
        expect((await owner.get(hours())).body).to.deep.equal(before);
      });

      // Each refusal names the field, and says what is wrong in Japanese too (said() or zod's own rule in plain Japanese).
      const bad: Array<[string, unknown, string, string]> = [
        ['a time without two digits', { weekly: { ...weekly, '1': [['9:00', '18:00']] } }, 'weekly.1.0.0', '時刻は 00:00〜24:00'],
        ['a time past 24:00', { weekly: { ...weekly, '1': [['09:00', '25:00']] } }, 'weekly.1.0.1', '時刻は 00:00〜24:00'],
        ['a period that ends before it starts', { weekly: { ...weekly, '1': [['18:00', '09:00']] } }, 'weekly.1.0', '終了は開始より後'],
        ['an empty period', { weekly: { ...weekly, '1': [['09:00', '09:00']] } }, 'weekly.1.0', '終了は開始より後'],
        ['overlapping periods', { weekly: { ...weekly, '1': [['09:00', '13:00'], ['12:00', '18:00']] } }, 'weekly.1', '時間帯が重なっています'],
        ['a missing weekday', { weekly: { '1': nineToSix } }, 'weekly.0', '入力してください'],
        ['an unknown weekday', { weekly: { ...weekly, '7': nineToSix } }, 'weekly', '受け付けていない項目'],
        ['a week with no open hours', { weekly: { '0': [], '1': [], '2': [], '3': [], '4': [], '5': [], '6': [] } }, 'weekly', '週に1日以上'],
        ['an impossible closed date', { weekly, closedDates: ['2027-02-30'] }, 'closedDates.0', '日付は「YYYY-MM-DD」'],
        ['an unknown time zone', { weekly, timeZone: 'Asia/Edo' }, 'timeZone', 'IANA の名前'],
      ];
      for (const [what, body, path, ja] of bad) {
        it(`answers 400 for ${what}, naming the field (in Japanese too)`, async () => {
          const r = await owner.put(hours(), body);
          expect(r.status).to.equal(400);
          expect(r.body.error.code).to.equal('invalid_input');
          const detail = r.body.error.details.find((d: { path: string }) => d.path === path);
          expect(detail, JSON.stringify(r.body.error.details)).to.exist;
          expect(detail.ja).to.include(ja);
        });
      }
    });

    describe('SLA policies', () => {
      it('lets the owner add a default and a per-priority policy, list them, and audits each', async () => {
        const s = await makeShop(server.database);
        const o = await signedIn(server.url, s.people.owner);
        const def = await o.post(policies(s), { name: '標準', firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 1440 });
        expect(def.status).to.equal(201);
        expect(def.body).to.include({ priority: null, atRiskPercent: 80, firstResponseMinutes: 60 });
        const urgent = await o.post(policies(s), { name: '至急', priority: 'urgent', firstResponseMinutes: 15, atRiskPercent: 50 });
        expect(urgent.status).to.equal(201);
        expect(urgent.body.resolutionMinutes).to.equal(null);
        const list = await o.get(policies(s));
        expect(list.body.map((p: { name: string }) => p.name)).to.deep.equal(['標準', '至急']);
        const audit = await o.get(`/api/shops/${s.id}/audit?objectId=${urgent.body.id}`);
        expect(audit.body.events.map((e: { action: string }) => e.action)).to.deep.equal(['sla_policy.created']);
      });

      it('answers 409 for a second policy of the same priority, or a second default', async () => {
        const s = await makeShop(server.database);
        const o = await signedIn(server.url, s.people.owner);
        await o.post(policies(s), { name: '標準', firstResponseMinutes: 60 });
        await o.post(policies(s), { name: '高', priority: 'high', firstResponseMinutes: 30 });
        expect((await o.post(policies(s), { name: '標準2', resolutionMinutes: 60 })).status).to.equal(409);
        const dup = await o.post(policies(s), { name: '高2', priority: 'high', resolutionMinutes: 60 });
        expect(dup.status).to.equal(409);
        expect(dup.body.error.code).to.equal('conflict');
        expect((await o.get(policies(s))).body).to.have.length(2);
      });

      it('answers 409 when a change would give a priority a second policy, and saves nothing', async () => {
        const s = await makeShop(server.database);
        const o = await signedIn(server.url, s.people.owner);
        await o.post(policies(s), { name: '高', priority: 'high', firstResponseMinutes: 30 });
        const low = await o.post(policies(s), { name: '低', priority: 'low', firstResponseMinutes: 240 });
        const r = await o.patch(`${policies(s)}/${low.body.id}`, { priority: 'high', name: '変更' });
        expect(r.status).to.equal(409);
        expect((await o.get(policies(s))).body.find((p: { id: string }) => p.id === low.body.id)).to.include({ priority: 'low', name: '低' });
      });

      it('answers a change racing the policy’s deletion with 200 or 404, never 500, and leaves no half of it', async () => {
        for (let i = 0; i < 20; i++) {
          const created = await owner.post(policies(), { name: `競合 ${i}`, priority: 'urgent', firstResponseMinutes: 60 });
          expect(created.status, JSON.stringify(created.body)).to.equal(201);
          const path = `${policies()}/${created.body.id}`;
          const [changed, deleted] = await Promise.all([owner.patch(path, { firstResponseMinutes: 30 + i }), owner.delete(path)]);
          expect(changed.status, `round ${i}: ${JSON.stringify(changed.body)}`).to.be.oneOf([200, 404]);
          expect(deleted.status, `round ${i}`).to.equal(204);
          expect((await owner.get(policies())).body.map((p: { id: string }) => p.id), 'gone').not.to.include(created.body.id);
        }
      });

      it('changes and deletes a policy; a second delete is 404', async () => {
        const created = await owner.post(policies(), { name: '標準', firstResponseMinutes: 60 });
        const path = `${policies()}/${created.body.id}`;
        const changed = await owner.patch(path, { firstResponseMinutes: 45, atRiskPercent: 90 });
        expect(changed.status).to.equal(200);
        expect(changed.body).to.include({ firstResponseMinutes: 45, atRiskPercent: 90, name: '標準' });
        expect((await owner.delete(path)).status).to.equal(204);
        expect((await owner.delete(path)).status).to.equal(404);
        const audit = await owner.get(`/api/shops/${shop.id}/audit?objectId=${created.body.id}`);
        expect(audit.body.events.map((e: { action: string }) => e.action)).to.deep.equal(['sla_policy.deleted', 'sla_policy.updated', 'sla_policy.created']);
      });

      const bad: Array<[string, unknown, string, string]> = [
        ['zero minutes', { name: 'x', firstResponseMinutes: 0 }, 'firstResponseMinutes', '1以上の数値'],
        ['fractional minutes', { name: 'x', firstResponseMinutes: 1.5 }, 'firstResponseMinutes', '1分単位'],
        ['no target at all', { name: 'x' }, 'firstResponseMinutes', '目標を1つ以上'],
        ['a next-response target without a first-response one', { name: 'x', nextResponseMinutes: 30 }, 'nextResponseMinutes', '初回返信の目標も必要'],
        ['an unknown priority', { name: 'x', priority: 'asap', firstResponseMinutes: 5 }, 'priority', '選択肢の中から'],
        ['an at-risk share of 100%', { name: 'x', firstResponseMinutes: 5, atRiskPercent: 100 }, 'atRiskPercent', '99以下'],
        ['an unknown field', { name: 'x', firstResponseMinutes: 5, businessHours: true }, '', '受け付けていない項目'],
      ];
      for (const [what, body, path, ja] of bad) {
        it(`answers 400 for ${what}, naming the field (in Japanese too)`, async () => {
          const r = await owner.post(policies(), body);
          expect(r.status).to.equal(400);
          const detail = r.body.error.details.find((d: { path: string }) => d.path === path);
          expect(detail, JSON.stringify(r.body.error.details)).to.exist;
          expect(detail.ja).to.include(ja);
        });
      }

      it('checks the merged policy on a change: removing the only target is 400', async () => {
        const s = await makeShop(server.database);
        const o = await signedIn(server.url, s.people.owner);
        const p = await o.post(policies(s), { name: '標準', resolutionMinutes: 600 });
        const r = await o.patch(`${policies(s)}/${p.body.id}`, { resolutionMinutes: null });
        expect(r.status).to.equal(400);
        expect((await o.patch(`${policies(s)}/${p.body.id}`, {})).status).to.equal(400);
      });

      it('is for owners only (403 for staff and agents), and 404 for a policy of another shop', async () => {
        const mine = await owner.post(policies(), { name: '低', priority: 'low', firstResponseMinutes: 600 });
        for (const c of [staff, agent]) {
          expect((await c.get(policies())).status).to.equal(403);
          expect((await c.post(policies(), { name: 'x', priority: 'normal', firstResponseMinutes: 5 })).status).to.equal(403);
          expect((await c.delete(`${policies()}/${mine.body.id}`)).status).to.equal(403);
        }
        const other = await makeShop(server.database);
        const otherOwner = await signedIn(server.url, other.people.owner);
        expect((await otherOwner.patch(`${policies(other)}/${mine.body.id}`, { name: '乗っ取り' })).status).to.equal(404);
        expect((await otherOwner.delete(`${policies(other)}/${mine.body.id}`)).status).to.equal(404);
        expect((await owner.get(`/api/shops/${other.id}/sla-policies`)).status).to.be.oneOf([403, 404]);
      });
    });

    describe('compliance', () => {
      it('shows every member the counts per metric, empty for a new shop', async () => {
        const r = await agent.get(`/api/shops/${shop.id}/sla-compliance?from=2027-01-01T00:00:00%2B09:00&to=2027-02-01T00:00:00%2B09:00`);
        expect(r.status).to.equal(200);
        expect(r.body.map((m: { metric: string }) => m.metric)).to.deep.equal(['first_response', 'next_response', 'resolution']);
        expect(r.body[0]).to.include({ met: 0, breached: 0, percentMet: null });
      });

      it('answers 400 for a window that ends before it starts', async () => {
        const r = await agent.get(`/api/shops/${shop.id}/sla-compliance?from=2027-02-01T00:00:00Z&to=2027-01-01T00:00:00Z`);
        expect(r.status).to.equal(400);
      });
    });
  });
}
