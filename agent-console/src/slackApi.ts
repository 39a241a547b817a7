/**
 * The Slack connection's REST calls (settings → Slack, the link page, "ask the merchant"). The
 * shapes are the console ⇄ server contract of issue 14; the closed lists come from the server's
 * own model (type-only: nothing of the server is bundled).
 */
import type { SlackAlertKind, SlackConnectionStatus, SlackConnectionVia, SlackLinkVia } from '../../server/domains/slack/slack.model.ts';
import { request } from './api.ts';
import type { ConversationDto, Role } from './types.ts';

export type { SlackAlertKind };

export interface SlackChannelRef {
  id: string;
  name: string;
  /** Why posting there fails (channel_not_found, not_in_channel, is_archived, …); null when it works. */
  brokenReason: string | null;
}

export interface SlackConnectionView {
  teamId: string;
  teamName: string;
  via: SlackConnectionVia;
  status: SlackConnectionStatus;
  brokenReason: string | null;
  brokenAt: string | null;
  defaultChannel: SlackChannelRef | null;
  connectedAt: string;
  connectedBy: { id: string; name: string } | null;
}

export interface SlackRouteView {
  kind: SlackAlertKind;
  /** null: the connection's default channel. */
  channel: SlackChannelRef | null;
  muted: boolean;
}

export interface SlackView {
  connection: SlackConnectionView | null;
  /** One per alert kind, in the server's order. */
  routes: SlackRouteView[];
  /** Where "Add to Slack" starts, when the server has an app of its own; null for pasted tokens only. */
  installUrl: string | null;
  me: { linked: boolean; slackUserId: string | null };
}

export interface SlackChannelOption {
  id: string;
  name: string;
  isPrivate: boolean;
  isMember: boolean;
}

export interface SlackLinkView {
  userId: string;
  name: string;
  role: Role;
  slackUserId: string;
  via: SlackLinkVia;
  createdAt: string;
}

export type SlackAlertStatus = 'undelivered' | 'pending' | 'posted';

export interface SlackAlertView {
  id: string;
  kind: SlackAlertKind;
  objectType: string;
  objectId: string;
  channelId: string | null;
  status: SlackAlertStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  postedAt: string | null;
}

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
