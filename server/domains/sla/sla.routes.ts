import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import type { Api } from '../../core/route.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import {
  businessHoursBody,
  businessHoursView,
  complianceQuery,
  complianceView,
  createPolicyBody,
  policyParams,
  policyView,
  updatePolicyBody,
} from './sla.schema.ts';
import { readSlaCompliance } from './sla.service.ts';
import { createSlaPolicy, deleteSlaPolicy, getBusinessHours, listSlaPolicies, putBusinessHours, updateSlaPolicy } from './sla.settings.ts';

export function slaRoutes(api: Api, db: Db): void {
  const tag = 'SLA';
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/business-hours',
    tag,
    summary: "The shop's business hours, holidays and time zone (the default until an owner sets them)",
    auth: 'session',
    params: shopIdParams,
    response: businessHoursView,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => getBusinessHours(db, actor),
  });
  api.route({
    method: 'put',
    path: '/api/shops/:shopId/business-hours',
    tag,
    summary: 'Set the business hours SLA clocks count in (owner)',
    description: 'weekly: "0" (Sunday) … "6" → [["09:00","12:00"],["13:00","18:00"]]; closedDates: extra closed days such as 年末年始.',
    auth: 'session',
    params: shopIdParams,
    body: businessHoursBody,
    response: businessHoursView,
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: ({ actor, body, requestId }) => putBusinessHours(db, actor, body, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/sla-policies',
    tag,
    summary: "The shop's SLA policies (owner)",
    auth: 'session',
    params: shopIdParams,
    response: z.array(policyView),
    errors: ['not_found', 'forbidden'],
    handler: ({ actor }) => listSlaPolicies(db, actor),
  });
  api.route({
    method: 'post',
    path: '/api/shops/:shopId/sla-policies',
    tag,
    summary: 'Add an SLA policy for one priority, or the default one (priority null) (owner)',
    description: 'Targets are in business minutes. 409 when the priority already has a policy.',
    auth: 'session',
    params: shopIdParams,
    body: createPolicyBody,
    response: policyView,
    status: 201,
    errors: ['invalid_input', 'not_found', 'forbidden', 'conflict'],
    handler: ({ actor, body, requestId }) => createSlaPolicy(db, actor, body, requestId),
  });
  api.route({
    method: 'patch',
    path: '/api/shops/:shopId/sla-policies/:policyId',
    tag,
    summary: 'Change an SLA policy; clocks already running keep their targets (owner)',
    auth: 'session',
    params: policyParams,
    body: updatePolicyBody,
    response: policyView,
    errors: ['invalid_input', 'not_found', 'forbidden', 'conflict'],
    handler: ({ actor, params, body, requestId }) => updateSlaPolicy(db, actor, params.policyId, body, requestId),
  });
  api.route({
    method: 'delete',
    path: '/api/shops/:shopId/sla-policies/:policyId',
    tag,
    summary: 'Delete an SLA policy (owner)',
    auth: 'session',
    params: policyParams,
    status: 204,
    errors: ['not_found', 'forbidden'],
    handler: ({ actor, params, requestId }) => deleteSlaPolicy(db, actor, params.policyId, requestId),
  });
  api.route({
    method: 'get',
    path: '/api/shops/:shopId/sla-compliance',
    tag,
    summary: 'SLA targets met and breached per metric, for outcomes in [from, to)',
    auth: 'session',
    params: shopIdParams,
    query: complianceQuery,
    response: complianceView,
    errors: ['invalid_input', 'not_found', 'forbidden'],
    handler: ({ actor, query }) => readSlaCompliance(db, actor, new Date(query.from), new Date(query.to)),
  });
}
