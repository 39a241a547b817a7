import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { channelsView, defaultChannelBody, linkParams, linksView, routeBody, routeParams, slackStatusView, tokenBody } from './slack.connect.schema.ts';
import {
  chooseDefaultChannel,
  connectWithToken,
  disconnectSlack,
  getSlackStatus,
  listSlackChannels,
  listSlackLinks,
  removeSlackLink,
  setSlackRoute,
  type ConnectDeps,
} from './slack.connect.service.ts';

/** The console's Slack settings: the connection, its channels and alert routes, and the people linked. */
export function slackConnectRoutes(api: Api, deps: ConnectDeps): void {
  const tag = 'Slack';
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/slack',
    tag,
    summary: 'The Slack connection, its default channel and each alert’s route (any member; never a token or secret)',
    auth: 'session',
    params: shopIdParams,
    response: slackStatusView,
    errors: ['not_found'],
    handler: ({ actor }) => getSlackStatus(deps, actor),
  });
  api.route({
    method: 'put',
    path: '/api/shops/:shopId/slack/token',
    tag,
    summary: 'Connect the shop’s own Slack app with its bot token and signing secret (owner); checked with auth.test, stored sealed',
    auth: 'session',
    params: shopIdParams,
    body: tokenBody,
    response: slackStatusView,
    errors: ['invalid_input', 'forbidden', 'not_found', 'unavailable'],
    handler: ({ actor, body, requestId }) => connectWithToken(deps, actor, body, requestId),
  });
  api.route({
    method: 'delete',
    path: '/api/shops/:shopId/slack',
    tag,
    summary: 'Disconnect Slack (owner): the token is revoked (best effort), the connection, routes and links deleted',
    auth: 'session',
    params: shopIdParams,
    errors: ['forbidden', 'not_found'],
    handler: ({ actor, requestId }) => disconnectSlack(deps, actor, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/slack/channels',
    tag,
    summary: 'The workspace’s channels the app can post to or join (owner)',
    auth: 'session',
    params: shopIdParams,
    response: channelsView,
    errors: ['forbidden', 'not_found', 'conflict', 'unavailable'],
    handler: ({ actor }) => listSlackChannels(deps, actor),
  });
  api.route({
    method: 'put',
    path: '/api/shops/:shopId/slack/default-channel',
    tag,
    summary: 'Where alerts go unless a route says otherwise (owner); the app joins a public channel, a private one needs /invite',
    auth: 'session',
    params: shopIdParams,
    body: defaultChannelBody,
    response: slackStatusView,
    errors: ['invalid_input', 'forbidden', 'not_found', 'conflict', 'unavailable'],
    handler: ({ actor, body, requestId }) => chooseDefaultChannel(deps, actor, body.channelId, requestId),
  });
  api.route({
    method: 'put',
    path: '/api/shops/:shopId/slack/routes/:kind',
    tag,
    summary: 'One alert’s channel (null: the default channel) and whether it is muted (owner)',
    auth: 'session',
    params: routeParams,
    body: routeBody,
    response: slackStatusView,
    errors: ['invalid_input', 'forbidden', 'not_found', 'conflict', 'unavailable'],
    handler: ({ actor, params, body, requestId }) => setSlackRoute(deps, actor, params.kind, body, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/slack/links',
    tag,
    summary: 'The shop’s people linked to Slack persons (owner)',
    auth: 'session',
    params: shopIdParams,
    response: linksView,
    errors: ['forbidden', 'not_found'],
    handler: ({ actor }) => listSlackLinks(deps.db, actor),
  });
  api.route({
    method: 'delete',
    path: '/api/shops/:shopId/slack/links/:userId',
    tag,
    summary: 'Remove a person’s Slack link (owner, or the person themself)',
    auth: 'session',
    params: linkParams,
    errors: ['forbidden', 'not_found'],
    handler: ({ actor, params, requestId }) => removeSlackLink(deps.db, actor, params.userId, requestId),
  });
}
