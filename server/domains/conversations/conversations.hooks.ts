import type { SQL } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { attachmentsForMessages, claimAttachments, customerAttachmentUrl } from '../attachments/attachments.service.ts';
import { rateConversation } from '../csat/csat.service.ts';
import type { EventSink } from '../../events/commit.ts';
import { businessMsBetween } from '../sla/sla.clock.ts';
import { slaStateCondition } from '../sla/sla.repository.ts';
import { applySlaEvent, loadCalendar, type SlaEventInput } from '../sla/sla.service.ts';
import { recordHeartbeat } from '../worklog/worklog.service.ts';
import type { AttachmentDto } from './conversations.dto.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import type { Author } from './conversations.types.ts';
import type { PresenceStore } from './presence.ts';
import { conversations } from './conversations.tables.ts';

// The chat service calls these in the transaction that changed (and so locked) the conversation's row.
/**
 * The SLA event of a conversation's change, written out in one literal: a spread followed by
 * more properties (`{ ...base, event }`) makes Node 20's V8 build a new hidden class at every
 * call, which the chat did for every message (README, "What it costs, measured").
 */
const slaInput = (c: ConversationRow, at: Date, event: SlaEventInput['event']): SlaEventInput => ({ shopId: c.shopId, conversationId: c.id, priority: c.priority, at, event, status: c.status, locked: true });

/**
 * Where the conversation service reaches into its neighbours (SLA clocks, attachments, CSAT,
 * the work log), inside its own transaction where it passes one. Kept in one place so the
 * service reads as the chat's own rules. The SLA hooks answer how many timers they wrote to
 * the outbox.
 */
export const chatHooks = {
  /** A customer opened it: first-response and resolution clocks start. */
  created: (tx: Db, c: ConversationRow, at: Date) => applySlaEvent(tx, slaInput(c, at, 'created')),

  messageStored(tx: Db, c: ConversationRow, m: MessageRow, at: Date): Promise<number> {
    const event = chatHooks.slaEventOf(c, m, at);
    return event ? applySlaEvent(tx, event) : Promise.resolve(0);
  },

  /** The SLA event a stored message is (none for notes), with `c` the conversation after it. */
  slaEventOf(c: ConversationRow, m: MessageRow, at: Date): SlaEventInput | null {
    if (m.authorKind === 'customer') return slaInput(c, at, 'customer_message');
    if (m.authorKind === 'agent' && m.kind === 'text') return slaInput(c, at, 'agent_reply');
    return null;
  },

  statusChanged: (tx: Db, c: ConversationRow, at: Date) => applySlaEvent(tx, slaInput(c, at, 'status_changed')),

  claimAttachments(tx: Db, input: { shopId: string; conversationId: string; messageId: string; ids: string[]; author: Author }): Promise<AttachmentDto[]> {
    const { author, ...rest } = input;
    const uploader =
      author.kind === 'customer'
        ? { kind: 'customer' as const, id: author.principal.customerId }
        : { kind: 'agent' as const, id: author.actor.kind === 'user' ? author.actor.userId : author.actor.shopId };
    return claimAttachments(tx, { ...rest, uploader, audience: 'agent' });
  },

  attachmentsOf(db: Db, shopId: string, messageIds: string[], audience: 'customer' | 'agent'): Promise<Map<string, AttachmentDto[]>> {
    return messageIds.length ? attachmentsForMessages(db, shopId, messageIds, audience) : Promise.resolve(new Map());
  },

  customerAttachmentUrl,

  /** The rows in that SLA state at `now`: a condition on the conversation's own columns, so any shop's, or several shops'. */
  slaFilter: (state: 'at_risk' | 'breached', now: Date): SQL => slaStateCondition(state, now),

  rate: (deps: { db: Db } & EventSink, input: { shopId: string; customerId: string; conversationId: string; rating: number; comment?: string }) =>
    rateConversation(deps.db, deps, input).then(() => undefined),

  heartbeat: (db: Db, input: { shopId: string; userId: string; conversationId: string; at: Date }) => recordHeartbeat(db, input).then(() => undefined),

  /** Inside business hours (the shop's calendar, Japanese holidays) and whether an agent is online. */
  async availability(deps: { db: Db; presence: PresenceStore }, shopId: string): Promise<{ open: boolean; agentsOnline: boolean }> {
    const now = new Date();
    const [cal, online] = await Promise.all([loadCalendar(deps.db, shopId), deps.presence.onlineUserIds(shopId)]);
    return { open: businessMsBetween(now, new Date(now.getTime() + 60_000), cal) > 0, agentsOnline: online.length > 0 };
  },
};
