import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { DomainBus } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { findShop, type ShopRow } from '../shops/shops.repository.ts';
import { activeBanners, publishedBanners, type CampaignRow } from './notices.campaigns.repository.ts';
import { noticeAsOf, noticeShopOf, renderNotice } from './notices.render.ts';
import { loadWording } from './notices.templates.service.ts';
import type { NoticeLang, NoticeType } from './notices.types.ts';

export interface PublicNotice {
  id: string;
  type: NoticeType;
  startsAt: string;
  endsAt: string | null;
  /** Per language: the one-line headline (text) and the notice as HTML (escaped by the renderer). */
  ja: { headline: string; html: string };
  en: { headline: string; html: string };
}

/**
 * A notice that promised its next update for a time now past: the shop owes its customers a new
 * one, and a banner still saying 「次回のお知らせは…」 would be wrong. It leaves the banner and
 * goes to the page's past notices.
 */
const updateOverdue = (c: CampaignRow, now: Date) => typeof c.variables.next_update_at === 'string' && Date.parse(c.variables.next_update_at) <= now.getTime();

/** A campaign's banner in both languages, as of when it went out (noticeAsOf); undefined (and logged) if it no longer renders. */
async function renderBanner(db: Db, shop: ShopRow, c: CampaignRow, logger?: Logger): Promise<PublicNotice | undefined> {
  try {
    const wording = await loadWording(db, shop.id, c.type as NoticeType, c.templateVersionId);
    const ctx = { shop: noticeShopOf(shop), asOf: noticeAsOf(c) };
    const one = (lang: NoticeLang) => {
      const r = renderNotice(wording, lang, c.variables, ctx);
      return { headline: r.banner, html: r.html };
    };
    return { id: c.id, type: c.type as NoticeType, startsAt: c.startsAt.toISOString(), endsAt: c.endsAt?.toISOString() ?? null, ja: one('ja'), en: one('en') };
  } catch (err) {
    logger?.warn({ err, campaignId: c.id }, 'notices: a published notice does not render; it is left off the banner');
    return undefined;
  }
}

export interface ActiveNotices {
  body: { shopId: string; notices: PublicNotice[] };
  etag: string;
  /** Origins the shop allows to read it (CORS). */
  origins: string[];
}

/** How long one process keeps a shop's answer: a banner on every page view costs one render per shop per window. */
const CACHE_MS = 10_000;

/**
 * The active banners of a shop, cheap enough for every page view: the answer is kept in memory
 * per shop for a few seconds (dropped at once when a notice of the shop is published or
 * finishes in this process), with an ETag of its bytes for 304s.
 */
export function activeNoticesCache(db: Db, bus: DomainBus | undefined, logger?: Logger) {
  const cache = new Map<string, { at: number; value: Promise<ActiveNotices> }>();
  bus?.onEvent(['notice.published', 'notice.finished', 'notice.ended'], (e) => void cache.delete(e.payload.shopId));

  async function load(shopId: string): Promise<ActiveNotices> {
    const shop = await findShop(db, shopId);
    if (!shop) throw notFound('shop');
    const now = new Date();
    const rows = (await activeBanners(db, shopId, now)).filter((c) => !updateOverdue(c, now));
    const notices = (await Promise.all(rows.map((c) => renderBanner(db, shop, c, logger)))).filter((n): n is PublicNotice => !!n);
    const body = { shopId, notices };
    const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
    return { body, etag, origins: shop.allowedOrigins };
  }

  return (shopId: string): Promise<ActiveNotices> => {
    const hit = cache.get(shopId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = load(shopId);
    cache.set(shopId, { at: Date.now(), value });
    // A failure is not kept: the next view tries again.
    value.catch(() => cache.delete(shopId));
    if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
    return value;
  };
}

/**
 * CORS for a shop's public notice reads: the request's Origin when the shop lists it (the
 * widget's and terms' rule, server/domains/shops/shops.public.ts), nothing otherwise. Vary:
 * Origin, so a shared cache keeps one answer per origin.
 */
export function allowShopOrigin(ctx: Context, origins: string[]): void {
  ctx.vary('Origin');
  const origin = ctx.get('origin');
  if (origin && origins.includes(origin)) {
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Allow-Methods', 'GET');
    ctx.set('Access-Control-Max-Age', '600');
  }
}

/** The public page's notices: those going on now, then the past ones of the last 90 days. */
export async function noticesPageData(db: Db, shopId: string, lang: NoticeLang, logger?: Logger) {
  const shop = await findShop(db, shopId);
  if (!shop) throw notFound('shop');
  const now = new Date();
  const rows = await publishedBanners(db, shopId, now, new Date(now.getTime() - 90 * 86_400_000));
  const rendered = (await Promise.all(rows.map((c) => renderBanner(db, shop, c, logger)))).filter((n): n is PublicNotice => !!n);
  const overdue = new Set(rows.filter((c) => updateOverdue(c, now)).map((c) => c.id));
  const over = (n: PublicNotice) => overdue.has(n.id) || (!!n.endsAt && Date.parse(n.endsAt) <= now.getTime());
  const fmt = new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'long', timeStyle: 'short' });
  const item = (n: PublicNotice) => ({ id: n.id, headline: n[lang].headline, html: n[lang].html, from: fmt.format(new Date(n.startsAt)), to: n.endsAt ? fmt.format(new Date(n.endsAt)) : null });
  const current = rendered.filter((n) => !over(n)).map(item);
  const past = rendered.filter(over).map(item);
  return { shop: shop.name, current, past };
}
