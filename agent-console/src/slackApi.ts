/**
 * The Slack connection's REST calls (settings → Slack, the link page, "ask the merchant"). The
 * shapes are the console ⇄ server contract of issue 14; the closed lists come from the server's
 * own model (type-only: nothing of the server is bundled).
 */
import type { z } from 'zod';
import type { alertDto } from '../../server/domains/slack/slack.alerts.routes.ts';
import type { channelsView, linksView, slackStatusView } from '../../server/domains/slack/slack.connect.schema.ts';
import type { SlackAlertKind } from '../../server/domains/slack/slack.model.ts';
import { request } from './api.ts';
import type { ConversationDto } from './types.ts';

export type { SlackAlertKind };

/** The server's own shapes (type-only: nothing of the server is bundled). */
export type SlackView = z.infer<typeof slackStatusView>;
export type SlackConnectionView = NonNullable<SlackView['connection']>;
export type SlackRouteView = SlackView['routes'][number];
export type SlackChannelRef = NonNullable<SlackRouteView['channel']>;
export type SlackChannelOption = z.infer<typeof channelsView>['channels'][number];
export type SlackLinkView = z.infer<typeof linksView>['links'][number];
export type SlackAlertView = z.infer<typeof alertDto>;
export type SlackAlertStatus = SlackAlertView['status'];

const slack = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}/slack`;
const opts = (signal?: AbortSignal) => (signal ? { signal } : {});

export const slackApi = {
  /** Any member: the status, never a token. */
  view: (shopId: string, signal?: AbortSignal) => request<SlackView>(slack(shopId), opts(signal)),
  /** Owner: connects (or reconnects over a broken connection) with the shop's own app. */
  connectWithToken: (shopId: string, botToken: string, signingSecret: string) =>
    request<SlackView>(`${slack(shopId)}/token`, { method: 'PUT', body: { botToken, signingSecret } }),
  disconnect: (shopId: string) => request<void>(slack(shopId), { method: 'DELETE' }),
  channels: (shopId: string, signal?: AbortSignal) => request<{ channels: SlackChannelOption[] }>(`${slack(shopId)}/channels`, opts(signal)),
  setDefaultChannel: (shopId: string, channelId: string) => request<SlackView>(`${slack(shopId)}/default-channel`, { method: 'PUT', body: { channelId } }),
  setRoute: (shopId: string, kind: SlackAlertKind, channelId: string | null, muted: boolean) =>
    request<SlackView>(`${slack(shopId)}/routes/${encodeURIComponent(kind)}`, { method: 'PUT', body: { channelId, muted } }),
  links: (shopId: string, signal?: AbortSignal) => request<{ links: SlackLinkView[] }>(`${slack(shopId)}/links`, opts(signal)),
  /** Owner, or the person themself. */
  unlink: (shopId: string, userId: string) => request<void>(`${slack(shopId)}/links/${encodeURIComponent(userId)}`, { method: 'DELETE' }),
  /** Owner and staff. */
  alerts: (shopId: string, status: SlackAlertStatus, signal?: AbortSignal) =>
    request<{ alerts: SlackAlertView[] }>(`${slack(shopId)}/alerts?${new URLSearchParams({ status })}`, opts(signal)),
  retryAlert: (shopId: string, id: string) => request<unknown>(`${slack(shopId)}/alerts/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  /** The signed-in person confirms the link a Slack reply gave them. */
  previewLink: (token: string) => request<{ shopId: string; shopName: string; teamName: string | null; slackUserId: string; slackUserName: string | null }>('/api/slack/links/preview', { method: 'POST', body: { token } }),
  confirmLink: (token: string) => request<{ shopId: string; slackUserId: string }>('/api/slack/links/confirm', { method: 'POST', body: { token } }),
  askMerchant: (shopId: string, conversationId: string, question: string) =>
    request<ConversationDto>(`/api/shops/${encodeURIComponent(shopId)}/conversations/${encodeURIComponent(conversationId)}/ask-merchant`, { method: 'POST', body: { question } }),
};
