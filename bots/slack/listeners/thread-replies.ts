import type { App } from '@slack/bolt';
import { noteFromThreadReply, type ThreadReplyDeps } from '../../../server/domains/slack/slack.ask.ts';
import type { SlackBotDeps } from '../deps.ts';
import { actorFor } from '../people.ts';
import { replyEphemeral } from '../reply.ts';

/** The message subtypes a person's reply in a thread comes with; edits, deletions, joins and bots' messages are not answers. */
const peopleSubtypes = new Set<string>(['thread_broadcast', 'file_share']);

/**
 * Replies in the thread of a ticket's alert (the merchant answering an agent's question) come
 * back to the ticket as internal notes (noteFromThreadReply). Only people's replies in a
 * thread (plain, also sent to the channel, or with a file): bot messages (madoguchi's own included), edits, deletions and top-level messages are
 * ignored, so nothing loops; a reply acts only in the shops whose app signed the request, and
 * only as a linked person (actorFor: linked by email, or told how).
 */
export function registerThreadReplies(app: App, deps: SlackBotDeps): void {
  const noteDeps: ThreadReplyDeps = { ...deps.chat, keyring: deps.keyring, apiUrl: deps.apiUrl };
  app.message(async ({ message, body, context, logger }) => {
    // A person's reply: plain, also sent to the channel (thread_broadcast), or with a file (its text is the answer).
    if ((message.subtype !== undefined && !peopleSubtypes.has(message.subtype)) || 'bot_id' in message) return;
    const m = message as { user?: string; text?: string; thread_ts?: string; ts: string; channel: string };
    if (!m.user || !m.thread_ts || m.thread_ts === m.ts || !m.text) return;
    const b = body as { team_id?: string; event_id?: string };
    const teamId = b.team_id ?? context.teamId;
    if (!teamId) return;
    const eventId = b.event_id ?? `${m.channel}:${m.ts}`;
    const shopIds = deps.verifiedOf(body)?.shopIds ?? [];
    const reply = { teamId, shopIds, channelId: m.channel, threadTs: m.thread_ts, slackUserId: m.user, text: m.text, eventId };
    let r = await noteFromThreadReply(noteDeps, reply);
    if (r.why === 'not linked' && r.shopId) {
      // Every answer from Slack is a known person's: linked now by their Slack email when it is a
      // member's (and the answer noted), else told how to link, and nothing written.
      const who = await actorFor(deps, { body, teamId, slackUserId: m.user, shopId: r.shopId });
      if ('kind' in who) r = await noteFromThreadReply(noteDeps, reply);
      else await replyEphemeral(deps, { shopId: r.shopId, channelId: m.channel, userId: m.user }, who);
    }
    if (!r.noted) logger.debug(`thread reply not noted: ${r.why}`);
  });
}
