import type { Job } from 'bullmq';
import { objectOfPayload, type DomainEvent, type EventName } from '../../events/catalog.ts';
import { csatLowAlert, merchantQuestion, slaAlert } from '../../../bots/slack/blocks/conversations.ts';
import { noticeFinished } from '../../../bots/slack/blocks/notices.ts';
import { returnAlert } from '../../../bots/slack/blocks/returns.ts';
import { systemTrouble } from '../../../bots/slack/blocks/system.ts';
import type { SlackMessage } from '../../../bots/slack/blocks/text.ts';
import { deliverAlert, updateInPlace, type AlertDeps, type RenderAlert } from './slack.alerts.ts';
import { recordAlert, type SlackAlertRow } from './slack.alerts.repository.ts';
import type { SlackAlertObject } from './slack.alerts.tables.ts';
import { conversationAlertView, messageBody, noticeAlertView, returnAlertView, shopLocale, troubleAlertView } from './slack.alerts.views.ts';
import { channelFor } from './slack.client.ts';
import type { SlackAlertKind } from './slack.model.ts';

/**
 * The Slack alerts as listeners of the domain events (server/events/subscriptions.ts): each
 * kind its own job, posted once per event in the channel the shop chose for that kind (none
 * when the shop has no connection, no channel for it, or muted it).
 */

/** The object an event is about: its alerts share a thread per channel. */
function objectOf(e: DomainEvent): { type: SlackAlertObject; id: string } {
  // Each trouble its own message: a thread of every trouble the shop ever had would bury the new one.
  if (e.name === 'system.trouble') return { type: 'system', id: e.id };
  return objectOfPayload(e.payload) ?? { type: 'system', id: e.payload.shopId };
}

/** One alert of `kind` about event `e`: recorded, then delivered (slack.alerts.ts). */
export async function alertOn(deps: AlertDeps | undefined, kind: SlackAlertKind, e: DomainEvent, job?: Job): Promise<string> {
  if (!deps) return 'slack not configured';
  const { shopId } = e.payload;
  const channel = await channelFor(deps.db, shopId, kind);
  if (!channel || channel === 'muted') return channel ?? 'no channel';
  const object = objectOf(e);
  const row = await recordAlert(deps.db, {
    shopId,
    kind,
    eventName: e.name,
    eventId: e.id,
    eventAt: new Date(e.at),
    event: { ...e.payload },
    objectType: object.type,
    objectId: object.id,
    channelId: channel,
  });
  return deliverAlert(deps, renderAlert, shopId, row.id, job);
}

/** A ticket's alerts (SLA, low CSAT, the merchant's question) rebuilt in place when it is taken, assigned or moves on. */
export async function updateConversationAlerts(deps: AlertDeps | undefined, e: DomainEvent<'conversation.updated'>, job?: Job): Promise<number> {
  if (!deps) return 0;
  return updateInPlace(deps, renderAlert, e.payload.shopId, 'conversation', e.payload.conversationId, job);
}

/** A return moved on: its alerts' first messages show it as it is now. */
export async function updateReturnAlerts(deps: AlertDeps | undefined, e: DomainEvent<Extract<EventName, `return.${string}`>>, job?: Job): Promise<number> {
  if (!deps) return 0;
  return updateInPlace(deps, renderAlert, e.payload.shopId, 'return', e.payload.returnId, job);
}

const str = (v: unknown) => String(v);

/** The message of an alert row, from its event and the shop's data now. */
export const renderAlert: RenderAlert = async (deps, row: SlackAlertRow): Promise<SlackMessage | undefined> => {
  const locale = await shopLocale(deps.db, row.shopId);
  const ev = row.event;
  switch (row.kind) {
    case 'return_requested':
    case 'return_needs_review':
    case 'refund_failed': {
      const r = await returnAlertView(deps.db, deps, row.shopId, row.objectId);
      return r && returnAlert(row.kind, r, locale);
    }
    case 'sla_at_risk':
    case 'sla_breached': {
      const c = await conversationAlertView(deps.db, deps, row.shopId, row.objectId);
      return c && slaAlert(row.kind, c, { metric: str(ev.metric), dueAt: str(ev.dueAt) }, locale);
    }
    case 'csat_low': {
      const c = await conversationAlertView(deps.db, deps, row.shopId, row.objectId);
      return c && csatLowAlert(c, Number(ev.rating), locale);
    }
    case 'merchant_question': {
      const c = await conversationAlertView(deps.db, deps, row.shopId, row.objectId);
      const q = c && (await messageBody(deps.db, row.shopId, row.objectId, str(ev.messageId)));
      return c && q && merchantQuestion(c, { body: q.body, askedBy: q.authorName }, locale);
    }
    case 'notice_finished': {
      const n = await noticeAlertView(deps.db, deps, row.shopId, row.objectId);
      return n && noticeFinished(n, ev.status === 'cancelled' ? 'cancelled' : 'sent', ev.counts as Parameters<typeof noticeFinished>[2], locale);
    }
    case 'system_trouble':
      return systemTrouble(troubleAlertView(deps, row.shopId, ev), locale);
  }
};
