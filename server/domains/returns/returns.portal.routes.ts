import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { fromDatabaseError } from '../../core/db/errors.ts';
import { DomainError, errorStatus, isDomainError } from '../../core/errors.ts';
import { sameSecret } from '../../core/secrets.ts';
import { render } from '../../core/templates.ts';
import type { CookieOptions } from '../auth/auth.cookie.ts';
import { findShop } from '../shops/shops.repository.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { orderNumber } from '../orders/orders.schema.ts';
import { requestKinds, returnReasons } from './returns.model.ts';
import { createPortalAuth, partyOf, type PortalAuthDeps, type PortalSession } from './returns.portal.auth.ts';
import { portalOrder } from './returns.portal.ts';
import { portalConfirmVars, portalRequestVars } from './returns.portal.pages.ts';
import { fileReturnBody, moveReturnBody, type FileReturnBody } from './returns.schema.ts';
import { fileReturn, getReturnFor, previewReturn } from './returns.service.ts';
import { moveReturn } from './returns.transitions.ts';
import { checkPhotos, discardPhotos, readMultipart, storePhotos, type UploadedFile } from './returns.photos.ts';
import type { FileStorage } from '../../core/storage.ts';

export const PORTAL_COOKIE = 'mdg_portal';

const lookupForm = z.object({ orderNumber: z.string().trim().pipe(orderNumber), contact: z.string().trim().min(3).max(254).regex(/^[^\u0000]*$/) });
const verifyForm = z.object({ challenge: z.string().min(10).max(64), code: z.string().trim().min(1).max(12) });
const requestForm = z
  .object({
    kind: z.enum(requestKinds).default('return'),
    reason: z.enum(returnReasons),
    comment: z.string().max(2000).optional(),
    conditionsConfirmed: z.literal('on').optional(),
  })
  .catchall(z.string().max(2000));

