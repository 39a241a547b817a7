import { expect } from 'chai';
import { CatchUp, MessageLog, retryDelay, type SyncPage } from '../../../agent-console/src/chatSequence.ts';

interface M {
  id: string;
  seq: number;
}
const m = (seq: number, id = `m${seq}`): M => ({ id, seq });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => m(from + i));
const seqs = (log: MessageLog<M>) => log.list().map((x) => x.seq);

/** A server holding messages 1..last (minus `hidden`), answering `sync` pages of `page`. */
function server(last: number, opts: { page?: number; hidden?: number[] } = {}) {
  const state = { last, asked: [] as number[], fail: 0 };
  const fetch = async (afterSeq: number): Promise<SyncPage<M>> => {
    state.asked.push(afterSeq);
    if (state.fail > 0) {
      state.fail -= 1;
      throw new Error('timeout');
    }
    const after = range(afterSeq + 1, state.last).filter((x) => !opts.hidden?.includes(x.seq));
    const size = opts.page ?? 200;
    return { messages: after.slice(0, size), lastSeq: state.last, more: after.length > size };
  };
  return { state, fetch };
}

/** Timers the test fires by hand. */
function timers() {
  const pending: Array<{ fn: () => void; ms: number }> = [];
  return {
    pending,
    setTimer: (fn: () => void, ms: number) => pending.push({ fn, ms }),
    clearTimer: () => pending.splice(0),
    fire: async () => {
      const t = pending.shift();
      t?.fn();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('the console’s message sequence bookkeeping', () => {
  describe('MessageLog', () => {
    it('keeps each message once, by id and by seq, in sequence order', () => {
      const log = new MessageLog<M>();
      expect(log.add([m(2), m(1), m(2)])).to.equal(true);
      expect(log.add([m(1), { id: 'other', seq: 2 }])).to.equal(false);
      expect(seqs(log)).to.deep.equal([1, 2]);
      expect(log.contiguous).to.equal(2);
    });

    it('does not count a live message past a gap as caught up: contiguous stays before the gap', () => {
      const log = new MessageLog<M>();
      log.add(range(1, 10));
      log.add([m(15)]);
      expect(log.contiguous).to.equal(10);
      expect(log.missing).to.equal(true);
      expect(log.last).to.equal(15);
      log.add(range(11, 14));
      expect(log.contiguous).to.equal(15);
      expect(log.missing).to.equal(false);
    });

    it('misses a message it only heard of (the conversation’s lastSeq in an update) though no later message came', () => {
      const log = new MessageLog<M>();
      log.add(range(1, 4));
      log.heard(6);
      expect(log.missing).to.equal(true);
      log.synced(4, { messages: range(5, 6), lastSeq: 6, more: false });
      expect(log.missing).to.equal(false);
      log.heard(3);
      expect(log.missing).to.equal(false);
    });

    it('takes a complete sync answer as complete up to the server’s last seq, so numbers the viewer never gets leave no gap', () => {
      const log = new MessageLog<M>();
      log.synced(0, { messages: [m(1), m(2), m(4)], lastSeq: 5, more: false });
      expect(log.contiguous).to.equal(5);
      expect(log.missing).to.equal(false);
    });

    it('takes a page with more after it as complete only up to its last message', () => {
      const log = new MessageLog<M>();
      log.synced(0, { messages: range(1, 3), lastSeq: 10, more: true });
      expect(log.contiguous).to.equal(3);
      expect(log.missing).to.equal(true);
    });

    it('restores how far it was complete before a reload, though it holds only the newest messages', () => {
      const log = new MessageLog<M>();
      log.add(range(51, 150));
      expect(log.contiguous).to.equal(0);
      log.restore(150);
      expect(log.contiguous).to.equal(150);
      expect(log.missing).to.equal(false);
      const gap = new MessageLog<M>();
      gap.add([...range(51, 60), m(70)]);
      gap.restore(60);
      expect(gap.contiguous).to.equal(60);
      expect(gap.missing).to.equal(true);
    });

    it('learns nothing about the numbers before an answer that starts past what it holds', () => {
      const log = new MessageLog<M>();
      log.add(range(1, 3));
      log.synced(7, { messages: [m(8)], lastSeq: 8, more: false });
      expect(log.contiguous).to.equal(3);
      expect(log.missing).to.equal(true);
    });
  });

  describe('CatchUp', () => {
    function setup(last: number, opts: Parameters<typeof server>[1] = {}) {
      const s = server(last, opts);
      const t = timers();
      const log = new MessageLog<M>();
      const failures: Array<number | null> = [];
      let online = true;
      const catchUp = new CatchUp(log, {
        fetch: s.fetch,
        online: () => online,
        changed: () => undefined,
        failed: (_e, retry) => failures.push(retry),
        permanent: (e) => (e as Error).message === 'not_found',
        setTimer: t.setTimer,
        clearTimer: t.clearTimer,
      });
      return { s, t, log, failures, catchUp, offline: (x: boolean) => (online = !x) };
    }

    it('a live message that arrives before the join is answered does not make the catch-up skip what came before it', async () => {
      const { s, log, catchUp } = setup(20);
      log.add(range(1, 12)); // seen before the connection dropped
      log.add([m(20)]); // live, right after the room was joined again, before the join's answer
      await catchUp.request();
      expect(s.state.asked[0]).to.equal(12);
      expect(seqs(log)).to.deep.equal(range(1, 20).map((x) => x.seq));
    });

    it('pages through a long catch-up', async () => {
      const { s, log, catchUp } = setup(450, { page: 200 });
      await catchUp.request();
      expect(s.state.asked).to.deep.equal([0, 200, 400]);
      expect(log.contiguous).to.equal(450);
    });

    it('retries a failed catch-up from where the log is complete, however far live messages went meanwhile', async () => {
      const { s, t, log, failures, catchUp } = setup(30);
      log.add(range(1, 10));
      s.state.fail = 2;
      await catchUp.request();
      expect(failures).to.deep.equal([retryDelay(1)]);
      log.add([m(25), m(30)]); // live while the catch-up is failing
      await t.fire();
      expect(failures).to.deep.equal([retryDelay(1), retryDelay(2)]);
      expect(t.pending[0]!.ms).to.equal(2000);
      await t.fire();
      expect(s.state.asked).to.deep.equal([10, 10, 10]);
      expect(seqs(log)).to.deep.equal(range(1, 30).map((x) => x.seq));
      expect(t.pending).to.deep.equal([]);
    });

    it('waits as long as the error says (a server’s Retry-After) when it says, else 1 s, 2 s, 4 s…', async () => {
      const s = server(3);
      const t = timers();
      const log = new MessageLog<M>();
      s.state.fail = 2;
      const catchUp = new CatchUp(log, {
        fetch: s.fetch,
        online: () => true,
        changed: () => undefined,
        failed: () => undefined,
        retryIn: (_e, failures) => (failures === 1 ? 5000 : undefined),
        setTimer: t.setTimer,
        clearTimer: t.clearTimer,
      });
      await catchUp.request();
      expect(t.pending.map((x) => x.ms)).to.deep.equal([5000]);
      await t.fire();
      expect(t.pending.map((x) => x.ms)).to.deep.equal([retryDelay(2)]);
      await t.fire();
      expect(log.contiguous).to.equal(3);
    });

    it('runs again when a gap shows while a catch-up is under way, one at a time', async () => {
      const { s, log, catchUp } = setup(5);
      const first = catchUp.request();
      // While the first round trip is out, messages 6–9 are stored and 9 arrives live (6–8 missed).
      s.state.last = 9;
      log.add([m(9)]);
      void catchUp.request();
      void catchUp.request(); // both coalesce into one more round, after the one under way
      await first;
      expect(s.state.asked).to.deep.equal([0, 5]);
      expect(seqs(log)).to.deep.equal(range(1, 9).map((x) => x.seq));
    });

    it('ends on a conversation whose viewer does not get every number (notes for a customer) without asking forever', async () => {
      const { s, log, catchUp } = setup(6, { hidden: [3, 6] });
      await catchUp.request();
      expect(s.state.asked).to.deep.equal([0]);
      expect(seqs(log)).to.deep.equal([1, 2, 4, 5]);
      expect(log.missing).to.equal(false);
    });

    it('does not retry by itself what cannot succeed, nor while offline, nor after it is stopped', async () => {
      const permanent = setup(3);
      permanent.s.fetch = async () => Promise.reject(new Error('not_found'));
      const c = new CatchUp(permanent.log, { fetch: permanent.s.fetch, online: () => true, changed: () => undefined, failed: (_e, r) => permanent.failures.push(r), permanent: (e) => (e as Error).message === 'not_found', setTimer: permanent.t.setTimer });
      await c.request();
      expect(permanent.failures).to.deep.equal([null]);
      expect(permanent.t.pending).to.deep.equal([]);

      const off = setup(3);
      off.offline(true);
      await off.catchUp.request();
      expect(off.s.state.asked).to.deep.equal([]);
      off.offline(false);
      await off.catchUp.request(); // the reconnect asks again
      expect(off.log.contiguous).to.equal(3);

      const stopped = setup(3);
      stopped.s.state.fail = 1;
      await stopped.catchUp.request();
      stopped.catchUp.stop();
      expect(stopped.t.pending).to.deep.equal([]);
    });
  });
});
