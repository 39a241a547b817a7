import type Router from '@koa/router';
import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../server/core/logger.ts';
import { findConnection, tokenAad, clientOptions } from '../../server/domains/slack/slack.client.ts';
import { unseal } from '../../server/core/sealed.ts';
import type { SlackBotDeps } from './deps.ts';
import { registerSlackListeners } from './listeners/index.ts';
import { KoaReceiver } from './receiver.ts';

/** Bolt's logging into ours (pino); Bolt's debug lines stay at debug. */
function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ part: 'slack' });
  const line = (...msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...m) => log.debug(line(...m)),
    info: (...m) => log.info(line(...m)),
    warn: (...m) => log.warn(line(...m)),
    error: (...m) => log.error(line(...m)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

export type SlackAppDeps = Omit<SlackBotDeps, 'verifiedOf'> & { signingSecret?: string | undefined };

/**
 * The Slack app: Bolt with madoguchi's receiver (bots/slack/receiver.ts) and listeners. Bolt's
 * `authorize` gives the token of the first shop whose app signed the request; listeners act
 * per shop with that shop's own client (server/domains/slack/slack.client.ts).
 */
export function createSlackApp(deps: SlackAppDeps): { app: App; receiver: KoaReceiver } {
  const receiver = new KoaReceiver({ db: deps.db, keyring: deps.keyring, logger: deps.logger, signingSecret: deps.signingSecret });
  const app = new App({
    receiver,
    logger: boltLogger(deps.logger),
    clientOptions: clientOptions(deps.apiUrl),
    authorize: async (source, body) => {
      const shopId = body ? receiver.verified.get(body)?.shopIds[0] : undefined;
      const c = shopId ? await findConnection(deps.db, shopId) : undefined;
      if (!c || c.status !== 'ok') return { teamId: source.teamId };
      return { teamId: c.teamId, botUserId: c.botUserId, botId: c.botId ?? undefined, botToken: unseal(deps.keyring, c.botTokenSealed, tokenAad(c.shopId)) };
    },
  });
  // Nothing a bot says is acted on, madoguchi's own messages included, so nothing loops.
  app.use(async ({ body, next }) => {
    const event = (body as { event?: { bot_id?: string; subtype?: string; bot_profile?: unknown } }).event;
    if (event && (event.bot_id || event.bot_profile || event.subtype === 'bot_message')) return;
    await next();
  });
  registerSlackListeners(app, { ...deps, verifiedOf: (body) => receiver.verified.get(body) });
  app.error(async (e) => {
    deps.logger.error({ err: e.message, code: (e as { code?: string }).code }, 'slack: unhandled listener error');
  });
  return { app, receiver };
}

/** POST /slack/events, /slack/actions, /slack/commands: raw bodies, read by the receiver itself (no JSON parser before it). */
export function slackRoutes(router: Router, deps: SlackAppDeps): App {
  const { app, receiver } = createSlackApp(deps);
  router.post('/slack/events', receiver.handler('events'));
  router.post('/slack/actions', receiver.handler('actions'));
  router.post('/slack/commands', receiver.handler('commands'));
  return app;
}
