import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type Router from '@koa/router';
import type { Registry } from 'prom-client';
import type { Database } from '../../core/db/client.ts';
import type { Redis } from '../../core/redis.ts';
import { buildOpenApi } from '../../core/openapi.ts';
import type { RouteSpec } from '../../core/route.ts';
import { RETRY_AFTER_SECONDS } from '../../core/unavailable.ts';

const docsTemplate = Handlebars.compile(
  readFileSync(fileURLToPath(new URL('../../../templates/pages/api-docs.hbs', import.meta.url)), 'utf8'),
);

const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([p, new Promise<never>((_, fail) => setTimeout(() => fail(new Error('timeout')), ms).unref())]);

export interface SystemDeps {
  database: Database;
  redis: Redis;
  metrics: Registry;
  specs: RouteSpec[];
  version: string;
}

/** Probes, metrics and the API description; none of them needs a sign-in or shows personal data. */
export function systemRoutes(router: Router, deps: SystemDeps): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', version: deps.version };
  });
  // Ready when both the database and Redis answer. Either away: 503 naming which, with
  // Retry-After; the process stays up meanwhile and is ready again once they are back.
  router.get('/readyz', async (ctx) => {
    const check = async (p: () => Promise<unknown>) => {
      try {
        await within(2000, p());
        return 'ok' as const;
      } catch {
        return 'down' as const;
      }
    };
    const [db, redis] = await Promise.all([
      check(() => deps.database.ping()),
      // A connection that is not ready would only queue the PING: no need to wait for it.
      check(() => (deps.redis.status === 'ready' ? deps.redis.ping() : Promise.reject(new Error(deps.redis.status)))),
    ]);
    const down = [...(db === 'down' ? ['database'] : []), ...(redis === 'down' ? ['redis'] : [])];
    ctx.status = down.length ? 503 : 200;
    if (down.length) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
    ctx.body = {
      status: down.length ? 'unready' : 'ready',
      db,
      redis,
      database: deps.database.kind,
      ...(down.length ? { down, reason: `${down.join(' and ')} ${down.length > 1 ? 'do' : 'does'} not answer` } : {}),
    };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.metrics();
  });
  let doc: Record<string, unknown> | undefined;
  const openapi = () => (doc ??= buildOpenApi(deps.specs, { version: deps.version }));
  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi();
  });
  router.get('/docs', (ctx) => {
    const d = openapi() as { paths: Record<string, Record<string, Record<string, unknown>>>; info: Record<string, unknown> };
    const byTag = new Map<string, unknown[]>();
    for (const [path, ops] of Object.entries(d.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const tag = (op.tags as string[])[0]!;
        const body = (op.requestBody as { content?: Record<string, { schema: unknown }> } | undefined)?.content;
        const [bodyType, bodySchema] = body ? Object.entries(body)[0]! : [];
        const responses = Object.entries(op.responses as Record<string, { description: string; content?: Record<string, { schema: unknown }> }>);
        byTag.set(tag, [
          ...(byTag.get(tag) ?? []),
          {
            method: method.toUpperCase(),
            path,
            anchor: op.operationId,
            summary: op.summary,
            description: op.description,
            security: (op.security as Record<string, unknown>[]).map((s) => Object.keys(s)[0]).join(' or ') || 'none',
            parameters: op.parameters,
            bodyType,
            body: bodySchema ? JSON.stringify(bodySchema.schema, null, 2) : undefined,
            responses: responses.map(([status, r]) => ({
              status,
              description: r.description,
              schema: r.content ? JSON.stringify(Object.values(r.content)[0]!.schema, null, 2) : undefined,
            })),
          },
        ]);
      }
    }
    ctx.type = 'html';
    ctx.body = docsTemplate({ info: d.info, tags: [...byTag].map(([name, ops]) => ({ name, ops })) });
  });
}
