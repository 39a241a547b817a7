import type { Context } from 'koa';
import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import type { Api } from '../../core/route.ts';
import type { InboxPageCache } from '../conversations/conversations.pagecache.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { importOrdersCsv, previewOrdersCsv } from './orders.import.ts';
import { deleteImportMapping, getImportMapping, putImportMapping } from './orders.mapping.ts';
import { getOrderLinks } from './orders.links.ts';
import {
  importMappingAnswer,
  importMappingInput,
  importPreview,
  importQuery,
  importReport,
  listOrdersQuery,
  orderInput,
  orderLinks,
  orderParams,
  orderView,
  putOrderQuery,
  revealBody,
  upsertResult,
} from './orders.schema.ts';
import { listShopOrders } from './orders.list.ts';
import { getOrder, putOrder, revealOrderField } from './orders.service.ts';

/** `?encoding=` wins; else the charset of the Content-Type; else detect. */
function encodingHint(ctx: Context, query: string): 'utf-8' | 'shift_jis' | 'auto' {
  const charset = (query !== 'auto' ? query : ctx.request.charset || 'auto').toLowerCase().replace(/[_-]/g, '');
  if (charset === 'auto') return 'auto';
  if (charset === 'utf8') return 'utf-8';
  if (['shiftjis', 'sjis', 'windows31j', 'cp932', 'ms932'].includes(charset)) return 'shift_jis';
  const message = `unsupported charset "${charset}"; send UTF-8 or Shift_JIS`;
  throw new DomainError('unsupported_media_type', message, [{ path: 'charset', message, ja: `文字コード「${charset}」には対応していません。UTF-8 か Shift_JIS で送ってください` }]);
}

export function orderRoutes(api: Api, db: Db, pages?: InboxPageCache): void {
  const tag = 'Orders';
  api.route({
    method: 'put',
    path: '/api/shops/:shopId/orders/:orderNumber',
    tag,
    summary: 'Create or replace an order (idempotent by shop and order number)',
    description:
      'For the shop platform (API key) and the merchant (owner, staff). Answers 201 when created, 200 when updated or unchanged. With `?dryRun=true` the order is judged and the answer says what would happen (200), and nothing is stored.',
    auth: 'sessionOrApiKey',
    params: orderParams,
    query: putOrderQuery,
    body: orderInput,
    response: upsertResult,
    errors: ['not_found', 'forbidden', 'unsupported_media_type', 'payload_too_large'],
    handler: async ({ actor, params, query, body, ctx, requestId }) => {
      const out = await putOrder(db, actor, params.orderNumber, body, requestId, { dryRun: query.dryRun === 'true' });
      ctx.status = out.result === 'created' && !out.dryRun ? 201 : 200;
      return out;
    },
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/orders/import',
    tag,
    summary: 'Import orders from a CSV file (UTF-8 or Shift_JIS, one row per order line): madoguchi\'s columns, a platform\'s export, or the saved mapping',
    description:
      "Good orders are imported in one transaction; every bad row is reported with its line number, the file's own column and the reason, and an order with a bad row is not imported. Importing the same file again changes nothing. The exports of Shopify, BASE, STORES, カラーミーショップ and MakeShop are recognised from their header row (`preset` in the answer); any other file is read with the shop's saved column mapping (`?mapping=saved` forces it).",
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    query: importQuery,
    bodyKind: 'csv',
    response: importReport,
    errors: ['not_found', 'forbidden', 'unsupported_media_type', 'payload_too_large'],
    handler: ({ actor, query, body, ctx, requestId }) =>
      importOrdersCsv(db, actor, body as unknown as Buffer, encodingHint(ctx, query.encoding), requestId, query.mapping),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/orders/import/preview',
    tag,
    summary: "A CSV file's header row, detected layout, suggested column for each field and first rows (contact cells masked), for the mapping step; nothing is stored",
    auth: 'session',
    params: shopIdParams,
    query: z.strictObject({ encoding: z.enum(['auto', 'utf-8', 'shift_jis']).default('auto') }),
    bodyKind: 'csv',
    response: importPreview,
    errors: ['not_found', 'forbidden', 'unsupported_media_type', 'payload_too_large'],
    handler: ({ actor, query, body, ctx }) => previewOrdersCsv(db, actor, body as unknown as Buffer, encodingHint(ctx, query.encoding)),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/orders/import/mapping',
    tag,
    summary: "The shop's saved column mapping for order files (owner, staff) and the fields a mapping can fill",
    auth: 'session',
    params: shopIdParams,
    response: importMappingAnswer,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => getImportMapping(db, actor),
  });
  api.route({
    method: 'put',
    path: '/api/shops/:shopId/orders/import/mapping',
    tag,
    summary: "Save the shop's column mapping (owner, staff): each column once, every required field covered (tax rate and payment method may be defaults)",
    auth: 'session',
    params: shopIdParams,
    body: importMappingInput,
    response: importMappingAnswer,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, body, requestId }) => putImportMapping(db, actor, body, requestId),
  });
  api.route({
    method: 'delete',
    path: '/api/shops/:shopId/orders/import/mapping',
    tag,
    summary: "Forget the shop's saved column mapping (owner, staff)",
    auth: 'session',
    params: shopIdParams,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, requestId }) => deleteImportMapping(db, actor, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/orders',
    tag,
    summary: 'Orders, newest first, narrowed by search and filters; contact data masked for contractors (who cannot search by it)',
    auth: 'sessionOrApiKey',
    params: shopIdParams,
    query: listOrdersQuery,
    response: z.object({ orders: z.array(orderView), nextCursor: z.string().nullable() }),
    errors: ['not_found'],
    along: pages?.alongList.orders,
    handler: ({ actor, query, requestId, along }) => listShopOrders(db, actor, query, requestId, pages, along),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/orders/:orderNumber',
    tag,
    summary: 'One order; contact data masked for contractors',
    auth: 'sessionOrApiKey',
    params: orderParams,
    response: orderView,
    errors: ['not_found'],
    handler: ({ actor, params, requestId }) => getOrder(db, actor, params.orderNumber, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/orders/:orderNumber/links',
    tag,
    summary: "What points at an order: its conversations and returns (and later its mail)",
    auth: 'session',
    params: orderParams,
    response: orderLinks,
    errors: ['not_found'],
    handler: ({ actor, params }) => getOrderLinks(db, actor, params.orderNumber),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/orders/:orderNumber/reveal',
    tag,
    summary: 'Reveal one masked contact field, with a written reason (audited)',
    auth: 'session',
    params: orderParams,
    body: revealBody,
    response: z.object({ field: revealBody.shape.field, value: z.string() }),
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, params, body, requestId }) => revealOrderField(db, actor, params.orderNumber, body.field, body.reason, requestId),
  });
}
