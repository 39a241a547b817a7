import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, invalidInput, notFound } from '../../core/errors.ts';
import { japaneseOf, said } from '../../core/messages.ts';
import { transact, type EventSink, type Outgoing } from '../../events/commit.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { masksContactData } from '../orders/orders.mask.ts';
import { allowedFrom, assertAction, conflictOf, staleVersion, type CampaignAction } from './notices.campaigns.machine.ts';
import type { CampaignStatus } from './notices.campaigns.model.ts';
import { countsOf, findCampaign, insertCampaign, listCampaigns, listRecipients, updateCampaignIf, type CampaignRow } from './notices.campaigns.repository.ts';
import { perOrderBanner, type CreateCampaignInput, type UpdateCampaignInput } from './notices.campaigns.schema.ts';
import { isPerOrderType } from './notices.types.ts';
import { toCampaignView, toRecipientView } from './notices.campaigns.view.ts';
import { cancelCampaignRecipients, requeueFailedRecipients } from './notices.send.state.ts';
import { startItem } from './notices.send.start.ts';
import { checkPublishable, checkVariableNames } from './notices.campaigns.checks.ts';
import type { RecipientStatus } from './notices.campaigns.model.ts';
import { AUDIENCE_READERS } from './notices.target.audience.ts';

export interface CampaignDeps {
  db: Db;
  sink: EventSink;
}

/** The shop's own people and in-house agents write and send notices; contractors follow them (read, masked). */
const EDITORS = ['owner', 'staff', 'agent'] as const;

async function viewOf(db: Db, c: CampaignRow) {
  const counts = await countsOf(db, [c.id]);
  return toCampaignView(c, counts.get(c.id)!);
}

async function campaignOf(db: Db, shopId: string, id: string): Promise<CampaignRow> {
  const c = await findCampaign(db, shopId, id);
  if (!c) throw notFound('notice campaign');
  return c;
}

export async function listShopCampaigns(deps: CampaignDeps, actor: Actor) {
  requireRole(actor, ...AUDIENCE_READERS);
  const rows = await listCampaigns(deps.db, actor.shopId);
  const counts = await countsOf(deps.db, rows.map((r) => r.id));
  return { campaigns: rows.map((r) => toCampaignView(r, counts.get(r.id)!)) };
}

export async function getCampaign(deps: CampaignDeps, actor: Actor, id: string) {
  requireRole(actor, ...AUDIENCE_READERS);
  return viewOf(deps.db, await campaignOf(deps.db, actor.shopId, id));
}

/** Saves a draft. Its variables may be incomplete (the editor saves as it goes) but never of a name the type does not have. */
export async function createCampaign(deps: CampaignDeps, actor: Actor, input: CreateCampaignInput, requestId?: string) {
  requireRole(actor, ...EDITORS);
  checkVariableNames(input.type, input.variables);
  return deps.db.transaction(async (tx) => {
    const row = await insertCampaign(tx, { ...input, shopId: actor.shopId, startsAt: new Date(input.startsAt), endsAt: input.endsAt ? new Date(input.endsAt) : null, createdBy: actor.name });
    await recordAudit(tx, actor, { action: 'notice_campaign.created', objectType: 'notice_campaign', objectId: row.id, summary: { name: row.name, type: row.type } }, requestId);
    return toCampaignView(row, { total: 0, queued: 0, sent: 0, failed: 0, suppressed: 0, cancelled: 0 });
  });
}

/**
 * Changes a draft, or a scheduled campaign that has not begun (checked again as at
 * publication, and its start timer set again when the start moved). Refused whole with 409
 * when the campaign is sending, sent or cancelled, or `version` is not the stored one.
 */
export async function updateCampaign(deps: CampaignDeps, actor: Actor, id: string, input: UpdateCampaignInput, requestId?: string) {
  requireRole(actor, ...EDITORS);
  const { version, ...patch } = input;
  const before = await campaignOf(deps.db, actor.shopId, id);
  assertAction(before.status, before.version, 'edit', version);
  const next: CampaignRow = {
    ...before,
    ...patch,
    startsAt: patch.startsAt ? new Date(patch.startsAt) : before.startsAt,
    endsAt: patch.endsAt === undefined ? before.endsAt : patch.endsAt ? new Date(patch.endsAt) : null,
  } as CampaignRow;
  if (next.endsAt && next.endsAt <= next.startsAt) {
    throw new DomainError('invalid_input', 'body is not valid', [{ in: 'body', path: 'endsAt', message: 'the end must come after the start', ja: '終了日時は開始日時より後にしてください。' }]);
  }
  if (next.channels.banner && isPerOrderType(next.type)) throw invalidInput('body is not valid', [{ in: 'body', path: 'channels.banner', message: perOrderBanner, ja: japaneseOf(perOrderBanner) }]);
  checkVariableNames(next.type as never, next.variables);
  if (before.status === 'scheduled') await checkPublishable(deps.db, next);
  const row = await transact(deps.db, deps.sink, async (tx, out) => {
    const fields = { ...patch, startsAt: next.startsAt, endsAt: next.endsAt };
    const r = await updateCampaignIf(tx, actor.shopId, id, { from: ['draft', 'scheduled'], version }, fields);
    if (!r) throw await refusalNow(tx, actor.shopId, id, 'edit');
    // A timer for the new start; the old one finds the start moved and does nothing.
    if (r.status === 'scheduled' && r.startsAt.getTime() !== before.startsAt.getTime()) out.enqueue(startItem(r));
    await recordAudit(tx, actor, { action: 'notice_campaign.updated', objectType: 'notice_campaign', objectId: id, summary: { changed: Object.keys(patch) } }, requestId);
    return r;
  });
  return viewOf(deps.db, row);
}

