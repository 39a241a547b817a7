import { z } from 'zod';
import type { Api } from '../../core/route.ts';
import type { SessionPrincipal } from '../auth/auth.service.ts';
import type { SlackDeps } from './slack.client.ts';
import { confirmLink, previewLink } from './slack.people.ts';

const confirmBody = z.strictObject({ token: z.string().min(1).max(2000) });

/** The console's half of linking a Slack person (bots/slack/people.ts sends the link): the signed-in person confirms it. */
export function slackPeopleRoutes(api: Api, deps: SlackDeps): void {
  api.route({
    method: 'post',
    path: '/api/slack/links/preview',
    tag: 'Slack',
    summary: 'What a link from Slack would link (the shop, the workspace, the Slack person), for the signed-in person to read before confirming it',
    auth: 'session',
    body: confirmBody,
    response: z.object({ shopId: z.uuid(), shopName: z.string(), teamName: z.string().nullable(), slackUserId: z.string(), slackUserName: z.string().nullable() }),
    errors: ['invalid_input', 'forbidden', 'unauthenticated'],
    handler: ({ body, ctx }) => previewLink(deps, { id: (ctx.state.principal as SessionPrincipal).user.id }, body.token),
  });
  api.route({
    method: 'post',
    path: '/api/slack/links/confirm',
    tag: 'Slack',
    summary: 'Link the signed-in person to the Slack person a link from Slack names (15 minutes); what they do from Slack is then done as them',
    auth: 'session',
    body: confirmBody,
    response: z.object({ shopId: z.uuid(), slackUserId: z.string() }),
    errors: ['invalid_input', 'forbidden', 'unauthenticated'],
    handler: ({ body, ctx, requestId }) => {
      const p = ctx.state.principal as SessionPrincipal;
      return confirmLink(deps.db, deps.keyring, { id: p.user.id, name: p.user.name }, body.token, requestId);
    },
  });
}
