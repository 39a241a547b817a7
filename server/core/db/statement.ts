import { getTableColumns, sql, type SQL, type Table } from 'drizzle-orm';
import type { Db } from './client.ts';

/**
 * Statements the hot paths send many times a second (the chat's group commit): the SQL is
 * written once, not rebuilt by Drizzle's query builder on every call, and on PostgreSQL it
 * is prepared by name on each pooled connection, so the server does not parse and plan it
 * again either. Runs on a database or inside a transaction on one, like any Drizzle query.
 *
 * Only for fixed-shape statements whose values travel as parameters (arrays with unnest for
 * batches); everything else stays with the query builder.
 */
export interface Statement<Row> {
  (db: Db, values: unknown[]): Promise<Row[]>;
  readonly text: string;
}

type PgClient = { query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }> };
type PgliteClient = { query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };

/**
 * The driver's client behind a Drizzle database or transaction: a node-postgres pool or
 * pooled client, or a PGlite instance or transaction. Drizzle keeps it on its session.
 */
function clientOf(db: Db): { kind: 'pg'; client: PgClient } | { kind: 'pglite'; client: PgliteClient } {
  const client = (db as unknown as { session?: { client?: { query?: unknown; waitReady?: unknown; exec?: unknown } } }).session?.client;
  if (!client || typeof client.query !== 'function') throw new Error('statement: no driver client behind this database');
  // PGlite instances and transactions have exec(); node-postgres clients and pools do not.
  return typeof client.exec === 'function' ? { kind: 'pglite', client: client as PgliteClient } : { kind: 'pg', client: client as unknown as PgClient };
}

const names = new Set<string>();

/**
 * The table's columns as a select list (`u."id", u."email", …`), for a statement's text. A
 * prepared `u.*` is expanded when it is prepared: once a migration adds a column, every
 * connection that prepared it fails each time ("cached plan must not change result type"),
 * which in a rolling upgrade is every request of the processes still running.
 */
export const selectList = (table: Table, alias: string): string =>
  Object.values(getTableColumns(table))
    .map((c) => `${alias}."${c.name}"`)
    .join(', ');

/** A timestamptz as JSON and Date.toISOString write it (UTC, milliseconds, cut from microseconds as the driver's Date is), for a statement's text; null stays null. */
export const isoSql = (time: SQL): SQL => sql`to_char(${time} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Maps raw rows (SQL column names) to what Drizzle's select() answers for `table`. */
export function rowsAs<T extends Table>(table: T): (raw: Record<string, unknown>) => T['$inferSelect'] {
  const columns = Object.entries(getTableColumns(table));
  return (raw) => {
    const row: Record<string, unknown> = {};
    for (const [key, col] of columns) {
      const v = raw[col.name];
      row[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
    }
    return row as T['$inferSelect'];
  };
}

/** A named statement; `map` turns each raw row into what the caller answers. */
export function statement<Row = Record<string, unknown>>(name: string, text: string, map?: (raw: Record<string, unknown>) => Row): Statement<Row> {
  // A second statement under one name would be prepared with the first one's text.
  if (names.has(name)) throw new Error(`statement ${name} is defined twice`);
  names.add(name);
  const run = async (db: Db, values: unknown[]) => {
    const c = clientOf(db);
    const { rows } = c.kind === 'pg' ? await c.client.query({ name, text, values }) : await c.client.query(text, values);
    return map ? rows.map(map) : (rows as Row[]);
  };
  return Object.assign(run, { text });
}
