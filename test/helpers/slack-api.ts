import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API (`https://slack.com/api/<method>`), for tests: point
 * SLACK_API_URL at `url`. It records every call (method, token, arguments), keeps the messages
 * posted per channel (chat.postMessage / chat.update / chat.delete) with Slack-like `ts`
 * values, and answers the methods madoguchi uses as Slack does. A test can make the next calls
 * of a method (or of every method) fail as Slack fails: `{ error: 'channel_not_found' }` (HTTP
 * 200, ok:false), `{ status: 429, retryAfter: 2 }`, `{ status: 500 }`, or hang up; and set it
 * down (every call refused at the socket) and up again.
 */
export interface SlackCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
  at: number;
}

export interface SlackWorkspace {
  teamId: string;
  teamName: string;
  botUserId: string;
  botId: string;
  appId: string;
  /** People of the workspace users.info / users.lookupByEmail know. */
  users: Array<{ id: string; name: string; email?: string; isBot?: boolean }>;
  channels: Array<{ id: string; name: string; isPrivate?: boolean; isMember?: boolean; isArchived?: boolean }>;
}

export type Failure = { error: string } | { status: 429; retryAfter: number } | { status: 500 | 502 | 503 } | { hangUp: true };

export interface PostedMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  token: string | undefined;
  updates: number;
  ephemeralTo?: string;
  /** chat.postMessage's `metadata` (event_type, event_payload), answered by conversations.history / replies. */
  metadata?: unknown;
}

export interface SlackApiStandIn {
  url: string;
  calls: SlackCall[];
  messages: PostedMessage[];
  /** Bot tokens the stand-in accepts, each for a workspace (`xoxb-…`). */
  addToken(token: string, workspace: SlackWorkspace): void;
  /** The token stops working: every call with it answers `token_revoked` (or the error given). */
  revoke(token: string, error?: string): void;
  /** The next `times` calls of `method` (or '*': any) fail as given. */
  failNext(method: string, failure: Failure, times?: number): void;
  /** Down: connections are refused until up(). */
  down(): Promise<void>;
  up(): Promise<void>;
  /** OAuth: a code oauth.v2.access exchanges for `token` of `workspace`. */
  addOAuthCode(code: string, token: string, workspace: SlackWorkspace, clientId: string, clientSecret: string): void;
  callsOf(method: string): SlackCall[];
  close(): Promise<void>;
}

let tsCounter = 0;
const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;

