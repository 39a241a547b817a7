import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';

export const widgetFile = fileURLToPath(new URL('../../agent-console/dist-widget/widget.js', import.meta.url));

/**
 * Serves the chat widget at /widget.js for shops' pages on other origins. Registered before
 * helmet: helmet's Cross-Origin-Resource-Policy (same-site) would stop shop pages from running
 * it, and its CSP is for our own pages, not for a script. Cached for five minutes, so a new
 * build reaches shop pages soon without every page view fetching it.
 */
export function serveWidget(file = widgetFile) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== '/widget.js' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    ctx.set('X-Content-Type-Options', 'nosniff');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      ctx.status = 503;
      ctx.type = 'text/plain';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = 'The chat widget is not built yet: run `npm run build` (npm start does it for you).';
      return;
    }
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.status = 200; // before ctx.fresh, which only answers for a 2xx
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.lastModified = info.mtime;
    ctx.etag = `W/"${info.size.toString(16)}-${info.mtime.getTime().toString(16)}"`;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    if (ctx.method === 'GET') ctx.body = createReadStream(file);
    ctx.length = info.size;
  };
}
