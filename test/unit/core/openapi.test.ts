import { expect } from 'chai';
import { z } from 'zod';
import { buildOpenApi } from '../../../server/core/openapi.ts';
import type { RouteSpec } from '../../../server/core/route.ts';

const spec: RouteSpec = {
  method: 'post',
  path: '/api/shops/:shopId/things/:thingId',
  tag: 'Things',
  summary: 'Make a thing',
  auth: 'session',
  params: z.strictObject({ shopId: z.uuid(), thingId: z.string() }),
  query: z.strictObject({ dryRun: z.enum(['yes', 'no']).optional().describe('try without saving') }),
  body: z.strictObject({ name: z.string().min(1), count: z.number().int().default(1) }),
  response: z.object({ id: z.string() }),
  status: 201,
  errors: ['not_found', 'conflict'],
  handler: async () => undefined,
};

describe('the OpenAPI document', () => {
  const doc = buildOpenApi([spec], { version: '1.2.3' }) as any;
  const op = doc.paths['/api/shops/{shopId}/things/{thingId}'].post;

  it('is OpenAPI 3.1 with Koa paths turned into templated paths', () => {
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.info.version).to.equal('1.2.3');
    expect(op.operationId).to.equal('postApiShopsShopIdThingsThingId');
  });

  it('describes path and query parameters from the zod schemas', () => {
    expect(op.parameters).to.deep.include({ name: 'shopId', in: 'path', required: true, schema: op.parameters[0].schema });
    const dry = op.parameters.find((p: { name: string }) => p.name === 'dryRun');
    expect(dry).to.include({ in: 'query', required: false, description: 'try without saving' });
    expect(dry.schema.enum).to.deep.equal(['yes', 'no']);
  });

  it('describes the body as input (defaults optional) and forbids unknown fields', () => {
    const body = op.requestBody.content['application/json'].schema;
    expect(body.required).to.deep.equal(['name']);
    expect(body.additionalProperties).to.equal(false);
  });

  it('lists the success status and every error status with the shared error schema', () => {
    expect(op.responses).to.have.keys('201', '400', '401', '404', '409', '503');
    expect(op.responses['503'].description).to.equal('unavailable');
    expect(op.responses['503'].headers['Retry-After'].schema).to.deep.equal({ type: 'integer' });
    expect(op.responses['409'].content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/Error' });
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).to.include('invalid_transition');
    expect(op.security).to.deep.equal([{ session: [] }]);
  });
});
