import type { Logger } from '../../server/core/logger.ts';
import { slackClientFor, type SlackDeps } from '../../server/domains/slack/slack.client.ts';

/** A message in both languages, Japanese first. */
export interface Said {
  ja: string;
  en: string;
}
export const both = (s: Said) => `${s.ja}\n${s.en}`;

/**
 * Where an ephemeral answer goes: the interaction's response_url (works even when the shop's
 * token does not), else chat.postEphemeral in the channel with the shop's token.
 */
export interface ReplyTarget {
  responseUrl?: string | undefined;
  shopId?: string | undefined;
  channelId?: string | undefined;
  userId: string;
}

/**
 * Only Slack's own response URLs are posted to (a payload signed by a shop's own app could name
 * any address); the Web API's origin is allowed too, for a local stand-in of Slack.
 */
export function allowedResponseUrl(url: string, apiUrl: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' && u.hostname === 'hooks.slack.com') || u.origin === new URL(apiUrl).origin;
  } catch {
    return false;
  }
}

/** Answers the person who clicked or typed, ephemerally; a failure is logged, never thrown (the ack went long ago). */
export async function replyEphemeral(deps: SlackDeps & { logger: Logger }, to: ReplyTarget, said: Said): Promise<void> {
  const text = both(said);
  try {
    if (to.responseUrl && allowedResponseUrl(to.responseUrl, deps.apiUrl)) {
      const r = await fetch(to.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
        signal: AbortSignal.timeout(10_000),
      });
      if (r.ok) return;
      deps.logger.warn({ status: r.status }, 'slack: response_url refused the answer');
    }
    if (to.shopId && to.channelId) {
      const c = await slackClientFor(deps, to.shopId);
      if (c) await c.client.chat.postEphemeral({ channel: to.channelId, user: to.userId, text });
    }
  } catch (e) {
    deps.logger.warn({ err: (e as Error).message }, 'slack: an ephemeral answer could not be sent');
  }
}
