import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { fromDatabaseError } from '../../core/db/errors.ts';
import { DomainError, errorStatus, isDomainError, notFound } from '../../core/errors.ts';
import { sameSecret } from '../../core/secrets.ts';
import { htmlErrorPages } from '../../core/pages.ts';
import { render } from '../../core/templates.ts';
import type { CookieOptions } from '../auth/auth.cookie.ts';
import { findShop } from '../shops/shops.repository.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { createPortalAuth, partyOf, type PortalAuthDeps, type PortalSession } from './returns.portal.auth.ts';
import { portalOrder } from './returns.portal.ts';
import { portalConfirmVars, portalRequestVars } from './returns.portal.pages.ts';
import { askFrom, enteredOf, errorOf, hiddenFields, lookupForm, parseForm, requestForm, verifyForm } from './returns.portal.forms.ts';
import { moveReturnBody, type FileReturnBody } from './returns.schema.ts';
import type { EventSink } from '../../events/commit.ts';
import { fileReturn, previewReturn } from './returns.service.ts';
import { getReturnFor } from './returns.queries.ts';
import { moveReturn } from './returns.transitions.ts';
import { sendStoredFile } from '../../core/http.ts';
import type { ShopRow } from '../shops/shops.repository.ts';
import { afterRefusal, ownPhoto, portalLook, replyTimeWords } from './returns.portal.customer.ts';
import { checkPhotos, discardPhotos, readMultipart, storePhotos, type UploadedFile } from './returns.photos.ts';
import type { FileStorage } from '../../core/storage.ts';
import { carrierHintOf, mobileCarrierOf, mobileCarriers } from '../maillog/maillog.carriers.ts';

export const PORTAL_COOKIE = 'mdg_portal';

export interface PortalRouteDeps extends PortalAuthDeps {
  /** Where a filing or a move goes on after its commit (its listeners, the console's live list). */
  sink: EventSink;
  cookie: CookieOptions;
  storage: FileStorage;
  /** MAIL_FROM's domain: what a customer at a mobile carrier address must allow for the code to arrive. */
  mailDomain: string;
  /** The inbound mail domain when inbound mail is active (inboundEmailConfig): a refused request then shows the shop's shop+… address. */
  inboundDomain?: string;
}

/**
 * The returns portal: server-rendered pages and plain forms, so it works without JavaScript.
 * Every page answers with HTML, errors included; a bad form re-renders with its message.
 */
