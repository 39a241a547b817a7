import { createHmac, randomBytes } from 'node:crypto';
import type { Database } from '../../../server/core/db/client.ts';
import { parseKeys, seal } from '../../../server/core/sealed.ts';
import { signingAad, tokenAad } from '../../../server/domains/slack/slack.client.ts';
import { slackConnections } from '../../../server/domains/slack/slack.tables.ts';
import type { SlackApiStandIn, SlackWorkspace } from '../../helpers/slack-api.ts';

/**
 * Sending what Slack sends to the real receiver: signed (or mis-signed) events, interaction
 * payloads and slash commands; and a shop's connection written directly (the console's connect
 * endpoint is another part's).
 */
export const SIGNING_SECRET = 'deployment-signing-secret-0123456789';
export const SECRETS_KEYS = `k1:${randomBytes(32).toString('base64')}`;
export const keyring = parseKeys(SECRETS_KEYS);

export const slackConfig = (standIn: SlackApiStandIn) => ({
  SLACK_API_URL: standIn.url,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_CLIENT_ID: 'client-id',
  SLACK_CLIENT_SECRET: 'client-secret',
  SECRETS_KEYS,
  PUBLIC_URL: 'http://madoguchi.test',
});

/** A shop's connection to `w`: through the deployment's app, or a pasted app with its own signing secret. */
export async function connect(database: Database, standIn: SlackApiStandIn, shopId: string, w: SlackWorkspace, opts: { signingSecret?: string; defaultChannelId?: string } = {}): Promise<string> {
  const token = `xoxb-${randomBytes(8).toString('hex')}`;
  standIn.addToken(token, w);
  await database.db.insert(slackConnections).values({
    shopId,
    teamId: w.teamId,
    teamName: w.teamName,
    botUserId: w.botUserId,
    botId: w.botId,
    appId: w.appId,
    via: opts.signingSecret ? 'token' : 'oauth',
    botTokenSealed: seal(keyring, token, tokenAad(shopId)),
    signingSecretSealed: opts.signingSecret ? seal(keyring, opts.signingSecret, signingAad(shopId)) : null,
    defaultChannelId: opts.defaultChannelId ?? w.channels[0]!.id,
  });
  return token;
}

export interface Sent {
  status: number;
  text: string;
  json: () => unknown;
}

/** POSTs `raw` to the receiver, signed with `secret` at `ts` (Unix seconds; default now). */
export async function sendSigned(baseUrl: string, path: string, raw: string, contentType: string, opts: { secret?: string; ts?: number; signature?: string; headers?: Record<string, string> } = {}): Promise<Sent> {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature ?? `v0=${createHmac('sha256', opts.secret ?? SIGNING_SECRET).update(`v0:${ts}:${raw}`).digest('hex')}`;
  const r = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature, ...opts.headers },
    body: raw,
  });
  const text = await r.text();
  return { status: r.status, text, json: () => JSON.parse(text) as unknown };
}

let n = 0;
const uniq = () => `${Date.now()}${++n}${randomBytes(2).toString('hex')}`;

export interface Clicker {
  teamId: string;
  userId: string;
  channelId: string;
}

/** A block_actions payload: `who` clicked the button `actionId` carrying `value`. Its response_url points at the stand-in. */
export function clickPayload(standIn: SlackApiStandIn, who: Clicker, actionId: string, value: unknown, extra: Record<string, unknown> = {}) {
  const id = uniq();
  const responsePath = `response/${id}`;
  const payload = {
    type: 'block_actions',
    team: { id: who.teamId, domain: 'shop' },
    user: { id: who.userId, team_id: who.teamId, name: 'someone' },
    api_app_id: 'AAPP',
    trigger_id: `trig.${id}`,
    response_url: `${standIn.url}${responsePath}`,
    channel: { id: who.channelId, name: 'alerts' },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: who.channelId },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b1', value: typeof value === 'string' ? value : JSON.stringify(value), action_ts: `${Math.floor(Date.now() / 1000)}.${id.slice(-6)}` }],
    ...extra,
  };
  return { payload, raw: `payload=${encodeURIComponent(JSON.stringify(payload))}`, responsePath };
}

/** A slash command from `who`, its response_url at the stand-in. */
export function commandPayload(standIn: SlackApiStandIn, who: Clicker, text: string) {
  const id = uniq();
  const responsePath = `response/${id}`;
  const form = new URLSearchParams({
    token: 'legacy',
    team_id: who.teamId,
    team_domain: 'shop',
    channel_id: who.channelId,
    channel_name: 'alerts',
    user_id: who.userId,
    user_name: 'someone',
    command: '/madoguchi',
    text,
    api_app_id: 'AAPP',
    response_url: `${standIn.url}${responsePath}`,
    trigger_id: `trig.${id}`,
  });
  return { raw: form.toString(), responsePath };
}

export const FORM = 'application/x-www-form-urlencoded';

/** The text of the answers posted to one response_url. */
export const answersAt = (standIn: SlackApiStandIn, responsePath: string) => standIn.callsOf(responsePath).map((c) => String(c.args.text ?? ''));
