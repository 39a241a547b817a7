import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import type { EventSink } from '../../events/commit.ts';
import { sendStoredFile } from '../../core/http.ts';
import { htmlErrorPages } from '../../core/pages.ts';
import type { Api } from '../../core/route.ts';
import type { FileStorage } from '../../core/storage.ts';
import type { InboxPageCache } from '../conversations/conversations.pagecache.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { publicTermsAnswer, reasonsReportAnswer, returnAnswer, returnListAnswer, returnTermsAnswer } from './returns.answers.schema.ts';
import { fileReturnBody, listReturnsQuery, moveReturnBody, previewReturnBody, returnParams, revealBankBody } from './returns.schema.ts';
import { fileReturn, previewReturn } from './returns.service.ts';
import { getReturnFor, listShopReturns, revealBankAccount, viewPhoto } from './returns.queries.ts';
import { getReturnTerms, previewTermsPage, publicTerms, publicTermsPage, publishReturnTerms, publicTermsSnippet } from './returns.terms.ts';
import { returnTermsInput } from './returns.terms.schema.ts';
import { moveReturn } from './returns.transitions.ts';
import { fileRefusedDelivery, refusedDeliveryBody } from './returns.refused.ts';
import { exchangeItemsBody, setExchangeItems } from './returns.exchange.ts';
import { reasonsQuery, returnReasonsCsv, returnReasonsReport } from './returns.report.ts';

// Not strict: links to the legal page carry tracking parameters (utm_*, gclid) that must not turn it into a 400.
const langQuery = z.object({ lang: z.enum(['ja', 'en']).catch('ja').default('ja') });

/** Return terms: owners publish versions; anyone may read the current one as a page, JSON or an embeddable snippet. */
export function returnTermsRoutes(api: Api, db: Db): void {
  const tag = 'Return terms';
  // Before the page's route: a customer's browser gets an HTML page for any error, a 503 one while the database is away.
  api.router.use('/shops/:shopId/return-terms', htmlErrorPages());
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/return-terms',
    tag,
    summary: 'The return terms in force now (or the statutory rule) and every published version',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    response: returnTermsAnswer,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => getReturnTerms(db, actor),
  });
  api.route({
    method: 'put',
    path: '/api/shops/:shopId/return-terms',
    tag,
    summary: 'Publish a new version of the return terms (owner)',
    description: 'Orders placed from now on are judged by it; orders placed before keep the version in force when they were placed. Two owners publishing at once: one 200, one 409.',
    auth: 'session',
    params: shopIdParams,
    body: returnTermsInput,
    errors: ['invalid_input', 'not_found', 'forbidden', 'conflict'],
    handler: ({ actor, body, requestId }) => publishReturnTerms(db, actor, body, requestId),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/return-terms/preview',
    tag,
    summary: 'The public page as a draft of the terms would render it (owner); nothing is saved',
    auth: 'session',
    params: shopIdParams,
    query: langQuery,
    body: returnTermsInput,
    response: z.object({ html: z.string() }),
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: async ({ actor, body, query }) => ({ html: await previewTermsPage(db, actor, body, query.lang) }),
  });
  api.route({
    method: 'get',
    path: '/api/public/shops/:shopId/return-terms',
    tag,
    summary: 'The terms in force, as data and as the sections of the published page in ja and en; CORS for the shop’s origins',
    auth: 'public',
    params: shopIdParams,
    response: publicTermsAnswer,
    errors: ['not_found'],
    handler: ({ params }) => publicTerms(db, params.shopId),
  });
  api.route({
    method: 'get',
    path: '/api/public/shops/:shopId/return-terms/snippet',
    tag,
    summary: 'An HTML fragment of the terms for the shop’s final confirmation screen (特定商取引法 §12-6)',
    produces: { type: 'text/html', description: 'an HTML fragment (ja, or en with ?lang=en)' },
    auth: 'public',
    params: shopIdParams,
    query: langQuery,
    errors: ['not_found'],
    handler: async ({ params, query, ctx }) => {
      const html = await publicTermsSnippet(db, params.shopId, query.lang);
      ctx.type = 'html';
      ctx.body = html;
    },
  });
  api.route({
    method: 'get',
    path: '/shops/:shopId/return-terms',
    tag,
    summary: 'The published page: the return part of the 「特定商取引法に基づく表記」 (?lang=en for English)',
    produces: { type: 'text/html', description: 'the page' },
    auth: 'public',
    params: shopIdParams,
    query: langQuery,
    errors: ['not_found'],
    handler: async ({ params, query, ctx }) => {
      ctx.type = 'html';
      ctx.body = await publicTermsPage(db, params.shopId, query.lang);
    },
  });
}

