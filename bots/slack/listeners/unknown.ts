import type { App } from '@slack/bolt';
import type { SlackBotDeps } from '../deps.ts';
import { replyEphemeral } from '../reply.ts';
import { words } from '../words.ts';

/** The action ids, view callbacks and commands madoguchi's listeners take (bots/slack/blocks puts them on the buttons). */
export const knownActions = ['return.approve', 'return.reject', 'return.open', 'conversation.take', 'conversation.assign'] as const;
export const knownViews = ['return.reject.submit'] as const;
export const knownCommands = ['/madoguchi'] as const;

type Body = { type?: string; command?: string; actions?: Array<{ action_id?: string }>; view?: { callback_id?: string }; response_url?: string; channel?: { id?: string }; channel_id?: string; user?: { id?: string }; user_id?: string; team?: { id?: string }; team_id?: string };

/**
 * Anything Slack sends that no listener of ours takes (an unknown action id, a forged or old
 * callback) is acked, logged, and answered with a clear "nothing was done"; it never reaches
 * a listener. `return.open` is a link button: Slack opens the link and tells us; nothing to do.
 */
export function registerUnknownGuard(app: App, deps: SlackBotDeps): void {
  app.use(async (args) => {
    const body = args.body as Body;
    const ack = (args as { ack?: (r?: unknown) => Promise<void> }).ack;
    const actionId = body.type === 'block_actions' ? body.actions?.[0]?.action_id : undefined;
    if (actionId === 'return.open') return void (await ack?.());
    const unknown =
      (body.type === 'block_actions' && !(knownActions as readonly string[]).includes(actionId ?? '')) ||
      (body.type === 'view_submission' && !(knownViews as readonly string[]).includes(body.view?.callback_id ?? '')) ||
      (typeof body.command === 'string' && !(knownCommands as readonly string[]).includes(body.command));
    if (!unknown) return args.next();
    await ack?.();
    deps.logger.warn({ teamId: body.team?.id ?? body.team_id, type: body.type, actionId, callbackId: body.view?.callback_id, command: body.command }, 'slack: refused something no listener takes');
    const userId = body.user?.id ?? body.user_id;
    if (userId) await replyEphemeral(deps, { responseUrl: body.response_url, channelId: body.channel?.id ?? body.channel_id, userId }, words.unknownAction);
  });
}
