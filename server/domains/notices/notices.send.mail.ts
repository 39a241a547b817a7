import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { DomainError, isDomainError } from '../../core/errors.ts';
import type { ChatDeps } from '../conversations/conversations.service.ts';
import { postNotice } from '../conversations/conversations.notice.ts';
import { attemptMail, claimMails, recordAttempts, releaseMails, type ClaimedMail, type MailLogDeps } from '../maillog/maillog.send.ts';
import type { AttemptRecord } from '../maillog/maillog.repository.ts';
import { orders } from '../orders/orders.tables.ts';
import type { ShopRow } from '../shops/shops.repository.ts';
import { markRecipients, type CampaignRow, type RecipientOutcome, type RecipientRow } from './notices.campaigns.repository.ts';
import { noticeAsOf, noticeRenderer, noticeShopOf } from './notices.render.ts';
import { isPerOrderType, type NoticeContext, type NoticeOrder, type NoticeWording, type RenderedNotice } from './notices.types.ts';

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

/** Outcomes written together (or after FLUSH_AFTER_MS, or at the chunk's end): few, so a crash sends few again (kill test: under 20 with 16 in flight). */
const FLUSH_AT = 8;
const FLUSH_AFTER_MS = 100;

/** One recipient of a chunk: their rendered notice and claimed mail, or why they fail at once. */
interface Prepared {
  r: RecipientRow;
  messageId: string;
  notice?: ReturnType<typeof render>;
  mail?: ClaimedMail;
  failed?: string;
  /** Taken by a lane (its mail handed to the server, or its chat posted). */
  taken?: boolean;
}

export interface ChunkRun {
  /** Mails in flight at once over the (pooled) transport. */
  inFlight: number;
  /**
   * Before each recipient: false stops the chunk there (paused, cancelled, the shop's rate
   * reached); the rest stays queued. `mails`: this recipient's mail goes to the server (it
   * counts against the shop's rate).
   */
  proceed: (mails: boolean) => Promise<boolean>;
  /** After each flush: how many outcomes it wrote (for the console's progress). */
  flushed?: (n: number) => void;
}

/** What a chunk's run came to: its outcomes, and a transient mail error to throw once the rest is recorded. */
export interface ChunkResult {
  done: number;
  /** A connection error or a 4xx: what was done is recorded, the rest stays queued, and the chunk job is tried again. */
  retry?: unknown;
}

/**
 * Sends a chunk's recipients their notices with the database work batched: the notices
 * rendered, all their mail log rows claimed in one go (a Message-ID already sent answers sent
 * and goes nowhere; a suppressed or unsubscribed address answers suppressed; one suppression
 * lookup and the shop's unsubscribe key once), then each mail sent, `inFlight` at a time over
 * the (pooled) transport, and with the chat channel one message in their open chat (a client
 * id per recipient: posted once however often this runs). What became of them is written as they come
 * (whatever came while the previous flush was at the database: a chunk is at most a few hundred),
 * for the mail log and the recipients alike, one UPDATE each, while the next mails go. A process that dies before a flush leaves those recipients
 * queued: the chunk's retry sends them again under the same Message-IDs, and a mail whose log row
 * says sent is not sent twice. A chunk that stops early gives back the log rows of mails it never
 * attempted.
 */
