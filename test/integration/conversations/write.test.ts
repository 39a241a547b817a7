import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { and, asc, eq, sql } from 'drizzle-orm';
import { transact } from '../../../server/events/commit.ts';
import { listenerTopic } from '../../../server/events/subscriptions.ts';
import type { Db } from '../../../server/core/db/client.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { withTimeout } from '../../../server/core/redis.ts';
import { DomainError } from '../../../server/core/errors.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import type { Author } from '../../../server/domains/conversations/conversations.types.ts';
import { conversations, customers, messages } from '../../../server/domains/conversations/conversations.tables.ts';
import { writeMessages, type SendRequest } from '../../../server/domains/conversations/conversations.write.ts';
import { createMessageWriter, type WriterBatch } from '../../../server/domains/conversations/conversations.writer.ts';
import { clocksOfMany, contextKey, findBusinessHours, insertPolicy, listPolicies, slaContext, upsertBusinessHours } from '../../../server/domains/sla/sla.repository.ts';
import { lockAndRead } from '../../../server/domains/conversations/conversations.write.repository.ts';
import { slaClocks } from '../../../server/domains/sla/sla.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { makeChat, tinyPng, type TestChat } from '../attachments/chat.fixtures.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFileStorage } from '../../../server/core/storage.ts';
import { storeAttachment } from '../../../server/domains/attachments/attachments.service.ts';