/** Return requests in the console and through the shop's API key. */
export function returnRoutes(api: Api, deps: { db: Db; storage: FileStorage; sink: EventSink; pages?: InboxPageCache }): void {
  const { db, storage, sink } = deps;
  const tag = 'Returns';
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/returns',
    tag,
    summary: 'Return requests, newest first',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    query: listReturnsQuery,
    response: returnListAnswer,
    errors: ['invalid_input', 'not_found', 'forbidden'],
    along: deps.pages?.alongList.returns,
    handler: ({ actor, query, along }) => listShopReturns(db, actor, query, deps.pages, along),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/returns/reasons',
    tag,
    summary: 'Why products come back: returned quantities by product, reason and Tokyo month (the shop’s customer voice)',
    auth: 'session',
    params: shopIdParams,
    query: reasonsQuery,
    response: reasonsReportAnswer,
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: ({ actor, query }) => returnReasonsReport(db, actor, query),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/returns/reasons.csv',
    tag,
    summary: 'The same report as CSV for Excel (UTF-8 with BOM); the export is audited',
    produces: { type: 'text/csv', description: 'UTF-8 with BOM, for Excel' },
    auth: 'session',
    params: shopIdParams,
    query: reasonsQuery,
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: async ({ actor, query, ctx, requestId }) => {
      const { csv, name } = await returnReasonsCsv(db, actor, query, requestId);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.attachment(name);
      ctx.body = csv;
    },
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/returns/preview',
    tag,
    summary: 'What a return would come to and which rules it meets, without filing it',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    body: previewReturnBody,
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: ({ actor, body }) => previewReturn(db, { kind: 'staff', actor }, body),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/returns',
    tag,
    summary: 'File a return, exchange or defect claim for an order',
    description: 'Refused with the failed checks when the terms in force at the order do not allow it (defects and wrong items are never refused for the window or a tag). Rules may approve it at once.',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    body: fileReturnBody,
    status: 201,
    errors: ['invalid_input', 'not_found', 'forbidden', 'conflict'],
    handler: ({ actor, body, requestId }) => fileReturn(db, { kind: 'staff', actor }, body, { source: actor.kind === 'api_key' ? 'api' : 'console', sink, requestId }),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/returns/refused-deliveries',
    tag,
    summary: 'Record a refused delivery (受け取り拒否): the whole parcel came back; who pays follows the fault and the terms',
    description: 'Starts as received. fault "shop": everything is refunded; "customer": only the charges the terms state for a refusal are kept. A COD order has nothing to refund and shows what is owed.',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    body: refusedDeliveryBody,
    status: 201,
    errors: ['invalid_input', 'not_found', 'forbidden', 'conflict'],
    handler: ({ actor, body, requestId }) => fileRefusedDelivery(db, actor, body, { sink, requestId }),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/returns/:returnId',
    tag,
    summary: 'One return: items, policy check, legal basis, refund calculation, history, and the moves the caller may make',
    auth: 'sessionOrApiKey',
    params: returnParams,
    response: returnAnswer,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, params, requestId }) => getReturnFor(db, { kind: 'staff', actor }, params.returnId, { requestId }),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/returns/:returnId/photos/:photoId',
    tag,
    summary: 'A photo the customer sent with the claim (image bytes; each view is audited)',
    produces: { type: 'image/*', description: 'the photo as it was sent (JPEG, PNG, GIF or WebP)' },
    auth: 'sessionOrApiKey',
    params: returnParams.extend({ photoId: z.uuid({ message: 'expected a photo id' }) }),
    errors: ['not_found', 'forbidden'],
    handler: async ({ actor, params, ctx, requestId }) => sendStoredFile(ctx, await viewPhoto(db, storage, actor, params.returnId, params.photoId, requestId)),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/returns/:returnId/reveal-bank',
    tag,
    summary: 'The bank details of a transfer refund, unmasked, with a written reason (for contractors; audited)',
    auth: 'session',
    params: returnParams,
    body: revealBankBody,
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: ({ actor, params, body, requestId }) => revealBankAccount(db, actor, params.returnId, body.reason, requestId),
  });
  api.route({
    method: 'put',
    path: '/api/shops/:shopId/returns/:returnId/exchange-items',
    tag,
    summary: 'Set what an exchange sends out; the difference either side pays is computed again',
    description: 'Until the exchange is under way (needs_review … inspected). 409 for a return that is not an exchange or has moved past that.',
    auth: 'sessionOrApiKey',
    params: returnParams,
    body: exchangeItemsBody,
    errors: ['invalid_input', 'not_found', 'forbidden', 'conflict', 'invalid_transition'],
    handler: ({ actor, params, body, requestId }) => setExchangeItems(db, actor, params.returnId, body, { sink, requestId }),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/returns/:returnId/transitions',
    tag,
    summary: 'Move a return by one event (approve, reject with a reason code, receive, refund, …)',
    description: 'expectedStatus guards against acting on a stale view: another status answers 409, as does losing a race with another person.',
    auth: 'sessionOrApiKey',
    params: returnParams,
    body: moveReturnBody,
    errors: ['invalid_input', 'not_found', 'forbidden', 'conflict', 'invalid_transition'],
    handler: ({ actor, params, body, requestId }) => moveReturn(db, { kind: 'staff', actor }, params.returnId, body, { sink, requestId }),
  });
}
