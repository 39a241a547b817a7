import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { invalidInput } from '../../core/errors.ts';
import type { Mailer } from '../../core/mail.ts';
import { render } from '../../core/templates.ts';
import { mailLogDeps, sendLogged } from '../maillog/maillog.send.ts';
import { senderNameOf } from '../shops/shops.mail.ts';
import { findShop } from '../shops/shops.repository.ts';
import { unsnooze } from './conversations.inbox.ts';
import { findCustomer } from './conversations.customers.repository.ts';
import { agentRepliesAfter, findConversation, raiseMailedSeq } from './conversations.repository.ts';
import { replyAddress, type InboundEmail } from './conversations.email.parse.ts';
import type { ChatDeps } from './conversations.service.ts';

export const REPLY_MAIL_TOPIC = 'conversation.reply_mail';
export const UNSNOOZE_TOPIC = 'conversation.unsnooze';

const replyPayload = z.object({ shopId: z.uuid(), conversationId: z.uuid(), seq: z.number().int().positive() });
const unsnoozePayload = z.object({ shopId: z.uuid(), conversationId: z.uuid(), until: z.string() });

const parse = <T>(schema: z.ZodType<T>, data: unknown, topic: string): T => {
  const r = schema.safeParse(data);
  if (!r.success) throw invalidInput(`not a ${topic} payload`, { fields: r.error.issues.map((i) => i.path.join('.')) });
  return r.data;
};

const tokyo = (d: Date, locale: string) => d.toLocaleString(locale, { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });

/**
 * An agent's reply the customer has not read by now goes out by mail, with any other unread
 * replies. Each reply schedules its own check; only the check of the newest unread reply
 * sends, so three quick replies make one mail. `customer_mailed_seq` keeps a retry or a
 * later check from mailing the same replies again. With replies by mail configured (`inbound`),
 * the mail's Reply-To is the conversation's signed reply address.
 */
export async function sendReplyMail(deps: { db: Db; mailer: Mailer; baseUrl: string; inbound?: Pick<InboundEmail, 'secret' | 'domain'> }, data: unknown): Promise<'sent' | 'failed' | 'skipped'> {
  const p = parse(replyPayload, data, REPLY_MAIL_TOPIC);
  const c = await findConversation(deps.db, p.shopId, p.conversationId);
  if (!c) return 'skipped';
  const seen = Math.max(c.customerReadSeq, c.customerMailedSeq);
  if (seen >= p.seq) return 'skipped';
  const unread = await agentRepliesAfter(deps.db, p.shopId, c.id, seen);
  if (!unread.length || unread.at(-1)!.seq > p.seq) return 'skipped';
  const [customer, shop] = await Promise.all([findCustomer(deps.db, p.shopId, c.customerId), findShop(deps.db, p.shopId)]);
  if (!customer?.email || !shop) return 'skipped';
  // The Message-ID names the newest reply it carries: a retry after the mail went out sends nothing again.
  const sent = await sendLogged(mailLogDeps(deps), {
    shopId: p.shopId,
    kind: 'reply',
    about: { conversationId: c.id, ...(c.orderNumber ? { orderNumber: c.orderNumber } : {}) },
    messageId: `reply-${c.id}-${p.seq}`,
    to: customer.email,
    fromName: senderNameOf(shop),
    ...(deps.inbound ? { replyTo: replyAddress(deps.inbound, c.id) } : {}),
    subject: `【${shop.name}】お問い合わせ #${c.number} へのご返信 / Reply to your enquiry #${c.number}`,
    text: render(
      'mail/conversation-reply',
      {
        customerName: customer.name,
        shopName: shop.name,
        number: c.number,
        canReply: Boolean(deps.inbound),
        replies: unread.map((m) => ({ authorName: m.authorName, body: m.body, atJa: tokyo(m.createdAt, 'ja-JP'), atEn: `${tokyo(m.createdAt, 'en-GB')} JST` })),
      },
      { text: true },
    ),
  });
  // A refused address (5xx) is refused for these replies too: they are marked mailed, and the log says why not.
  await raiseMailedSeq(deps.db, p.shopId, c.id, p.seq);
  return sent.status === 'failed' ? 'failed' : 'sent';
}

export async function runUnsnooze(deps: Pick<ChatDeps, 'db' | 'bus' | 'poke' | 'timing' | 'logger'>, data: unknown): Promise<boolean> {
  const p = parse(unsnoozePayload, data, UNSNOOZE_TOPIC);
  return unsnooze(deps, p.shopId, p.conversationId, p.until);
}