async function readArgs(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = String(req.headers['content-type'] ?? '');
  const url = new URL(req.url ?? '/', 'http://x');
  const args: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (!raw) return args;
  if (type.includes('application/json')) return { ...args, ...(JSON.parse(raw) as Record<string, unknown>) };
  for (const [k, v] of new URLSearchParams(raw)) {
    // The Web API client sends blocks and attachments JSON-encoded inside a form.
    args[k] = ['blocks', 'attachments', 'metadata'].includes(k) && /^[[{]/.test(v) ? tryJson(v) : v;
  }
  return args;
}
const tryJson = (v: string) => {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};

export async function slackApiStandIn(): Promise<SlackApiStandIn> {
  const tokens = new Map<string, { workspace: SlackWorkspace; revoked?: string }>();
  const codes = new Map<string, { token: string; workspace: SlackWorkspace; clientId: string; clientSecret: string }>();
  const failures: Array<{ method: string; failure: Failure; left: number }> = [];
  const calls: SlackCall[] = [];
  const messages: PostedMessage[] = [];
  let isDown = false;

  const takeFailure = (method: string): Failure | undefined => {
    const f = failures.find((x) => x.left > 0 && (x.method === method || x.method === '*'));
    if (!f) return undefined;
    f.left -= 1;
    return f.failure;
  };

  const answer = (method: string, token: string | undefined, args: Record<string, unknown>): Record<string, unknown> => {
    if (method === 'oauth.v2.access') {
      const c = codes.get(String(args.code));
      if (!c) return { ok: false, error: 'invalid_code' };
      if (args.client_id !== c.clientId || args.client_secret !== c.clientSecret) return { ok: false, error: 'invalid_client_id' };
      codes.delete(String(args.code));
      const w = c.workspace;
      return { ok: true, access_token: c.token, token_type: 'bot', scope: 'chat:write,commands,users:read,users:read.email,channels:read,groups:read,im:write', bot_user_id: w.botUserId, app_id: w.appId, team: { id: w.teamId, name: w.teamName }, enterprise: null, is_enterprise_install: false, authed_user: { id: w.users[0]?.id } };
    }
    const known = token ? tokens.get(token) : undefined;
    if (!token) return { ok: false, error: 'not_authed' };
    if (!known) return { ok: false, error: 'invalid_auth' };
    if (known.revoked) return { ok: false, error: known.revoked };
    const w = known.workspace;
    const channelOf = (id: unknown) => w.channels.find((c) => c.id === id);
    const needChannel = (): Record<string, unknown> | undefined => {
      const c = channelOf(args.channel);
      if (!c) return { ok: false, error: 'channel_not_found' };
      if (c.isArchived) return { ok: false, error: 'is_archived' };
      if (c.isMember === false) return { ok: false, error: 'not_in_channel' };
      return undefined;
    };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: `https://${w.teamName}.slack.com/`, team: w.teamName, user: 'madoguchi', team_id: w.teamId, user_id: w.botUserId, bot_id: w.botId, is_enterprise_install: false };
      case 'auth.revoke':
        known.revoked = 'token_revoked';
        return { ok: true, revoked: true };
      case 'chat.postMessage': {
        const bad = needChannel();
        if (bad) return bad;
        const m: PostedMessage = { channel: String(args.channel), ts: nextTs(), token, updates: 0, ...(args.thread_ts ? { threadTs: String(args.thread_ts) } : {}), ...(args.text !== undefined ? { text: String(args.text) } : {}), ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}), ...(args.metadata ? { metadata: args.metadata } : {}) };
        messages.push(m);
        return { ok: true, channel: m.channel, ts: m.ts, message: { ts: m.ts, text: m.text, blocks: m.blocks, ...(m.threadTs ? { thread_ts: m.threadTs } : {}) } };
      }
      case 'chat.postEphemeral': {
        const bad = needChannel();
        if (bad) return bad;
        const m: PostedMessage = { channel: String(args.channel), ts: nextTs(), token, updates: 0, ephemeralTo: String(args.user), ...(args.text !== undefined ? { text: String(args.text) } : {}), ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}) };
        messages.push(m);
        return { ok: true, message_ts: m.ts };
      }
      case 'chat.update': {
        const m = messages.find((x) => x.channel === args.channel && x.ts === args.ts && !x.ephemeralTo);
        if (!m) return { ok: false, error: 'message_not_found' };
        if (args.text !== undefined) m.text = String(args.text);
        if (Array.isArray(args.blocks)) m.blocks = args.blocks;
        m.updates += 1;
        return { ok: true, channel: m.channel, ts: m.ts };
      }
      case 'chat.delete': {
        const i = messages.findIndex((x) => x.channel === args.channel && x.ts === args.ts);
        if (i < 0) return { ok: false, error: 'message_not_found' };
        messages.splice(i, 1);
        return { ok: true };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        const bad = needChannel();
        if (bad) return bad;
        const oldest = Number(args.oldest ?? 0);
        const inThread = (x: PostedMessage) => (method === 'conversations.replies' ? x.ts === args.ts || x.threadTs === args.ts : !x.threadTs);
        const found = messages.filter((x) => x.channel === args.channel && !x.ephemeralTo && inThread(x) && Number(x.ts) >= oldest);
        return { ok: true, messages: found.map((x) => ({ ts: x.ts, text: x.text, ...(x.threadTs ? { thread_ts: x.threadTs } : {}), ...(x.metadata ? { metadata: x.metadata } : {}) })), has_more: false };
      }
      case 'conversations.list':
        return { ok: true, channels: w.channels.filter((c) => !c.isArchived).map((c) => ({ id: c.id, name: c.name, is_private: Boolean(c.isPrivate), is_member: c.isMember !== false, is_archived: false })), response_metadata: { next_cursor: '' } };
      case 'conversations.info': {
        const c = channelOf(args.channel);
        if (!c) return { ok: false, error: 'channel_not_found' };
        return { ok: true, channel: { id: c.id, name: c.name, is_private: Boolean(c.isPrivate), is_member: c.isMember !== false, is_archived: Boolean(c.isArchived) } };
      }
      case 'conversations.join': {
        const c = channelOf(args.channel);
        if (!c) return { ok: false, error: 'channel_not_found' };
        if (c.isPrivate) return { ok: false, error: 'method_not_supported_for_channel_type' };
        c.isMember = true;
        return { ok: true, channel: { id: c.id, name: c.name } };
      }
      case 'users.info': {
        const u = w.users.find((x) => x.id === args.user);
        if (!u) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id: u.id, team_id: w.teamId, name: u.name, is_bot: Boolean(u.isBot), profile: { real_name: u.name, ...(u.email ? { email: u.email } : {}) } } };
      }
      case 'views.open': {
        if (!args.trigger_id) return { ok: false, error: 'invalid_arguments' };
        const view = typeof args.view === 'string' ? (tryJson(args.view) as Record<string, unknown>) : (args.view as Record<string, unknown>);
        return { ok: true, view: { id: `V${nextTs().replace('.', '')}`, ...view } };
      }
      case 'users.lookupByEmail': {
        const u = w.users.find((x) => x.email && x.email.toLowerCase() === String(args.email).toLowerCase());
        if (!u) return { ok: false, error: 'users_not_found' };
        return { ok: true, user: { id: u.id, team_id: w.teamId, name: u.name, profile: { real_name: u.name, email: u.email } } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const server: Server = createServer(async (req, res) => {
    const method = (req.url ?? '/').replace(/^\/(api\/)?/, '').split('?')[0]!;
    const args = await readArgs(req).catch(() => ({}) as Record<string, unknown>);
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : undefined;
    calls.push({ method, token, args, at: Date.now() });
    const failure = takeFailure(method);
    if (failure && 'hangUp' in failure) return void req.socket.destroy();
    if (failure && 'status' in failure) {
      if (failure.status === 429) res.writeHead(429, { 'retry-after': String(failure.retryAfter), 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      else res.writeHead(failure.status, { 'content-type': 'text/plain' }).end('upstream trouble');
      return;
    }
    const body = failure && 'error' in failure ? { ok: false, error: failure.error } : answer(method, token, args);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  });
  // Keep-alive sockets would outlive down(): every answer closes its connection.
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const listen = () => new Promise<void>((r, j) => server.once('error', j).listen(port, '127.0.0.1', () => (server.off('error', j), r())));

  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    messages,
    addToken: (token, workspace) => void tokens.set(token, { workspace }),
    revoke: (token, error = 'token_revoked') => {
      const t = tokens.get(token);
      if (t) t.revoked = error;
    },
    failNext: (method, failure, times = 1) => void failures.push({ method, failure, left: times }),
    down: async () => {
      if (isDown) return;
      isDown = true;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    up: async () => {
      if (!isDown) return;
      await listen();
      isDown = false;
    },
    addOAuthCode: (code, token, workspace, clientId, clientSecret) => void codes.set(code, { token, workspace, clientId, clientSecret }),
    callsOf: (method) => calls.filter((c) => c.method === method),
    close: async () => {
      if (isDown) return;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A workspace for tests, with ids unique to the call. */
export function testWorkspace(tag: string, over: Partial<SlackWorkspace> = {}): SlackWorkspace {
  return {
    teamId: `T${tag.toUpperCase()}`,
    teamName: `shop-${tag}`,
    botUserId: `UBOT${tag.toUpperCase()}`,
    botId: `B${tag.toUpperCase()}`,
    appId: `A${tag.toUpperCase()}`,
    users: [
      { id: `UOWNER${tag.toUpperCase()}`, name: 'owner', email: `owner-${tag}@example.jp` },
      { id: `USTRANGER${tag.toUpperCase()}`, name: 'stranger', email: `stranger-${tag}@example.jp` },
    ],
    channels: [
      { id: `CALERTS${tag.toUpperCase()}`, name: 'alerts' },
      { id: `CRETURNS${tag.toUpperCase()}`, name: 'returns' },
      { id: `COUT${tag.toUpperCase()}`, name: 'not-joined', isMember: false },
    ],
    ...over,
  };
}
