import { z, type ZodType } from 'zod';
import { errorStatus } from './errors.ts';
import type { RouteSpec } from './route.ts';

type JsonSchema = Record<string, unknown>;

/**
 * A documented answer (a zod `response`) and the TypeScript type the handler returns, tied at
 * compile time: `const tied: Same<z.output<typeof view>, Dto> = true` fails the type check when
 * a field is added to, or changed in, one and not the other.
 */
export type Same<A, B> = [A, B] extends [B, A] ? true : never;

/** A moment in a documented answer: what `Date.toISOString` writes. */
export const isoTime = z.string().describe('ISO 8601, UTC, milliseconds');

const toSchema = (s: ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
};

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...Object.keys(errorStatus), 'internal'] },
        message: { type: 'string' },
        details: {
          description:
            'For invalid_input, a list of { in, path, message, ja }: the field (dotted path), the rule in English and the same in Japanese, for forms to show beside the field in the reader\'s language.',
        },
      },
    },
  },
};

function parameters(spec: RouteSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const js = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        schema: s,
        ...(typeof s.description === 'string' ? { description: s.description } : {}),
      });
    }
  }
  return out;
}

const security = (auth: RouteSpec['auth']) =>
  ({
    public: [],
    session: [{ session: [] }],
    apiKey: [{ apiKey: [] }],
    sessionOrApiKey: [{ session: [] }, { apiKey: [] }],
    widget: [{ widget: [] }],
  })[auth];

/** What a route answers when it succeeds: its JSON, a page or file of its media type, a redirect, or nothing. */
function success(spec: RouteSpec, status: string): JsonSchema {
  if (spec.response) return { description: 'success', content: { 'application/json': { schema: toSchema(spec.response, 'output') } } };
  if (spec.produces) {
    const binary = /^(image\/|application\/octet-stream|\*\/\*)/.test(spec.produces.type);
    return { description: spec.produces.description, content: { [spec.produces.type]: { schema: { type: 'string', ...(binary ? { format: 'binary' } : {}) } } } };
  }
  if (status.startsWith('3')) return { description: 'redirect', headers: { Location: { description: 'where the browser goes next', schema: { type: 'string' } } } };
  return { description: 'success, no content' };
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApi(specs: RouteSpec[], info: { version: string; serverUrl?: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of specs) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}');
    const ok = String(spec.status ?? (spec.response || spec.produces ? 200 : 204));
    const responses: Record<string, JsonSchema> = { [ok]: success(spec, ok) };
    const codes = new Set(spec.errors ?? []);
    if (spec.params || spec.query || spec.body || spec.bodyKind) codes.add('invalid_input');
    if (spec.auth !== 'public') codes.add('unauthenticated');
    // Any route may find the database or Redis away for a moment: 503 with Retry-After.
    codes.add('unavailable');
    for (const code of codes) {
      const status = String(errorStatus[code]);
      responses[status] ??= { description: code, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      if (!String(responses[status]!.description).includes(code)) responses[status]!.description += ` | ${code}`;
    }
    responses['503'] = { ...responses['503'], headers: { 'Retry-After': { description: 'seconds to wait before sending the same request again', schema: { type: 'integer' } } } };
    const op: JsonSchema = {
      operationId: `${spec.method}${spec.path.replace(/[/:{}-]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      security: security(spec.auth),
      parameters: parameters(spec),
      responses,
    };
    if (spec.bodyKind === 'csv') {
      op.requestBody = {
        required: true,
        content: { 'text/csv': { schema: { type: 'string', description: 'CSV file, UTF-8 (with or without BOM) or Shift_JIS' } } },
      };
    } else if (spec.bodyKind === 'binary') {
      const types = spec.bodyTypes ?? ['application/octet-stream'];
      op.requestBody = { required: true, content: Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) };
    } else if (spec.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input') } } };
    }
    (paths[path] ??= {})[spec.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'madoguchi API',
      version: info.version,
      description: 'Customer-support and returns desk for small online shops. Errors are `{ "error": { "code", "message", "details" } }`.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'mdg_session', description: 'Console sign-in; writes also need the X-CSRF-Token header.' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'Shop API key (mdg_…), for the shop platform.' },
        widget: { type: 'http', scheme: 'bearer', description: "A customer's chat session token, from POST /api/public/shops/{shopId}/widget/sessions." },
      },
    },
  };
}
