import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { z, type ZodType } from 'zod';
import type { Actor } from './actor.ts';
import { DomainError, type ErrorCode } from './errors.ts';

/** `widget`: a customer's chat session token (Authorization: Bearer), checked like the others before any body byte is read. */
export type AuthMode = 'public' | 'session' | 'apiKey' | 'sessionOrApiKey' | 'widget';
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Present on shop-scoped routes (a `:shopId` in the path). */
  actor: Actor;
  /** Present on `auth: 'widget'` routes: the customer whose chat session token came with the request. */
  customer: { shopId: string; customerId: string };
  /** For the audit rows the service writes. */
  requestId: string;
  ctx: Context;
}

export interface RouteSpec<P extends ZodType = ZodType, Q extends ZodType = ZodType, B extends ZodType = ZodType> {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth: AuthMode;
  params?: P;
  query?: Q;
  /** JSON body schema; for `bodyKind: 'csv'` or `'binary'` the body is the raw bytes (Buffer). */
  body?: B;
  /** `binary`: any Content-Type, judged by the handler (e.g. sniffed), up to `bodyLimitBytes`. */
  bodyKind?: 'json' | 'csv' | 'binary';
  /** For `bodyKind: 'binary'`: the content types the route takes, for the API reference. */
  bodyTypes?: string[];
  /** Largest raw body for `bodyKind: 'binary'`; over it → 413. */
  bodyLimitBytes?: number;
  response?: ZodType;
  status?: number;
  errors?: ErrorCode[];
  handler: (input: HandlerInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>;
}

export interface ApiOptions {
  jsonLimitKb: number;
  rawLimitMb: number;
  /** Middleware that authenticates by mode and, for shop-scoped paths, sets ctx.state.actor. */
  authenticate: (mode: AuthMode, shopScoped: boolean) => Middleware;
}

/** The path of the first string holding a NUL character, which PostgreSQL cannot store in text. */
function nulAt(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = nulAt(v, [...path, Array.isArray(value) ? Number(k) : k]);
      if (found) return found;
    }
  }
  return undefined;
}

const parse = <T extends ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> => {
  if (!schema) return undefined as z.output<T>;
  const r = schema.safeParse(value);
  if (r.success) {
    // After zod: the strict schemas bound the depth, so this walk stays small.
    const nul = nulAt(r.data);
    if (nul) throw new DomainError('invalid_input', `${where} is not valid`, [{ in: where, path: nul.join('.'), message: 'text may not contain NUL characters' }]);
    return r.data;
  }
  throw new DomainError(
    'invalid_input',
    `${where} is not valid`,
    r.error.issues.map((i) => ({ in: where, path: i.path.join('.'), message: i.message, ...('keys' in i ? { keys: i.keys } : {}) })),
  );
};

/**
 * Registers routes on a Koa router and remembers their specs for the OpenAPI document, so
 * validation and documentation come from the same zod schemas.
 */
export class Api {
  readonly specs: RouteSpec[] = [];
  private readonly json: Middleware;

  constructor(
    readonly router: Router,
    private readonly opts: ApiOptions,
  ) {
    this.json = bodyParser({ enableTypes: ['json'], jsonLimit: `${opts.jsonLimitKb}kb`, jsonStrict: true }) as unknown as Middleware;
  }

  route<P extends ZodType, Q extends ZodType, B extends ZodType>(spec: RouteSpec<P, Q, B>): void {
    this.specs.push(spec as unknown as RouteSpec);
    const chain: Middleware[] = [];
    const shopScoped = spec.path.includes(':shopId');
    if (spec.auth !== 'public') chain.push(this.opts.authenticate(spec.auth, shopScoped));
    if (spec.body && spec.bodyKind !== 'csv' && spec.bodyKind !== 'binary') {
      chain.push(async (ctx, next) => {
        if (!ctx.is('application/json')) throw new DomainError('unsupported_media_type', 'send the body as application/json');
        await next();
      }, this.json);
    }
    const rawLimit = `${this.opts.rawLimitMb}mb`;
    chain.push(async (ctx) => {
      const params = parse(spec.params, ctx.params, 'path');
      const query = parse(spec.query, { ...ctx.query }, 'query');
      let body: unknown;
      if (spec.bodyKind === 'csv') {
        if (!ctx.is('text/csv', 'text/plain', 'application/octet-stream')) {
          throw new DomainError('unsupported_media_type', 'send the file as text/csv');
        }
        body = await getRawBody(ctx.req, { limit: rawLimit, length: ctx.get('content-length') || undefined });
      } else if (spec.bodyKind === 'binary') {
        body = await getRawBody(ctx.req, { limit: spec.bodyLimitBytes ?? rawLimit, length: ctx.get('content-length') || undefined });
      } else if (spec.body) {
        body = parse(spec.body, (ctx.request as { body?: unknown }).body, 'body');
      }
      const result = await spec.handler({ params, query, body: body as never, actor: ctx.state.actor, customer: ctx.state.customer, requestId: ctx.state.requestId, ctx });
      if (ctx.body === undefined || ctx.body === null) {
        if (result === undefined) ctx.status = 204;
        else {
          ctx.body = result;
          if (spec.status && ctx.status === 200) ctx.status = spec.status;
        }
      }
    });
    this.router[spec.method](spec.path, ...(chain as never[]));
  }
}
