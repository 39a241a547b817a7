import type { App } from '@slack/bolt';
import type { SlackBotDeps } from '../deps.ts';
import { registerCommand } from './command.ts';
import { registerConversationActions } from './conversations.ts';
import { registerReturnActions } from './returns.ts';
import { registerThreadReplies } from './thread-replies.ts';
import { registerUninstalled } from './uninstalled.ts';
import { registerUnknownGuard } from './unknown.ts';

/**
 * Every Slack listener, one register call per file. The guard first: what no listener takes
 * is refused before any runs.
 */
export function registerSlackListeners(app: App, deps: SlackBotDeps): void {
  registerUnknownGuard(app, deps);
  registerReturnActions(app, deps);
  registerConversationActions(app, deps);
  registerCommand(app, deps);
  // The app removed from a workspace, or its bot token revoked: the connection shows broken at once.
  registerUninstalled(app, deps);
  // Replies in a ticket's thread (the merchant answering a question) → internal notes.
  registerThreadReplies(app, deps);
}
