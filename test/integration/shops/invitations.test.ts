import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { jobIdFor } from '../../../server/core/outbox.dispatcher.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import type { SinkMail } from '../../helpers/smtp.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

const tokenOf = (mail: SinkMail) => /\/console\/invitations\/([\w-]{43})/.exec(mail.text)![1]!;
let n = 0;
const freshEmail = () => `invitee-${Date.now()}-${++n}@test.madoguchi.test`;

for (const kind of dbKinds) {
  describe(`[${kind}] inviting people by email`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;

    before(async () => {
      server = await startServer(kind, { config: { PUBLIC_URL: 'http://desk.example.jp:3000' } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
    });
    after(() => server.close());

    const inviteAndRead = async (email: string, role = 'agent') => {
      const r = await owner.post(`/api/shops/${shop.id}/invitations`, { email, role });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      const mail = await server.smtp.waitFor((m) => m.to.includes(email));
      return { r, mail, token: tokenOf(mail) };
    };

    it('mails the invitation to that address alone, in Japanese and English, and never shows the owner the token', async () => {
      const email = freshEmail();
      const { r, mail, token } = await inviteAndRead(email);
      expect(r.body).to.include({ email, role: 'agent', mailed: true });
      expect(JSON.stringify(r.body)).not.to.include(token);
      expect(mail.to).to.deep.equal([email]);
      expect(mail.subject).to.include(shop.name).and.include('招待').and.include('Invitation');
      expect(mail.text).to.include('エージェント').and.include('an agent').and.include(`http://desk.example.jp:3000/console/invitations/${token}`);
      const list = await owner.get(`/api/shops/${shop.id}/invitations`);
      expect(list.body.map((i: { email: string }) => i.email)).to.include(email);
      expect(JSON.stringify(list.body)).not.to.include(token);
    });

    it('lets a new person accept with a name and password: they are signed in and see only that shop', async () => {
      const email = freshEmail();
      const { token } = await inviteAndRead(email, 'contractor');
      const anon = new TestClient(server.url);
      const about = await anon.get(`/api/invitations/${token}`);
      expect(about.body).to.include({ shopName: shop.name, role: 'contractor', email, hasAccount: false });
      const short = await anon.post(`/api/invitations/${token}/accept`, { name: '新人', password: 'short' });
      expect(short.status).to.equal(400);
      const missing = await anon.post(`/api/invitations/${token}/accept`, {});
      expect(missing.body.error.details.missing).to.deep.equal(['name', 'password']);
      const ok = await anon.post(`/api/invitations/${token}/accept`, { name: '新人 委託', password: 'a long enough password' });
      expect(ok.status).to.equal(200);
      expect(ok.body.memberships).to.deep.equal([{ shopId: shop.id, shopName: shop.name, role: 'contractor' }]);
      expect(anon.cookie).to.be.a('string');
      anon.csrf = ok.body.csrfToken;
      expect((await anon.get(`/api/shops/${shop.id}/orders`)).status).to.equal(200);
      expect((await new TestClient(server.url).signIn(email, 'a long enough password')).status).to.equal(200);
      const audit = await owner.get(`/api/shops/${shop.id}/audit?action=member.joined`);
      expect(audit.body.events[0].summary).to.include({ role: 'contractor' });
      // The trail says who joined, not whether they had an account elsewhere, nor invitees' addresses.
      expect(audit.body.events[0].summary).not.to.have.property('newAccount');
      const invited = await owner.get(`/api/shops/${shop.id}/audit?action=member.invited`);
      expect(JSON.stringify(invited.body)).not.to.include(email);
    });

    it('uses a token once: a second accept, or a look at it, is 404', async () => {
      const { token } = await inviteAndRead(freshEmail());
      await new TestClient(server.url).post(`/api/invitations/${token}/accept`, { name: 'A', password: 'a long enough password' });
      expect((await new TestClient(server.url).post(`/api/invitations/${token}/accept`, { name: 'B', password: 'another long password' })).status).to.equal(404);
      expect((await new TestClient(server.url).get(`/api/invitations/${token}`)).status).to.equal(404);
    });

    it('makes a person with an account sign in as that account to accept (so nobody else can claim it)', async () => {
      const other = await makeShop(server.database);
      const existing = other.people.contractor;
      const { token } = await inviteAndRead(existing.email, 'contractor');
      const about = await new TestClient(server.url).get(`/api/invitations/${token}`);
      expect(about.body.hasAccount).to.equal(true);
      const anonymous = await new TestClient(server.url).post(`/api/invitations/${token}/accept`, { name: 'Attacker', password: 'attacker-knows-this' });
      expect(anonymous.status).to.equal(401);
      expect(anonymous.body.error.details).to.deep.equal({ reason: 'sign_in_first' });
      const someoneElse = await signedIn(server.url, other.people.agent);
      expect((await someoneElse.post(`/api/invitations/${token}/accept`, {})).status).to.equal(403);
      const them = await signedIn(server.url, existing);
      const noCsrf = await them.post(`/api/invitations/${token}/accept`, {}, { csrf: false });
      expect(noCsrf.status).to.equal(403);
      const ok = await them.post(`/api/invitations/${token}/accept`, {});
      expect(ok.status).to.equal(200);
      expect(ok.body.memberships.map((m: { shopId: string }) => m.shopId)).to.have.members([shop.id, other.id]);
    });

    it('closes the takeover: an owner of another shop cannot create an account with a password they know', async () => {
      // The attack from the review: open a shop, "add" someone else's future address with a chosen password.
      const evil = await signedIn(server.url, (await makeShop(server.database)).people.owner);
      const target = freshEmail();
      const evilShop = await evil.post('/api/shops', { name: 'evil' });
      expect((await evil.post(`/api/shops/${evilShop.body.id}/members`, { email: target, role: 'owner', name: 'x', password: 'attacker-knows-this' })).status).to.equal(405);
      const invited = await evil.post(`/api/shops/${evilShop.body.id}/invitations`, { email: target, role: 'owner' });
      expect(invited.status).to.equal(201);
      expect(JSON.stringify(invited.body)).not.to.match(/[\w-]{43}/);
      expect((await new TestClient(server.url).signIn(target, 'attacker-knows-this')).status).to.equal(401);
    });

    it('replaces the open invitation when the owner invites the same address again', async () => {
      const email = freshEmail();
      const first = await inviteAndRead(email);
      const second = await owner.post(`/api/shops/${shop.id}/invitations`, { email, role: 'staff' });
      expect(second.status).to.equal(201);
      const mails = await server.smtp.waitFor((m) => m.to.includes(email) && tokenOf(m) !== first.token);
      expect((await new TestClient(server.url).get(`/api/invitations/${first.token}`)).status).to.equal(404);
      expect((await new TestClient(server.url).get(`/api/invitations/${tokenOf(mails)}`)).body.role).to.equal('staff');
    });

    it('lets the owner withdraw an invitation, after which its link is dead', async () => {
      const email = freshEmail();
      const { r, token } = await inviteAndRead(email);
      expect((await owner.delete(`/api/shops/${shop.id}/invitations/${r.body.id}`)).status).to.equal(204);
      expect((await owner.delete(`/api/shops/${shop.id}/invitations/${r.body.id}`)).status).to.equal(404);
      expect((await new TestClient(server.url).get(`/api/invitations/${token}`)).status).to.equal(404);
    });

    it('refuses to invite a current member (409), bad addresses and roles (400), and malformed tokens (400)', async () => {
      expect((await owner.post(`/api/shops/${shop.id}/invitations`, { email: shop.people.staff.email, role: 'agent' })).status).to.equal(409);
      expect((await owner.post(`/api/shops/${shop.id}/invitations`, { email: 'not-an-address', role: 'agent' })).status).to.equal(400);
      expect((await owner.post(`/api/shops/${shop.id}/invitations`, { email: freshEmail(), role: 'admin' })).status).to.equal(400);
      expect((await new TestClient(server.url).get('/api/invitations/short')).status).to.equal(400);
    });

    it('when an accept and a resend of the same invitation race, one of them wins cleanly', async () => {
      for (let round = 0; round < 3; round++) {
        const email = freshEmail();
        const { token } = await inviteAndRead(email);
        const [accept, resend] = await Promise.all([
          new TestClient(server.url).post(`/api/invitations/${token}/accept`, { name: 'Racer', password: 'a long enough password' }),
          owner.post(`/api/shops/${shop.id}/invitations`, { email, role: 'agent' }),
        ]);
        // Accepted first: the resend finds a member (409). Resent first: the old link is dead (404).
        expect(['200/409', '404/201'], JSON.stringify([accept.body, resend.body])).to.include(`${accept.status}/${resend.status}`);
      }
    });

    it('when several invitations to the same address race, each answers 201 or 409 and one stays open', async () => {
      const email = freshEmail();
      const results = await Promise.all(Array.from({ length: 4 }, () => owner.post(`/api/shops/${shop.id}/invitations`, { email, role: 'agent' })));
      for (const r of results) expect([201, 409]).to.include(r.status);
      const open = (await owner.get(`/api/shops/${shop.id}/invitations`)).body.filter((i: { email: string }) => i.email === email);
      expect(open).to.have.length(1);
    });
  });
}

describe('[pglite] an invitation whose mail cannot be sent', () => {
  let server: TestServer;
  before(async () => {
    // Port 9 (discard) on loopback: nothing listens, the SMTP connection is refused.
    server = await startServer('pglite', { smtpUrl: 'smtp://127.0.0.1:9' });
  });
  after(() => server.close());

  it('is kept, and its mail waits in the queue to be retried instead of being lost', async () => {
    const shop = await makeShop(server.database);
    const owner = await signedIn(server.url, shop.people.owner);
    const r = await owner.post(`/api/shops/${shop.id}/invitations`, { email: 'unlucky@test.madoguchi.test', role: 'staff' });
    expect(r.status).to.equal(201);
    const open = await owner.get(`/api/shops/${shop.id}/invitations`);
    expect(open.body.map((i: { email: string }) => i.email)).to.deep.equal(['unlucky@test.madoguchi.test']);
    const row = await eventually(async () => {
      const [row] = await server.database.db.select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, 'mail.send')));
      return row?.dispatchedAt ? row : undefined;
    }, 'the mail to leave the outbox');
    // The row is the record of the mail until it has gone out (a Redis that loses its data must
    // not lose it); its payload, link included, is emptied once it is sent or fails for good.
    expect(row.payload.to).to.equal('unlucky@test.madoguchi.test');
    expect(row.completedAt).to.equal(null);
    const job = await eventually(async () => {
      const job = await server.service.jobs!.queue.getJob(jobIdFor(row));
      return job && job.attemptsMade >= 1 && (await job.getState()) === 'delayed' ? job : undefined;
    }, 'a failed send scheduled for retry');
    expect(job.data.to).to.equal('unlucky@test.madoguchi.test');
  });
});

