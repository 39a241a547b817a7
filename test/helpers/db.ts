import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPostgres, wrapPglite, type Database } from '../../server/core/db/client.ts';
import { onRunEnd } from './cleanup.ts';
import { postgresAdminUrl, runId, type DbKind } from './env.ts';

let template: Promise<PGlite> | undefined;
let pgDatabase: Promise<Database> | undefined;
const dbName = `madoguchi_test_${runId}`;

/** A migrated PGlite made once per run; each caller gets a clone (~1 s instead of ~4 s). */
async function pgliteTemplate(): Promise<PGlite> {
  template ??= (async () => {
    const t = await PGlite.create();
    onRunEnd('pglite template', () => t.close());
    await wrapPglite(t); // migrates; the template itself stays open for cloning
    return t;
  })();
  return template;
}

/** A fresh database of the kind: a PGlite clone, or the run's own PostgreSQL database. */
export async function testDatabase(kind: DbKind): Promise<Database> {
  if (kind === 'pglite') {
    const clone = (await (await pgliteTemplate()).clone()) as PGlite;
    return wrapPglite(clone);
  }
  pgDatabase ??= (async () => {
    const admin = new pg.Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    onRunEnd('postgres database', dropPostgres);
    const url = new URL(postgresAdminUrl);
    url.pathname = `/${dbName}`;
    return openPostgres(url.toString(), { max: 5 });
  })();
  const shared = await pgDatabase;
  // Suites share the run's database (each makes its own shops); closing is the root hook's job.
  return { ...shared, close: async () => undefined };
}

/** The URL of the run's PostgreSQL database, for server processes a test spawns. */
export async function testPostgresUrl(): Promise<string> {
  await testDatabase('postgres');
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
}

async function dropPostgres(): Promise<void> {
  await (await pgDatabase!).close().catch(() => undefined);
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
