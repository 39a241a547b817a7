/**
 * The HTTP side of the fuzz: requests planned from the OpenAPI document (pure, seeded), sent
 * with node:http (or a raw socket when a header must lie in a way node:http refuses to), and
 * the rule every answer must keep: never a 5xx, every refusal the JSON error body with the
 * status its code has.
 */
import http from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { errorStatus } from '../../../server/core/errors.ts';
import { hostileJsonText, hostileValue, mutate, validValue, type Json, type Rng, type Schema } from './fuzz.gen.ts';

export interface Operation {
  method: string;
  path: string;
  params: { name: string; in: 'path' | 'query'; required: boolean; schema: Schema }[];
  body?: { type: string; schema?: Schema };
}

export interface PlannedRequest {
  n: number;
  mode: string;
  caller: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent over a raw socket: the declared length differs from the bytes sent. */
  lieLength?: 'short' | 'long';
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Every operation of the document, with its parameters and body. */
export function operations(doc: { paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { content: Record<string, { schema?: Schema }> } }>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const content = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
      out.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], ...(content ? { body: { type: content[0], schema: content[1].schema } } : {}) });
    }
  }
  return out;
}

const MODES = ['valid', 'params', 'params', 'query', 'body', 'body', 'text', 'type', 'encoding', 'encoding', 'length', 'method', 'headers'] as const;
const ODD_METHODS = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'TRACE', 'PURGE', 'SEARCH', 'REPORT', 'FOO', 'M-SEARCH', 'LINK', 'OPTIONS', 'HEAD', 'GET', 'PUT', 'DELETE', 'PATCH', 'POST'];
const ODD_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=shift_jis', 'application/jsonx', 'image/png', 'text/csv', '', 'application/json, text/plain', '*/*'];
const ODD_CODINGS = ['gzip', 'deflate', 'br', 'x-foo', 'gzip, br', 'GZIP', 'compress', 'identity, gzip', ' gzip'];
const RAW_SEGMENTS = ['%', '%zz', '%E0%A4%A', '%00', '..', '%2e%2e', '%2F', '%ED%A0%80', 'null', '-1', '0', '1e999', '%20', '%F0%9F%98%80'];

function encodeSegment(v: Json): string {
  try {
    return encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v));
  } catch {
    return '%ED%A0%80'; // a lone surrogate: the bytes it would be
  }
}

/**
 * One request for an operation and a caller, hostile in one way (`mode`). `known` gives real
 * ids (the fuzz shop, its conversation, order…) for parameters of those names.
 */
export function plan(n: number, op: Operation, caller: { name: string; headers: Record<string, string> }, r: Rng, known: (name: string) => string | undefined): PlannedRequest {
  const mode = r.pick(MODES);
  const headers: Record<string, string> = { ...caller.headers };
  let method = op.method;
  let path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const p = op.params.find((x) => x.name === name && x.in === 'path');
    const real = known(name);
    if (name === 'shopId' && real && mode !== 'params') return real;
    if (mode === 'params' && r.chance(0.5)) return r.chance(0.3) ? r.pick(RAW_SEGMENTS) : encodeSegment(hostileValue(r, 20_000));
    return encodeSegment(real && r.chance(0.7) ? real : validValue(p?.schema ?? { type: 'string' }, r, known, name));
  });
  const query = new URLSearchParams();
  for (const p of op.params.filter((x) => x.in === 'query')) {
    if (p.required || r.chance(0.4)) query.append(p.name, String(validValue(p.schema, r, known, p.name)));
  }
  if (mode === 'query') {
    const v = hostileValue(r, 20_000);
    const name = r.chance(0.7) && op.params.some((x) => x.in === 'query') ? r.pick(op.params.filter((x) => x.in === 'query')).name : r.pick(['extra', '__proto__', 'constructor[prototype]', 'a[b][c]']);
    query.append(name, typeof v === 'string' ? v.replace(/[\ud800-\udfff]/g, '') : JSON.stringify(v));
    if (r.chance(0.3)) query.append(name, 'again');
  }
  const qs = query.toString();
  if (qs) path += `?${qs}`;

  let body: Buffer | undefined;
  const jsonBody = op.body?.type === 'application/json';
  if (op.body) {
    const near = jsonBody ? validValue(op.body.schema ?? {}, r, known) : null;
    if (jsonBody) {
      headers['content-type'] = 'application/json';
      const value = mode === 'body' ? mutate(near, r) : near;
      body = Buffer.from(mode === 'text' ? hostileJsonText(r, near) : JSON.stringify(value));
    } else {
      headers['content-type'] = op.body.type;
      body = mode === 'body' ? Buffer.from(r.pick(['', '\u0000\u0000', 'a,b\n1,2\n', '\xff\xfe', 'x'.repeat(100_000)]), 'latin1') : Buffer.from('注文番号,合計\nT-1,100\n');
    }
  } else if (mode === 'body' || mode === 'text') {
    headers['content-type'] = 'application/json';
    body = Buffer.from(mode === 'text' ? hostileJsonText(r, {}) : JSON.stringify(hostileValue(r)));
  }
  if (mode === 'type') headers['content-type'] = r.pick(ODD_TYPES);
  if (mode === 'encoding') {
    headers['content-encoding'] = r.pick(ODD_CODINGS);
    body ??= Buffer.from('{}');
    // Now and then it does not lie: the same body really compressed must still be read.
    if (headers['content-encoding'] === 'gzip' && r.chance(0.25)) body = gzipSync(body);
  }
  if (mode === 'method') method = r.pick(ODD_METHODS);
  if (mode === 'headers') {
    const h = r.pick(['cookie', 'x-csrf-token', 'authorization', 'x-request-id', 'accept', 'origin', 'x-forwarded-for', 'range']);
    headers[h] = r.pick(['mdg_session=' + 'a'.repeat(5000), 'Bearer ' + 'z'.repeat(300), 'Basic Zm9vOmJhcg==', '\u0000'.replace('\u0000', '%00'), '", ;;', 'mdg_session=%E0%A4%A', 'bytes=999999999-', 'null', '../../']);
  }
  const lie = mode === 'length' ? r.pick(['short', 'long'] as const) : undefined;
  if (lie) body ??= Buffer.from('{"a":1}');
  return { n, mode, caller: caller.name, method, path, headers, ...(body ? { body } : {}), ...(lie ? { lieLength: lie } : {}) };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** Sends one planned request; `null` when the server closed the connection without answering. */
