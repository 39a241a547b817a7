import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { expect } from 'chai';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from '../../../server/core/db/client.ts';

const SCRUB = '0014_audit_search_scrub';

/** The migrations folder as it was before the scrub: the trail could then hold searched text. */
function foldersBeforeScrub(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mdg-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
  const at = journal.entries.findIndex((e) => e.tag === SCRUB);
  expect(at, 'the scrub migration is in the journal').to.be.greaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

/**
 * Order searches recorded before the trail kept digests (migration 0006) hold the searched text,
 * often an address, a phone number or a name. Migration 0014 rewrites those rows once, to the
 * kind of thing searched for; the trail stays append-only for everything else.
 */
describe('[pglite] migration 0014: order searches in the trail lose their text', function () {
  this.timeout(60_000);
  let client: PGlite;
  let oldFolder: string;

  before(async () => {
    oldFolder = foldersBeforeScrub();
    client = await PGlite.create();
    await migrate(drizzle(client), { migrationsFolder: oldFolder });
    const row = (action: string, summary: unknown) =>
      client.query(`INSERT INTO audit_events (actor_type, actor_label, action, object_type, summary) VALUES ('user', 'agent', $1, 'order', $2)`, [action, JSON.stringify(summary)]);
    await row('orders.listed', { orderNumbers: ['A-1'], q: 'TARO@example.jp' });
    await row('orders.listed', { orderNumbers: [], q: '０９０ー１２３４－５６７８' });
    await row('orders.listed', { orderNumbers: ['A-2'], q: '田中 花子' });
    await row('orders.listed', { orderNumbers: ['A-3'], q: null });
    await row('orders.listed', { orderNumbers: ['A-4'], search: { kind: 'email', digest: 'kept' } });
    await row('conversation.viewed', { q: 'not a search' });
    await migrate(drizzle(client), { migrationsFolder });
  });
  after(async () => {
    await client?.close();
    rmSync(oldFolder, { recursive: true, force: true });
  });

  it('keeps the kind of each search and nothing of its text, and leaves every other row as it was', async () => {
    const rows = (await client.query<{ action: string; summary: Record<string, unknown> }>('SELECT action, summary FROM audit_events ORDER BY id')).rows;
    expect(rows.map((r) => r.summary)).to.deep.equal([
      { orderNumbers: ['A-1'], search: { kind: 'email', digest: null, redacted: true } },
      { orderNumbers: [], search: { kind: 'phone', digest: null, redacted: true } },
      { orderNumbers: ['A-2'], search: { kind: 'text', digest: null, redacted: true } },
      { orderNumbers: ['A-3'], search: null },
      { orderNumbers: ['A-4'], search: { kind: 'email', digest: 'kept' } },
      { q: 'not a search' },
    ]);
    const text = JSON.stringify(rows).toLowerCase();
    for (const personal of ['taro@example.jp', '1234', '田中']) expect(text).not.to.include(personal);
  });

  it('leaves the trail append-only afterwards', async () => {
    let refused: unknown;
    try {
      await client.query(`UPDATE audit_events SET summary = '{}'::jsonb`);
    } catch (e) {
      refused = e;
    }
    expect(String(refused)).to.match(/append-only/);
  });
});
