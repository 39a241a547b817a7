import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { makeShop, type TestShop } from '../fixtures/builders.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import { launchBrowser, signInToConsole, WatchedPages } from '../helpers/browser.ts';
import { recordBackupRun } from '../../server/core/backup/backup.status.ts';
import { insertMembership } from '../../server/domains/shops/shops.repository.ts';
import { tempDir } from '../integration/backup/backup.fixtures.ts';

/**
 * The owner's backup panel in a real Chromium against the real app on PGlite, whose backups
 * go to a DATA_DIR of the suite's own. Two shops: the owner of the first owns the second too
 * (the whole deployment); the second's own owner owns only it.
 */
describe('the backup panel in the agent console', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let shop: TestShop;
  let other: TestShop;
  let dataDir: string;
  const pages = new WatchedPages();

  before(async function () {
    this.timeout(90_000);
    dataDir = await tempDir('e2e');
    browser = await launchBrowser();
    server = await startServer('pglite', { config: { DATA_DIR: dataDir } });
    // Named so the owner of both lands on the first (the console opens the first shop by name).
    shop = await makeShop(server.database, 'バックアップ商店 1');
    other = await makeShop(server.database, 'バックアップ商店 2');
    await insertMembership(server.database.db, other.id, shop.people.owner.id, 'owner');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  afterEach(async () => expect(await pages.closeAll(), 'errors in the page').to.deep.equal([]));

  it('shows an owner, on the inbox they land on, that there is no backup yet; "back up now" ends in 成功 with the time and size', async () => {
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.owner, shop.id);
    const panel = page.getByTestId('backup-panel');
    await panel.getByRole('heading', { name: 'バックアップ' }).waitFor();
    await panel.getByText('まだバックアップはありません').waitFor();
    await panel.getByText('毎晩 3:00 に自動で取得（直近 7 日分と 4 週分を保管）').waitFor();
    await panel.getByRole('button', { name: '今すぐバックアップ' }).click();
    await panel.getByTestId('backup-running').waitFor();
    // The panel looks again every 3 s while the backup runs.
    await panel.getByTestId('backup-last').waitFor({ timeout: 90_000 });
    const text = (await panel.getByTestId('backup-last').textContent()) ?? '';
    expect(text).to.match(/^成功 \d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2} · \d+(\.\d)? (KB|MB)$/);
  });

  it('shows the owner of one shop of two when and whether, without size, reason or "back up now"', async () => {
    await recordBackupRun(join(dataDir, 'backups'), { trigger: 'nightly', startedAt: '2026-12-04T18:00:00.000Z', finishedAt: '2026-12-04T18:00:40.000Z', ok: false, file: null, bytes: null, error: `not enough disk space in ${dataDir}`, code: 'no_space' });
    const page = await signInToConsole(await pages.page(browser), server.url, other.people.owner, other.id);
    const panel = page.getByTestId('backup-panel');
    expect(await panel.getByTestId('backup-last').textContent()).to.match(/^失敗 2026\/12\/0?5 3:00$/);
    await panel.getByText('すべてのショップのオーナーだけが利用できます', { exact: false }).waitFor();
    expect(await panel.getByTestId('backup-run-now').count()).to.equal(0);
    expect(await panel.textContent()).not.to.include(dataDir);
  });

  it('shows the owner of every shop why the last backup failed, as a code the panel words', async () => {
    await recordBackupRun(join(dataDir, 'backups'), { trigger: 'nightly', startedAt: '2026-12-04T18:00:00.000Z', finishedAt: '2026-12-04T18:00:40.000Z', ok: false, file: null, bytes: null, error: `not enough disk space in ${dataDir}`, code: 'no_space' });
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.owner, shop.id);
    const panel = page.getByTestId('backup-panel');
    expect(await panel.getByTestId('backup-failure').textContent()).to.equal('ディスクの空き容量が足りません');
    expect(await panel.textContent()).not.to.include(dataDir);
  });

  it('shows an agent no backup panel', async () => {
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.agent, shop.id);
    await page.getByTestId('nav-inbox').waitFor();
    expect(await page.getByTestId('backup-panel').count()).to.equal(0);
  });
});
