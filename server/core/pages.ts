import type { Context, Middleware, Next } from 'koa';
import { errorStatus, type ErrorCode } from './errors.ts';
import { toDomainError } from './http.ts';
import { render } from './templates.ts';
import { RETRY_AFTER_SECONDS } from './unavailable.ts';

/** What a page says for each refusal, Japanese first, when the error brings no words of its own. */
const words: Partial<Record<ErrorCode | 'internal', { title: [string, string]; body: [string, string] }>> = {
  unavailable: {
    title: ['ただいま表示できません', 'This page is not available just now'],
    body: ['ただいまシステムに接続できないため、ページを表示できません。お手数ですが、しばらくしてからもう一度お試しください。', 'We cannot reach our system just now, so this page cannot be shown. Please try again in a moment.'],
  },
  not_found: { title: ['ページが見つかりません', 'Page not found'], body: ['お探しのページは見つかりませんでした。', 'The page you are looking for was not found.'] },
  invalid_input: { title: ['入力内容をご確認ください', 'Please check your input'], body: ['送信された内容を処理できませんでした。', 'What was sent could not be processed.'] },
  internal: {
    title: ['エラーが発生しました', 'Something went wrong'],
    body: ['申し訳ございません。エラーが発生しました。お問い合わせの際は、下の番号をお伝えください。', 'We are sorry: something went wrong. If you contact us, please quote the number below.'],
  },
};
const fallback = { title: ['お手続きを進められませんでした', 'This could not be done'], body: ['お手数ですが、最初からもう一度お試しください。', 'Please start again.'] } as const;

/**
 * For pages a browser opens (the returns portal, the published terms page): an error below
 * them is answered to a browser (one that asks for HTML before JSON, as every navigation and
 * form post does) as an HTML page in Japanese and English, never as the API's JSON body. A
 * dependency that is away (PostgreSQL, Redis) is a 503 with Retry-After, like the API's; the
 * same conversions as the API's error middleware decide the status, so the two never disagree.
 */
export function htmlErrorPages(): Middleware {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (raw) {
      // A client that prefers JSON to HTML (a script, the API's conventions) gets the API's error body.
      if (ctx.accepts('json', 'html') !== 'html') throw raw;
      const err = toDomainError(ctx, raw);
      const code = err?.code ?? 'internal';
      if (!err) ctx.state.log?.error({ err: raw }, 'unhandled error');
      else ctx.state.log?.info({ code }, 'request refused');
      const own = (err?.details as { say?: { ja: string; en: string } } | undefined)?.say;
      const w = words[code] ?? fallback;
      const retryAfter = code === 'unavailable' ? (err?.headers?.['Retry-After'] ?? String(RETRY_AFTER_SECONDS)) : null;
      ctx.status = err ? errorStatus[err.code] : 500;
      for (const [k, v] of Object.entries(err?.headers ?? {})) ctx.set(k, v);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'html';
      ctx.body = render('pages/error', {
        status: ctx.status,
        titleJa: w.title[0],
        titleEn: w.title[1],
        bodyJa: own?.ja ?? w.body[0],
        bodyEn: own?.en ?? w.body[1],
        retryAfter,
        requestId: code === 'internal' ? (ctx.state.requestId ?? null) : null,
      });
    }
  };
}
