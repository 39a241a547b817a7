import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openPgliteDir } from '../../../server/core/db/client.ts';
import { enqueue } from '../../../server/core/outbox.ts';
import { redisUrl } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { smtpSink } from '../../helpers/smtp.ts';
import { freshPrefix } from './jobs.setup.ts';

const root = new URL('../../../', import.meta.url).pathname;

describe('npm run worker', function () {
  this.timeout(60_000);
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mdg-worker-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('sends what the outbox holds without serving HTTP, and stops cleanly on SIGTERM', async () => {
    const sink = await smtpSink();
    const to = `from-worker-${Date.now()}@test.madoguchi.test`;
    // Written while no process runs jobs, as an API process with JOBS=off would leave it.
    const database = await openPgliteDir(join(dataDir, 'pg'));
    await database.db.transaction((tx) => enqueue(tx, { topic: 'mail.send', payload: { to, subject: 'ワーカー / Worker', text: '本文' } }));
    await database.close();

    let out = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DATA_DIR: dataDir, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: freshPrefix(), SMTP_URL: sink.url, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      const mail = await sink.waitFor((m) => m.to.includes(to), 30_000);
      expect(mail.subject).to.equal('ワーカー / Worker');
      await eventually(async () => out.includes('worker running'), 'the worker to say it runs');
      expect(out).not.to.include('listening');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, out).to.equal(0);
    expect(out).to.include('worker stopped');
  });
});
