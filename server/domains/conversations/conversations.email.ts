import type { Actor } from '../../core/actor.ts';
import type { Config } from '../../config.ts';
import { invalidInput, isDomainError } from '../../core/errors.ts';
import { findMailMessage, findSignedConversation, lockMail } from './conversations.email.repository.ts';
import { mailTarget, oneLine, readMail, replyBody, type InboundEmail, type InboundMail } from './conversations.email.parse.ts';
import { findShop } from '../shops/shops.repository.ts';
import { findCustomer } from './conversations.customers.repository.ts';
import { findConversation, type ConversationRow } from './conversations.repository.ts';
import { chatSink, sendMessage, type ChatDeps } from './conversations.service.ts';
import { transact } from '../../events/commit.ts';
import { insertTicket, ticketOpened, type NewTicket } from './conversations.tickets.ts';
import { mailLogTarget, receiveBounce, receiveUnsubscribeMail, type BounceAnswer } from '../maillog/maillog.inbound.ts';

export type { InboundEmail } from './conversations.email.parse.ts';
export { replyAddress, shopAddress } from './conversations.email.parse.ts';

/** Replies by mail when both INBOUND_EMAIL_SECRET and INBOUND_EMAIL_DOMAIN are set; otherwise undefined. */
export function inboundEmailConfig(c: Pick<Config, 'INBOUND_EMAIL_SECRET' | 'INBOUND_EMAIL_DOMAIN' | 'INBOUND_EMAIL_LIMIT_MB'>): InboundEmail | undefined {
  if (!c.INBOUND_EMAIL_SECRET || !c.INBOUND_EMAIL_DOMAIN) return undefined;
  return { secret: c.INBOUND_EMAIL_SECRET, domain: c.INBOUND_EMAIL_DOMAIN.toLowerCase(), limitBytes: Math.floor(c.INBOUND_EMAIL_LIMIT_MB * 1024 * 1024) };
}

export interface InboundAnswer {
  conversationId: string;
  messageId: string;
  seq: number;
  /** The same mail was stored before; nothing was written this time. */
  duplicate: boolean;
  /** A new conversation was opened for this mail (shop address, or a reply to a closed one). */
  opened: boolean;
}

const mailActor = (shopId: string): Actor => ({ kind: 'system', shopId, name: 'email' });

/**
 * Takes one raw mail as the mail server received it. A reply to a signed reply address is the
 * customer's next message in that conversation (sent through `sendMessage`, so reopening, SLA
 * clocks and live updates happen as for the widget), or opens a new email ticket when that
 * conversation is closed. Mail to a shop address opens an email ticket for the sender. The
 * same mail posted twice is stored once. Attachments in the mail are not stored (yet).
 *
 * @example
 * // POST /api/inbound/email with the raw message as the body
 * const answer = await receiveEmail(chat, inbound, rawBytes, requestId);
 */
export async function receiveEmail(
  deps: ChatDeps,
  inbound: InboundEmail,
  raw: Buffer,
  requestId?: string,
): Promise<InboundAnswer | BounceAnswer | Awaited<ReturnType<typeof receiveUnsubscribeMail>>> {
  const mail = await readMail(raw);
  // Delivery reports and unsubscribe mails for the mail log (server/domains/maillog). Before
  // the automatic-reply check: a DSN is itself an automatic mail (Auto-Submitted: auto-replied).
  const log = mailLogTarget(inbound.domain, mail.recipients);
  if (log?.kind === 'bounce') return receiveBounce(deps.db, inbound, log.token, raw, { automatic: mail.automatic, from: mail.from?.address ?? null });
  if (log?.kind === 'unsubscribe') return receiveUnsubscribeMail(deps.db, log.token, mail);
  // Accepted (so the mail server does not bounce it back) but not stored: an out-of-office
  // answer is not the customer speaking, and must not reopen a resolved conversation.
  if (mail.automatic) return { ignored: 'automatic_reply' };
  const target = mailTarget(inbound, mail.recipients);
  const body = replyBody(mail.text);
  if (target.kind === 'reply') return replyToConversation(deps, target.conversationId, mail, body, requestId);
  return mailToShop(deps, target.shopId, mail, body, requestId);
}

