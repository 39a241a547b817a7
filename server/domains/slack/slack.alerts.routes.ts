import { z } from 'zod';
import type { Api } from '../../core/route.ts';
import { said } from '../../core/messages.ts';
import type { ChatDeps } from '../conversations/conversations.service.ts';
import { conversationParams } from '../conversations/conversations.schema.ts';
import { chatSink } from '../conversations/conversations.service.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { askMerchant } from './slack.ask.ts';
import { slackAlertObjects, slackAlertStatuses } from './slack.alerts.tables.ts';
import { slackAlertKinds } from './slack.model.ts';
import { listSlackAlerts, retrySlackAlert } from './slack.alerts.service.ts';

export const alertDto = z.object({
  id: z.uuid(),
  kind: z.enum(slackAlertKinds),
  objectType: z.enum(slackAlertObjects),
  objectId: z.string(),
  channelId: z.string(),
  status: z.enum(slackAlertStatuses),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  postedAt: z.string().nullable(),
});

const question = z
  .string()
  .trim()
  .min(1, said('質問を入力してください。', 'write the question'))
  .max(2000, said('質問は2000文字以内にしてください。', 'the question is at most 2,000 characters'));

/** The Slack alerts' console REST (list, retry) and asking the merchant about a ticket. */
export function slackAlertRoutes(api: Api, chat: ChatDeps): void {
  const tag = 'Slack';
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/slack/alerts',
    tag,
    summary: 'The shop’s Slack alerts, newest first, of one status or all (owner, staff): undelivered ones can be tried again',
    auth: 'session',
    params: shopIdParams,
    query: z.strictObject({ status: z.enum(slackAlertStatuses).optional() }),
    response: z.object({ alerts: z.array(alertDto) }),
    errors: ['forbidden', 'invalid_input'],
    handler: ({ actor, query }) => listSlackAlerts(chat.db, actor, query.status),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/slack/alerts/:alertId/retry',
    tag,
    summary: 'Try an undelivered Slack alert again (owner, staff); 409 when it is not undelivered',
    auth: 'session',
    params: shopIdParams.extend({ alertId: z.uuid({ message: 'expected an alert id (UUID)' }) }),
    status: 202,
    errors: ['forbidden', 'not_found', 'conflict'],
    handler: async ({ actor, params, requestId }) => {
      await retrySlackAlert(chat.db, chatSink(chat), actor, params.alertId, requestId);
      return { retried: true };
    },
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/conversations/:conversationId/ask-merchant',
    tag,
    summary: 'Ask the merchant about a ticket in the shop’s Slack: the ticket waits on the merchant (SLA paused) and their thread replies come back as internal notes',
    description: '409 conflict when Slack is not connected or the merchant_question alert is muted or has no channel.',
    auth: 'session',
    params: conversationParams,
    body: z.strictObject({ question }),
    errors: ['forbidden', 'not_found', 'invalid_input', 'invalid_transition', 'conflict'],
    handler: ({ actor, params, body, requestId }) => askMerchant(chat, actor, params.conversationId, body.question, requestId),
  });
}
