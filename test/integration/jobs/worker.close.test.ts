import { expect } from 'chai';
import { Queue } from 'bullmq';
import { bullPrefix, closeWorker, JOBS_QUEUE, openJobWorker } from '../../../server/core/queue.ts';
import { redisUrl } from '../../helpers/env.ts';
import { freshPrefix } from './jobs.setup.ts';

/**
 * A stopping process does not wait for ever on a job that never ends (after a Redis restart,
 * BullMQ's close waited for one that way, and SIGTERM left the process running).
 */
describe('closing the job worker', () => {
  it('lets a running job finish within the grace, then stops without it', async () => {
    const prefix = freshPrefix();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const worker = openJobWorker(redisUrl, { keyPrefix: prefix }, () => {
      started();
      return new Promise(() => undefined); // never settles
    });
    const queue = new Queue(JOBS_QUEUE, { connection: { url: redisUrl }, prefix: bullPrefix(prefix) });
    try {
      await queue.add('test.endless', { topic: 'test.endless' } as never);
      await running;
      await closeWorker(worker, 300);
      expect(worker.closing, 'the worker was closed').to.not.equal(undefined);
      
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });

  it('waits for a job that finishes within the grace', async () => {
    const prefix = freshPrefix();
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let release!: () => void;
    const worker = openJobWorker(redisUrl, { keyPrefix: prefix }, async () => {
      started();
      await new Promise<void>((r) => (release = r));
      finished = true;
    });
    const queue = new Queue(JOBS_QUEUE, { connection: { url: redisUrl }, prefix: bullPrefix(prefix) });
    try {
      await queue.add('test.short', { topic: 'test.short' } as never);
      await running;
      const closing = closeWorker(worker, 10_000);
      release();
      await closing;
      expect(finished).to.equal(true);
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });
});
