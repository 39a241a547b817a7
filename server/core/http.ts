import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Context, Middleware, Next } from 'koa';
import type { Histogram } from 'prom-client';
import { ZodError } from 'zod';
import { fromDatabaseError } from './db/errors.ts';
import { DomainError, errorStatus, type ErrorCode } from './errors.ts';
import type { Logger } from './logger.ts';
import { fromUnavailable } from './unavailable.ts';
import { japaneseIssue } from './messages.ts';

export interface ErrorBody {
  error: { code: ErrorCode | 'internal'; message: string; details?: unknown };
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** Request id (taken from X-Request-Id when well-formed), a child logger, one access-log line. */
export function requestContext(logger: Logger, duration: Histogram<'method' | 'route' | 'status'>): Middleware {
  return async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ reqId: requestId });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The route pattern, never the raw path: paths can carry order numbers.
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      duration.labels(ctx.method, String(route), String(ctx.status)).observe(seconds);
      ctx.state.log.info(
        { method: ctx.method, route, status: ctx.status, ms: Math.round(seconds * 1000) },
        'request',
      );
    }
  };
}

type ThrownHttpError = { status?: number; statusCode?: number; type?: string; message?: string; name?: string; body?: unknown; code?: unknown; errno?: unknown; syscall?: unknown };

/**
 * A body that said it was compressed and was not (`Content-Encoding: gzip` on plain bytes, a
 * broken brotli stream). zlib and brotli fail with a numeric errno and a code but no HTTP
 * status and, unlike a system error (a lost connection), no syscall. route.ts decodes the
 * API's bodies itself; this catches every other body parser (the portal's forms).
 */
function fromDecodeError(ctx: Context, e: ThrownHttpError): DomainError | undefined {
  const coding = ctx.get('content-encoding').trim().toLowerCase();
  if (!coding || coding === 'identity') return undefined;
  if (typeof e.errno !== 'number' || typeof e.code !== 'string' || e.syscall !== undefined || (e.status ?? e.statusCode) !== undefined) return undefined;
  return new DomainError('invalid_input', `the body is not valid ${coding} data, as its Content-Encoding says`);
}

/** Turns thrown errors of body parsers and http-errors into our codes. */
function fromHttpError(e: ThrownHttpError): DomainError | undefined {
  const status = e.status ?? e.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return new DomainError('payload_too_large', 'request body is too large');
  if (status === 415) return new DomainError('unsupported_media_type', e.message ?? 'unsupported content encoding');
  // co-body (under @koa/bodyparser) throws JSON.parse's SyntaxError with status 400 and the raw body attached.
  if (status === 400 && (e.type === 'entity.parse.failed' || e.name === 'SyntaxError' || 'body' in e)) {
    return new DomainError('invalid_input', 'request body is not valid JSON');
  }
  if (status === 400) return new DomainError('invalid_input', e.message ?? 'bad request');
  if (status === 401) return new DomainError('unauthenticated', 'sign in first');
  if (status === 403) return new DomainError('forbidden', 'you may not do this');
  if (status === 404) return new DomainError('not_found', 'not found');
  return undefined;
}

export function zodDetails(err: ZodError) {
  return err.issues.map((i) => ({
    path: i.path.join('.'),
    message: i.message,
    ja: japaneseIssue(i),
    ...('keys' in i ? { keys: i.keys } : {}),
  }));
}

/**
 * An error any adapter (HTTP, socket acks) can answer precisely: a DomainError as it is, a
 * ZodError as invalid_input, a database's refusal of the input as its 4xx (fromDatabaseError),
 * a dependency that is away as 503 (fromUnavailable). Undefined for anything else: a bug.
 */
export function knownError(e: unknown, where = 'input'): DomainError | undefined {
  if (e instanceof DomainError) return e;
  if (e instanceof ZodError) return new DomainError('invalid_input', `${where} is not valid`, zodDetails(e));
  if (!e || typeof e !== 'object') return undefined;
  return fromDatabaseError(e) ?? fromUnavailable(e);
}

