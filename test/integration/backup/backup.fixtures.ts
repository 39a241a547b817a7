import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { attachments } from '../../../server/domains/attachments/attachments.tables.ts';
import type { BackupSource } from '../../../server/core/backup/backup.create.ts';
import { pgliteOf } from '../../../server/core/backup/backup.pglite.ts';
import type { RestoreTarget } from '../../../server/core/backup/backup.restore.ts';
import { postgresAdmin, postgresUrlOf, testPostgresUrl } from '../../helpers/db.ts';
import { runId, type DbKind } from '../../helpers/env.ts';
import type { TestServer } from '../../helpers/app.ts';
import { makeChat, addMessage, tinyPng } from '../attachments/chat.fixtures.ts';
import { upload, download } from '../attachments/files.ts';
import { filed, openDesk, publish, pushOrder, type Desk } from '../returns/returns.helpers.ts';

export const tempDir = (label: string) => mkdtemp(join(tmpdir(), `mdg-backup-${label}-`));

/** What the drill seeds and later reads back from the restored copy. */
export interface Seeded {
  desk: Desk;
  conversationId: string;
  returnId: string;
  png: Buffer;
  attachmentUrl: string;
  storageKey: string;
}

/**
 * A shop with what a backup must carry: a conversation with messages, an attachment stored as
 * a real file, a return filed through the API, and the audit rows these leave (the download
 * of the attachment is audited).
 */
export async function seedShop(server: TestServer): Promise<Seeded> {
  const desk = await openDesk(server);
  await publish(desk);
  const order = await pushOrder(desk);
  const ret = await filed(desk.owner, desk.shop.id, { orderNumber: order.number });
  const chat = await makeChat(server.database.db, desk.shop.id);
  await addMessage(server.database.db, desk.shop.id, chat.conversationId);
  await addMessage(server.database.db, desk.shop.id, chat.conversationId, 'note');
  const png = tinyPng(3, 3);
  const up = await upload(desk.as.agent, `/api/shops/${desk.shop.id}/conversations/${chat.conversationId}/attachments`, png, 'image/png', '破損写真.png');
  expect(up.status, up.text).to.equal(201);
  expect((await download(desk.as.agent, up.body.url)).status).to.equal(200);
  const [row] = await server.database.db.select({ key: attachments.storageKey }).from(attachments).where(eq(attachments.id, String(up.body.id)));
  return { desk, conversationId: chat.conversationId, returnId: ret.id as string, png, attachmentUrl: up.body.url as string, storageKey: row!.key };
}

/** The backup source of a test server: its PGlite itself, or the run's PostgreSQL database. */
export async function sourceOf(kind: DbKind, server: TestServer): Promise<BackupSource> {
  if (kind === 'pglite') return { kind, client: pgliteOf(server.database.db)! };
  return { kind, url: await testPostgresUrl() };
}

/** A fresh, empty target: a new DATA_DIR, and for PostgreSQL a new database, both removed by drop(). */
export async function freshTarget(kind: DbKind, label: string): Promise<{ target: RestoreTarget; dataDir: string; url?: string; drop(): Promise<void> }> {
  const dataDir = await tempDir(label);
  if (kind === 'pglite') return { target: { kind, dataDir }, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  // Named as the run's databases are, so that the end of a parallel run sweeps it too (dropRunDatabases).
  const name = `madoguchi_test_${runId}_${label}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await postgresAdmin(`CREATE DATABASE ${name}`);
  const url = postgresUrlOf(name);
  return {
    target: { kind, url, dataDir },
    dataDir,
    url,
    drop: async () => {
      await postgresAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
