import { expect } from 'chai';
import type { MinimalJob } from 'bullmq';
import { cappedBackoff, retryOptions, type RetryPolicy } from '../../../server/core/queue.ts';
import { customerMailRetry, listenerRetryPolicy, ownWorkRetry, subscriptions } from '../../../server/events/subscriptions.ts';

const MIN = 60_000;

/** The waits between a policy's tries, as the worker computes them (a job carries only its options). */
async function waitsOf(policy: RetryPolicy, firstDelayMs?: number): Promise<number[]> {
  const opts = retryOptions(policy, firstDelayMs);
  const job = { opts } as MinimalJob;
  const type = typeof opts.backoff === 'object' ? opts.backoff.type : undefined;
  const waits = [];
  for (let made = 1; made < policy.attempts; made++) waits.push(await cappedBackoff(made, type, undefined, job));
  return waits;
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('retry policies of the listeners', () => {
  it('tries a customer’s mail through an outage of the mail server of a few hours, and within half an hour of its end', async () => {
    const waits = await waitsOf(customerMailRetry);
    expect(waits.slice(0, 6)).to.deep.equal([0.5, 1, 2, 4, 8, 16].map((m) => m * MIN));
    expect(Math.max(...waits), 'no wait longer than the cap').to.equal(30 * MIN);
    expect(sum(waits), 'about four hours in all').to.be.within(3.5 * 60 * MIN, 4.5 * 60 * MIN);
  });

  it('gives up on work of our own sooner', async () => {
    expect(sum(await waitsOf(ownWorkRetry))).to.be.below(15 * MIN);
  });

  it('gives every listener a policy, found by its topic; any other topic keeps the queue’s default', () => {
    for (const s of subscriptions) expect(s.retry, s.listener).to.have.property('attempts').that.is.above(1);
    expect(listenerRetryPolicy('return.approved>return-customer-mail')).to.equal(customerMailRetry);
    expect(listenerRetryPolicy('message.created>reply-mail')).to.equal(customerMailRetry);
    expect(listenerRetryPolicy('return.approved>return-chat-notice')).to.equal(ownWorkRetry);
    for (const other of ['mail.send', 'return.approved', 'return.approved>nobody', 'message.created>return-customer-mail', 'a>b>c']) expect(listenerRetryPolicy(other), other).to.equal(undefined);
  });

  it('shortens a policy for tests in proportion: the first wait as given, the cap scaled with it', async () => {
    expect(retryOptions(customerMailRetry, 100)).to.deep.equal({ attempts: 14, backoff: { type: 'capped-exponential:6000', delay: 100 } });
    expect((await waitsOf(customerMailRetry, 100)).slice(-2)).to.deep.equal([6000, 6000]);
    expect(retryOptions({ attempts: 3, firstDelayMs: 1000 })).to.deep.equal({ attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
  });

  it('refuses a backoff type it does not know rather than guessing a wait', () => {
    expect(() => cappedBackoff(1, 'linear', undefined, { opts: { backoff: { type: 'linear', delay: 5 } } } as MinimalJob)).to.throw('unknown backoff linear');
  });
});