/**
 * A thrown error during an HTTP request as one of our codes: knownError's, plus a lying
 * Content-Encoding and body parsers' http-errors; undefined for anything unknown (a 500). The
 * API's error middleware and the pages' (core/pages.ts) share it.
 */
export function toDomainError(ctx: Context, raw: unknown): DomainError | undefined {
  const known = knownError(raw);
  if (known || !raw || typeof raw !== 'object') return known;
  return fromDecodeError(ctx, raw) ?? fromHttpError(raw);
}

/** One error middleware: DomainError → its status; anything unknown → logged 500 with a generic body. */
export function errorHandler(): Middleware {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new DomainError('not_found', `no route for ${ctx.method} ${ctx.path}`);
      if (ctx.status === 405 && !ctx.body) throw new DomainError('method_not_allowed', `${ctx.method} is not allowed here; allowed: ${ctx.response.get('Allow')}`);
    } catch (raw) {
      const err = toDomainError(ctx, raw);
      if (!err) {
        ctx.state.log?.error({ err: raw }, 'unhandled error');
        ctx.status = 500;
        ctx.body = { error: { code: 'internal', message: 'internal error; quote the request id when reporting it' } } satisfies ErrorBody;
        return;
      }
      ctx.status = errorStatus[err.code];
      for (const [k, v] of Object.entries(err.headers ?? {})) ctx.set(k, v);
      ctx.body = {
        error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
      } satisfies ErrorBody;
      if (ctx.status >= 400) ctx.state.log?.info({ code: err.code }, 'request refused');
    }
  };
}

const clientErrorAnswers: Record<string, { status: number; reason: string; code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', code: 'payload_too_large', message: 'the request line and headers are too large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, reason: 'Payload Too Large', code: 'payload_too_large', message: 'the chunk extensions are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'invalid_input', message: 'the request did not arrive in time' },
};

/**
 * For the HTTP server's `clientError`: a request Node cannot parse (an unknown method such as
 * FOO, a broken request line, headers over the limit) never reaches Koa, and Node's own
 * answer has no body. This one says the same in our error envelope, then closes, as Node does.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // Refused and closing: the client's further bytes (the rest of a body) each make the parser
  // fail again; they are read and dropped until the client closes (see lingerClose).
  if (lingering.has(socket)) return;
  // Node's rule: nothing can be written once a response on this connection has begun.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const a = clientErrorAnswers[err.code ?? ''] ?? { status: 400, reason: 'Bad Request', code: 'invalid_input', message: 'the request is not valid HTTP/1.1' };
  const body = JSON.stringify({ error: { code: a.code, message: a.message } } satisfies ErrorBody);
  lingerClose(
    socket,
    `HTTP/1.1 ${a.status} ${a.reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const lingering = new WeakSet<Socket>();
/** How long a refused connection may go on sending before it is cut. */
const LINGER_MS = 5_000;

/**
 * Answers and closes as a careful server does ("lingering close"): the answer is written and
 * the sending side shut, but the socket is kept open, reading and dropping what the client is
 * still sending, until the client closes or LINGER_MS pass. Closing a socket with unread bytes
 * in it makes the kernel reset the connection, and a client still writing its body then loses
 * the answer it was sent (it sees ECONNRESET instead of the 400).
 */
function lingerClose(socket: Socket, answer: string): void {
  lingering.add(socket);
  const cut = setTimeout(() => socket.destroy(), LINGER_MS);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
  socket.on('end', () => socket.destroy());
  socket.end(answer);
  socket.resume();
}

/**
 * Sends stored upload bytes so that they can never act as a page of ours: the stored (sniffed)
 * type, nosniff, a sandbox CSP (no script, no same-origin), and anything but an image as a
 * download, since browsers' PDF viewers do not run inside a sandbox.
 */
export function sendStoredFile(ctx: Context, f: { contentType: string; size: number; filename: string; stream: NodeJS.ReadableStream }): void {
  ctx.type = f.contentType;
  ctx.length = f.size;
  ctx.attachment(f.filename, { type: f.contentType.startsWith('image/') ? 'inline' : 'attachment' });
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "sandbox; default-src 'none'");
  ctx.set('Cache-Control', 'private, no-store');
  ctx.body = f.stream;
}
