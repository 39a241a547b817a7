import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { cannedParams, cannedView, createCannedBody, draftPreviewBody, previewBody, updateCannedBody } from './canned.schema.ts';
import { createCannedReply, deleteCannedReply, listCannedReplies, previewCannedDraft, renderCannedReply, updateCannedReply } from './canned.service.ts';

export function cannedRoutes(api: Api, db: Db): void {
  const tag = 'Canned replies';
  const path = '/api/shops/:shopId/canned-replies';
  api.route({
    method: 'get',
    path,
    tag,
    summary: "The shop's canned replies, by shortcut (every member)",
    auth: 'session',
    params: shopIdParams,
    response: z.array(cannedView),
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => listCannedReplies(db, actor),
  });
  api.route({
    method: 'post',
    path,
    tag,
    summary: 'Save a canned reply (owner, staff, agent; contractors may use but not edit)',
    description: 'bodyJa and bodyEn are Handlebars; a template that does not compile is refused with 400 and the line of the error. A shortcut already used in the shop is 409.',
    auth: 'session',
    params: shopIdParams,
    body: createCannedBody,
    response: cannedView,
    status: 201,
    errors: ['not_found', 'forbidden', 'invalid_input', 'conflict'],
    handler: ({ actor, body, requestId }) => createCannedReply(db, actor, body, requestId),
  });
  api.route({
    method: 'patch',
    path: `${path}/:id`,
    tag,
    summary: 'Change a canned reply (owner, staff, agent)',
    auth: 'session',
    params: cannedParams,
    body: updateCannedBody,
    response: cannedView,
    errors: ['not_found', 'forbidden', 'invalid_input', 'conflict'],
    handler: ({ actor, params, body, requestId }) => updateCannedReply(db, actor, params.id, body, requestId),
  });
  api.route({
    method: 'delete',
    path: `${path}/:id`,
    tag,
    summary: 'Delete a canned reply (owner, staff, agent)',
    auth: 'session',
    params: cannedParams,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, params, requestId }) => deleteCannedReply(db, actor, params.id, requestId),
  });
  api.route({
    method: 'post',
    path: `${path}/:id/preview`,
    tag,
    summary: 'Render a canned reply for a conversation, as this person would send it',
    description: "Variables the conversation lacks (no order yet) render as empty text. The customer's email is masked for contractors. locale defaults to the customer's language, else Japanese.",
    auth: 'session',
    params: cannedParams,
    body: previewBody,
    response: z.object({ body: z.string(), locale: z.enum(['ja', 'en']) }),
    errors: ['not_found', 'forbidden', 'invalid_input'],
    handler: ({ actor, params, body }) => renderCannedReply(db, actor, params.id, body),
  });  api.route({
    method: 'post',
    path: `${path}/preview`,
    tag,
    summary: 'Render an unsaved canned reply, as the editor writes it (owner, staff, agent)',
    description: 'bodyJa/bodyEn as for saving (a template that would be refused on save is refused here with the same 400 and line); conversationId and locale as for the preview of a saved reply.',
    auth: 'session',
    params: shopIdParams,
    body: draftPreviewBody,
    response: z.object({ body: z.string(), locale: z.enum(['ja', 'en']) }),
    errors: ['not_found', 'forbidden', 'invalid_input'],
    handler: ({ actor, body }) => previewCannedDraft(db, actor, body),
  });
}
