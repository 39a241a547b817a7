import { rm } from 'node:fs/promises';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { makeShop, type TestShop } from '../fixtures/builders.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import { launchBrowser, signInToConsole, WatchedPages } from '../helpers/browser.ts';
import { tempDir } from '../integration/backup/backup.fixtures.ts';

/**
 * The owner's backup panel in a real Chromium against the real app on PGlite, whose backups
 * go to a DATA_DIR of the suite's own.
 */
describe('the backup panel in the agent console', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let shop: TestShop;
  let dataDir: string;
  const pages = new WatchedPages();

  before(async function () {
    this.timeout(90_000);
    dataDir = await tempDir('e2e');
    browser = await launchBrowser();
    server = await startServer('pglite', { config: { DATA_DIR: dataDir } });
    shop = await makeShop(server.database);
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

  it('shows an agent no backup panel', async () => {
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.agent, shop.id);
    await page.getByTestId('nav-inbox').waitFor();
    expect(await page.getByTestId('backup-panel').count()).to.equal(0);
  });
});
