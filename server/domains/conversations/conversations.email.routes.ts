import type { Middleware } from 'koa';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import type { Api } from '../../core/route.ts';
import { sameSecret, secretHash } from '../../core/secrets.ts';
import { receiveEmail, type InboundEmail } from './conversations.email.ts';
import type { ChatDeps } from './conversations.service.ts';

export const INBOUND_EMAIL_PATH = '/api/inbound/email';

const MAIL_TYPES = ['message/rfc822', 'text/plain', 'application/octet-stream'];

const inboundAnswer = z.union([
  z.object({
    conversationId: z.uuid(),
    messageId: z.uuid(),
    seq: z.number().int(),
    duplicate: z.boolean(),
    opened: z.boolean(),
  }),
  z.object({ ignored: z.enum(['automatic_reply', 'not_a_delivery_report', 'delivery_delayed', 'delivered', 'another_mail']) }),
  // The mail log's: a delivery report to a VERP return path, an unsubscribe by mail.
  z.object({ bounce: z.object({ logId: z.uuid(), dsnStatus: z.string(), hard: z.boolean(), duplicate: z.boolean(), suppressed: z.boolean() }) }),
  z.object({ unsubscribed: z.object({ logId: z.uuid(), duplicate: z.boolean() }) }),
]);

/**
 * Runs before the route reads the body, so a caller without the secret is turned away before
 * it can make us read megabytes. Hashes are compared so the secret's length does not show.
 */
function inboundGuard(inbound: InboundEmail | undefined): Middleware {
  return async (ctx, next) => {
    if (!inbound) throw new DomainError('not_found', 'replies by mail are not set up here (INBOUND_EMAIL_SECRET and INBOUND_EMAIL_DOMAIN)');
    const given = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'))?.[1] ?? '';
    if (!sameSecret(secretHash(given), secretHash(inbound.secret))) throw new DomainError('unauthenticated', 'send the inbound mail secret as Authorization: Bearer <INBOUND_EMAIL_SECRET>');
    if (!ctx.is(MAIL_TYPES)) throw new DomainError('unsupported_media_type', 'send the raw mail as message/rfc822');
    await next();
  };
}

/** Inbound mail from the mail server (an MTA pipe or a provider's raw-MIME webhook). */
export function conversationEmailRoutes(api: Api, deps: ChatDeps, inbound: InboundEmail | undefined): void {
  // Same path and method as the route below: @koa/router runs both, this one first.
  api.router.post(INBOUND_EMAIL_PATH, inboundGuard(inbound));
  api.route({
    method: 'post',
    path: INBOUND_EMAIL_PATH,
    tag: 'Inbound mail',
    summary: "A customer's mail, raw (RFC 822), as the mail server received it: a reply to a conversation or a new email ticket",
    description: [
      'Authenticated with `Authorization: Bearer <INBOUND_EMAIL_SECRET>`; 404 when replies by mail are not configured.',
      'A recipient (To, Cc, Delivered-To or X-Original-To) `reply+<conversationId>.<signature>@<INBOUND_EMAIL_DOMAIN>`, as reply mails carry in Reply-To, adds the mail to that conversation (a closed one gets a new conversation);',
      '`shop+<shopId>@<INBOUND_EMAIL_DOMAIN>` opens a new email ticket for the sender.',
      'A delivery report (RFC 3464) to a return path `bounce+<mail>.<signature>@<INBOUND_EMAIL_DOMAIN>` marks that mail bounced in the mail log (a hard bounce, or a second soft one within 30 days, suppresses the address for bulk mail; the same report again changes nothing; an out-of-office answer there, or a report returning another mail’s Message-ID, is ignored);',
      'mail to `unsub+<mail>.<signature>@…` (a List-Unsubscribe mailto:) unsubscribes its recipient from the shop\'s notices.',
      'The quoted earlier mail is removed. The same Message-ID posted again is stored once (`duplicate: true`). Attachments in the mail are not stored yet.',
      'A 4xx answer means the mail cannot be taken (bounce it); 5xx means try again later.',
    ].join(' '),
    auth: 'public',
    bodyKind: 'binary',
    bodyTypes: MAIL_TYPES,
    bodyLimitBytes: inbound?.limitBytes ?? 1,
    response: inboundAnswer,
    errors: ['invalid_input', 'unauthenticated', 'not_found', 'payload_too_large', 'unsupported_media_type'],
    handler: ({ body, requestId }) => receiveEmail(deps, inbound!, body as Buffer, requestId),
  });
}