/** The conversation a reply continues: the one named, or the one it was merged into; none when closed. */
async function liveConversation(deps: ChatDeps, c: ConversationRow): Promise<ConversationRow | undefined> {
  const live = c.mergedIntoId ? await findConversation(deps.db, c.shopId, c.mergedIntoId) : c;
  return live && live.status !== 'closed' && !live.mergedIntoId ? live : undefined;
}

async function replyToConversation(deps: ChatDeps, conversationId: string, mail: InboundMail, body: string, requestId?: string): Promise<InboundAnswer> {
  const c = await findSignedConversation(deps.db, conversationId);
  const customer = c && (await findCustomer(deps.db, c.shopId, c.customerId));
  if (!c || !customer) throw invalidInput('the conversation of this reply address no longer exists');
  const seen = await findMailMessage(deps.db, c.shopId, { customerId: customer.id }, mail.clientId);
  if (seen) return { conversationId: seen.conversationId, messageId: seen.id, seq: seen.seq, duplicate: true, opened: false };
  const live = await liveConversation(deps, c);
  if (live) {
    try {
      const author = { kind: 'customer' as const, principal: { shopId: c.shopId, customerId: customer.id, customer } };
      const r = await sendMessage(deps, author, { conversationId: live.id, clientId: mail.clientId, body });
      return { conversationId: live.id, messageId: r.message.id, seq: r.message.seq, duplicate: r.duplicate, opened: false };
    } catch (e) {
      // Closed or merged between our look and the write: the reply starts a new conversation instead.
      if (!isDomainError(e) || (e.code !== 'invalid_transition' && e.code !== 'conflict')) throw e;
    }
  }
  const ticket: NewTicket = { customer: { id: customer.id }, subject: `Re: #${c.number}`, orderNumber: c.orderNumber ?? undefined, message: { clientId: mail.clientId, body } };
  return openEmailTicket(deps, c.shopId, { customerId: customer.id }, ticket, requestId);
}

async function mailToShop(deps: ChatDeps, shopId: string, mail: InboundMail, body: string, requestId?: string): Promise<InboundAnswer> {
  if (!(await findShop(deps.db, shopId))) throw invalidInput('no shop has this shop+… address');
  const address = mail.from?.address.toLowerCase();
  if (!address || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) || address.length > 254) throw invalidInput('the mail has no usable From address to answer to');
  const name = oneLine(mail.from?.name, 100) || address.slice(0, address.indexOf('@')).slice(0, 100);
  const ticket: NewTicket = { customer: { name, email: address }, subject: oneLine(mail.subject, 200) || undefined, message: { clientId: mail.clientId, body } };
  return openEmailTicket(deps, shopId, { email: address }, ticket, requestId);
}

/**
 * A new email ticket, unless this mail already made one: the advisory lock makes a resend
 * that arrives while the first is being stored wait, then find it.
 */
async function openEmailTicket(deps: ChatDeps, shopId: string, who: { customerId: string } | { email: string }, ticket: NewTicket, requestId?: string): Promise<InboundAnswer> {
  const r = await transact(deps.db, chatSink(deps), async (tx, out) => {
    await lockMail(tx, shopId, ticket.message.clientId);
    const seen = await findMailMessage(tx, shopId, who, ticket.message.clientId);
    if (seen) return { seen };
    const opened = await insertTicket(tx, mailActor(shopId), ticket, { channel: 'email', now: new Date(), requestId });
    ticketOpened(out, deps, opened);
    return { opened };
  });
  if (r.seen) return { conversationId: r.seen.conversationId, messageId: r.seen.id, seq: r.seen.seq, duplicate: true, opened: false };
  return { conversationId: r.opened.conversation.id, messageId: r.opened.message.id, seq: r.opened.message.seq, duplicate: false, opened: true };
}
