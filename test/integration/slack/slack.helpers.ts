import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../server/core/db/client.ts';
import { auditEvents } from '../../../server/domains/audit/audit.tables.ts';
import { slackUserLinks } from '../../../server/domains/slack/slack.tables.ts';
import type { SlackApiStandIn, SlackWorkspace } from '../../helpers/slack-api.ts';
import { testWorkspace } from '../../helpers/slack-api.ts';

export const tag = () => randomBytes(4).toString('hex');
/** A signing secret as Slack shows one: 32 hex digits. */
export const aSigningSecret = () => randomBytes(16).toString('hex');

/** A workspace the stand-in knows, with a bot token of its own. */
export function aWorkspace(standIn: SlackApiStandIn, over: Partial<SlackWorkspace> = {}) {
  const t = tag();
  const workspace = testWorkspace(t, over);
  const token = `xoxb-${t}-${randomBytes(12).toString('hex')}`;
  standIn.addToken(token, workspace);
  return { workspace, token, tag: t.toUpperCase() };
}

export const auditOf = (db: Db, shopId: string, action: string) =>
  db.select().from(auditEvents).where(and(eq(auditEvents.shopId, shopId), eq(auditEvents.action, action))).orderBy(auditEvents.id);

export async function link(db: Db, shopId: string, userId: string, teamId: string, slackUserId: string) {
  await db.insert(slackUserLinks).values({ shopId, userId, teamId, slackUserId, via: 'confirmed' });
}
