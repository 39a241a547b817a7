import type { Db } from '../../core/db/client.ts';
import type { DomainBus } from '../../core/bus.ts';
import type { Logger } from '../../core/logger.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import type { ListenerTiming } from '../../events/subscriptions.ts';
import { writeMessages, type SendRequest, type Sent } from './conversations.write.ts';

export interface MessageWriter {
  send(req: SendRequest): Promise<Sent>;
  /**
   * For a shutdown: what waits is written now, without gathering, and the answer comes once
   * nothing waits and no batch is in flight. It covers the sends made before it; sends after
   * it are written at once too (no gathering), but are not waited for.
   */
  idle(): Promise<void>;
}

const MAX_BATCH = 256;

/** What the group commit did with one batch, for its figures (the observer of createMessageWriter). */
export interface WriterBatch {
  size: number;
  /** Per send: from send() to its batch's start (ms), waiting while a batch was in flight or gathering (GATHER_MS). */
  waitedMs: number[];
  /** Per send: from send() to its answer (ms), its batch's transaction and any retry included. */
  writtenMs: number[];
  /**
   * Each transaction the batch took (ms): the batch's own, then, when that failed as a whole (a
   * lost connection, or one send's refused file), one per send tried alone.
   */
  transactions: Array<{ ms: number; ok: boolean }>;
}

/**
 * How long the newest batch in flight may take before a further one starts beside it (up to
 * `concurrency`): long enough that a normal batch (a few ms) ends first and what arrived
 * meanwhile goes in one bigger batch, short enough that a batch stuck on a conversation's lock
 * or a slow commit does not hold every other conversation of the process.
 */
const PATIENCE_MS = 50;

/**
 * How long after the start of a batch the next one may start (once none is in flight) while
 * the window is open (GATHER_AFTER), so that under load batches come at most this often and
 * each carries more messages. Each batch costs its transaction (two calls, BEGIN and COMMIT:
 * four round trips) in this process and in PostgreSQL, whatever it holds: on 2 cores at
 * 1,000 msg/s, gathering 6 ms cut the server's CPU a message by about 40% and PostgreSQL's by
 * about half, for about 3 ms more at the median and about 2 ms more at the p99 (README, "How
 * a message is written", stop 37). While it is closed a send that finds nothing in flight is
 * written at once, so a quiet server waits for nothing. Much as PostgreSQL's commit_delay
 * waits only when commit_siblings other transactions are open, though this looks back at the
 * last batches rather than at what is open now.
 */
export const GATHER_MS = 6;

/**
 * The gathering window (GATHER_MS) opens after a batch of GATHER_AFTER sends or more, and stays
 * open while each batch holds GATHER_WHILE or more. At 250 msg/s a transaction of about 2 ms
 * finds two sends or more waiting about one time in eleven (Poisson, 0.5 expected) and four
 * or more about one time in 570: opened by two, the window made the sends after a chance pair
 * wait for little company. At 1,000 msg/s a gathered batch holds about six, so once open the
 * window stays open. bench/chat/gather.ts (README, "What it costs, measured", stop 38): against opening and
 * keeping it at two, the mean wait for a batch fell from 1.1–2.0 to 0.5–0.9 ms at 250 msg/s,
 * with batches at 1,000 msg/s of 6.1–6.4 messages instead of 6.5–6.7; at 500 msg/s batches
 * are smaller (1.5–1.7 against 2.5–2.9), for lower latency and more CPU (0.46–0.51 ms a
 * message against 0.33–0.46 in two runs of three rounds).
 */
export const GATHER_AFTER = 4;
export const GATHER_WHILE = 2;

/**
 * The process's group commit. A send that finds nothing in flight is written at once, unless
 * the gathering window is open (`gatherAfter`, `gatherWhile`) and the last batch started less
 * than `gatherMs` ago: then it waits for the rest of that window (see GATHER_MS). What
 * arrives while a batch is in flight waits to go in the next one. A further batch starts
 * beside the one in flight only once that one has been out for `patienceMs`, up to
 * `concurrency` (PGlite runs one transaction at a time anyway), and it leaves out the
 * conversations of the batches in flight: their sends wait, in order, so a conversation's
 * messages still get their seqs in the order they arrived, and a batch stuck on one
 * conversation's lock does not stop the second at the same lock. Two batches started as soon
 * as a slot was free made the batches smaller on PostgreSQL and cost more CPU in the server and in
 * PostgreSQL than they saved in latency (README, "How a message is written"). When a batch's
 * transaction fails as a whole (a refused attachment, a lost connection), each of its sends
 * is tried again alone, so one bad send fails only itself. Batches lock their conversations
 * in id order, so two in flight (here, or in another process) never deadlock.
 */
