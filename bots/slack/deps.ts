import type { Db } from '../../server/core/db/client.ts';
import type { Logger } from '../../server/core/logger.ts';
import type { Keyring } from '../../server/core/sealed.ts';
import type { ChatDeps } from '../../server/domains/conversations/conversations.service.ts';
import type { SlackDeps } from '../../server/domains/slack/slack.client.ts';
import type { EventSink } from '../../server/events/commit.ts';
import type { Verified } from './receiver.ts';

/** What the Slack listeners act with: the same services and sinks as the console's routes. */
export interface SlackBotDeps extends SlackDeps {
  db: Db;
  keyring: Keyring;
  logger: Logger;
  /** The conversations' services (assignment) as the console's routes have them. */
  chat: ChatDeps;
  /** Where committed changes go on (outbox, live updates), as for the console. */
  sink: EventSink;
  /** The console's public address, for the link a Slack person confirms there. */
  publicUrl: string;
  /** What verified a request (the receiver's record): listeners act only in these shops. */
  verifiedOf(body: object): Verified | undefined;
}
