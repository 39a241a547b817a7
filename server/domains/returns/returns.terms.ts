import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import { render } from '../../core/templates.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findShop } from '../shops/shops.repository.ts';
import { roles } from '../shops/shops.tables.ts';
import { findTermsAt, findTermsVersion, insertTermsVersion, listTermsVersions, type TermsRow } from './returns.terms.repository.ts';
import { statutoryTerms, type ReturnTerms, type ReturnTermsDto, type ReturnTermsVersionDto } from './returns.terms.schema.ts';
import { describeTerms, type Locale } from './returns.terms.text.ts';

/** The terms a return is judged by: the version in force when the order was placed, or the statutory rule. */
export interface TermsInForce {
  version: number | null;
  terms: ReturnTerms;
}

/**
 * A published version as today's code reads it: versions are never rewritten, so fields added
 * since (the tags' labels) get their defaults here, once, for every reader, and a payer for late
 * delivery (stored before late delivery became the shop's failure) is dropped, as publishing
 * drops it now (returnTermsInput): no answer says who pays for it.
 */
const stored = (t: ReturnTerms): ReturnTerms => {
  const { late_delivery: _old, ...byReason } = t.returnShippingPaidBy as ReturnTerms['returnShippingPaidBy'] & { late_delivery?: unknown };
  return { ...t, returnShippingPaidBy: byReason, tagLabels: t.tagLabels ?? [] };
};

export async function termsInForce(db: Db, shopId: string, orderedAt: Date): Promise<TermsInForce> {
  const row = await findTermsAt(db, shopId, orderedAt);
  return row ? { version: row.version, terms: stored(row.terms) } : { version: null, terms: statutoryTerms };
}

/** The version a return recorded; it never changes once published. */
export async function termsOfVersion(db: Db, shopId: string, version: number | null): Promise<TermsInForce> {
  const row = version === null ? undefined : await findTermsVersion(db, shopId, version);
  return row ? { version: row.version, terms: stored(row.terms) } : { version: null, terms: statutoryTerms };
}

const view = (row: TermsRow | undefined): ReturnTermsVersionDto => ({
  version: row?.version ?? null,
  publishedAt: row?.publishedAt.toISOString() ?? null,
  statutory: !row,
  terms: row ? stored(row.terms) : statutoryTerms,
});

/** The current terms and the history of versions; every member of the shop may read them. */
export async function getReturnTerms(db: Db, actor: Actor): Promise<ReturnTermsDto> {
  // The shop's platform reads them with its API key too (the route takes one, as the orders
  // it pushes are judged by them); publishing stays with owners.
  if (actor.kind !== 'api_key') requireRole(actor, ...roles);
  const current = await findTermsAt(db, actor.shopId, new Date());
  const versions = await listTermsVersions(db, actor.shopId);
  return { ...view(current), versions: versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt.toISOString(), publishedBy: v.publishedBy })) };
}

/**
 * Publishes a new version (owner). Orders placed from now on are judged by it; orders placed
 * before keep the version they were placed under.
 */
export async function publishReturnTerms(db: Db, actor: Actor, terms: ReturnTerms, requestId?: string): Promise<ReturnTermsVersionDto> {
  requireRole(actor, 'owner');
  return db.transaction(async (tx) => {
    const row = await insertTermsVersion(tx, actor.shopId, terms, actor.name);
    await recordAudit(tx, actor, { action: 'return_terms.published', objectType: 'return_terms', objectId: String(row.version), summary: { version: row.version } }, requestId);
    return view(row);
  });
}

async function shopName(db: Db, shopId: string): Promise<string> {
  const shop = await findShop(db, shopId);
  if (!shop) throw notFound('shop');
  return shop.name;
}

/**
 * What a customer may know of the terms: what the page states. The review amount, the agents'
 * limit and the keep-the-item threshold are the shop's internal controls; published, they
 * would teach a customer where to stay under.
 */
function publicPart(t: ReturnTerms) {
  const { autoApprove: _a, agentRefundLimit: _l, keepItemThreshold: _k, ...rest } = t;
  return rest;
}

/** What the public JSON and the pages show: the current version, or the statutory rule. */
export async function publicTerms(db: Db, shopId: string) {
  const name = await shopName(db, shopId);
  const row = await findTermsAt(db, shopId, new Date());
  const v = view(row);
  const terms = row ? v.terms : null;
  return { shop: { id: shopId, name }, ...v, terms: publicPart(v.terms), sections: { ja: describeTerms(terms, 'ja'), en: describeTerms(terms, 'en') } };
}

/** The HTML snippet a shop embeds on its confirmation screen (特定商取引法 §12-6 wants the terms there too). */
export const termsSnippet = (terms: ReturnTerms | null, l: Locale) => render('pages/return-terms-snippet', { lang: l, sections: describeTerms(terms, l), statutory: !terms });

/** What the page says of its version: the one published, the statutory rule, or the draft's number-to-be. */
function versionLabel(version: number | null, l: Locale, preview: boolean): string {
  if (preview) return l === 'ja' ? `${version}（公開前の下書き）` : `${version} (draft, not published)`;
  if (version === null) return l === 'ja' ? '法定（返品特約なし）' : 'statutory (no terms published)';
  return String(version);
}

/**
 * The published page. With `preview`, `version` is the number the draft would get: a draft is
 * never the statutory rule, whatever the shop has published so far.
 */
export function termsPage(shop: string, terms: ReturnTerms | null, version: number | null, l: Locale, opts: { preview?: boolean } = {}) {
  return render('pages/return-terms', {
    lang: l,
    shop,
    title: l === 'ja' ? '返品・交換について（特定商取引法に基づく表記）' : 'Returns and exchanges (notice under the Act on Specified Commercial Transactions)',
    version: versionLabel(version, l, !!opts.preview),
    preview: !!opts.preview,
    labels: l === 'ja' ? { preview: 'プレビュー（未公開）', version: '版' } : { preview: 'Preview (not published)', version: 'version' },
    snippet: termsSnippet(terms, l),
    other: l === 'ja' ? { lang: 'en', label: 'English' } : { lang: 'ja', label: '日本語' },
  });
}

export async function publicTermsPage(db: Db, shopId: string, l: Locale) {
  const name = await shopName(db, shopId);
  const row = await findTermsAt(db, shopId, new Date());
  return termsPage(name, row?.terms ?? null, row?.version ?? null, l);
}

export async function publicTermsSnippet(db: Db, shopId: string, l: Locale) {
  await shopName(db, shopId);
  const row = await findTermsAt(db, shopId, new Date());
  return termsSnippet(row?.terms ?? null, l);
}

/** The page as it would look with a draft, before an owner publishes it. */
export async function previewTermsPage(db: Db, actor: Actor, terms: ReturnTerms, l: Locale) {
  requireRole(actor, 'owner');
  const [latest] = await listTermsVersions(db, actor.shopId);
  return termsPage(await shopName(db, actor.shopId), terms, (latest?.version ?? 0) + 1, l, { preview: true });
}
