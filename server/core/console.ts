import { fileURLToPath } from 'node:url';
import { send } from '@koa/send';
import type { Context, Next } from 'koa';

export const consoleDist = fileURLToPath(new URL('../../agent-console/dist', import.meta.url));

/** True when the file was sent, false when there is none; other failures propagate. */
async function sent(attempt: () => Promise<unknown>): Promise<boolean> {
  try {
    await attempt();
    return true;
  } catch (e) {
    if ((e as { status?: number }).status === 404) return false;
    throw e;
  }
}

/**
 * Serves the built console at /console; paths without a file fall back to index.html so the
 * single-page app can route them. Hashed assets are cached for good; index.html is checked each time.
 */
export function serveConsole(dist = consoleDist) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== '/console' && !ctx.path.startsWith('/console/')) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/console') return ctx.redirect('/console/');
    const rel = ctx.path.slice('/console/'.length);
    // Never look outside dist: answering differently for files that exist there would tell.
    let decoded: string;
    try {
      decoded = decodeURIComponent(rel);
    } catch {
      return next();
    }
    if (decoded.split('/').some((seg) => seg === '..' || seg.includes('\\'))) return next();
    const isAsset = rel.startsWith('assets/');
    // send() answers with the build's .br or .gz beside the file when the request accepts it.
    ctx.vary('Accept-Encoding');
    // send() finds out whether the file exists; no extra file-system check per request.
    if (rel && !rel.endsWith('/') && (await sent(() => send(ctx, rel, { root: dist, immutable: isAsset, maxage: isAsset ? 31_536_000_000 : 0 })))) return;
    if (isAsset) return next();
    ctx.set('Cache-Control', 'no-cache');
    if (await sent(() => send(ctx, 'index.html', { root: dist }))) return;
    ctx.status = 503;
    ctx.type = 'text/plain';
    ctx.body = 'The console is not built yet: run `npm run build` (npm start does it for you).';
  };
}
