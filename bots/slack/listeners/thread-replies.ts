import type { App } from '@slack/bolt';
import { noteFromThreadReply, type ThreadReplyDeps } from '../../../server/domains/slack/slack.ask.ts';
import type { SlackBotDeps } from '../deps.ts';

/**
 * Replies in the thread of a ticket's alert (the merchant answering an agent's question) come
 * back to the ticket as internal notes (noteFromThreadReply). Only people's plain replies in a
 * thread: bot messages (madoguchi's own included), edits, deletions and top-level messages are
 * ignored, so nothing loops; a reply acts only in the shops whose app signed the request.
 */
export function registerThreadReplies(app: App, deps: ThreadReplyDeps & Pick<SlackBotDeps, 'verifiedOf'>): void {
  app.message(async ({ message, body, context, logger }) => {
    if (message.subtype !== undefined || 'bot_id' in message) return;
    const m = message as { user?: string; text?: string; thread_ts?: string; ts: string; channel: string };
    if (!m.user || !m.thread_ts || m.thread_ts === m.ts || !m.text) return;
    const b = body as { team_id?: string; event_id?: string };
    const teamId = b.team_id ?? context.teamId;
    if (!teamId) return;
    const eventId = b.event_id ?? `${m.channel}:${m.ts}`;
    const shopIds = deps.verifiedOf(body)?.shopIds ?? [];
    const r = await noteFromThreadReply(deps, { teamId, shopIds, channelId: m.channel, threadTs: m.thread_ts, slackUserId: m.user, text: m.text, eventId });
    if (!r.noted) logger.debug(`thread reply not noted: ${r.why}`);
  });
}