export function send(base: URL, req: PlannedRequest): Promise<Answer | null> {
  if (req.lieLength) return sendRaw(base, req);
  return new Promise((done, fail) => {
    const headers = { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) };
    const out = http.request({ host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    out.setTimeout(15_000, () => out.destroy(new Error('no answer in 15 s')));
    out.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? done(null) : fail(e)));
    out.end(req.body);
  });
}

/** A request whose Content-Length lies: fewer bytes than declared (then the client stops writing), or more. */
function sendRaw(base: URL, req: PlannedRequest): Promise<Answer | null> {
  return new Promise((done) => {
    const body = req.body ?? Buffer.alloc(0);
    const declared = req.lieLength === 'short' ? body.length + 50 : Math.max(0, body.length - 3);
    const head = [`${req.method} ${req.path} HTTP/1.1`, `host: ${base.host}`, 'connection: close', `content-length: ${declared}`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
    const socket = connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => done(parseFirst(Buffer.concat(chunks))));
    socket.write(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]));
    socket.end(); // half-close: a server waiting for the missing bytes learns they will never come
  });
}

function parseFirst(raw: Buffer): Answer | null {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Answer['headers'] = {};
  for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
  const length = Number(headers['content-length'] ?? 0);
  return { status: Number(statusLine!.split(' ')[1]), headers, text: raw.subarray(end + 4, end + 4 + length).toString('utf8') };
}

/** Statuses the HTTP parser's refusals use besides the table's (server/core/http.ts answerClientError). */
const parserStatuses: Record<number, string> = { 431: 'payload_too_large', 408: 'invalid_input' };

/** What is wrong with an answer, or undefined when it keeps the rule. */
export function problem(req: PlannedRequest, a: Answer | null): string | undefined {
  // Every request gets an answer, even one whose Content-Length lies and whose client then
  // closes its sending side (the server answers in flight before it closes, service.ts).
  if (!a) return 'the connection closed without an answer';
  if (a.status >= 500) return `answered ${a.status}: ${a.text.slice(0, 200)}`;
  if (a.status < 400 || req.method === 'HEAD') return undefined;
  if (!String(a.headers['content-type'] ?? '').startsWith('application/json')) return `${a.status} with a ${a.headers['content-type'] ?? 'missing'} body: ${a.text.slice(0, 100)}`;
  let body: { error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(a.text) as typeof body;
  } catch {
    return `${a.status} with a body that is not JSON: ${a.text.slice(0, 100)}`;
  }
  const code = body.error?.code;
  if (typeof code !== 'string' || !(code in errorStatus) || typeof body.error?.message !== 'string') return `${a.status} without the error envelope: ${a.text.slice(0, 200)}`;
  const expected = errorStatus[code as keyof typeof errorStatus];
  if (a.status !== expected && parserStatuses[a.status] !== code) return `${a.status} for code ${code} (its status is ${expected})`;
  if (a.status === 405 && !a.headers.allow) return '405 without Allow';
  return undefined;
}

/** A line to repeat the request by hand. */
export function describe(req: PlannedRequest): string {
  const body = req.body ? ` body(${req.body.length}B)=${JSON.stringify(req.body.subarray(0, 120).toString('latin1'))}` : '';
  const hs = Object.entries(req.headers).filter(([k]) => !['cookie', 'x-csrf-token', 'authorization'].includes(k) || req.mode === 'headers');
  return `#${req.n} [${req.mode}/${req.caller}] ${req.method} ${req.path.slice(0, 200)} ${JSON.stringify(Object.fromEntries(hs)).slice(0, 300)}${body}${req.lieLength ? ` length:${req.lieLength}` : ''}`;
}