/** A form that does not parse is the customer's mistake: a 400 page with the reason, never a 500. */
function parseForm<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  // PostgreSQL cannot store NUL in text: refused here, with the page, not later as a 500.
  if (value && typeof value === 'object' && Object.values(value).some((v) => typeof v === 'string' && v.includes('\u0000'))) {
    throw new DomainError('invalid_input', 'the form holds a NUL character');
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new DomainError('invalid_input', r.error.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`).join('; '));
  return r.data;
}

/** What the customer sees for an error: Japanese first, the English beside it. */
const errorText: Record<string, [string, string]> = {
  not_found: ['お探しのご注文またはお申し込みが見つかりません。', 'We could not find that order or request.'],
  invalid_input: ['入力内容をご確認ください。', 'Please check what you entered.'],
  unauthenticated: ['有効期限が切れました。最初からやり直してください。', 'This has expired; please start again.'],
  rate_limited: ['試行回数が多すぎます。しばらくしてからお試しください。', 'Too many attempts; please try again later.'],
  conflict: ['状況が変わったため、この操作はできませんでした。ページを開き直してください。', 'The request changed meanwhile; please reload the page.'],
  invalid_transition: ['この操作は現在できません。', 'This cannot be done at this stage.'],
  forbidden: ['この操作はできません。', 'This is not allowed.'],
  unavailable: ['ただいま処理できません。少し時間をおいてからもう一度お試しください。', 'We cannot do this just now; please try again in a moment.'],
};

const errorOf = (e: DomainError) => {
  const [ja, en] = errorText[e.code] ?? errorText.invalid_input!;
  return { ja, en: e.code === 'invalid_input' || e.code === 'rate_limited' ? `${en} (${e.message})` : en };
};

/** The form's `qty_<line>` fields as the filing's items; zero and empty mean "not this line". */
function askFrom(form: z.output<typeof requestForm>, orderNumber: string): FileReturnBody {
  const items = Object.entries(form)
    .filter(([k, v]) => /^qty_\d{1,3}$/.test(k) && typeof v === 'string' && v.trim() !== '' && v.trim() !== '0')
    .map(([k, v]) => ({ lineNo: Number(k.slice(4)), quantity: Number((v as string).normalize('NFKC').trim()) }));
  const bankFields = ['bankName', 'branchName', 'accountType', 'accountNumber', 'holderKana'] as const;
  const bankAccount = bankFields.some((f) => typeof form[f] === 'string' && form[f]!.trim()) ? Object.fromEntries(bankFields.map((f) => [f, form[f] ?? ''])) : undefined;
  const parsed = fileReturnBody.safeParse({
    orderNumber,
    kind: form.kind,
    reason: form.reason,
    items,
    conditionsConfirmed: form.conditionsConfirmed === 'on',
    ...(form.comment?.trim() ? { comment: form.comment.trim() } : {}),
    ...(bankAccount ? { bankAccount } : {}),
  });
  if (!parsed.success) throw new DomainError('invalid_input', parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

/** The hidden fields that carry a reviewed request to its submission. */
export const hiddenFields = (b: FileReturnBody) => [
  { name: 'kind', value: b.kind },
  { name: 'reason', value: b.reason },
  ...(b.comment ? [{ name: 'comment', value: b.comment }] : []),
  ...(b.conditionsConfirmed ? [{ name: 'conditionsConfirmed', value: 'on' }] : []),
  ...b.items.map((i) => ({ name: `qty_${i.lineNo}`, value: String(i.quantity) })),
];

export interface PortalRouteDeps extends PortalAuthDeps {
  cookie: CookieOptions;
  storage: FileStorage;
}

/**
 * The returns portal: server-rendered pages and plain forms, so it works without JavaScript.
 * Every page answers with HTML, errors included; a bad form re-renders with its message.
 */
export function returnPortalRoutes(router: Router, deps: PortalRouteDeps): void {
  const auth = createPortalAuth(deps);
  const form = bodyParser({ enableTypes: ['form'], formLimit: '64kb' }) as unknown as Middleware;
  /** The submit form carries photos: multipart, read into fields (for the CSRF check) and files. */
  const formWithPhotos: Middleware = async (ctx, next) => {
    if (!ctx.is('multipart/form-data')) return form(ctx, next);
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

  const page = async (ctx: Context, shopId: string, s: PortalSession | null, name: string, vars: Record<string, unknown>, extra: { error?: { ja: string; en: string } | null; notice?: { ja: string; en: string } | null; status?: number } = {}) => {
    // shopFor read the shop already; a page never reads it twice.
    const shop = ctx.state.portalShop as { name: string } | undefined;
    const content = render(`portal/${name}`, { base: base(shopId), csrf: s?.csrf ?? '', ...vars });
    ctx.status = extra.status ?? 200;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = render('portal/layout', {
      title: '返品・交換 / Returns',
      shopName: shop?.name ?? '',
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
  const sessionOf = (ctx: Context, shopId: string) => auth.session(shopId, ctx.cookies.get(PORTAL_COOKIE));

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
      const order = await portalOrder(db, s);
      await page(ctx, shopId, s, 'order', { ...order, kindReturn: true, kindExchange: false, comment: '', conditionsConfirmed: false }, { error: errorOf(e), status: errorStatus[e.code] });
    }
  };

  const body = (ctx: Context) => (ctx.request as { body?: unknown }).body ?? {};

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
      ctx.redirect(`${base(shopId)}/verify?c=${encodeURIComponent(challenge)}`);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      await page(ctx, shopId, null, 'start', { orderNumber: f.data.orderNumber, contact: '' }, { error: errorOf(e), status: errorStatus[e.code] });
    }
  });

  router.get('/returns/:shopId/verify', async (ctx) => {
    const shopId = await shopFor(ctx);
    if (!shopId) return;
    const c = typeof ctx.query.c === 'string' ? ctx.query.c.slice(0, 64) : '';
    await page(ctx, shopId, null, 'verify', { challenge: c });
  });

  router.post('/returns/:shopId/verify', form, async (ctx) => {
    const shopId = await shopFor(ctx);
    if (!shopId) return;
    const f = verifyForm.safeParse(body(ctx));
    if (!f.success) return page(ctx, shopId, null, 'verify', { challenge: '' }, { error: errorOf(new DomainError('unauthenticated', 'the form was incomplete')), status: 400 });
    try {
      const token = await auth.verify(shopId, f.data.challenge, f.data.code);
      if (deps.cookie.secure) ctx.cookies.secure = true;
      ctx.cookies.set(PORTAL_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: deps.cookie.secure, path: base(shopId), maxAge: 2 * 3600 * 1000 });
      ctx.redirect(`${base(shopId)}/order`);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      const burned = e.code === 'rate_limited' || e.code === 'unauthenticated';
      await page(ctx, shopId, null, burned ? 'start' : 'verify', burned ? { orderNumber: '', contact: '' } : { challenge: f.data.challenge }, { error: errorOf(e), status: errorStatus[e.code] });
    }
  });

  const showOrder = signedIn(async (ctx, shopId, s) => {
    const prior = ctx.method === 'POST' ? askFromOrNull(body(ctx), s.orderNumber) : null;
    const order = await portalOrder(db, s, prior ?? undefined);
    await page(ctx, shopId, s, 'order', { ...order, kindReturn: prior?.kind !== 'exchange', kindExchange: prior?.kind === 'exchange', comment: prior?.comment ?? '', conditionsConfirmed: !!prior?.conditionsConfirmed });
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
      const r = await fileReturn(db, partyOf(s), ask, { source: 'portal', photos, onFailure: () => discardPhotos(deps.storage, photos) });
      deps.poke();
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
      await page(ctx, shopId, s, 'request', portalRequestVars(view), { notice });
    }),
  );

  const move = (event: 'cancel' | 'ship') =>
    signedIn(async (ctx, shopId, s) => {
      const id = z.uuid().safeParse(ctx.params.returnId);
      if (!id.success) throw new DomainError('not_found', 'return not found');
      const b = body(ctx) as Record<string, unknown>;
      const fields = event === 'ship' ? { trackingNumber: b.trackingNumber, ...(typeof b.carrier === 'string' && b.carrier.trim() ? { carrier: b.carrier } : {}) } : {};
      const r = await moveReturn(db, partyOf(s), id.data, parseForm(moveReturnBody, { event, ...fields }));
      deps.poke();
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

function askFromOrNull(b: unknown, orderNumber: string): FileReturnBody | null {
  const f = requestForm.safeParse(b);
  if (!f.success) return null;
  try {
    return askFrom(f.data, orderNumber);
  } catch {
    return null;
  }
}