export async function sendChunk(deps: NoticeSender, ctx: ChunkContext, rows: RecipientRow[], run: ChunkRun): Promise<ChunkResult> {
  const c = ctx.campaign;
  const db = deps.mail.db;
  const prepared: Prepared[] = rows.map((r) => {
    const messageId = noticeMessageId(c.id, r.id, deps.mailDomain);
    try {
      return { r, messageId, notice: render(ctx, r) };
    } catch (e) {
      // Checked at publication; a shop's data that changed since (an order's date) can still make it fail for one customer.
      if (!isDomainError(e)) throw e;
      return { r, messageId, failed: e.message };
    }
  });
  if (c.channels.mail) {
    const toMail = prepared.filter((p) => p.notice);
    const claimed = await claimMails(
      deps.mail,
      c.shopId,
      toMail.map((p) => ({
        shopId: c.shopId,
        kind: 'notice' as const,
        // A notice about the customer's own order is not bulk mail (see isBulk in maillog.send.ts).
        bulk: !isPerOrderType(c.type),
        messageId: p.messageId,
        about: { campaignId: c.id, orderNumber: p.r.orderNumbers[0], orderNumbers: p.r.orderNumbers },
        to: p.r.email,
        fromName: ctx.shop.mailSenderName ?? ctx.shop.name,
        subject: p.notice!.subject,
        text: p.notice!.text,
      })),
    );
    toMail.forEach((p, i) => (p.mail = claimed[i]));
  }

  let outcomes: RecipientOutcome[] = [];
  let records: AttemptRecord[] = [];
  let done = 0;
  let retry: unknown;
  let flushError: unknown;
  // Outcomes are written in the background while the lanes go on, one flush at a time: once
  // FLUSH_AT have come, or FLUSH_AFTER_MS after the oldest unwritten one (a slow mail server),
  // and at the end. Few wait unwritten (those a crash would send again), and the database
  // sees a handful of statements per chunk.
  let current: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const pump = (force = false) => {
    if (current || flushError !== undefined || (!outcomes.length && !records.length)) return;
    if (!force && outcomes.length < FLUSH_AT) {
      timer ??= setTimeout(() => ((timer = undefined), pump(true)), FLUSH_AFTER_MS);
      return;
    }
    clearTimeout(timer);
    timer = undefined;
    const [o, a] = [outcomes, records];
    [outcomes, records] = [[], []];
    current = (async () => {
      try {
        // The log first: a recipient whose row says sent has a log row that says so, and its retry sends nothing.
        await recordAttempts(db, c.shopId, a);
        await markRecipients(db, o);
        done += o.length;
        if (o.length) run.flushed?.(o.length);
      } catch (e) {
        flushError = e;
      }
    })().finally(() => {
      current = undefined;
      pump();
    });
  };
  const drain = async () => {
    pump(true);
    while (current) {
      await current;
      pump(true);
    }
  };
  const one = async (p: Prepared) => {
    const finish = (status: RecipientOutcome['status'], reason?: string | null) => {
      outcomes.push({ id: p.r.id, status, reason: reason ?? null, messageId: p.messageId, sentAt: status === 'sent' ? new Date() : null });
      pump();
    };
    if (p.failed !== undefined) return finish('failed', p.failed);
    let status: RecipientOutcome['status'] = 'sent';
    let reason: string | undefined;
    if (c.channels.chat) {
      const posted = await postNotice(deps.chat, { shopId: c.shopId, email: p.r.email, clientId: `notice-${p.r.id}`, from: `${ctx.shop.name}からのお知らせ / Notice`, body: p.notice!.chat });
      if (!c.channels.mail && posted === 'no_conversation') [status, reason] = ['suppressed', 'no open chat'];
    }
    if (p.mail) {
      const a = await attemptMail(deps.mail, p.mail);
      if (a.record) records.push(a.record);
      // Deferred: the recipient stays queued for the job's retry.
      if (a.retry) return void (retry ??= a.retry);
      [status, reason] = [a.outcome!.status, a.outcome!.reason];
    }
    finish(status, reason);
  };
  let next = 0;
  const lane = async () => {
    // A mail server that is away, or a flush that failed, stops the chunk: what is in flight ends, the rest stays queued.
    while (retry === undefined && flushError === undefined && next < prepared.length) {
      // The recipient is this lane's before it asks: a lane never counts a mail against the shop's
      // rate that another lane then sends, and only a mail that will go to the server counts
      // (not one already sent, suppressed, busy elsewhere, or failed before sending).
      const p = prepared[next++]!;
      const m = p.mail;
      if (!(await run.proceed(Boolean(m && !m.settled && !m.busy)))) return;
      p.taken = true;
      await one(p);
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(run.inFlight, prepared.length) }, lane));
  // Whatever happened, what was done is written before anything is thrown, and what was never
  // attempted is given back (even after a failed flush: its retry must not wait out the lease).
  try {
    await drain();
  } finally {
    await releaseMails(
      deps.mail,
      c.shopId,
      prepared.filter((p) => !p.taken && p.mail).map((p) => p.mail!),
    );
  }
  if (flushError !== undefined) throw flushError;
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
  return { done, ...(retry !== undefined ? { retry } : {}) };
}
