import type { Job } from 'bullmq';
import { requireRole, type Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { conflict, notFound } from '../../core/errors.ts';
import type { JobData } from '../../core/queue.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { renderAlert } from './slack.alerts.listener.ts';
import { findAlert, listAlerts, markRetried, moveAlertToChannel, type SlackAlertRow } from './slack.alerts.repository.ts';
import { channelFor } from './slack.client.ts';
import type { SlackAlertStatus } from './slack.alerts.tables.ts';
import { deliverAlert, type AlertDeps } from './slack.alerts.ts';

/** An undelivered alert tried again from the console: its own job, delivered like the first time (slack.alerts.ts). */
export const SLACK_ALERT_RETRY_TOPIC = 'slack.alert.retry';

export interface AlertDto {
  id: string;
  kind: string;
  objectType: string;
  objectId: string;
  channelId: string;
  status: SlackAlertStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  postedAt: string | null;
}

const toDto = (r: SlackAlertRow): AlertDto => ({
  id: r.id,
  kind: r.kind,
  objectType: r.objectType,
  objectId: r.objectId,
  channelId: r.channelId,
  status: r.status,
  attempts: r.attempts,
  lastError: r.lastError,
  createdAt: r.createdAt.toISOString(),
  postedAt: r.postedAt?.toISOString() ?? null,
});

/** The shop's Slack alerts, newest first (owner, staff): the console shows the undelivered ones with a retry. */
export async function listSlackAlerts(db: Db, actor: Actor, status?: SlackAlertStatus): Promise<{ alerts: AlertDto[] }> {
  requireRole(actor, 'owner', 'staff');
  return { alerts: (await listAlerts(db, actor.shopId, status)).map(toDto) };
}

/**
 * Tries an undelivered alert again (owner, staff): it is owed again, in the channel its kind
 * goes to now (a channel chosen since its failure is where it goes), and a job of its own
 * delivers it through the outbox, so a retry asked while Slack or Redis is away still happens.
 * An alert that is not undelivered (posted, or already being retried) is a 409.
 */
export async function retrySlackAlert(db: Db, sink: EventSink, actor: Actor, id: string, requestId?: string): Promise<void> {
  requireRole(actor, 'owner', 'staff');
  await transact(db, sink, async (tx, out) => {
    const row = await findAlert(tx, actor.shopId, id);
    if (!row) throw notFound('alert');
    if (!(await markRetried(tx, actor.shopId, id))) {
      throw conflict(`the alert is ${row.status}, not undelivered`, { status: row.status, say: { ja: 'このアラートは未配信ではありません。', en: 'This alert is not undelivered.' } });
    }
    // Where the alert goes now: the owner may have chosen another channel for it since (the cause of its failure fixed).
    const now = await channelFor(tx, actor.shopId, row.kind);
    const movedTo = now && now !== 'muted' && now !== row.channelId ? now : undefined;
    if (movedTo && !(await moveAlertToChannel(tx, row, movedTo))) {
      throw conflict('this alert was already sent to the channel chosen now', { channelId: movedTo, say: { ja: 'このアラートは、いま選ばれているチャンネルにすでに送られています。', en: 'This alert was already sent to the channel chosen now.' } });
    }
    out.enqueue({ shopId: actor.shopId, topic: SLACK_ALERT_RETRY_TOPIC, payload: { alertId: id }, dedupeKey: `slack-alert-retry-${id}-${Date.now()}` });
    await recordAudit(tx, actor, { action: 'slack.alert_retried', objectType: 'slack_alert', objectId: id, summary: { kind: row.kind, lastError: row.lastError, ...(movedTo ? { from: row.channelId, to: movedTo } : {}) } }, requestId);
  });
}

/** The retry's job. */
export async function runAlertRetry(deps: AlertDeps, data: JobData, job?: Job): Promise<string> {
  return deliverAlert(deps, renderAlert, String(data.shopId), String(data.alertId), job);
}
