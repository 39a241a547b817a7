import type { App } from '@slack/bolt';
import type { SlackBotDeps } from '../deps.ts';
import { registerCommand } from './command.ts';
import { registerConversationActions } from './conversations.ts';
import { registerReturnActions } from './returns.ts';
import { registerUnknownGuard } from './unknown.ts';

/**
 * Every Slack listener, one register call per file. The guard first: what no listener takes
 * is refused before any runs.
 *
 * TODO(lead, after merging slackB): B's `bots/slack/listeners/thread-replies.ts` exports
 * `registerThreadReplies(app, deps)` (merchant replies in a question thread → internal notes);
 * import it here and call it below, at the hook marked THREAD-REPLIES. It was not in this
 * branch when it was written.
 */
export function registerSlackListeners(app: App, deps: SlackBotDeps): void {
  registerUnknownGuard(app, deps);
  registerReturnActions(app, deps);
  registerConversationActions(app, deps);
  registerCommand(app, deps);
  // THREAD-REPLIES: registerThreadReplies(app, { ...deps.chat, keyring: deps.keyring, apiUrl: deps.apiUrl });
}