/** Why a guarded write found nothing: gone, moved on, or changed by someone else meanwhile. */
async function refusalNow(db: Db, shopId: string, id: string, action: CampaignAction): Promise<DomainError> {
  const now = await findCampaign(db, shopId, id);
  if (!now) return notFound('notice campaign');
  return allowedFrom[action].includes(now.status) ? staleVersion(now.version) : conflictOf(action, now.status);
}

const publishedEvent = (c: CampaignRow, status: 'scheduled' | 'sending' | 'sent') => ({
  shopId: c.shopId,
  campaignId: c.id,
  type: c.type as never,
  campaignName: c.name,
  status,
  startsAt: c.startsAt.toISOString(),
  channels: c.channels,
});

/**
 * Publishes a draft: checked in full (variables by the type's schema, the wording rendered in
 * both languages, the window, a target that reaches someone when there is anyone to send to),
 * then scheduled for its start, or begun at once when the start has come. The recipients are
 * written when it begins (notices.send.start.ts), from the orders as they are then. Two
 * publications at once: one succeeds, the other is a 409.
 */
async function publish(deps: CampaignDeps, actor: Actor, c: CampaignRow, version: number, requestId?: string) {
  await checkPublishable(deps.db, c);
  const now = new Date();
  const begun = c.startsAt <= now;
  const sends = c.channels.mail || c.channels.chat;
  const status: 'scheduled' | 'sending' | 'sent' = !begun ? 'scheduled' : sends ? 'sending' : 'sent';
  return transact(deps.db, deps.sink, async (tx, out) => {
    const r = await updateCampaignIf(tx, actor.shopId, c.id, { from: ['draft'], version }, { status, publishedAt: now, startFailure: null, ...(status === 'sent' ? { finishedAt: now, total: 0 } : {}) });
    if (!r) throw await refusalNow(tx, actor.shopId, c.id, 'publish');
    if (status !== 'sent') out.enqueue(startItem(r));
    out.emit('notice.published', publishedEvent(r, status));
    await recordAudit(tx, actor, { action: 'notice_campaign.published', objectType: 'notice_campaign', objectId: c.id, summary: { status, startsAt: r.startsAt.toISOString(), channels: r.channels } }, requestId);
    return r;
  });
}

/** Takes one of the campaign's actions (publish, pause, resume, cancel, retry-failed, end) against the version the person saw. */
export async function actOnCampaign(deps: CampaignDeps, actor: Actor, id: string, action: Exclude<CampaignAction, 'edit'>, version: number, requestId?: string) {
  requireRole(actor, ...EDITORS);
  const c = await campaignOf(deps.db, actor.shopId, id);
  assertAction(c.status, c.version, action, version);
  let row: CampaignRow;
  if (action === 'publish') row = await publish(deps, actor, c, version, requestId);
  else {
    row = await transact(deps.db, deps.sink, async (tx, out) => {
      const r = await applyAction(tx, out, actor, c, action, version);
      if (!r) throw await refusalNow(tx, actor.shopId, id, action);
      await recordAudit(tx, actor, { action: `notice_campaign.${action}`, objectType: 'notice_campaign', objectId: id, summary: { from: c.status, to: r.status } }, requestId);
      out.live('notice.progress', { shopId: r.shopId, campaignId: r.id });
      return r;
    });
  }
  return viewOf(deps.db, row);
}

const resumeOver = said('掲載期間が終わったお知らせは再開できません。中止するか、掲載を終了してください。', 'the notice\'s window is over: it cannot be resumed (cancel or end it)');
const retryOver = said('掲載期間が終わったお知らせは送り直せません。必要なら新しいお知らせを作成してください。', 'the notice\'s window is over: its failed recipients cannot be retried (make a new notice if one is still needed)');

