import { randomUUID } from 'node:crypto';
import type { DomainBus, DomainEvents, LiveName } from '../core/bus.ts';
import type { Db } from '../core/db/client.ts';
import type { Logger } from '../core/logger.ts';
import { enqueue, existingKeys, lockKey, type OutboxItem } from '../core/outbox.ts';
import { eventCatalog, type DomainEvent, type EventName, type EventPayload } from './catalog.ts';
import { listenerRows, type ListenerTiming } from './subscriptions.ts';

/**
 * Where committed work goes on: `poke` hands the new outbox rows to the job queue now rather
 * than at the dispatcher's next poll, and `bus` carries the events to this process's live
 * updates (the console's sockets). Every process that changes data has one (the API, the worker).
 */
export interface EventSink {
  poke(): void;
  bus?: DomainBus;
  /** The configured delays of delayed listeners (the reply mail): listenerTiming(config), never made up. */
  timing: ListenerTiming;
  logger?: Logger;
}

/**
 * What a transaction says happened and what it leaves to do: events for the listeners, and
 * outbox items of its own (timers). Written in the transaction, acted on after the commit.
 */
export class Outgoing {
  readonly events: DomainEvent[] = [];
  private readonly items: OutboxItem[] = [];
  private readonly updates: Array<(bus: DomainBus) => void> = [];
  private readonly nudges: Array<() => Promise<unknown>> = [];
  /** Ids the caller gave: the same occurrence may be said again (a timer run twice). */
  private readonly fixedIds = new Set<string>();
  private rows = 0;

  /** Says that `name` happened; `id` makes a repeat of the same occurrence (a timer run twice) one event. */
  emit<N extends EventName>(name: N, payload: EventPayload<N>, opts: { id?: string; at?: Date } = {}): void {
    // Checked here, where a wrong payload is the emitter's bug, not when a listener runs.
    const checked = eventCatalog[name].parse(payload);
    if (opts.id) this.fixedIds.add(opts.id);
    this.events.push({ name, id: opts.id ?? randomUUID(), at: (opts.at ?? new Date()).toISOString(), payload: checked } as DomainEvent);
  }

  /** Work of the domain's own (a timer, a mail) to run after the commit. */
  enqueue(items: OutboxItem | OutboxItem[]): void {
    this.items.push(...(Array.isArray(items) ? items : [items]));
  }

  /** Rows a neighbour wrote to the outbox in this transaction itself (the SLA clocks' timers): the dispatcher is woken for them too. */
  queued(n: number): void {
    this.rows += n;
  }

  /** A live update for this process's sockets only (an inbox row to send again), published after the commit. */
  live<E extends LiveName>(event: E, payload: DomainEvents[E]): void {
    this.updates.push((bus) => bus.publish(event, payload));
  }

  /**
   * In-process work that follows the commit and may be lost with the process, because
   * something else does it again (the auto-assigner also runs when an agent comes online):
   * its failure is logged, never the caller's.
   */
  then(work: () => Promise<unknown>): void {
    this.nudges.push(work);
  }

  /** Writes the listeners' rows and the items, in the transaction `tx`. */
  async write(tx: Db, timing: ListenerTiming): Promise<void> {
    let rows = [...listenerRows(this.events, timing), ...this.items];
    this.items.length = 0;
    // An occurrence said again under its fixed id (a timer that ran twice, its first run's
    // record lost): its listeners already have their rows, done or not, so no second job (mail).
    const repeatable = rows.filter((r) => this.fixedIds.has(String(r.payload.eventId)));
    if (repeatable.length) {
      // Two runs at once (a stalled job run again while the first still runs) take turns here.
      for (const id of [...this.fixedIds].sort()) await lockKey(tx, `ev-${id}`);
      const seen = await existingKeys(tx, repeatable.map((r) => r.dedupeKey!));
      rows = rows.filter((r) => !r.dedupeKey || !seen.has(r.dedupeKey));
    }
    await enqueue(tx, rows);
    this.rows += rows.length;
  }

  /** After the commit: the rows go to the queue now, and the events to the live updates. */
  committed(sink: EventSink | undefined): void {
    if (!sink) return;
    // The change is committed whatever happens here: nothing may make it look failed to its caller.
    const guarded = (what: string, step: () => void) => {
      try {
        step();
      } catch (err) {
        sink.logger?.warn({ err }, `after-commit: ${what} failed; ${what === 'waking the dispatcher' ? 'its next poll hands the rows over' : 'a reconnecting console reads again'}`);
      }
    };
    if (this.rows) guarded('waking the dispatcher', () => sink.poke());
    guarded('the live updates', () => {
      for (const e of this.events) sink.bus?.publishEvent(e);
      for (const u of this.updates) if (sink.bus) u(sink.bus);
    });
    for (const n of this.nudges) void Promise.resolve().then(n).catch((err: unknown) => sink.logger?.warn({ err }, 'after-commit work failed; it runs again at its next occasion'));
  }
}

/**
 * Runs `work` in one transaction with an Outgoing it fills; writes what it emitted and queued
 * before the commit, and after the commit acts on it (see Outgoing.committed). The one way a
 * service commits a change that others hear about.
 *
 * @example
 * await transact(db, sink, async (tx, out) => {
 *   const r = await updateReturnIf(tx, shopId, id, 'needs_review', { status: 'approved' });
 *   out.emit('return.approved', { shopId, returnId: id, number: r.number, status: r.status });
 * });
 */
export async function transact<T>(db: Db, sink: EventSink, work: (tx: Db, out: Outgoing) => Promise<T>): Promise<T> {
  const out = new Outgoing();
  const result = await db.transaction(async (tx) => {
    const r = await work(tx, out);
    await out.write(tx, sink.timing);
    return r;
  });
  out.committed(sink);
  return result;
}
