import { z } from 'zod';
import { requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { checkMailDns, type MailDnsSetup, type TxtResolver } from './maillog.dns.ts';
import { dnsCheck, mailLogDetail, mailLogPage, mailLogParams, mailLogQuery, suppressionParams, suppressionView } from './maillog.schema.ts';
import { deleteSuppression, getMailLogEntry, getSuppressions, listMailLog } from './maillog.service.ts';
import { suppressionReasons } from './maillog.model.ts';

export interface MailLogRouteDeps {
  db: Db;
  /** The sending setup the DNS check is about (from MAIL_FROM, DKIM_*, INBOUND_EMAIL_DOMAIN). */
  setup: MailDnsSetup;
  resolver: TxtResolver;
}

export function mailLogRoutes(api: Api, deps: MailLogRouteDeps): void {
  const tag = 'Mail log';
  const { db } = deps;
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/mail-log',
    tag,
    summary: 'Every mail sent for the shop, newest first, with what became of it (sent, deferred, bounced, failed, suppressed); addresses masked for contractors',
    description: 'Narrow by kind, status, a part of the recipient address (not for contractors), the conversation, order, return or campaign it concerns, and days sent (Japan time). Page with `cursor` = `next`.',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    query: mailLogQuery,
    response: mailLogPage,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, query, requestId }) => listMailLog(db, actor, query, deps.setup.mailDomain, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/mail-log/:id',
    tag,
    summary: 'One mail, with its delivery report as received (not for contractors) and the suppressions of its address',
    auth: 'sessionOrApiKey',
    params: mailLogParams,
    response: mailLogDetail,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, params, requestId }) => getMailLogEntry(db, actor, params.id, deps.setup.mailDomain, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/mail-suppressions',
    tag,
    summary: "The addresses the shop's bulk mail (notices) no longer goes to: hard bounces, two soft bounces within 30 days, unsubscribes (owner, staff)",
    auth: 'session',
    params: shopIdParams,
    response: z.object({ suppressions: z.array(suppressionView) }),
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, requestId }) => getSuppressions(db, actor, requestId),
  });
  api.route({
    method: 'delete',
    path: '/api/shops/:shopId/mail-suppressions/:address',
    tag,
    summary: "Lifts an address's bounce suppressions (owner, staff); an unsubscribe is the customer's and stays (409)",
    auth: 'session',
    params: suppressionParams,
    response: z.object({ lifted: z.array(z.enum(suppressionReasons)), remaining: z.array(z.enum(suppressionReasons)) }),
    errors: ['not_found', 'forbidden', 'conflict'],
    handler: ({ actor, params, requestId }) => deleteSuppression(db, actor, params.address, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/mail-settings/dns',
    tag,
    summary: 'The SPF, DKIM and DMARC records the sending domain needs, and whether DNS has them (owner, staff)',
    description: "The sending domain is MAIL_FROM's; DKIM is DKIM_DOMAIN's with DKIM_SELECTOR. Each record says what to publish, what DNS answered, and what is wrong in Japanese and English.",
    auth: 'session',
    params: shopIdParams,
    response: dnsCheck,
    errors: ['not_found', 'forbidden'],
    handler: async ({ actor }) => {
      requireRole(actor, 'owner', 'staff');
      const records = await checkMailDns(deps.resolver, deps.setup);
      return { domain: deps.setup.mailDomain, dkimSelector: deps.setup.dkim?.keySelector ?? null, records, checkedAt: new Date().toISOString() };
    },
  });
}
