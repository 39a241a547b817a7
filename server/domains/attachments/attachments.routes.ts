import { allowedTypes } from './attachments.file.ts';
import type { Context } from 'koa';
import { sendStoredFile } from '../../core/http.ts';
import { z } from 'zod';
import { requireKind } from '../../core/actor.ts';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import {
  openAgentAttachment,
  openCustomerAttachment,
  uploadAttachment,
  type AttachmentDeps,
  type OpenedAttachment,
} from './attachments.service.ts';

export interface AttachmentRouteDeps extends AttachmentDeps {
  /** Largest upload in bytes (ATTACHMENT_LIMIT_MB). */
  limitBytes: number;
}

const conversationParams = shopIdParams.extend({ conversationId: z.uuid({ message: 'expected a conversation id (UUID)' }) });
const attachmentParams = shopIdParams.extend({ attachmentId: z.uuid({ message: 'expected an attachment id (UUID)' }) });
const uploadQuery = z.strictObject({ filename: z.string().max(1000).optional() });
const attachmentView = z.object({ id: z.uuid(), filename: z.string(), contentType: z.string(), size: z.number().int(), url: z.string() });

const UPLOAD_HOW =
  'Send the file itself as the request body (not multipart), with its real Content-Type (image/jpeg, image/png, image/gif, image/webp or application/pdf) and its name in `?filename=` (URL-encoded; optional). ' +
  'The type is read from the bytes: a file whose contents are not an allowed type, or not the declared one, is refused with 415 and nothing is stored. ' +
  'The answer is an upload that stays private until a message claims it by id (`attachmentIds`); unclaimed uploads are deleted after 24 hours.';

const sendFile = (ctx: Context, { row, stream }: OpenedAttachment) => sendStoredFile(ctx, { contentType: row.contentType, size: row.size, filename: row.filename, stream });

export function attachmentRoutes(api: Api, deps: AttachmentRouteDeps): void {
  const tag = 'Attachments';
  const upload = {
    method: 'post',
    tag,
    description: UPLOAD_HOW,
    query: uploadQuery,
    bodyKind: 'binary',
    bodyTypes: Object.keys(allowedTypes),
    bodyLimitBytes: deps.limitBytes,
    response: attachmentView,
    status: 201,
  } as const;
  api.route({
    ...upload,
    path: '/api/shops/:shopId/conversations/:conversationId/attachments',
    summary: 'Upload a file (image or PDF) to a conversation: raw bytes as the body, name in ?filename=',
    auth: 'session',
    params: conversationParams,
    errors: ['not_found', 'unsupported_media_type', 'payload_too_large'],
    handler: ({ actor, params, query, body, ctx }) => {
      requireKind(actor, 'user'); // a session route: always a person
      return uploadAttachment(deps, {
        shopId: actor.shopId,
        conversationId: params.conversationId,
        uploader: { kind: 'agent', id: actor.userId },
        declaredType: ctx.get('content-type'),
        filename: query.filename,
        bytes: body as unknown as Buffer,
      });
    },
  });
  api.route({
    ...upload,
    path: '/api/public/shops/:shopId/widget/conversations/:conversationId/attachments',
    summary: "Upload a file (image or PDF) to the customer's own conversation (widget token): raw bytes as the body, name in ?filename=",
    // The token is checked before the body is read; an announced size over the limit is refused unread too.
    auth: 'widget',
    params: conversationParams,
    errors: ['unauthenticated', 'not_found', 'unsupported_media_type', 'payload_too_large'],
    handler: ({ params, query, body, ctx, customer }) =>
      uploadAttachment(deps, {
        shopId: params.shopId,
        conversationId: params.conversationId,
        uploader: { kind: 'customer', id: customer.customerId },
        declaredType: ctx.get('content-type'),
        filename: query.filename,
        bytes: body as unknown as Buffer,
      }),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/attachments/:attachmentId',
    tag,
    summary: 'Download a file of a conversation (any member; every download is audited)',
    produces: { type: '*/*', description: 'the file, under its own Content-Type, with a Content-Disposition naming it' },
    auth: 'session',
    params: attachmentParams,
    status: 200,
    errors: ['not_found'],
    handler: async ({ actor, params, ctx, requestId }) => sendFile(ctx, await openAgentAttachment(deps, actor, params.attachmentId, requestId)),
  });
  api.route({
    method: 'get',
    path: '/api/public/shops/:shopId/widget/attachments/:attachmentId',
    tag,
    summary: "Download a file of the customer's own conversation (widget token); internal notes' files are never served",
    produces: { type: '*/*', description: 'the file, under its own Content-Type, with a Content-Disposition naming it' },
    auth: 'widget',
    params: attachmentParams,
    status: 200,
    errors: ['unauthenticated', 'not_found'],
    handler: async ({ params, ctx, customer }) => sendFile(ctx, await openCustomerAttachment(deps, params.shopId, customer.customerId, params.attachmentId)),
  });
}