/** Mail about a window already over would reach customers too late to help: refused (409) for a resume and a retry alike. */
function refuseOverWindow(c: CampaignRow, action: 'resume' | 'retry-failed'): void {
  if (!c.endsAt || c.endsAt > new Date()) return;
  const say = action === 'resume' ? resumeOver : retryOver;
  throw new DomainError('conflict', say, { status: c.status, action, endsAt: c.endsAt.toISOString(), ja: japaneseOf(say) });
}

async function applyAction(tx: Db, out: Outgoing, actor: Actor, c: CampaignRow, action: 'pause' | 'resume' | 'cancel' | 'retry-failed' | 'end', version: number): Promise<CampaignRow | undefined> {
  const guard = (from: CampaignStatus[]) => ({ from, version });
  switch (action) {
    case 'pause':
      // The chunk jobs see it before their next mail and stop; the rows they leave stay queued.
      return updateCampaignIf(tx, actor.shopId, c.id, guard(['sending']), { status: 'paused' });
    case 'resume': {
      // It stays paused (cancel or end it).
      refuseOverWindow(c, 'resume');
      const r = await updateCampaignIf(tx, actor.shopId, c.id, guard(['paused']), { status: 'sending' });
      if (r) out.enqueue(startItem(r, `resume-${r.version}`));
      return r;
    }
    case 'cancel': {
      const r = await updateCampaignIf(tx, actor.shopId, c.id, guard(['draft', 'scheduled', 'sending', 'paused']), { status: 'cancelled', finishedAt: new Date() });
      if (r && c.status !== 'draft') {
        const counts = await cancelCampaignRecipients(tx, r);
        out.emit('notice.finished', { shopId: r.shopId, campaignId: r.id, type: r.type as never, campaignName: r.name, status: 'cancelled', counts });
      }
      return r;
    }
    case 'end':
      return endNow(tx, out, actor, c, version);
    case 'retry-failed': {
      refuseOverWindow(c, 'retry-failed');
      const r = await updateCampaignIf(tx, actor.shopId, c.id, guard(['sending', 'paused', 'sent']), { status: c.status === 'paused' ? 'paused' : 'sending', finishedAt: null });
      if (!r) return r;
      const n = await requeueFailedRecipients(tx, r);
      if (!n) throw new DomainError('invalid_input', said('送り直す失敗した宛先がありません。', 'there are no failed recipients to retry'));
      if (r.status === 'sending') out.enqueue(startItem(r, `retry-${r.version}`));
      return r;
    }
  }
}

/**
 * Takes a published notice down now: its end becomes now (a banner-only notice is `sent` the
 * moment it is published, so cancel cannot reach it), and one not all sent yet is cancelled
 * too, its unsent recipients never mailed. A scheduled notice that has not begun has shown
 * nothing: it is cancelled, its end left (the window must stay in order). The public answer is
 * dropped at once (notice.ended, notices.public.ts).
 */
async function endNow(tx: Db, out: Outgoing, actor: Actor, c: CampaignRow, version: number): Promise<CampaignRow | undefined> {
  const now = new Date();
  if (c.endsAt && c.endsAt <= now) throw conflictOf('end', c.status);
  const begun = c.startsAt < now;
  const ends = begun ? { endsAt: now } : {};
  const sent = c.status === 'sent';
  const r = await updateCampaignIf(tx, actor.shopId, c.id, { from: [c.status], version }, sent ? ends : { ...ends, status: 'cancelled', finishedAt: now });
  if (!r) return r;
  if (!sent) {
    const counts = await cancelCampaignRecipients(tx, r);
    out.emit('notice.finished', { shopId: r.shopId, campaignId: r.id, type: r.type as never, campaignName: r.name, status: 'cancelled', counts });
  }
  out.emit('notice.ended', { shopId: r.shopId, campaignId: r.id, type: r.type as never, campaignName: r.name, endsAt: (r.endsAt ?? now).toISOString() });
  return r;
}

/** A page of a campaign's recipients (the failed ones with their reasons, for instance); addresses masked for contractors. */
export async function listCampaignRecipients(deps: CampaignDeps, actor: Actor, id: string, q: { status?: RecipientStatus; after?: string; limit: number }, requestId?: string) {
  requireRole(actor, ...AUDIENCE_READERS);
  await campaignOf(deps.db, actor.shopId, id);
  const rows = await listRecipients(deps.db, actor.shopId, id, { ...q, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const masked = masksContactData(actor.role);
  if (page.length) {
    await recordAudit(deps.db, actor, { action: 'notice_recipients.listed', objectType: 'notice_campaign', objectId: id, summary: { status: q.status ?? null, count: page.length, masked } }, requestId);
  }
  return { recipients: page.map((r) => toRecipientView(r, masked)), next: rows.length > q.limit ? page.at(-1)!.id : null };
}
