import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { loadKeyring, seal } from '../../../server/core/sealed.ts';
import { slackAlerts } from '../../../server/domains/slack/slack.alerts.tables.ts';
import { tokenAad } from '../../../server/domains/slack/slack.client.ts';
import type { SlackAlertKind } from '../../../server/domains/slack/slack.model.ts';
import { slackConnections, slackRoutes } from '../../../server/domains/slack/slack.tables.ts';
import type { TestServer } from '../../helpers/app.ts';
import { testWorkspace, type SlackApiStandIn, type SlackWorkspace } from '../../helpers/slack-api.ts';

export interface Connected {
  token: string;
  workspace: SlackWorkspace;
  /** The default channel (alerts). */
  channel: string;
}

/**
 * A shop connected to a workspace of the stand-in with a pasted bot token, written straight
 * into the table (the connect endpoint is built apart): sealed with the server's own keyring.
 */
export async function connectShop(server: TestServer, slack: SlackApiStandIn, shopId: string): Promise<Connected> {
  const tag = randomBytes(4).toString('hex');
  const workspace = testWorkspace(tag);
  const token = `xoxb-test-${tag}`;
  slack.addToken(token, workspace);
  const keyring = loadKeyring(server.config);
  const channel = workspace.channels[0]!.id;
  await server.database.db.insert(slackConnections).values({
    shopId,
    teamId: workspace.teamId,
    teamName: workspace.teamName,
    botUserId: workspace.botUserId,
    botId: workspace.botId,
    via: 'token',
    botTokenSealed: seal(keyring, token, tokenAad(shopId)),
    defaultChannelId: channel,
  });
  return { token, workspace, channel };
}

export async function route(server: TestServer, shopId: string, kind: SlackAlertKind, r: { channelId?: string | null; muted?: boolean }): Promise<void> {
  await server.database.db
    .insert(slackRoutes)
    .values({ shopId, kind, channelId: r.channelId ?? null, muted: r.muted ?? false })
    .onConflictDoUpdate({ target: [slackRoutes.shopId, slackRoutes.kind], set: { channelId: r.channelId ?? null, muted: r.muted ?? false } });
}

export const alertsOf = (server: TestServer, shopId: string) => server.database.db.select().from(slackAlerts).where(eq(slackAlerts.shopId, shopId));

export const connectionOf = async (server: TestServer, shopId: string) => (await server.database.db.select().from(slackConnections).where(eq(slackConnections.shopId, shopId)))[0];

/** Every action id in a message's blocks. */
export const actionIds = (blocks: unknown[] | undefined): string[] =>
  (blocks ?? []).flatMap((b) => ((b as { type: string; elements?: Array<{ action_id?: string }> }).type === 'actions' ? ((b as { elements: Array<{ action_id?: string }> }).elements.map((e) => e.action_id ?? '')) : []));
