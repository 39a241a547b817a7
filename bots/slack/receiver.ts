import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { isValidSlackRequest } from '@slack/bolt';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { Db } from '../../server/core/db/client.ts';
import type { Logger } from '../../server/core/logger.ts';
import { unseal, type Keyring } from '../../server/core/sealed.ts';
import { shopsOfTeam, signingAad, type SlackConnectionRow } from '../../server/domains/slack/slack.client.ts';
import { isNewIncoming } from '../../server/domains/slack/slack.incoming.ts';
import { slackConnections } from '../../server/domains/slack/slack.tables.ts';

/**
 * Bolt's receiver inside the Koa app: POST /slack/events, /slack/actions and /slack/commands.
 * Every request is checked on its raw bytes before anything is done: its timestamp (at most
 * five minutes off), then its v0 signature against the signing secret of the app that sent it
 * (a shop's own pasted app, or the deployment's app, SLACK_SIGNING_SECRET). A request no
 * secret verifies is answered 401 and logged. What Slack sent is acted on once: its id goes
 * into slack_incoming first, so a retry (`x-slack-retry-num`) or a replay finds it and stops.
 * Slack is answered as soon as the listener acks (within 3 s); the work goes on after.
 */
export interface ReceiverDeps {
  db: Db;
  keyring: Keyring;
  logger: Logger;
  /** SLACK_SIGNING_SECRET: the deployment's app, for shops connected through "Add to Slack". */
  signingSecret?: string | undefined;
  /** How long to wait for a listener's ack before answering Slack empty-handed (Slack gives up at 3 s). */
  ackWaitMs?: number;
}

/** What verified a request: the team it names and the shops whose app signed it. Listeners act only in these shops. */
export interface Verified {
  teamId: string | undefined;
  shopIds: string[];
}

const MAX_SKEW_S = 5 * 60;
const BODY_LIMIT = '1mb';
type Kind = 'events' | 'actions' | 'commands';

/** The body of a request as Bolt expects it: JSON for events, a form for commands, a form's `payload` JSON for interactions. */
function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const form = Object.fromEntries(new URLSearchParams(raw));
  return typeof form.payload === 'string' ? (JSON.parse(form.payload) as Record<string, unknown>) : form;
}

/** The kind of body each path takes; anything else on it is refused. */
const fits: Record<Kind, (b: Record<string, unknown>) => boolean> = {
  events: (b) => b.type === 'event_callback' || b.type === 'url_verification' || b.type === 'app_rate_limited',
  actions: (b) => ['block_actions', 'view_submission', 'view_closed', 'block_suggestion', 'shortcut', 'message_action'].includes(String(b.type)),
  commands: (b) => typeof b.command === 'string' || b.ssl_check === '1',
};

const teamOf = (b: Record<string, unknown>): string | undefined => {
  const team = b.team as { id?: string } | undefined;
  const auths = b.authorizations as Array<{ team_id?: string }> | undefined;
  const id = (b.team_id as string | undefined) ?? team?.id ?? (b.user as { team_id?: string } | undefined)?.team_id ?? auths?.[0]?.team_id;
  return typeof id === 'string' ? id : undefined;
};

/** What a request is, once: an event by its id, an interaction by team, person and trigger, a command by its trigger. */
export function incomingKey(b: Record<string, unknown>): string | undefined {
  const team = teamOf(b) ?? '-';
  if (b.type === 'event_callback' && typeof b.event_id === 'string') return `event:${b.event_id}`;
  const user = (b.user as { id?: string } | undefined)?.id ?? (b.user_id as string | undefined) ?? '-';
  if (typeof b.command === 'string' && typeof b.trigger_id === 'string') return `command:${team}:${b.trigger_id}`;
  if (b.type === 'block_actions') {
    const action = (b.actions as Array<{ action_ts?: string; action_id?: string }> | undefined)?.[0];
    return `action:${team}:${user}:${String(b.trigger_id ?? action?.action_ts)}:${action?.action_id ?? '-'}`;
  }
  if (b.type === 'view_submission' || b.type === 'view_closed') {
    const view = b.view as { id?: string; hash?: string } | undefined;
    return `view:${team}:${user}:${String(b.trigger_id ?? `${view?.id}:${view?.hash}`)}`;
  }
  return undefined;
}

export class KoaReceiver implements Receiver {
  private app: App | undefined;
  /** Per parsed body: what verified it (Bolt's authorize and the listeners read it). */
  readonly verified = new WeakMap<object, Verified>();

  constructor(private readonly deps: ReceiverDeps) {}

