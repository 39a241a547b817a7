import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { DomainError, isDomainError } from '../../core/errors.ts';
import type { ChatDeps } from '../conversations/conversations.service.ts';
import { postNotice } from '../conversations/conversations.notice.ts';
import { sendLogged, type MailLogDeps } from '../maillog/maillog.send.ts';
import { orders } from '../orders/orders.tables.ts';
import type { ShopRow } from '../shops/shops.repository.ts';
import { markRecipient, type CampaignRow, type RecipientRow } from './notices.campaigns.repository.ts';
import { noticeAsOf, noticeRenderer, noticeShopOf } from './notices.render.ts';
import type { NoticeContext, NoticeOrder, NoticeWording, RenderedNotice } from './notices.types.ts';

/** What sending one recipient's notice needs, gathered once per chunk. */
export interface NoticeSender {
  mail: MailLogDeps;
  chat: Pick<ChatDeps, 'db' | 'bus' | 'writer'>;
  /** The domain of the stable Message-IDs (MAIL_FROM's). */
  mailDomain: string;
}

type ForRecipient = (recipient: NoticeContext['recipient']) => RenderedNotice;

export interface ChunkContext {
  campaign: CampaignRow;
  shop: ShopRow;
  /** The campaign's notice checked and compiled once per language, or why it cannot be (every recipient of the chunk then fails with it). */
  renderers: { ja: ForRecipient; en: ForRecipient } | { error: string };
  /** Each of the chunk's orders by number: when it was placed, its carrier and tracking number (each mail lists its recipient's own). */
  orders: Map<string, OrderFacts>;
}

/**
 * The renderers of a campaign's notice, as of when it went out (noticeAsOf: its publication, or
 * its start when scheduled; whatever minute each mail leaves). Checked at publication and at
 * the start; a failure now (a shop's wording version gone) is said per recipient rather than
 * thrown, so the chunk ends.
 */
export function campaignRenderers(c: CampaignRow, shop: ShopRow, wording: NoticeWording): ChunkContext['renderers'] {
  const ctx = { shop: noticeShopOf(shop), asOf: noticeAsOf(c) };
  try {
    return { ja: noticeRenderer(wording, 'ja', c.variables, ctx), en: noticeRenderer(wording, 'en', c.variables, ctx) };
  } catch (e) {
    if (!isDomainError(e)) throw e;
    return { error: `the notice could not be rendered: ${e.message}` };
  }
}

/** `<notice-<campaign>-<recipient>@<mail domain>>`: the same on every try, so a resend after a crash is recognisably the same mail. */
export const noticeMessageId = (campaignId: string, recipientId: string, domain: string) => `<notice-${campaignId}-${recipientId}@${domain}>`;

/** What a mail says of one order: only ever its own recipient's. */
export type OrderFacts = Omit<NoticeOrder, 'orderNumber'>;

/** The facts of the orders of a chunk's recipients (placed when, carrier, tracking number), in one read. */
export async function orderFacts(db: Db, shopId: string, numbers: string[]): Promise<Map<string, OrderFacts>> {
  if (!numbers.length) return new Map();
  const rows = await db
    .select({ n: orders.orderNumber, orderedAt: orders.orderedAt, carrier: orders.carrier, trackingNumber: orders.trackingNumber })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), inArray(orders.orderNumber, numbers)));
  return new Map(rows.map(({ n, ...facts }) => [n, facts]));
}

/** Japanese first, English after it: the shop's customers read one or the other, and neither is left out. */
function bilingual(ja: RenderedNotice, en: RenderedNotice) {
  return {
    subject: ja.subject,
    text: `${ja.text.trimEnd()}\n\n――――――――――――――――――――\nEnglish follows / 英語版\n――――――――――――――――――――\n\n${en.text.trimEnd()}\n`,
    chat: `${ja.chat}\n\n${en.chat}`,
  };
}

function render(ctx: ChunkContext, r: RecipientRow) {
  if ('error' in ctx.renderers) throw new DomainError('invalid_input', ctx.renderers.error);
  const recipient = { name: r.customerName, orders: r.orderNumbers.map((orderNumber) => ({ orderNumber, orderedAt: ctx.campaign.createdAt, ...ctx.orders.get(orderNumber) })) };
  return bilingual(ctx.renderers.ja(recipient), ctx.renderers.en(recipient));
}

/**
 * One recipient's notice: their mail (to the address on their orders, alone in its To, with the
 * stable Message-ID, through the delivery log, which skips a mail already sent and records a
 * suppressed address as such) and, with the chat channel, one message in their open chat (a
 * client id per recipient: posted once however often this runs). The row then says what
 * became of it. A mail server that is away throws: the chunk job is tried again later.
 */
export async function sendToRecipient(deps: NoticeSender, ctx: ChunkContext, r: RecipientRow): Promise<'sent' | 'failed' | 'suppressed'> {
  const c = ctx.campaign;
  const messageId = noticeMessageId(c.id, r.id, deps.mailDomain);
  let notice: ReturnType<typeof render>;
  try {
    notice = render(ctx, r);
  } catch (e) {
    // Checked at publication; a shop's data that changed since (an order's date) can still make it fail for one customer.
    if (!isDomainError(e)) throw e;
    await markRecipient(deps.mail.db, r.id, { status: 'failed', reason: e.message, messageId });
    return 'failed';
  }
  let status: 'sent' | 'failed' | 'suppressed' = 'sent';
  let reason: string | undefined;
  if (c.channels.chat) {
    const posted = await postNotice(deps.chat, { shopId: c.shopId, email: r.email, clientId: `notice-${r.id}`, from: `${ctx.shop.name}からのお知らせ / Notice`, body: notice.chat });
    if (!c.channels.mail && posted === 'no_conversation') [status, reason] = ['suppressed', 'no open chat'];
  }
  if (c.channels.mail) {
    const sent = await sendLogged(deps.mail, {
      shopId: c.shopId,
      kind: 'notice',
      bulk: true,
      messageId,
      about: { campaignId: c.id, orderNumber: r.orderNumbers[0], orderNumbers: r.orderNumbers },
      to: r.email,
      fromName: ctx.shop.mailSenderName ?? ctx.shop.name,
      subject: notice.subject,
      text: notice.text,
    });
    [status, reason] = [sent.status, sent.reason];
  }
  await markRecipient(deps.mail.db, r.id, { status, reason: reason ?? null, messageId, sentAt: status === 'sent' ? new Date() : null });
  return status;
}
