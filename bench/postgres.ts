import pg from 'pg';
import { openPostgres, type Database } from '../server/core/db/client.ts';

/** A database of the bench's own on the PostgreSQL server at `adminUrl`, migrated, and dropped by `drop`. */
export async function freshPostgres(adminUrl: string, opts: { max?: number } = {}): Promise<{ database: Database; url: string; drop: () => Promise<void> }> {
  const name = `madoguchi_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), opts);
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