  init(app: App): void {
    this.app = app;
  }
  // Koa listens; nothing to start or stop here.
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** The secrets that may have signed a request of `teamId`, each with the shops it speaks for. */
  private async candidates(teamId: string | undefined): Promise<Array<{ secret: string; shopIds: string[] }>> {
    const { db, keyring, signingSecret } = this.deps;
    // A url_verification names no team: any pasted app's secret may have signed it.
    const rows: SlackConnectionRow[] = teamId ? await shopsOfTeam(db, teamId) : await db.select().from(slackConnections);
    const out: Array<{ secret: string; shopIds: string[] }> = [];
    if (signingSecret) out.push({ secret: signingSecret, shopIds: rows.filter((r) => !r.signingSecretSealed).map((r) => r.shopId) });
    for (const r of rows) {
      if (!r.signingSecretSealed) continue;
      try {
        const secret = unseal(keyring, r.signingSecretSealed, signingAad(r.shopId));
        const same = out.find((c) => c.secret === secret);
        if (same) same.shopIds.push(r.shopId);
        else out.push({ secret, shopIds: [r.shopId] });
      } catch (e) {
        this.deps.logger.error({ shopId: r.shopId, err: (e as Error).message }, 'slack: a stored signing secret cannot be opened');
      }
    }
    return out;
  }

  private refuse(ctx: Context, status: number, reason: string, extra: Record<string, unknown> = {}): void {
    this.deps.logger.warn({ path: ctx.path, reason, ip: ctx.ip, ...extra }, 'slack: request refused');
    ctx.status = status;
    const ja = status === 401 ? 'Slack の署名を確認できませんでした（または時刻が古すぎます）。' : 'Slack からのリクエストとして読み取れませんでした。';
    ctx.body = { error: { code: status === 401 ? 'unauthenticated' : 'invalid_input', message: reason, details: { ja, en: reason } } };
  }

  /** The Koa handler of one path. */
  handler(kind: Kind) {
    return async (ctx: Context): Promise<void> => {
      const ts = Number(ctx.get('x-slack-request-timestamp'));
      const signature = ctx.get('x-slack-signature');
      if (!signature || !Number.isInteger(ts)) return this.refuse(ctx, 401, 'no Slack signature');
      if (Math.abs(Date.now() / 1000 - ts) > MAX_SKEW_S) return this.refuse(ctx, 401, 'stale timestamp', { ts });
      const raw = await getRawBody(ctx.req, { limit: BODY_LIMIT, encoding: 'utf8' });
      let body: Record<string, unknown>;
      try {
        body = parseBody(raw, ctx.get('content-type'));
      } catch {
        return this.refuse(ctx, 400, 'body not readable');
      }
      const teamId = teamOf(body);
      const headers = { 'x-slack-signature': signature, 'x-slack-request-timestamp': ts };
      const match = (await this.candidates(teamId)).find((c) => isValidSlackRequest({ signingSecret: c.secret, body: raw, headers }));
      if (!match) return this.refuse(ctx, 401, 'signature does not verify', { teamId });
      if (body.ssl_check === '1') return void (ctx.status = 200);
      if (!fits[kind](body)) return this.refuse(ctx, 400, `not a ${kind} payload`, { teamId, type: body.type });
      if (body.type === 'url_verification') return void (ctx.body = { challenge: body.challenge });

      const key = incomingKey(body);
      const retryNum = Number(ctx.get('x-slack-retry-num')) || undefined;
      if (key && !(await isNewIncoming(this.deps.db, key, teamId))) {
        this.deps.logger.info({ key, retryNum, teamId }, 'slack: already received; not acted on again');
        ctx.status = 200;
        return;
      }
      this.verified.set(body, { teamId, shopIds: match.shopIds });
      await this.dispatch(ctx, body, retryNum, ctx.get('x-slack-retry-reason') || undefined);
    };
  }

  /** Hands the body to Bolt and answers Slack with the listener's ack; the listener goes on after. */
  private async dispatch(ctx: Context, body: Record<string, unknown>, retryNum: number | undefined, retryReason: string | undefined): Promise<void> {
    const app = this.app;
    if (!app) throw new Error('the Slack receiver was not given to a Bolt App');
    let answer: (r: { body?: unknown }) => void = () => undefined;
    const acked = new Promise<{ body?: unknown }>((r) => (answer = r));
    let isAcked = false;
    const event: ReceiverEvent = {
      body,
      retryNum,
      retryReason,
      ack: async (response?: unknown) => {
        if (isAcked) return;
        isAcked = true;
        answer({ body: response });
      },
    };
    const done = app.processEvent(event).then(
      () => ({ body: undefined }),
      (e: unknown) => {
        this.deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'slack: listener failed');
        return { body: undefined };
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<{ body?: unknown }>((r) => (timer = setTimeout(() => r({ body: undefined }), this.deps.ackWaitMs ?? 2500)));
    const result = await Promise.race([acked, done, waited]);
    clearTimeout(timer);
    ctx.status = 200;
    if (result.body === undefined || result.body === '') return;
    ctx.body = typeof result.body === 'string' ? { text: result.body } : result.body;
  }
}
