import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createUnzip } from 'node:zlib';
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { z, type ZodType } from 'zod';
import type { Actor } from './actor.ts';
// What a route reads with the session is auth's statement; core names its type only, as actor.ts does Role.
import type { AlongSession } from '../domains/auth/auth.repository.ts';
import { DomainError, type ErrorCode } from './errors.ts';
import { zodDetails } from './http.ts';
import { refuseNul } from './nul.ts';
import { JsonText } from './json.ts';

/** `widget`: a customer's chat session token (Authorization: Bearer), checked like the others before any body byte is read. */
export type AuthMode = 'public' | 'session' | 'apiKey' | 'sessionOrApiKey' | 'widget';
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerInput<P, Q, B, A = unknown> {
  params: P;
  query: Q;
  body: B;
  /** Present on shop-scoped routes (a `:shopId` in the path). */
  actor: Actor;
  /** Present on `auth: 'widget'` routes: the customer whose chat session token came with the request. */
  customer: { shopId: string; customerId: string };
  /** For the audit rows the service writes. */
  requestId: string;
  /** With the route's `along`, what was read with the session; undefined otherwise (an API key, a read without it). */
  along: A | undefined;
  ctx: Context;
}

export interface RouteSpec<P extends ZodType = ZodType, Q extends ZodType = ZodType, B extends ZodType = ZodType, A = unknown> {
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
  /** The JSON answer, for the API reference (openapi.ts). */
  response?: ZodType;
  /** An answer that is not JSON (a page, a CSV file, an image): its media type, for the API reference. */
  produces?: { type: string; description: string };
  status?: number;
  errors?: ErrorCode[];
  /** For a console request: what to read in its session's statement (auth.repository.ts, AlongSession), given to the handler as `along`; on a route of no shop, with its shopOf. */
  along?: AlongSession<A>;
  handler: (input: HandlerInput<z.output<P>, z.output<Q>, z.output<B>, A>) => Promise<unknown>;
}

export interface ApiOptions {
  jsonLimitKb: number;
  rawLimitMb: number;
  /** Middleware that authenticates by mode and, for shop-scoped paths, sets ctx.state.actor. */
  authenticate: (mode: AuthMode, shopScoped: boolean, along?: AlongSession<unknown>) => Middleware;
}

/**
 * The content codings a request body may come in: the ones co-body (under @koa/bodyparser)
 * decodes for JSON, so every kind of body takes the same. Anything else is refused up front
 * with 415 and Accept-Encoding (RFC 7694), before a byte is read.
 */
const decoders: Record<string, (() => NodeJS.ReadWriteStream) | null> = {
  identity: null,
  gzip: createUnzip,
  deflate: createUnzip,
  br: createBrotliDecompress,
};
const ACCEPT_ENCODING = 'gzip, deflate, br';

function bodyCoding(ctx: Context): string {
  const coding = ctx.get('content-encoding') || 'identity';
  if (!Object.hasOwn(decoders, coding)) {
    throw new DomainError('unsupported_media_type', `a body in Content-Encoding "${coding.slice(0, 40)}" cannot be read; send it as identity, gzip, deflate or br`, undefined, {
      'Accept-Encoding': ACCEPT_ENCODING,
    });
  }
  return coding;
}

/**
 * What reading a body threw, as our error: the readers' own refusals (413 over the limit, 400
 * for a length that does not match or a request cut short) keep their status; anything else
 * while decoding is the decoder's (gzip on plain bytes, a broken brotli stream): bad input.
 */
function bodyReadError(e: unknown, coding: string): unknown {
  const status = (e as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return e;
  if (coding === 'identity') return e;
  return new DomainError('invalid_input', `the body is not valid ${coding} data, as its Content-Encoding says`);
}

/** A raw body's bytes, decoded from its Content-Encoding; the limit counts the decoded bytes. */
async function readRaw(ctx: Context, limit: number | string): Promise<Buffer> {
  const coding = bodyCoding(ctx);
  const make = decoders[coding];
  let stream: Readable | IncomingMessage = ctx.req;
  if (make) {
    const decoder = make();
    // A client that goes away mid-body ends the decoder too, so the read does not wait forever.
    ctx.req.once('aborted', () => (decoder as unknown as Readable).destroy(Object.assign(new Error('request aborted'), { status: 400 })));
    stream = ctx.req.pipe(decoder) as unknown as Readable;
  }
  try {
    // The declared length is that of the encoded bytes: checked only when nothing is decoded.
    return await getRawBody(stream, { limit, length: make ? undefined : ctx.get('content-length') || undefined });
  } catch (e) {
    throw bodyReadError(e, coding);
  }
}

const parse = <T extends ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> => {
  if (!schema) return undefined as z.output<T>;
  const r = schema.safeParse(value);
  if (r.success) {
    // After zod: the strict schemas bound the depth, so this walk stays small.
    refuseNul(r.data, where);
    return r.data;
  }
  throw new DomainError(
    'invalid_input',
    `${where} is not valid`,
    zodDetails(r.error).map((d) => ({ in: where, ...d })),
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
    this.json = bodyParser({
      enableTypes: ['json'],
      jsonLimit: `${opts.jsonLimitKb}kb`,
      jsonStrict: true,
      // Only the parse's own failures come here (the handler's errors pass by).
      onError: (e, ctx) => {
        throw bodyReadError(e, ctx.get('content-encoding') || 'identity');
      },
    }) as unknown as Middleware;
  }

  route<P extends ZodType, Q extends ZodType, B extends ZodType, A = unknown>(spec: RouteSpec<P, Q, B, A>): void {
    this.specs.push(spec as unknown as RouteSpec);
    const chain: Middleware[] = [];
    const shopScoped = spec.path.includes(':shopId');
    if (spec.auth !== 'public') chain.push(this.opts.authenticate(spec.auth, shopScoped, spec.along));
    if (spec.body && spec.bodyKind !== 'csv' && spec.bodyKind !== 'binary') {
      chain.push(async (ctx, next) => {
        if (!ctx.is('application/json')) throw new DomainError('unsupported_media_type', 'send the body as application/json');
        bodyCoding(ctx);
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
        body = await readRaw(ctx, rawLimit);
      } else if (spec.bodyKind === 'binary') {
        body = await readRaw(ctx, spec.bodyLimitBytes ?? rawLimit);
      } else if (spec.body) {
        body = parse(spec.body, (ctx.request as { body?: unknown }).body, 'body');
      }
      const result = await spec.handler({ params, query, body: body as never, actor: ctx.state.actor, customer: ctx.state.customer, requestId: ctx.state.requestId, along: (ctx.state.principal as { along?: A } | undefined)?.along, ctx });
      if (ctx.body === undefined || ctx.body === null) {
        if (result === undefined) ctx.status = 204;
        else {
          if (result instanceof JsonText) {
            ctx.type = 'application/json';
            ctx.body = result.body;
          } else ctx.body = result;
          if (spec.status && ctx.status === 200) ctx.status = spec.status;
        }
      }
    });
    this.router[spec.method](spec.path, ...(chain as never[]));
  }
}
