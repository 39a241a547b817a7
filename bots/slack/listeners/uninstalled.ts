import type { App } from '@slack/bolt';
import { markConnectionBroken, shopsOfTeam } from '../../../server/domains/slack/slack.client.ts';
import type { SlackBotDeps } from '../deps.ts';

/**
 * Slack saying an app was removed from a workspace (`app_uninstalled`) or its bot token revoked
 * (`tokens_revoked` naming the bot): the connections of the shops whose app it was (those whose
 * app signed the event) are marked broken at once, so the console offers to reconnect before
 * an alert fails, instead of after.
 */
export function registerUninstalled(app: App, deps: SlackBotDeps): void {
  const breakShops = async (body: object, teamId: string | undefined, reason: string, onlyBots?: readonly string[]) => {
    const shopIds = deps.verifiedOf(body)?.shopIds ?? [];
    if (!teamId || !shopIds.length) return;
    const rows = (await shopsOfTeam(deps.db, teamId)).filter((c) => shopIds.includes(c.shopId) && (!onlyBots || onlyBots.includes(c.botUserId)));
    for (const c of rows) await markConnectionBroken(deps.db, c.shopId, reason);
    if (rows.length) deps.logger.warn({ teamId, shopIds: rows.map((c) => c.shopId), reason }, 'slack: the app was removed from the workspace; the connection is marked broken');
  };
  app.event('app_uninstalled', async ({ body }) => {
    await breakShops(body, body.team_id, 'app_uninstalled');
  });
  app.event('tokens_revoked', async ({ body, event }) => {
    const bots = event.tokens.bot ?? [];
    if (bots.length) await breakShops(body, body.team_id, 'token_revoked', bots);
  });
}
