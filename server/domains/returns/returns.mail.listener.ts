import type { Mailer } from '../../core/mail.ts';
import { render } from '../../core/templates.ts';
import type { DomainEvent, ReturnStepEventName } from '../../events/catalog.ts';
import { senderNameOf } from '../shops/shops.mail.ts';
import { mailLogDeps, sendLogged } from '../maillog/maillog.send.ts';
import { customerNoticeOf, stepOfEvent } from './returns.customer-notice.ts';
import type { Db } from '../../core/db/client.ts';

export interface ReturnMailDeps {
  db: Db;
  mailer: Mailer;
  baseUrl: string;
  /** Inbound mail, when configured: bounces come back to it. */
  inbound?: { domain: string; secret: string };
}

/**
 * Listener `return-customer-mail`: mails the customer about the step the event names, to the
 * address on the order and nowhere else; steps that are the shop's own business send nothing.
 * The event's id makes the Message-ID, so a retry after the mail server took it sends nothing
 * again (one that dies between the two sends the same mail again, recognisably).
 */
export async function mailReturnStep(deps: ReturnMailDeps, e: DomainEvent<ReturnStepEventName>): Promise<'sent' | 'failed' | 'suppressed' | 'skipped'> {
  const found = await customerNoticeOf(deps.db, e.payload.shopId, e.payload.returnId, stepOfEvent(e.name));
  if (!found) return 'skipped';
  const { r, order, shop, notice } = found;
  const sent = await sendLogged(mailLogDeps(deps), {
    shopId: shop.id,
    kind: 'return_update',
    about: { returnId: r.id, orderNumber: order.orderNumber },
    messageId: `return-${e.id}`,
    to: order.customerEmail,
    fromName: senderNameOf(shop),
    subject: `【${shop.name}】R-${r.number} ${notice.subjectJa} / ${notice.subjectEn}`,
    text: render(
      'mail/return-update',
      {
        customerName: order.customerName,
        shopName: shop.name,
        orderNumber: order.orderNumber,
        number: r.number,
        kindJa: r.kind === 'exchange' ? '交換のお申し込み' : '返品のお申し込み',
        kindEn: r.kind === 'exchange' ? 'exchange request' : 'return request',
        ja: notice.ja,
        en: notice.en,
        termsUrl: `${deps.baseUrl}/shops/${shop.id}/return-terms`,
      },
      { text: true },
    ),
  });
  return sent.status;
}
