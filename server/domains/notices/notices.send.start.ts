import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { invalidInput, isDomainError } from '../../core/errors.ts';
import type { OutboxItem } from '../../core/outbox.ts';
import type { JobData } from '../../core/queue.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import { countsOf, updateCampaignIf, writeRecipients, type CampaignRow } from './notices.campaigns.repository.ts';
import { checkPublishable } from './notices.campaigns.checks.ts';
import type { StartFailure } from './notices.campaigns.model.ts';
import { lockCampaign } from './notices.send.state.ts';
import { suppressKnown } from './notices.send.suppress.ts';
import type { NoticeType } from './notices.types.ts';

/** The outbox topic of a campaign's start: at its start time, and again on resume or retry to hand its chunks to the bulk queue. */
export const NOTICE_START_TOPIC = 'notice.start';

/** Recipients per bulk job: small enough that a pause or a lost job costs little, big enough that 100,000 customers are 500 jobs. */
export const CHUNK_SIZE = 200;

/**
 * The start job of `c`: at its start time (now, if that has passed). `again` names a re-arm
 * (resume, retry) so it is a job of its own; a start's key has the start time, so a moved start
 * is a new timer and the old one, finding the start moved, does nothing.
 */
export function startItem(c: Pick<CampaignRow, 'id' | 'shopId' | 'startsAt'>, again?: string): OutboxItem {
  const future = c.startsAt.getTime() > Date.now();
  return {
    shopId: c.shopId,
    topic: NOTICE_START_TOPIC,
    payload: { campaignId: c.id, startsAt: c.startsAt.toISOString() },
    ...(future && !again ? { runAt: c.startsAt } : {}),
    dedupeKey: `notice-start-${c.id}-${again ?? c.startsAt.getTime()}`,
  };
}

const startPayload = z.object({ shopId: z.uuid(), campaignId: z.uuid(), startsAt: z.iso.datetime({ offset: true }) });

export interface StartDeps {
  db: Db;
  sink: EventSink;
  /** Hands the campaign's first chunks to the bulk queue (notices.send.ts). */
  arm: (c: Pick<CampaignRow, 'id' | 'shopId'>, opts?: { wake?: boolean }) => Promise<unknown>;
  /** Finishes a campaign with nobody left to send to. */
  finish: (campaignId: string) => Promise<unknown>;
}

/**
 * Begins a campaign whose start has come: it becomes `sending` and, in the same transaction,
 * every recipient is written (one per customer address, from the orders its target concerns
 * now; those on the shop's suppression list already `suppressed`). Then its chunks go to the
 * bulk queue. A banner alone has nobody to send to: it becomes `sent`. Run again (a retried
 * job, a resume) it writes nothing twice and hands over only what is still queued.
 */
export async function runStart(deps: StartDeps, data: JobData): Promise<string> {
  const p = startPayload.safeParse(data);
  if (!p.success) throw invalidInput('not a notice.start payload', { fields: p.error.issues.map((i) => i.path.join('.')) });
  const { campaignId } = p.data;
  const begun = await transact(deps.db, deps.sink, async (tx, out) => {
    const c = await lockCampaign(tx, campaignId);
    if (!c || c.shopId !== p.data.shopId) return undefined;
    if (c.status === 'scheduled') {
      // A timer of a start since moved: the new start has its own.
      if (c.startsAt.getTime() !== Date.parse(p.data.startsAt) || c.startsAt.getTime() > Date.now()) return undefined;
      // Checked at publication, and again now that it goes out: a next update promised for a time
      // already past, an end passed, a target that reaches nobody now. It does not go out then:
      // back to draft, with the reasons for the console.
      const problems = await startProblems(tx, c);
      if (problems) {
        await updateCampaignIf(tx, c.shopId, c.id, { from: ['scheduled'] }, { status: 'draft', publishedAt: null, startFailure: { at: new Date().toISOString(), details: problems } });
        out.live('notice.progress', { shopId: c.shopId, campaignId: c.id });
        return undefined;
      }
      const sends = c.channels.mail || c.channels.chat;
      const r = await updateCampaignIf(tx, c.shopId, c.id, { from: ['scheduled'] }, sends ? { status: 'sending' } : { status: 'sent', finishedAt: new Date(), total: 0 });
      if (!r) return undefined;
      out.emit('notice.published', { shopId: r.shopId, campaignId: r.id, type: r.type as NoticeType, campaignName: r.name, status: r.status as 'sending' | 'sent', startsAt: r.startsAt.toISOString(), channels: r.channels });
      if (!sends) return undefined;
      return prepare(tx, r, out);
    }
    if (c.status !== 'sending') return undefined;
    return c.total === null ? prepare(tx, c, out) : c;
  });
  if (!begun) return 'nothing to start';
  // A start, resume or retry is a person's say-so: chunks waiting out the mail rate look again at once.
  await deps.arm(begun, { wake: true });
  await deps.finish(begun.id);
  return 'started';
}

/** What no longer holds of `c` at its start (checkPublishable as of now), or undefined when it may go out. */
async function startProblems(tx: Db, c: CampaignRow): Promise<StartFailure['details'] | undefined> {
  try {
    await checkPublishable(tx, c, new Date());
    return undefined;
  } catch (e) {
    if (!isDomainError(e) || e.code !== 'invalid_input') throw e;
    const details = (Array.isArray(e.details) ? e.details : []) as { path?: string; message?: string; ja?: string }[];
    const reasons = details.map((d) => ({ path: d.path ?? '', message: d.message ?? e.message, ja: d.ja ?? d.message ?? e.message }));
    return reasons.length ? reasons : [{ path: '', message: e.message, ja: e.message }];
  }
}

async function prepare(tx: Db, c: CampaignRow, out: { live: (e: 'notice.progress', p: { shopId: string; campaignId: string }) => void }): Promise<CampaignRow> {
  await writeRecipients(tx, c, CHUNK_SIZE);
  await suppressKnown(tx, c);
  const total = (await countsOf(tx, [c.id])).get(c.id)!.total;
  const r = await updateCampaignIf(tx, c.shopId, c.id, { from: ['sending'] }, { total });
  out.live('notice.progress', { shopId: c.shopId, campaignId: c.id });
  return r ?? c;
}
