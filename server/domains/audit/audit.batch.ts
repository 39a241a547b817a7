import { is } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Db } from '../../core/db/client.ts';
import { sqlState } from '../../core/db/errors.ts';
import { unavailable } from '../../core/unavailable.ts';
import { insertAudit, type NewAuditRow } from './audit.repository.ts';

/** Rows in one INSERT at most (insertAudit's own chunk, so a batch is one statement). */
const MAX_ROWS = 1000;
/**
 * Rows that may wait at most: beyond, a read is refused at once (503) rather than queued
 * without end behind an INSERT that does not come back.
 */
export const MAX_WAITING_ROWS = 10_000;

/**
 * Errors one row can cause (SQLSTATE class 22, data exception, 23, a constraint, and 54000, a
 * value too large for the server): only
 * then is a failed batch tried again caller by caller. Anything else (the database away, the
 * pool out of connections, a timeout) would fail each of them in turn, one wait each, or,
 * when the answer to a committed INSERT was lost, write its rows twice.
 */
const perRow = (e: unknown) => /^2[23]|^54000$/.test(sqlState(e) ?? '');

type Waiting = { rows: NewAuditRow[]; done: () => void; fail: (e: unknown) => void };

/**
 * Audit rows written outside a transaction, most of them reads (a list, a page, an export:
 * "who saw whose data"), share INSERTs: while one is on its way, the rows that arrive wait
 * and go together in the next, so under load a read costs a share of a statement and of a
 * commit rather than one of each. Nothing waits for a timer: alone, a row goes at once.
 *
 * Each caller's promise settles when the INSERT holding its rows has committed, so an answer
 * never leaves before its audit row is stored, and a crash loses no row of an answered read.
 * A batch refused for a row's sake is tried again caller by caller, so one bad row fails only
 * its caller; any other failure (the database away) fails the whole batch at once, each caller
 * with the error (503 at the route), as a lone INSERT would.
 */
class AuditBatcher {
  private waiting: Waiting[] = [];
  private waitingRows = 0;
  private flying = false;

  constructor(private readonly db: Db) {}

  add(rows: NewAuditRow[]): Promise<void> {
    if (this.waitingRows + rows.length > MAX_WAITING_ROWS) return Promise.reject(unavailable('database'));
    return new Promise<void>((done, fail) => {
      this.waiting.push({ rows, done, fail });
      this.waitingRows += rows.length;
      if (!this.flying) void this.flush();
    });
  }

  private take(): Waiting[] {
    let n = 0;
    let count = 0;
    while (n < this.waiting.length && (n === 0 || count + this.waiting[n]!.rows.length <= MAX_ROWS)) count += this.waiting[n++]!.rows.length;
    this.waitingRows -= count;
    return this.waiting.splice(0, n);
  }

  private async flush(): Promise<void> {
    this.flying = true;
    try {
      while (this.waiting.length) {
        const batch = this.take();
        try {
          await insertAudit(this.db, batch.flatMap((w) => w.rows));
          for (const w of batch) w.done();
        } catch (e) {
          if (batch.length === 1 || !perRow(e)) for (const w of batch) w.fail(e);
          else for (const w of batch) await insertAudit(this.db, w.rows).then(w.done, w.fail);
        }
      }
    } finally {
      this.flying = false;
    }
  }
}

const batchers = new WeakMap<Db, AuditBatcher>();

/**
 * Stores audit rows: inside a transaction, in it (the change and its row land together or not
 * at all); outside one, through the database's batcher (AuditBatcher).
 */
export function storeAudit(db: Db, rows: NewAuditRow[]): Promise<void> {
  if (!rows.length) return Promise.resolve();
  if (is(db, PgTransaction)) return insertAudit(db, rows);
  let b = batchers.get(db);
  if (!b) batchers.set(db, (b = new AuditBatcher(db)));
  return b.add(rows);
}