export function returnPortalRoutes(router: Router, deps: PortalRouteDeps): void {
  // Before its routes: what escapes a page (the database or Redis away, anything unforeseen) is an HTML page too.
  router.use('/returns/:shopId', htmlErrorPages());
  const auth = createPortalAuth(deps);
  const form = bodyParser({ enableTypes: ['form'], formLimit: '64kb' }) as unknown as Middleware;
  /** The submit form carries photos: multipart, read into fields (for the CSRF check) and files. */
  const formWithPhotos: Middleware = async (ctx, next) => {
    if (!ctx.is('multipart/form-data')) return form(ctx, next);
    // Up to 5 × 10 MB: a visitor without a session is sent back to the start before one byte is read.
    const shopId = await shopFor(ctx);
    if (!shopId) return;
    if (!(await sessionOf(ctx, shopId))) return ctx.redirect(base(shopId));
    try {
      const { fields, files, error } = await readMultipart(ctx);
      (ctx.request as { body?: unknown }).body = fields;
      ctx.state.photos = files;
      ctx.state.formError = error;
    } catch (e) {
      if (!isDomainError(e)) throw e;
      (ctx.request as { body?: unknown }).body = {};
      ctx.state.formError = e;
    }
    await next();
  };
  const db: Db = deps.db;
  const base = (shopId: string) => `/returns/${shopId}`;

  const page = async (ctx: Context, shopId: string, s: PortalSession | null, name: string, vars: Record<string, unknown>, extra: { error?: { ja: string; en: string } | null; notice?: { ja: string; en: string } | null; status?: number; refusal?: DomainError } = {}) => {
    // shopFor read the shop already; a page never reads it twice.
    const shop = ctx.state.portalShop as ShopRow | undefined;
    const content = render(`portal/${name}`, { base: base(shopId), csrf: s?.csrf ?? '', ...vars });
    ctx.status = extra.refusal ? errorStatus[extra.refusal.code] : (extra.status ?? 200);
    // A refusal's headers go with it: Retry-After on a 503 (Redis or the database away).
    for (const [k, v] of Object.entries(extra.refusal?.headers ?? {})) ctx.set(k, v);
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = render('portal/layout', {
      title: '返品・交換 / Returns',
      ...portalLook(shop),
      shopId,
      base: base(shopId),
      signedIn: !!s,
      orderNumber: s?.orderNumber ?? '',
      customerName: s?.customerName ?? '',
      csrf: s?.csrf ?? '',
      error: extra.error ?? null,
      notice: extra.notice ?? null,
      content,
    });
  };

  /** Resolves the shop of the path (404 page for a malformed or unknown one) and the session, if any. */
  const shopFor = async (ctx: Context): Promise<string | null> => {
    if (ctx.state.portalShopId !== undefined) return ctx.state.portalShopId as string | null;
    ctx.state.portalShopId = await readShop(ctx);
    return ctx.state.portalShopId as string | null;
  };
  const readShop = async (ctx: Context): Promise<string | null> => {
    const id = shopIdParams.shape.shopId.safeParse(ctx.params.shopId);
    const shop = id.success ? await findShop(db, id.data) : undefined;
    ctx.state.portalShop = shop;
    if (!id.success || !shop) {
      ctx.status = 404;
      ctx.type = 'html';
      ctx.body = '<!doctype html><meta charset="utf-8"><p>ショップが見つかりません。 / Shop not found.</p>';
      return null;
    }
    return id.data;
  };
  /** Read once a request: the multipart submit checks it before its body, the page again after. */
  const sessionOf = (ctx: Context, shopId: string): Promise<PortalSession | null> =>
    (ctx.state.portalSession ??= auth.session(shopId, ctx.cookies.get(PORTAL_COOKIE))) as Promise<PortalSession | null>;

  /** A signed-in page: no session goes back to the start; a POST must carry the session's CSRF token. */
  const signedIn = (fn: (ctx: Context, shopId: string, s: PortalSession) => Promise<void>) => async (ctx: Context) => {
    const shopId = await shopFor(ctx);
    if (!shopId) return;
    const s = await sessionOf(ctx, shopId);
    if (!s) return ctx.redirect(base(shopId));
    if (ctx.method === 'POST') {
      const token = (ctx.request as { body?: Record<string, unknown> }).body?.csrf;
      if (typeof token !== 'string' || !sameSecret(token, s.csrf)) {
        return page(ctx, shopId, s, 'start', { orderNumber: '', contact: '' }, { error: { ja: 'ページの有効期限が切れました。もう一度お試しください。', en: 'This page has expired; please try again.' }, status: 403 });
      }
    }
    try {
      await fn(ctx, shopId, s);
    } catch (raw) {
      // A lost race or a value the database refuses is answered as a page like any refusal.
      const e = isDomainError(raw) ? raw : fromDatabaseError(raw);
      if (!e) throw raw;
      // What the customer entered comes back with the message, not an empty form.
      const entered = ctx.method === 'POST' ? enteredOf(body(ctx)) : undefined;
      await page(ctx, shopId, s, 'order', await orderVars(s, entered), { error: errorOf(e), refusal: e });
    }
  };

  const body = (ctx: Context) => (ctx.request as { body?: unknown }).body ?? {};
  /** The order page, filled in with what the customer entered (`prior`) when it comes back. */
  const orderVars = async (s: PortalSession, prior?: Partial<FileReturnBody>) => ({
    ...(await portalOrder(db, s, prior)),
    kindReturn: prior?.kind !== 'exchange',
    kindExchange: prior?.kind === 'exchange',
    comment: prior?.comment ?? '',
    conditionsConfirmed: !!prior?.conditionsConfirmed,
  });

  router.get('/returns/:shopId', async (ctx) => {
    const shopId = await shopFor(ctx);
    if (!shopId) return;
    if (await sessionOf(ctx, shopId)) return ctx.redirect(`${base(shopId)}/order`);
    await page(ctx, shopId, null, 'start', { orderNumber: '', contact: '' });
  });

  router.post('/returns/:shopId/code', form, async (ctx) => {
    const shopId = await shopFor(ctx);
    if (!shopId) return;
    const f = lookupForm.safeParse(body(ctx));
    if (!f.success) return page(ctx, shopId, null, 'start', { orderNumber: '', contact: '' }, { error: { ja: '注文番号とメールアドレスまたは電話番号を入力してください。', en: 'Enter the order number and the email or phone.' }, status: 400 });
    try {
      const challenge = await auth.start(shopId, f.data.orderNumber, f.data.contact, ctx.ip);
      // The carrier of the address the customer typed (not of the order's: that would tell whether it matched).
      const carrier = mobileCarrierOf(f.data.contact.normalize('NFKC').trim());
      ctx.redirect(`${base(shopId)}/verify?c=${encodeURIComponent(challenge)}${carrier ? `&m=${carrier}` : ''}`);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      await page(ctx, shopId, null, 'start', { orderNumber: f.data.orderNumber, contact: '' }, { error: errorOf(e), refusal: e });
    }
  });

  router.get('/returns/:shopId/verify', async (ctx) => {
    const shopId = await shopFor(ctx);
    if (!shopId) return;
    const c = typeof ctx.query.c === 'string' ? ctx.query.c.slice(0, 64) : '';
    const carrier = mobileCarriers.find((m) => m === ctx.query.m);
    await page(ctx, shopId, null, 'verify', { challenge: c, carrierHint: carrier ? carrierHintOf(carrier, deps.mailDomain) : null });
  });

  router.post('/returns/:shopId/verify', form, async (ctx) => {
    const shopId = await shopFor(ctx);
    if (!shopId) return;
    const f = verifyForm.safeParse(body(ctx));
    if (!f.success) return page(ctx, shopId, null, 'verify', { challenge: '', carrierHint: null }, { error: errorOf(new DomainError('unauthenticated', 'the form was incomplete')), status: 400 });
    try {
      const token = await auth.verify(shopId, f.data.challenge, f.data.code);
      if (deps.cookie.secure) ctx.cookies.secure = true;
      ctx.cookies.set(PORTAL_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: deps.cookie.secure, path: base(shopId), maxAge: 2 * 3600 * 1000 });
      ctx.redirect(`${base(shopId)}/order`);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      const burned = e.code === 'rate_limited' || e.code === 'unauthenticated';
      await page(ctx, shopId, null, burned ? 'start' : 'verify', burned ? { orderNumber: '', contact: '' } : { challenge: f.data.challenge, carrierHint: null }, { error: errorOf(e), refusal: e });
    }
  });

  const showOrder = signedIn(async (ctx, shopId, s) => {
    await page(ctx, shopId, s, 'order', await orderVars(s, ctx.method === 'POST' ? enteredOf(body(ctx)) : undefined));
  });
  router.get('/returns/:shopId/order', showOrder);
  router.post('/returns/:shopId/order', form, showOrder);

  router.post(
    '/returns/:shopId/confirm',
    form,
    signedIn(async (ctx, shopId, s) => {
      const ask = askFrom(parseForm(requestForm, body(ctx)), s.orderNumber);
      const preview = await previewReturn(db, partyOf(s), ask);
      await page(ctx, shopId, s, 'confirm', await portalConfirmVars(db, s, ask, preview, hiddenFields(ask)));
    }),
  );

  router.post(
    '/returns/:shopId/submit',
    formWithPhotos,
    signedIn(async (ctx, shopId, s) => {
      if (ctx.state.formError) throw ctx.state.formError;
      const ask = askFrom(parseForm(requestForm, body(ctx)), s.orderNumber);
      const checked = await checkPhotos((ctx.state.photos as UploadedFile[] | undefined) ?? []);
      const photos = await storePhotos(deps.storage, shopId, checked);
      const r = await fileReturn(db, partyOf(s), ask, { source: 'portal', sink: deps.sink, photos, onFailure: () => discardPhotos(deps.storage, photos) });
      ctx.redirect(`${base(shopId)}/requests/${r.id}?filed=1`);
    }),
  );

  router.get(
    '/returns/:shopId/requests/:returnId',
    signedIn(async (ctx, shopId, s) => {
      const id = z.uuid().safeParse(ctx.params.returnId);
      if (!id.success) throw new DomainError('not_found', 'return not found');
      const view = await getReturnFor(db, partyOf(s), id.data);
      const notice = ctx.query.filed ? { ja: 'お申し込みを受け付けました。確認のメールをお送りしました。', en: 'Your request is filed; we have sent you a confirmation mail.' } : null;
      const shop = ctx.state.portalShop as ShopRow;
      const refusal = view.status === 'rejected' ? await afterRefusal(db, shopId, deps.inboundDomain) : null;
      await page(ctx, shopId, s, 'request', portalRequestVars(view, base(shopId), { replyTime: replyTimeWords(shop.replyTime), refusal }), { notice });
    }),
  );

  router.get(
    '/returns/:shopId/requests/:returnId/photos/:photoId',
    signedIn(async (ctx, _shopId, s) => {
      const ids = z.object({ returnId: z.uuid(), photoId: z.uuid() }).safeParse(ctx.params);
      if (!ids.success) throw new DomainError('not_found', 'photo not found');
      sendStoredFile(ctx, await ownPhoto(db, deps.storage, partyOf(s), ids.data.returnId, ids.data.photoId));
    }),
  );

  const move = (event: 'cancel' | 'ship') =>
    signedIn(async (ctx, shopId, s) => {
      const id = z.uuid().safeParse(ctx.params.returnId);
      if (!id.success) throw new DomainError('not_found', 'return not found');
      const b = body(ctx) as Record<string, unknown>;
      const fields = event === 'ship' ? { trackingNumber: b.trackingNumber, ...(typeof b.carrier === 'string' && b.carrier.trim() ? { carrier: b.carrier } : {}) } : {};
      const r = await moveReturn(db, partyOf(s), id.data, parseForm(moveReturnBody, { event, ...fields }), { sink: deps.sink });
      ctx.redirect(`${base(shopId)}/requests/${r.id}`);
    });
  router.post('/returns/:shopId/requests/:returnId/withdraw', form, move('cancel'));
  router.post('/returns/:shopId/requests/:returnId/ship', form, move('ship'));

  router.post(
    '/returns/:shopId/sign-out',
    form,
    signedIn(async (ctx, shopId) => {
      const token = ctx.cookies.get(PORTAL_COOKIE);
      if (token) await auth.end(token);
      ctx.cookies.set(PORTAL_COOKIE, '', { path: base(shopId), maxAge: 0 });
      ctx.redirect(base(shopId));
    }),
  );
}

/**
 * An address under the portal that no route answers (a mistyped link), opened by a browser: an
 * HTML page too, not the API's JSON 404. Mounted before the router and acting after it, so a
 * method a portal address does not take keeps its 405 with Allow (router.allowedMethods), and
 * only what is still a bare 404 becomes the page; a script asking for JSON gets the JSON 404.
 */
export function portalNotFoundPage(): Middleware {
  const pages = htmlErrorPages();
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body != null || !/^\/returns\/[^/]+/.test(ctx.path) || !['GET', 'HEAD'].includes(ctx.method)) return;
    await pages(ctx, async () => {
      throw notFound('page');
    });
  };
}

