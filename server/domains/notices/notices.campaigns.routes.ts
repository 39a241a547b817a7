import { z } from 'zod';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import {
  audienceBody,
  audienceView,
  campaignActionBody,
  campaignParams,
  campaignView,
  createCampaignBody,
  recipientsQuery,
  recipientView,
  updateCampaignBody,
} from './notices.campaigns.schema.ts';
import { actOnCampaign, createCampaign, getCampaign, listCampaignRecipients, listShopCampaigns, updateCampaign, type CampaignDeps } from './notices.campaigns.service.ts';
import { seasonsView, seasonalDrafts } from './notices.campaigns.seasons.ts';
import { previewAudience, previewUploadedList } from './notices.target.audience.ts';

/**
 * The pasted order numbers at the lines the person sees: the schema drops blank lines (and
 * normalises the rest), so the line of an unknown number is counted on the list as sent.
 */
function pastedLines(request: unknown, numbers: string[] | undefined): { line: number; value: string }[] | undefined {
  const raw = (request as { body?: { target?: { orderNumbers?: unknown } } }).body?.target?.orderNumbers;
  if (!numbers || !Array.isArray(raw)) return undefined;
  return raw.flatMap((v, i) => {
    const value = typeof v === 'string' ? v.normalize('NFKC').trim() : '';
    return value ? [{ line: i + 1, value }] : [];
  });
}

/** Delay-notice campaigns in the console: drafts, audience, publication and the sending's controls. */
export function noticeCampaignRoutes(api: Api, deps: CampaignDeps): void {
  const tag = 'Notices';
  const path = '/api/shops/:shopId/notice-campaigns';
  api.route({
    method: 'get',
    path,
    tag,
    summary: "The shop's notice campaigns, newest first, with their counts (every member)",
    auth: 'session',
    params: shopIdParams,
    response: z.object({ campaigns: z.array(campaignView) }),
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => listShopCampaigns(deps, actor),
  });
  api.route({
    method: 'post',
    path,
    tag,
    summary: 'Save a draft notice (owner, staff, agent)',
    description: 'Variables may be incomplete in a draft but never of a name the type does not have; everything is checked in full at publication.',
    auth: 'session',
    params: shopIdParams,
    body: createCampaignBody,
    response: campaignView,
    status: 201,
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: ({ actor, body, requestId }) => createCampaign(deps, actor, body, requestId),
  });
  api.route({
    method: 'get',
    path: `${path}/:id`,
    tag,
    summary: 'One notice campaign with its counts by recipient status',
    auth: 'session',
    params: campaignParams,
    response: campaignView,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, params }) => getCampaign(deps, actor, params.id),
  });
  api.route({
    method: 'patch',
    path: `${path}/:id`,
    tag,
    summary: 'Change a draft, or a scheduled notice that has not begun (owner, staff, agent)',
    description: '`version` is the one last read. 409 `conflict` when the notice is sending, paused, sent or cancelled, or someone changed it first; nothing is applied then.',
    auth: 'session',
    params: campaignParams,
    body: updateCampaignBody,
    response: campaignView,
    errors: ['invalid_input', 'not_found', 'forbidden', 'conflict'],
    handler: ({ actor, params, body, requestId }) => updateCampaign(deps, actor, params.id, body, requestId),
  });
  const actions = {
    publish: 'Publish a draft: scheduled for its start, or begun now (400 with the field when it cannot go out as it is: variables, wording, window, a target that matches nothing)',
    pause: 'Pause a notice that is sending: no more mail until it is resumed',
    resume: 'Resume a paused notice',
    cancel: 'Cancel a notice: recipients not yet sent are marked cancelled and never sent',
    'retry-failed': 'Send again to the recipients whose mail failed (same Message-IDs); 409 once the notice\'s window is over, as for resume',
    end: 'End a published notice now: its banner leaves the shop\'s pages at once (its end becomes now); one not yet all sent is also cancelled',
  } as const;
  for (const [action, summary] of Object.entries(actions) as [keyof typeof actions, string][]) {
    api.route({
      method: 'post',
      path: `${path}/:id/${action}`,
      tag,
      summary: `${summary} (owner, staff, agent)`,
      description: '`version` is the one last read; 409 `conflict` when the notice is not in a status this is possible from, or someone changed it first (two at once: one succeeds).',
      auth: 'session',
      params: campaignParams,
      body: campaignActionBody,
      response: campaignView,
      errors: ['invalid_input', 'not_found', 'forbidden', 'conflict'],
      handler: ({ actor, params, body, requestId }) => actOnCampaign(deps, actor, params.id, action, body.version, requestId),
    });
  }
  api.route({
    method: 'get',
    path: `${path}/:id/recipients`,
    tag,
    summary: "A campaign's recipients (e.g. ?status=failed with reasons), by pages (`after` = the previous page's `next`); addresses masked for contractors",
    auth: 'session',
    params: campaignParams,
    query: recipientsQuery,
    response: z.object({ recipients: z.array(recipientView), next: z.string().nullable() }),
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: ({ actor, params, query, requestId }) => listCampaignRecipients(deps, actor, params.id, query, requestId),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/notice-audience',
    tag,
    summary: 'Who a target reaches: orders, distinct customers (by address), by prefecture and carrier, a sample (masked for contractors), and listed order numbers the shop does not have, by line',
    auth: 'session',
    params: shopIdParams,
    body: audienceBody,
    response: audienceView,
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: ({ actor, body, requestId, ctx }) => previewAudience(deps.db, actor, body.target, requestId, pastedLines(ctx.request, body.target.orderNumbers)),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/notice-audience/upload',
    tag,
    summary: 'The audience of an uploaded list of order numbers (text/csv: the first cell of each row, UTF-8 or Shift_JIS), with the numbers read and the unknown ones by file line',
    auth: 'session',
    params: shopIdParams,
    bodyKind: 'csv',
    response: audienceView.extend({ orderNumbers: z.array(z.string()) }),
    errors: ['invalid_input', 'not_found', 'forbidden', 'payload_too_large', 'unsupported_media_type'],
    handler: ({ actor, body, requestId }) => previewUploadedList(deps.db, actor, body as unknown as Buffer, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/notice-seasons',
    tag,
    summary: 'Prepared seasonal drafts (お中元, お歳暮, 年末年始) with the dates of the current or coming season filled in (Asia/Tokyo)',
    auth: 'session',
    params: shopIdParams,
    response: seasonsView,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => seasonalDrafts(deps.db, actor),
  });
}
