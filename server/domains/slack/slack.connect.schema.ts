import { z } from 'zod';
import { registerMessages, said } from '../../core/messages.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { roles } from '../shops/shops.tables.ts';
import { slackAlertKinds, slackConnectionStatuses, slackConnectionVias, slackLinkVias } from './slack.model.ts';

/**
 * What the console says to the merchant about the connection, in Japanese and English. The
 * English is the API's message; the Japanese rides alongside (`details[].ja`, `details.say`).
 */
export const slackConnectMessages = {
  tokenRefused: { ja: 'Slack がこのボットトークンを受け付けませんでした。アプリの「OAuth & Permissions」にある Bot User OAuth Token（xoxb- で始まるもの）を貼り付けてください。', en: 'Slack did not accept this bot token; paste the Bot User OAuth Token (xoxb-…) from the app’s OAuth & Permissions page' },
  slackDown: { ja: 'Slack に接続できません。しばらくしてからもう一度お試しください。', en: 'Slack cannot be reached just now; try again shortly' },
  notConnected: { ja: 'Slack はまだ接続されていません。先に設定から接続してください。', en: 'Slack is not connected; connect it in the settings first' },
  broken: { ja: 'Slack との接続が切れています（トークンが無効です）。設定から接続し直してください。', en: 'the Slack connection is broken (its token no longer works); reconnect it in the settings' },
  channelNotFound: { ja: 'このチャンネルは見つかりません。削除またはアーカイブされていないか確認してください。', en: 'this channel was not found (deleted or archived?)' },
  inviteTheApp: { ja: 'プライベートチャンネルにはアプリを招待してください：チャンネルで /invite @madoguchi と送信してから、もう一度選んでください。', en: 'invite the app first: send /invite @madoguchi in that private channel, then choose it again' },
  channelRefused: { ja: 'Slack がこのチャンネルへの参加を受け付けませんでした。別のチャンネルを選ぶか、アプリを招待してください。', en: 'Slack would not let the app join this channel; choose another or invite the app' },
  notYourLink: { ja: '他の人の Slack 連携は、オーナーだけが解除できます。', en: 'only an owner may remove another person’s Slack link' },
} as const;
registerMessages(slackConnectMessages);

export const botTokenSchema = z.string().trim().regex(/^xoxb-[A-Za-z0-9-]{10,250}$/, said('ボットトークンは xoxb- で始まる Bot User OAuth Token を貼り付けてください。', 'expected a bot token starting with xoxb-'));
/** Slack's signing secrets are 32 hex digits (Basic Information → App Credentials); a little room for a longer one later. */
export const signingSecretSchema = z.string().trim().regex(/^[0-9a-fA-F]{32,128}$/, said('署名シークレット（Signing Secret）は、アプリの Basic Information にある32桁の英数字を貼り付けてください。', 'expected the app’s signing secret (32 hexadecimal digits, from Basic Information)'));
const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, said('チャンネル ID の形式が正しくありません。', 'expected a Slack channel id such as C0123ABCD'));

export const tokenBody = z.strictObject({ botToken: botTokenSchema, signingSecret: signingSecretSchema });
export const defaultChannelBody = z.strictObject({ channelId });
export const routeBody = z.strictObject({ channelId: channelId.nullable(), muted: z.boolean() });
export const routeParams = shopIdParams.extend({ kind: z.string().max(64) });
export const linkParams = shopIdParams.extend({ userId: z.uuid() });

const channelView = z.object({ id: z.string(), name: z.string().nullable(), brokenReason: z.string().nullable() });

export const slackStatusView = z.object({
  connection: z
    .object({
      teamId: z.string(),
      teamName: z.string().nullable(),
      via: z.enum(slackConnectionVias),
      status: z.enum(slackConnectionStatuses),
      brokenReason: z.string().nullable(),
      brokenAt: z.string().nullable(),
      defaultChannel: channelView.nullable(),
      connectedAt: z.string(),
      connectedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
    })
    .nullable(),
  /** One per alert kind (slackAlertKinds' order); channel null: the default channel. */
  routes: z.array(z.object({ kind: z.enum(slackAlertKinds), channel: channelView.nullable(), muted: z.boolean() })),
  /** Where "Add to Slack" starts, when this deployment has a Slack app (SLACK_CLIENT_ID…). */
  installUrl: z.string().nullable(),
  me: z.object({ linked: z.boolean(), slackUserId: z.string().nullable() }),
});
export type SlackStatusView = z.infer<typeof slackStatusView>;

export const channelsView = z.object({ channels: z.array(z.object({ id: z.string(), name: z.string(), isPrivate: z.boolean(), isMember: z.boolean() })) });

export const linksView = z.object({
  links: z.array(z.object({ userId: z.string(), name: z.string(), role: z.enum(roles), slackUserId: z.string(), via: z.enum(slackLinkVias), createdAt: z.string() })),
});