export function createMessageWriter(
  deps: {
    db: Db;
    poke: () => void;
    bus?: DomainBus;
    /** The configured delays of the events' listeners (listenerTiming in server/events/subscriptions.ts). */
    timing: ListenerTiming;
    /** After a commit that reopened conversations: hand out waiting ones (the API's auto-assigner). */
    assign?: (shopId: string) => Promise<unknown>;
    /** Where after-commit work that failed is told (a notice's live update, a wake-up): required, or such failures go unseen. */
    logger: Logger;
    /** Told of each batch once all its sends have their answers (conversations.write.metrics.ts). */
    observe?: (batch: WriterBatch) => void;
  },
  opts: { concurrency?: number; maxBatch?: number; patienceMs?: number; gatherMs?: number; gatherAfter?: number; gatherWhile?: number } = {}): MessageWriter {
  /** `at`: when it was sent; `answered`: when its transaction (or its retry alone) ended. */
  type Waiting = { req: SendRequest; done: (s: Sent) => void; fail: (e: unknown) => void; at: number; answered?: number };
  const concurrency = opts.concurrency ?? 1;
  const maxBatch = opts.maxBatch ?? MAX_BATCH;
  const patienceMs = opts.patienceMs ?? PATIENCE_MS;
  const gatherMs = opts.gatherMs ?? GATHER_MS;
  const gatherAfter = opts.gatherAfter ?? GATHER_AFTER;
  const gatherWhile = opts.gatherWhile ?? GATHER_WHILE;
  for (const [k, v] of Object.entries({ gatherAfter, gatherWhile })) if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a whole number of sends, at least 1, not ${v}`);
  if (gatherWhile > gatherAfter || gatherAfter > maxBatch) throw new Error(`expected gatherWhile ≤ gatherAfter ≤ maxBatch, not ${gatherWhile}, ${gatherAfter}, ${maxBatch}`);
  if (!Number.isFinite(gatherMs) || gatherMs < 0) throw new Error(`gatherMs must be a finite number of ms, not ${gatherMs}`);
  let waiting: Waiting[] = [];
  /** The batches in flight: when each started (performance.now()) and the conversations it writes. */
  const flying = new Set<{ started: number; conversations: Set<string> }>();
  /**
   * Set while sends wait for the newest batch's patience, or the last batch's gathering window,
   * to run out; cleared whenever a batch starts or ends, as next() then decides afresh.
   */
  let wake: NodeJS.Timeout | undefined;
  /** Set by idle(): no more gathering; `drained` are told once nothing waits or flies. */
  let closing = false;
  const drained: Array<() => void> = [];
  /** When the newest batch started, for the gathering window. */
  let lastStarted = -Infinity;
  /**
   * Whether the next batch gathers: opened by a batch of `gatherAfter` or more, kept while each
   * holds `gatherWhile` or more. Only batches started with none in flight count: one started
   * beside a stuck batch holds what its patience gathered, less that batch's conversations.
   */
  let gathering = false;
  /** next() again in `ms`, unless a wake-up is already set (it comes sooner, or next() is due anyway). */
  const wakeIn = (ms: number) => void (wake ??= setTimeout(() => ((wake = undefined), next()), ms));
  const unwake = () => {
    clearTimeout(wake);
    wake = undefined;
  };
  const sink: EventSink = { poke: deps.poke, bus: deps.bus, logger: deps.logger, timing: deps.timing };

  const write = async (batch: Waiting[]) => {
    // Most customer messages leave the SLA timers as they were and have no listener: no outbox row, no dispatch.
    const { outcomes } = await transact(deps.db, sink, async (tx, out) => {
      const written = await writeMessages(tx, batch.map((w) => w.req), { now: new Date() }, out);
      // A reopened conversation moves between the inbox's status filters: the whole row goes out, and it may wait for someone.
      const reopened = new Map<string, string[]>();
      for (const o of written.outcomes) if (o.ok && o.sent.statusChanged) reopened.set(o.sent.conversation.shopId, [...(reopened.get(o.sent.conversation.shopId) ?? []), o.sent.conversation.id]);
      for (const [shopId, ids] of reopened) {
        for (const conversationId of ids) out.live('conversation.changed', { shopId, conversationId });
        if (deps.assign) out.then(() => deps.assign!(shopId));
      }
      return written;
    });
    outcomes.forEach((o, i) => (o.ok ? batch[i]!.done(o.sent) : batch[i]!.fail(o.error)));
  };
  let observerFailed = false;
  const run = async (batch: Waiting[]) => {
    const started = performance.now();
    const transactions: WriterBatch['transactions'] = [];
    // One transaction for `sends`, timed; each of them has its answer when it ends, either way.
    const attempt = async (sends: Waiting[]) => {
      const t0 = performance.now();
      let ok = false;
      try {
        await write(sends);
        ok = true;
      } finally {
        const now = performance.now();
        transactions.push({ ms: now - t0, ok });
        for (const w of sends) w.answered = now;
      }
    };
    try {
      await attempt(batch);
    } catch (error) {
      // One bad send (a refused file) or a lost connection: each send again alone, so only the bad one fails.
      if (batch.length === 1) batch[0]!.fail(error);
      else for (const w of batch) await attempt([w]).catch(w.fail);
    }
    if (!deps.observe) return;
    // Figures only, after every send has its answer: an observer that throws is logged once and changes nothing.
    try {
      deps.observe({ size: batch.length, waitedMs: batch.map((w) => started - w.at), writtenMs: batch.map((w) => w.answered! - w.at), transactions });
    } catch (err) {
      if (!observerFailed) deps.logger.warn({ err }, 'chat write metrics failed; the messages are written all the same (logged once)');
      observerFailed = true;
    }
  };
  const next = () => {
    while (waiting.length && flying.size < concurrency) {
      // Under load (the window is open), gather until it ends, unless a full batch waits already.
      if (!closing && !flying.size && gathering && waiting.length < maxBatch) {
        const left = lastStarted + gatherMs - performance.now();
        if (left > 0) return wakeIn(left);
      }
      let newest = -Infinity;
      for (const f of flying) newest = Math.max(newest, f.started);
      const left = newest + patienceMs - performance.now();
      // Checked again when the patience runs out, or sooner if a batch ends first.
      if (left > 0) return wakeIn(left);
      // Beside a batch in flight, none of its conversations: their sends keep their order (each
      // gets its seq after the one before it) and cannot wait on the locks that batch holds or waits for.
      const busy = new Set<string>();
      for (const f of flying) for (const id of f.conversations) busy.add(id);
      let batch: Waiting[] = [];
      let rest: Waiting[] = [];
      if (!busy.size) [batch, rest] = [waiting.slice(0, maxBatch), waiting.slice(maxBatch)];
      else for (const w of waiting) (batch.length < maxBatch && !busy.has(w.req.input.conversationId) ? batch : rest).push(w);
      // Every send waiting belongs to a batch's conversation: they go when it ends.
      if (!batch.length) return;
      waiting = rest;
      const flight = { started: performance.now(), conversations: new Set(batch.map((w) => w.req.input.conversationId)) };
      if (!flying.size) gathering = batch.length >= (gathering ? gatherWhile : gatherAfter);
      flying.add(flight);
      lastStarted = flight.started;
      // A timer set for the window before this batch is moot: one for this batch's patience is set below if needed.
      unwake();
      void run(batch).finally(() => {
        flying.delete(flight);
        // next() decides afresh: a patience timed from the batches in flight before is moot.
        unwake();
        next();
        if (!waiting.length && !flying.size) for (const told of drained.splice(0)) told();
      });
    }
  };
  return {
    send(req) {
      return new Promise<Sent>((done, fail) => {
        waiting.push({ req, done, fail, at: performance.now() });
        next();
      });
    },
    idle() {
      closing = true;
      unwake();
      next();
      if (!waiting.length && !flying.size) return Promise.resolve();
      return new Promise<void>((told) => drained.push(told));
    },
  };
}