describe('[pglite] invitation limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('pglite', { inviteLimits: { perShopPerHour: 4, perRecipientPerHour: 2 } });
  });
  after(() => server.close());

  it('refuses a third mail to one address within the hour, and a fifth from one shop, with 429', async () => {
    const shop = await makeShop(server.database);
    const owner = await signedIn(server.url, shop.people.owner);
    const send = (email: string) => owner.post(`/api/shops/${shop.id}/invitations`, { email, role: 'staff' });
    expect((await send('same@test.madoguchi.test')).status).to.equal(201);
    expect((await send('same@test.madoguchi.test')).status).to.equal(201);
    const third = await send('same@test.madoguchi.test');
    expect(third.status).to.equal(429);
    expect(Number(third.headers.get('retry-after'))).to.be.greaterThan(0);
    expect((await send('other-1@test.madoguchi.test')).status).to.equal(201);
    expect((await send('other-2@test.madoguchi.test')).status).to.equal(429);
  });

  it('refuses names with line breaks or control characters, which would end up in mail', async () => {
    const shop = await makeShop(server.database);
    const owner = await signedIn(server.url, shop.people.owner);
    const r = await owner.patch(`/api/shops/${shop.id}`, { name: 'ok\r\nBcc: spy@evil.test' });
    expect(r.status).to.equal(400);
    expect((await owner.patch('/api/auth/me', { name: 'me\u0007' })).status).to.equal(400);
  });
});
