import type { Db } from '../../core/db/client.ts';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { previewNotice } from './notices.preview.ts';
import { createTemplateBody, noticeTypesView, previewBody, previewView, savedVersionView, saveVersionBody, templateListView, templateParams, templateView } from './notices.templates.schema.ts';
import { createNoticeTemplate, getNoticeTemplate, listNoticeTemplates, noticeTypeList, saveNoticeVersion } from './notices.templates.service.ts';

export function noticeTemplateRoutes(api: Api, db: Db): void {
  const tag = 'Notice templates';
  const path = '/api/shops/:shopId/notice-templates';
  api.route({
    method: 'get',
    path: '/api/notice-types',
    tag,
    summary: 'The six notice types: names, variables (for the form), sample values and built-in wording',
    description: 'Text and list variables take a string, or { ja, en } to say it in both languages. The samples are written as of sampleAsOf: their dates move with the day, so a new draft\'s dates are still ahead.',
    auth: 'session',
    response: noticeTypesView,
    handler: async () => noticeTypeList(new Date()),
  });
  api.route({
    method: 'get',
    path,
    tag,
    summary: "The shop's copies of notice types, each with its latest version (every member)",
    auth: 'session',
    params: shopIdParams,
    response: templateListView,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => listNoticeTemplates(db, actor),
  });
  api.route({
    method: 'post',
    path,
    tag,
    summary: 'Copy a notice type into the shop (owner, staff)',
    description: 'Version 1 is the built-in wording, or the wording of copyOf (a version of one of the shop\'s copies of the same type). A name already used in the shop is 409.',
    auth: 'session',
    params: shopIdParams,
    body: createTemplateBody,
    response: templateView,
    status: 201,
    errors: ['not_found', 'forbidden', 'invalid_input', 'conflict'],
    handler: ({ actor, body, requestId }) => createNoticeTemplate(db, actor, body, requestId),
  });
  api.route({
    method: 'get',
    path: `${path}/:id`,
    tag,
    summary: 'A copy with its versions (newest first) and the latest wording (every member)',
    auth: 'session',
    params: templateParams,
    response: templateView,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, params }) => getNoticeTemplate(db, actor, params.id),
  });
  api.route({
    method: 'post',
    path: `${path}/:id/versions`,
    tag,
    summary: 'Save the wording as a new version (owner, staff)',
    description: 'baseVersion is the version number the editor started from; if it is no longer the latest, 409. The wording must render with the type\'s sample values in both languages: otherwise 400 with details at wording.<part>.<lang> (and the line).',
    auth: 'session',
    params: templateParams,
    body: saveVersionBody,
    response: savedVersionView,
    status: 201,
    errors: ['not_found', 'forbidden', 'invalid_input', 'conflict'],
    handler: ({ actor, params, body, requestId }) => saveNoticeVersion(db, actor, params.id, body, requestId),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/notice-preview',
    tag,
    summary: 'Render a notice in Japanese and English as customers get it (every member)',
    description:
      'wording (unsaved), else templateVersionId, else the built-in wording of type. With orderNumber, that order\'s customer and number fill the greeting and order list (the name masked for contractors). Errors at variables.<name>, wording.<part>.<lang> or orderNumber.',
    auth: 'session',
    params: shopIdParams,
    body: previewBody,
    response: previewView,
    errors: ['not_found', 'forbidden', 'invalid_input'],
    handler: ({ actor, body, requestId }) => previewNotice(db, actor, body, requestId),
  });
}
