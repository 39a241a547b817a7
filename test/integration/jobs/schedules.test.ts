import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';

describe('[pglite] scheduled jobs', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('pglite');
  });
  after(() => server.close());

  it('schedules the hourly purge of attachments never sent with a message', async () => {
    const queue = server.service.jobs!.queue;
    let schedulers: Array<{ key: string; name: string; every?: number | null }> = [];
    for (let i = 0; i < 50 && !schedulers.length; i++) {
      schedulers = (await queue.getJobSchedulers()) as typeof schedulers;
      if (!schedulers.length) await new Promise((r) => setTimeout(r, 50));
    }
    const purge = schedulers.find((s) => s.key === 'attachments-purge-hourly');
    expect(purge, JSON.stringify(schedulers)).to.include({ name: 'attachments.purge' });
    expect(Number(purge!.every)).to.equal(3_600_000);
  });
});