/** A log stream whose lines the test reads. */
function logLines() {
  const lines: string[] = [];
  const logTo = new Writable({
    write: (chunk, _enc, done) => {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logTo };
}

for (const kind of dbKinds) {
  describe(`[${kind}] group commit of chat messages`, () => {
    let server: TestServer;
    let db: Db;
    let shop: TestShop;
    let other: TestShop;

    before(async () => {
      server = await startServer(kind, { config: { JOBS: 'off' } });
      db = server.database.db;
      shop = await makeShop(server.database);
      other = await makeShop(server.database);
      await insertPolicy(db, { shopId: shop.id, name: '標準', firstResponseMinutes: 60, resolutionMinutes: 24 * 60 });
    });
    after(() => server.close());

    const customerOf = async (chat: TestChat, shopId = shop.id): Promise<Author> => {
      const [c] = await db.select().from(customers).where(eq(customers.id, chat.customerId));
      return { kind: 'customer', principal: { shopId, customerId: chat.customerId, customer: c! } };
    };
    const agent = (): Author => ({ kind: 'agent', actor: { kind: 'user', shopId: shop.id, userId: shop.people.agent.id, name: shop.people.agent.name, role: 'agent' } });
    const say = (author: Author, conversationId: string, body: string, clientId: string = randomUUID(), kind: 'text' | 'note' = 'text'): SendRequest => ({ author, input: { conversationId, clientId, body, kind } });
    const stored = (conversationId: string) => db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.seq));
    const conversation = async (id: string) => (await db.select().from(conversations).where(eq(conversations.id, id)))[0]!;
    // As the writer commits a batch: its events and timers written in the transaction (no dispatcher here).
    const timing = { replyMailDelayMs: 60_000 };
    const write = (reqs: SendRequest[]) => transact(db, { poke: () => undefined, timing }, (tx, out) => writeMessages(tx, reqs, { now: new Date() }, out));
    const errorOf = (o: { ok: boolean; error?: unknown }) => (o.ok ? 'ok' : o.error instanceof DomainError ? o.error.code : String(o.error));

    it('its calls answer rows exactly as the query builder reads them, and nothing of another shop', async () => {
      const chat = await makeChat(db, shop.id);
      await write([say(await customerOf(chat), chat.conversationId, 'こんにちは'), say(agent(), chat.conversationId, '<b>返信</b>')]);
      await db.update(conversations).set({ tags: ['返品', 'vip'], snoozedUntil: new Date('2026-12-24T00:00:00Z') }).where(eq(conversations.id, chat.conversationId));
      const rows = await stored(chat.conversationId);
      const sends = [...rows.map((m) => ({ shopId: shop.id, conversationId: m.conversationId, clientId: m.clientId })), { shopId: shop.id, conversationId: chat.conversationId, clientId: 'never-sent' }];
      const read = await db.transaction((tx) => lockAndRead(tx, sends));
      expect(read.locked.get(chat.conversationId)).to.deep.equal(await conversation(chat.conversationId));
      expect(read.locked.size, 'one conversation however many sends name it').to.equal(1);
      expect([...read.stored.values()].sort((x, y) => x.seq - y.seq)).to.deep.equal(rows);
      const clocks = await db.select().from(slaClocks).where(eq(slaClocks.conversationId, chat.conversationId));
      expect(clocks, 'the policy started clocks').to.not.be.empty;
      expect(await clocksOfMany(db, shop.id, [chat.conversationId])).to.deep.equal(clocks);
      expect(read.sla.clocks.sort((x, y) => x.metric.localeCompare(y.metric))).to.deep.equal(clocks.sort((x, y) => x.metric.localeCompare(y.metric)));
      expect(read.sla.contexts.get(contextKey(shop.id, 'normal'))).to.deep.equal(await slaContext(db, shop.id, 'normal'));
      expect((await slaContext(db, other.id, 'normal'))!.hours, 'no hours set').to.equal(undefined);
      await upsertBusinessHours(db, other.id, { weekly: { '0': [], '1': [['09:00', '18:00']], '2': [['09:00', '12:00'], ['13:00', '18:00']], '3': [], '4': [], '5': [], '6': [] }, observeJpHolidays: true, closedDates: ['2026-12-31', '2027-01-01'] });
      const hours = await slaContext(db, other.id, 'high');
      expect(hours!.hours).to.deep.equal(await findBusinessHours(db, other.id));
      expect(hours!.policy, 'no policy').to.equal(undefined);
      const otherChat = await makeChat(db, other.id);
      await db.update(conversations).set({ priority: 'high' }).where(eq(conversations.id, otherChat.conversationId));
      const both = await db.transaction((tx) => lockAndRead(tx, [{ shopId: other.id, conversationId: otherChat.conversationId, clientId: 'x' }, ...sends]));
      expect(both.sla.contexts.get(contextKey(shop.id, 'normal'))).to.deep.equal(read.sla.contexts.get(contextKey(shop.id, 'normal')));
      expect(both.sla.contexts.get(contextKey(other.id, 'high'))).to.deep.equal(hours);
      expect(both.stored.size).to.equal(rows.length);
      const ctx = await slaContext(db, shop.id, 'normal');
      expect(ctx!.policy).to.deep.equal((await listPolicies(db, shop.id))[0]);
      expect(ctx!.timezone).to.equal('Asia/Tokyo');
      // Another shop's row under this shop's id is not there.
      const wrongShop = await db.transaction((tx) => lockAndRead(tx, [{ shopId: other.id, conversationId: chat.conversationId, clientId: rows[0]!.clientId }]));
      expect([wrongShop.locked.size, wrongShop.stored.size, wrongShop.sla.clocks.length, wrongShop.sla.contexts.size]).to.deep.equal([0, 0, 0, 0]);
    });

    it('numbers several messages to one conversation in the order given, next to others, and moves each conversation once', async () => {
      const [a, b] = [await makeChat(db, shop.id), await makeChat(db, shop.id)];
      const [ca, cb] = [await customerOf(a), await customerOf(b)];
      const { outcomes } = await write([say(ca, a.conversationId, 'a1'), say(cb, b.conversationId, 'b1'), say(ca, a.conversationId, 'a2'), say(agent(), a.conversationId, 'a3 reply')]);
      expect(outcomes.map(errorOf)).to.deep.equal(['ok', 'ok', 'ok', 'ok']);
      expect((await stored(a.conversationId)).map((m) => [m.seq, m.body])).to.deep.equal([[1, 'a1'], [2, 'a2'], [3, 'a3 reply']]);
      expect((await stored(b.conversationId)).map((m) => [m.seq, m.body])).to.deep.equal([[1, 'b1']]);
      const after = await conversation(a.conversationId);
      expect({ last: after.lastSeq, customerRead: after.customerReadSeq, agentRead: after.agentReadSeq }).to.deep.equal({ last: 3, customerRead: 2, agentRead: 3 });
      expect(after.firstResponseAt, 'the agent reply is the first response').to.be.an.instanceOf(Date);
      expect((await conversation(b.conversationId)).lastSeq).to.equal(1);
      // The agent's reply waits for the customer to read it, else it is mailed.
      const mails = (await db.select().from(outbox).where(and(eq(outbox.topic, listenerTopic('message.created', 'reply-mail')), eq(outbox.shopId, shop.id)))).filter((r) => r.payload.conversationId === a.conversationId);
      expect(mails.map((r) => [r.payload.conversationId, r.payload.seq, r.payload.authorKind])).to.deep.equal([[a.conversationId, 3, 'agent']]);
      expect(mails[0]!.runAt!.getTime() - Date.parse(String(mails[0]!.payload.at)), 'sent if still unread a minute later').to.equal(60_000);
      // One SLA pass for the batch: the first-response clock started by a1 is met by the reply.
      const clocks = await db.select().from(slaClocks).where(eq(slaClocks.conversationId, a.conversationId));
      expect(clocks.find((c) => c.metric === 'first_response')?.metAt, JSON.stringify(clocks)).to.be.an.instanceOf(Date);
    });

    it('answers a resend with the stored message, in the same batch or a later one, and writes it once', async () => {
      const chat = await makeChat(db, shop.id);
      const me = await customerOf(chat);
      const first = say(me, chat.conversationId, 'もしもし');
      const { outcomes } = await write([first, say(me, chat.conversationId, 'もしもし', first.input.clientId), say(me, chat.conversationId, '二通目')]);
      expect(outcomes.map((o) => (o.ok ? [o.sent.message.seq, o.sent.duplicate] : errorOf(o)))).to.deep.equal([[1, false], [1, true], [2, false]]);
      const later = await write([say(me, chat.conversationId, 'もしもし', first.input.clientId), say(me, chat.conversationId, '三通目')]);
      expect(later.outcomes.map((o) => (o.ok ? [o.sent.message.seq, o.sent.duplicate] : errorOf(o)))).to.deep.equal([[1, true], [3, false]]);
      expect((await stored(chat.conversationId)).map((m) => m.seq), 'no gap, no double').to.deep.equal([1, 2, 3]);
    });

    it('refuses only the sends that fail their checks, and still writes the rest', async () => {
      const [mine, closed, foreign] = [await makeChat(db, shop.id), await makeChat(db, shop.id), await makeChat(db, other.id)];
      await db.update(conversations).set({ status: 'closed' }).where(eq(conversations.id, closed.conversationId));
      const me = await customerOf(mine);
      const taken = say(me, mine.conversationId, '先に送った');
      await write([taken]);
      const { outcomes } = await write([
        say(await customerOf(foreign, shop.id), foreign.conversationId, 'another shop'),
        say(me, closed.conversationId, "someone else's conversation"),
        say(await customerOf(closed), closed.conversationId, 'closed'),
        say(agent(), mine.conversationId, 'same client id, other author', taken.input.clientId),
        say(agent(), closed.conversationId, 'a note is still fine', randomUUID(), 'note'),
        say(me, mine.conversationId, 'fine'),
      ]);
      expect(outcomes.map(errorOf)).to.deep.equal(['not_found', 'not_found', 'invalid_transition', 'conflict', 'ok', 'ok']);
      expect((await stored(mine.conversationId)).map((m) => m.body)).to.deep.equal(['先に送った', 'fine']);
      expect((await stored(closed.conversationId)).map((m) => m.body)).to.deep.equal(['a note is still fine']);
      expect(await stored(foreign.conversationId)).to.have.length(0);
    });

    const chatsOf = async (n: number) => {
      const chats = await Promise.all(Array.from({ length: n }, () => makeChat(db, shop.id)));
      return { chats, authors: await Promise.all(chats.map((c) => customerOf(c))) };
    };

    it('writes the sends that arrive while a batch is in flight together, in one transaction', async () => {
      const writer = createMessageWriter({ db, poke: () => undefined, timing, logger: createLogger('silent') });
      const { chats, authors } = await chatsOf(5);
      const lead = writer.send(say(authors[0]!, chats[0]!.conversationId, 'lead'));
      const rest = chats.slice(1).map((c, i) => writer.send(say(authors[i + 1]!, c.conversationId, `follower ${i}`)));
      const sent = await Promise.all([lead, ...rest]);
      expect(sent.map((s) => s.message.seq)).to.deep.equal([1, 1, 1, 1, 1]);
      // now() is the transaction's start: one value for the followers, another for the lead.
      const times = sent.map((s) => s.message.createdAt.getTime());
      expect(new Set(times.slice(1)).size, 'followers in one transaction').to.equal(1);
      expect(times[1]).to.not.equal(times[0]);
    });

    it('with room for a second batch, still gathers what arrives while the first is in flight, within its patience', async () => {
      const writer = createMessageWriter({ db, poke: () => undefined, timing, logger: createLogger('silent') }, { concurrency: 2, patienceMs: 60_000 });
      const { chats, authors } = await chatsOf(4);
      const lead = writer.send(say(authors[0]!, chats[0]!.conversationId, 'lead'));
      const rest = chats.slice(1).map((c, i) => writer.send(say(authors[i + 1]!, c.conversationId, `follower ${i}`)));
      const times = (await Promise.all([lead, ...rest])).map((s) => s.message.createdAt.getTime());
      expect(new Set(times.slice(1)).size, 'followers in one transaction, after the lead').to.equal(1);
      expect(times[1]).to.not.equal(times[0]);
    });

    /** A writer whose batches' sizes are observed; a batch of two opens the window unless the test says otherwise. */
    const gathering = (opts: Parameters<typeof createMessageWriter>[1] & { gatherMs: number }) => {
      const sizes: number[] = [];
      const writer = createMessageWriter({ db, poke: () => undefined, timing, logger: createLogger('silent'), observe: (b) => sizes.push(b.size) }, { gatherAfter: 2, ...opts });
      // The observer hears of a batch just after its sends have their answers.
      const observed = async () => {
        await new Promise((r) => setImmediate(r));
        return sizes;
      };
      return { writer, observed };
    };
    /** A lead alone, then two sends queued behind it: batches of one and of two. */
    const leadAndPair = async (writer: ReturnType<typeof createMessageWriter>, chats: TestChat[], authors: Author[]) =>
      Promise.all([0, 1, 2].map((i) => writer.send(say(authors[i]!, chats[i]!.conversationId, `${i} 番目`))));

    if (kind === 'postgres') {
      /** Locks a conversation's row in a transaction of its own until the answered function is called (and awaited). */
      const holdRow = async (conversationId: string): Promise<() => Promise<void>> => {
        let release!: () => void;
        const released = new Promise<void>((r) => (release = r));
        let locked!: () => void;
        const isLocked = new Promise<void>((r) => (locked = r));
        const holder = db.transaction(async (tx) => {
          await tx.execute(sql`select id from conversations where id = ${conversationId} for update`);
          locked();
          await released;
        });
        await Promise.race([isLocked, holder]);
        return async () => {
          release();
          await holder;
        };
      };

      it('starts a second batch beside one stuck on a lock once its patience has run out, so other conversations go on', async () => {
        const writer = createMessageWriter({ db, poke: () => undefined, timing, logger: createLogger('silent') }, { concurrency: 2, patienceMs: 30 });
        const { chats, authors } = await chatsOf(2);
        // Another transaction holds the first conversation's row, as an agent's long update would.
        const release = await holdRow(chats[0]!.conversationId);
        let stuckAnswered = false;
        const stuck = writer.send(say(authors[0]!, chats[0]!.conversationId, 'behind the lock')).finally(() => (stuckAnswered = true));
        try {
          // Bounded: were it to wait for the stuck batch, the finally below must still release the lock.
          const other = await withTimeout(writer.send(say(authors[1]!, chats[1]!.conversationId, 'goes on')), 5000, 'the other conversation, waiting for the stuck batch,');
          expect(other.message.seq).to.equal(1);
          expect(stuckAnswered, 'the first batch still waits on the lock').to.equal(false);
        } finally {
          await release();
        }
        expect((await stuck).message.seq).to.equal(1);
        expect((await stored(chats[0]!.conversationId)).map((m) => m.body)).to.deep.equal(['behind the lock']);
      });

      it('a batch that starts while sends gather drops the window’s timer: one beside it, if stuck, still goes after its patience', async () => {
        // A patience long enough for the lead below to end first on a slow machine (a pair started beside it would not open the window).
        const { writer, observed } = gathering({ concurrency: 2, patienceMs: 500, gatherMs: 60_000, maxBatch: 2 });
        const { chats, authors } = await chatsOf(6);
        // A first batch on its own: the connection's statements and plans are made.
        await writer.send(say(authors[0]!, chats[0]!.conversationId, 'warm-up'));
        await observed();
        // A lead alone, then a pair: the window is open for a minute after the pair.
        await leadAndPair(writer, chats, authors);
        expect(await observed(), 'the warm-up, the lead alone, then the pair').to.deep.equal([1, 1, 2]);
        const release = await holdRow(chats[4]!.conversationId);
        try {
          // The first gathers (a minute's timer); the second fills the batch, which starts and waits on the lock.
          const gathered = writer.send(say(authors[3]!, chats[3]!.conversationId, '集めて'));
          const locked = writer.send(say(authors[4]!, chats[4]!.conversationId, 'behind the lock'));
          // Bounded: were the minute's timer still set, this one would wait for it, not for the 500 ms patience.
          const beside = await withTimeout(writer.send(say(authors[5]!, chats[5]!.conversationId, '隣で')), 5000, 'the batch beside the stuck one');
          expect(beside.message.seq).to.equal(1);
          await release();
          expect((await Promise.all([gathered, locked])).map((x) => x.message.seq)).to.deep.equal([1, 1]);
          expect(await observed(), 'then the one beside, and the gathered pair stuck behind the lock').to.deep.equal([1, 1, 2, 1, 2]);
        } finally {
          await release();
        }
      });

      it('leaves the stuck batch’s conversations out of the batch beside it, so their messages keep their order', async () => {
        const writer = createMessageWriter({ db, poke: () => undefined, timing, logger: createLogger('silent') }, { concurrency: 2, patienceMs: 30 });
        const { chats, authors } = await chatsOf(2);
        const [x, y] = [chats[0]!.conversationId, chats[1]!.conversationId];
        const release = await holdRow(x);
        const first = writer.send(say(authors[0]!, x, 'first'));
        await new Promise((r) => setTimeout(r, 60));
        // Past the first batch's patience: a second batch may start, but not with x's next message.
        let secondAnswered = false;
        const second = writer.send(say(authors[0]!, x, 'second')).finally(() => (secondAnswered = true));
        try {
          const other = await withTimeout(writer.send(say(authors[1]!, y, 'other')), 5000, 'y, waiting for the stuck batch,');
          expect(other.message.seq).to.equal(1);
          expect(secondAnswered, 'x’s second message waits behind its first').to.equal(false);
        } finally {
          await release();
        }
        expect([(await first).message.seq, (await second).message.seq]).to.deep.equal([1, 2]);
        expect((await stored(x)).map((m) => m.body)).to.deep.equal(['first', 'second']);
      });

      it('with one batch in flight at most, a batch stuck on a lock holds the sends behind it', async () => {
        const writer = createMessageWriter({ db, poke: () => undefined, timing, logger: createLogger('silent') }, { concurrency: 1, patienceMs: 0 });
        const { chats, authors } = await chatsOf(2);
        const release = await holdRow(chats[0]!.conversationId);
        const stuck = writer.send(say(authors[0]!, chats[0]!.conversationId, 'behind the lock'));
        let otherAnswered = false;
        const other = writer.send(say(authors[1]!, chats[1]!.conversationId, 'waits')).finally(() => (otherAnswered = true));
        try {
          await new Promise((r) => setTimeout(r, 200));
          expect(otherAnswered, 'the second send waits for the first batch').to.equal(false);
        } finally {
          await release();
        }
        await Promise.all([stuck, other]);
      });
    }

    it('tries each send of a failed batch again alone, so a send whose attachment is refused fails by itself', async () => {
      const writer = createMessageWriter({ db, poke: () => undefined, timing, logger: createLogger('silent') });
      const { chats, authors } = await chatsOf(6);
      const lead = writer.send(say(authors[0]!, chats[0]!.conversationId, 'lead'));
      // Queued behind the lead's transaction: these form the next batch.
      const rest = chats.slice(1).map((c, i) => writer.send(say(authors[i + 1]!, c.conversationId, `follower ${i}`)));
      const bad = writer.send({ author: authors[1]!, input: { conversationId: chats[1]!.conversationId, clientId: randomUUID(), body: 'with a file', kind: 'text', attachmentIds: [randomUUID()] } });
      const results = await Promise.allSettled([lead, ...rest, bad]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
      const refusal = (results[6] as PromiseRejectedResult).reason;
      expect(refusal).to.be.an.instanceOf(DomainError);
      const followers = await Promise.all(chats.slice(1).map(async (c) => (await stored(c.conversationId))[0]!));
      expect(followers.map((m) => m.body)).to.deep.equal(['follower 0', 'follower 1', 'follower 2', 'follower 3', 'follower 4']);
      expect((await stored(chats[1]!.conversationId)).map((m) => m.body), 'the refused send left nothing').to.deep.equal(['follower 0']);
    });

    it('stores any text exactly as sent, and a shop system (API key) as an author without a person', async () => {
      const chat = await makeChat(db, shop.id);
      const system: Author = { kind: 'agent', actor: { kind: 'api_key', shopId: shop.id, keyId: randomUUID(), name: '基幹システム' } };
      const bodies = ['"引用" と \\ と {a,b}', 'NULL', "it's\n改行\r\nあり", '', '🎁'.repeat(3)];
      const { outcomes } = await write([...bodies.map((b) => say(system, chat.conversationId, b)), say(await customerOf(chat), chat.conversationId, '{"json": [1, 2]}')]);
      expect(outcomes.map(errorOf)).to.deep.equal(bodies.map(() => 'ok').concat('ok'));
      const rows = await stored(chat.conversationId);
      expect(rows.map((m) => m.body)).to.deep.equal([...bodies, '{"json": [1, 2]}']);
      expect(rows.map((m) => [m.authorKind, m.authorId, m.authorName])[0]).to.deep.equal(['agent', null, '基幹システム']);
      expect(rows[5]!.authorId).to.equal(chat.customerId);
      expect(rows.every((m) => m.createdAt instanceof Date)).to.equal(true);
    });

    it('answers resends of stored messages, several in one batch, with the files they were sent with', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mdg-write-'));
      try {
        const [a, b] = [await makeChat(db, shop.id), await makeChat(db, shop.id)];
        const [ca, cb] = [await customerOf(a), await customerOf(b)];
        const file = async (chat: TestChat) =>
          (await storeAttachment({ db, storage: new LocalFileStorage(dir) }, { shopId: shop.id, conversationId: chat.conversationId, filename: 'photo.png', contentType: 'image/png', uploader: { kind: 'customer', id: chat.customerId }, bytes: tinyPng() })).id;
        const [fa, fb] = [await file(a), await file(b)];
        const withFile = (author: Author, chat: TestChat, id: string): SendRequest => ({ author, input: { conversationId: chat.conversationId, clientId: randomUUID(), body: '写真です', kind: 'text', attachmentIds: [id] } });
        const [sa, sb] = [withFile(ca, a, fa), withFile(cb, b, fb)];
        await write([sa, sb]);
        const { outcomes } = await write([sa, sb]);
        const files = outcomes.map((o) => (o.ok ? [o.sent.duplicate, o.sent.attachments.map((f) => f.id)] : errorOf(o)));
        expect(files).to.deep.equal([[true, [fa]], [true, [fb]]]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('tells its logger when work after a commit fails (the worker’s notices too), and the message still counts as sent', async () => {
      const { lines, logTo } = logLines();
      const poke = () => {
        throw new Error('test: the dispatcher cannot be woken');
      };
      const writer = createMessageWriter({ db, poke, timing, logger: createLogger('warn', logTo) });
      const chat = await makeChat(db, shop.id);
      // An agent's reply has a listener (the reply mail): its row makes the writer wake the dispatcher.
      const sent = await writer.send(say(agent(), chat.conversationId, '返信です'));
      expect([sent.message.seq, sent.duplicate]).to.deep.equal([1, false]);
      expect(lines.join(''), 'the failed wake-up is told').to.include('after-commit: waking the dispatcher failed');
      // @ts-expect-error a writer without a logger would fail after its commits in silence
      void (() => createMessageWriter({ db, poke, timing }));
    });

    if (kind === 'postgres') {
      it('reads after it holds the lock: a batch that waited for another sees what that one committed, and a resend is answered, not written twice', async () => {
        const chat = await makeChat(db, shop.id);
        const author = await customerOf(chat);
        const clientId = randomUUID();
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        let locked!: () => void;
        const holding = new Promise<void>((r) => (locked = r));
        // The first batch writes the message and holds its transaction open; the second asks for the same client id meanwhile.
        const first = transact(db, { poke: () => undefined, timing }, async (tx, out) => {
          const r = await writeMessages(tx, [say(author, chat.conversationId, '一通目', clientId)], { now: new Date() }, out);
          locked();
          await held;
          return r;
        });
        await holding;
        const second = write([say(author, chat.conversationId, '一通目', clientId)]);
        // The second batch is waiting for the first one's lock before that one commits.
        const waiting = async () => ((await db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%chat_lock_and_read%'`)) as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;
        for (let i = 0; (await waiting()) === 0; i++) {
          if (i === 200) throw new Error('the second batch never waited for the lock');
          await new Promise((r) => setTimeout(r, 10));
        }
        release();
        const [a, b] = await Promise.all([first, second]);
        expect(a.outcomes[0]!.ok && a.outcomes[0]!.sent.duplicate).to.equal(false);
        expect(b.outcomes[0]!.ok && b.outcomes[0]!.sent.duplicate, 'the second batch found the first one’s message').to.equal(true);
        expect((await stored(chat.conversationId)).map((m) => m.body)).to.deep.equal(['一通目']);
      });
    }

    it('answers a send that arrives alone without waiting for company', async () => {
      const writer = createMessageWriter({ db, poke: () => undefined, timing, logger: createLogger('silent') });
      const chat = await makeChat(db, shop.id);
      const sent = await writer.send(say(await customerOf(chat), chat.conversationId, 'ひとりで'));
      expect([sent.message.seq, sent.duplicate, sent.conversation.lastSeq]).to.deep.equal([1, false, 1]);
    });

    describe('gathering under load (gatherMs)', () => {
      it('after a batch of gatherAfter (here two), the next waits for the rest of its window and takes what arrives meanwhile', async () => {
        const { writer, observed } = gathering({ gatherMs: 500 });
        const { chats, authors } = await chatsOf(5);
        await leadAndPair(writer, chats, authors);
        // Without the window, each of these would find nothing in flight and go alone.
        const third = writer.send(say(authors[3]!, chats[3]!.conversationId, '少し後に'));
        await new Promise((r) => setTimeout(r, 20));
        const fourth = writer.send(say(authors[4]!, chats[4]!.conversationId, 'さらに後に'));
        const sent = await Promise.all([third, fourth]);
        expect(await observed()).to.deep.equal([1, 2, 2]);
        expect(sent.map((s) => s.message.seq)).to.deep.equal([1, 1]);
        expect(sent[0]!.message.createdAt.getTime(), 'one transaction').to.equal(sent[1]!.message.createdAt.getTime());
      });

      it('after a batch of one, the next send is written at once, however long the window', async () => {
        const { writer, observed } = gathering({ gatherMs: 60_000 });
        const { chats, authors } = await chatsOf(2);
        await writer.send(say(authors[0]!, chats[0]!.conversationId, 'ひとつ'));
        // Within the test's timeout only if it did not wait for the window.
        await writer.send(say(authors[1]!, chats[1]!.conversationId, 'またひとつ'));
        expect(await observed()).to.deep.equal([1, 1]);
      });

      it('after a batch smaller than gatherAfter, the next send is written at once, however long the window', async () => {
        const { writer, observed } = gathering({ gatherMs: 60_000, gatherAfter: 3 });
        const { chats, authors } = await chatsOf(4);
        await leadAndPair(writer, chats, authors);
        // Within the test's timeout only if the pair did not open the window.
        await writer.send(say(authors[3]!, chats[3]!.conversationId, 'ペアの後'));
        expect(await observed()).to.deep.equal([1, 2, 1]);
      });

      it('once open, the window stays open while each batch holds gatherWhile sends, and closes after a smaller one', async () => {
        const { writer, observed } = gathering({ gatherMs: 300, gatherAfter: 3, gatherWhile: 2 });
        const { chats, authors } = await chatsOf(8);
        const send = (i: number) => writer.send(say(authors[i]!, chats[i]!.conversationId, `${i} 番目`));
        const pause = () => new Promise((r) => setTimeout(r, 20));
        // A lead alone, then three queued behind it: the batch of three opens the window.
        await Promise.all([0, 1, 2, 3].map(send));
        // Two gathered: a batch of two, which keeps it open (with gatherWhile 3 the next two would go one by one).
        const a = send(4);
        await pause();
        await Promise.all([a, send(5)]);
        const b = send(6);
        await pause();
        await Promise.all([b, send(7)]);
        // One alone gathers for the rest of the window and is a batch of one, which closes it:
        // the next two, sent together, go one by one (gathered, they would be one batch).
        await send(0);
        // Its batch has ended (not only answered) before the next two are sent.
        await new Promise((r) => setImmediate(r));
        await Promise.all([send(1), send(2)]);
        expect(await observed()).to.deep.equal([1, 3, 2, 2, 1, 1, 1]);
      });

      it('refuses rules that cannot hold: gatherWhile above gatherAfter, gatherAfter above maxBatch, a count that is not a whole number', () => {
        const make = (opts: Parameters<typeof createMessageWriter>[1]) => () => createMessageWriter({ db, poke: () => undefined, timing, logger: createLogger('silent') }, opts);
        expect(make({ gatherAfter: 2, gatherWhile: 3 })).to.throw(/gatherWhile ≤ gatherAfter ≤ maxBatch/);
        expect(make({ gatherAfter: 4, maxBatch: 2 })).to.throw(/gatherWhile ≤ gatherAfter ≤ maxBatch/);
        expect(make({ gatherAfter: 2.5 })).to.throw(/gatherAfter must be a whole number/);
        expect(make({ gatherWhile: 0 })).to.throw(/gatherWhile must be a whole number/);
        expect(make({ gatherAfter: 2, gatherWhile: 2, maxBatch: 2 })).not.to.throw();
      });

      it('a full batch waiting goes at once, window or not', async () => {
        const { writer, observed } = gathering({ gatherMs: 60_000, maxBatch: 2 });
        const { chats, authors } = await chatsOf(5);
        await leadAndPair(writer, chats, authors);
        const sent = await Promise.all([3, 4].map((i) => writer.send(say(authors[i]!, chats[i]!.conversationId, `${i} 番目`))));
        expect(await observed()).to.deep.equal([1, 2, 2]);
        expect(sent.map((s) => s.message.seq)).to.deep.equal([1, 1]);
      });

      it('idle() waits for a batch in flight when nothing else waits', async () => {
        const { writer } = gathering({ gatherMs: 0 });
        const chat = await makeChat(db, shop.id);
        let answered = false;
        const sent = writer.send(say(await customerOf(chat), chat.conversationId, '飛行中')).then((s) => ((answered = true), s));
        await writer.idle();
        expect(answered, 'the send in flight had its answer before idle() answered').to.equal(true);
        expect((await sent).message.seq).to.equal(1);
      });

      it('idle() writes what is gathering at once, and answers once nothing waits or is in flight', async () => {
        const { writer, observed } = gathering({ gatherMs: 60_000 });
        const { chats, authors } = await chatsOf(4);
        await leadAndPair(writer, chats, authors);
        const gathered = writer.send(say(authors[3]!, chats[3]!.conversationId, '閉じる前に'));
        await writer.idle();
        expect(await observed()).to.deep.equal([1, 2, 1]);
        expect((await gathered).message.seq).to.equal(1);
        expect((await stored(chats[3]!.conversationId)).map((m) => m.body)).to.deep.equal(['閉じる前に']);
      });
    });

    it('tells its observer each batch once every send has its answer, a failed batch’s retries included; an observer that throws changes nothing and is logged once', async () => {
      const { lines, logTo } = logLines();
      const seen: WriterBatch[] = [];
      const writer = createMessageWriter({
        db,
        poke: () => undefined,
        timing,
        logger: createLogger('warn', logTo),
        observe: (b) => {
          seen.push(b);
          throw new Error('a broken metrics registry');
        },
      });
      const { chats, authors } = await chatsOf(3);
      const lead = writer.send(say(authors[0]!, chats[0]!.conversationId, 'lead'));
      // Queued behind the lead: one batch of two, which fails as a whole on the refused file and is tried again one by one.
      const good = writer.send(say(authors[1]!, chats[1]!.conversationId, '計測が壊れても'));
      const bad = writer.send({ author: authors[2]!, input: { conversationId: chats[2]!.conversationId, clientId: randomUUID(), body: 'with a file', kind: 'text', attachmentIds: [randomUUID()] } });
      const results = await Promise.allSettled([lead, good, bad]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected']);
      await new Promise((r) => setImmediate(r));
      expect(seen.map((b) => [b.size, b.transactions.map((t) => t.ok)])).to.deep.equal([
        [1, [true]],
        [2, [false, true, false]],
      ]);
      for (const b of seen) {
        expect(b.waitedMs).to.have.length(b.size);
        // Each send's answer comes after it was sent, and after its wait for the batch.
        b.writtenMs.forEach((ms, i) => expect(ms).to.be.at.least(b.waitedMs[i]!));
      }
      // Written once each, whatever the observer did.
      expect((await stored(chats[1]!.conversationId)).map((m) => m.body)).to.deep.equal(['計測が壊れても']);
      expect(await stored(chats[2]!.conversationId)).to.deep.equal([]);
      expect(lines.join('').split('chat write metrics failed').length - 1, 'logged once').to.equal(1);
    });
  });
}
