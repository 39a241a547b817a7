import Handlebars from 'handlebars';
import { ZodError, type z } from 'zod';
import { DomainError, invalidInput } from '../../core/errors.ts';
import { zodDetails } from '../../core/http.ts';
import { said } from '../../core/messages.ts';
import { carrierName, displayVariables, formatDate, formatDateTime, tokyoDay, tokyoYear } from './notices.format.ts';
import { builtinWording } from './notices.templates.builtin.ts';
import { wordingProblems, type WordingProblem } from './notices.templates.check.ts';
import {
  noticeLangs,
  noticeParts,
  noticeSampleAsOf,
  noticeSamples,
  noticeVariables,
  atField,
  type NoticeContext,
  type NoticeLang,
  type NoticePart,
  type NoticeText,
  type NoticeType,
  type NoticeWording,
  type RenderedNotice,
} from './notices.types.ts';

export { builtinWording };

/**
 * A Handlebars of its own (helpers registered for mail or canned replies are not reachable),
 * strict, with only the three block helpers the check allows. The check (notices.templates.check.ts)
 * is the real gate; these options are the second lock.
 */
const hb = Handlebars.create();
const COMPILE = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: { if: true, unless: true, each: true, with: false, lookup: false, log: false, helperMissing: false, blockHelperMissing: false },
} satisfies CompileOptions;
type CompileOptions = Parameters<typeof Handlebars.compile>[1];
const RUNTIME = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

const compiled = new Map<string, Handlebars.TemplateDelegate>();
/** Compiled without escaping: every part is text, and the HTML is built from the text (bodyHtml) with all of it escaped. */
function compile(source: string): Handlebars.TemplateDelegate {
  const key = source;
  let t = compiled.get(key);
  if (!t) {
    // Shops' versions come and go; a bounded cache is enough for the few in use at once.
    if (compiled.size > 500) compiled.clear();
    t = hb.compile(source, { ...COMPILE, noEscape: true });
    compiled.set(key, t);
  }
  return t;
}

const msg = {
  variables: said('お知らせの変数に誤りがあります。', 'the notice variables are not valid'),
  wording: said('お知らせの文面に誤りがあります。', 'the notice wording is not valid'),
  updatePassed: said('次回のお知らせ予定は、現在より後の日時にしてください。', 'the next update must be later than the time of the notice'),
  dayPassed: said('この日付はすでに過ぎています。今日以降の日付にしてください。', 'this date has already passed'),
  empty: said('見本の値で表示すると空になります。', 'renders as empty text with the sample values'),
};

/**
 * Free text may be a string or { ja, en }; a failed union reports "Invalid input". The reader
 * needs the reason of the branch they wrote (a line break in a string, a missing "en"), so
 * that branch's issues stand in for the union's.
 */
function unionBranch(i: z.core.$ZodIssue, input: unknown): z.core.$ZodIssue[] {
  if (i.code !== 'invalid_union' || i.errors.length !== 2) return [i];
  const value = i.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined), input);
  const branch = i.errors[value && typeof value === 'object' ? 1 : 0]!;
  return branch.map((b) => ({ ...b, path: [...i.path, ...b.path] }));
}

/** Parses a type's variables; 400 with one detail per field (`variables.<name>`) otherwise. */
export function checkVariables(type: NoticeType, variables: unknown): Record<string, unknown> {
  const r = noticeVariables[type].safeParse(variables ?? {});
  if (r.success) return r.data;
  const details = zodDetails(new ZodError(r.error.issues.flatMap((i) => unionBranch(i, variables)))).flatMap((d) => {
    const keys = (d as { keys?: string[] }).keys;
    if (keys) return keys.map((k) => ({ in: 'body', path: `variables.${k}`, message: `unknown variable "${k}"`, ja: `「${k}」という変数はありません。` }));
    return [{ in: 'body', path: d.path ? `variables.${d.path}` : 'variables', message: d.message, ja: d.ja }];
  });
  throw invalidInput(msg.variables, details);
}

/**
 * Rules against the moment the notice speaks: a next update that has already passed, or a new
 * date, reply-by date or holding deadline before today, would tell the customer something
 * impossible. A period or an effective date in the past is fine (a change already in force).
 */
function checkAgainstNow(vars: Record<string, unknown>, asOf: Date): void {
  const today = tokyoDay(asOf);
  const details = [];
  if (vars.next_update_at !== undefined && new Date(String(vars.next_update_at)) <= asOf)
    details.push(atField('variables.next_update_at', msg.updatePassed));
  for (const name of ['new_ship_date', 'new_expected_date', 'reply_by', 'storage_deadline'])
    if (vars[name] !== undefined && String(vars[name]) < today) details.push(atField(`variables.${name}`, msg.dayPassed));
  if (details.length) throw invalidInput(msg.variables, details);
}

/** Only text characters: no control characters but line breaks and tabs, no bidi overrides. */
const clean = (s: string) =>
  s
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
/** A mail subject is one header line: every line break or control character becomes a space. */
const oneLine = (s: string) => clean(s).replace(/\s+/g, ' ').trim();

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;
/**
 * The body as HTML, from the body's plain text escaped whole (the shop's own wording as much as
 * the variables: a shop may write 「<注意>」, and must not be able to put markup on our page):
 * paragraphs at blank lines, a paragraph opening with ■ as a heading, lines starting with ・ as
 * a list, http(s) addresses as links. Everything inserted here is markup around escaped text.
 */
function bodyHtml(escaped: string): string {
  const link = (l: string) => l.replace(URL_IN_TEXT, (u) => `<a href="${u}" rel="noopener noreferrer" target="_blank">${u}</a>`);
  return clean(escaped)
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      let html = lines[0]!.startsWith('■') ? `<h3>${lines.shift()!.slice(1).trim()}</h3>` : '';
      // Runs of ・ lines are a list; the lines between them a paragraph.
      for (let i = 0; i < lines.length; ) {
        const item = lines[i]!.startsWith('・');
        let j = i;
        while (j < lines.length && lines[j]!.startsWith('・') === item) j++;
        const run = lines.slice(i, j).map(link);
        html += item ? `<ul>${run.map((l) => `<li>${l.slice(1).trim()}</li>`).join('')}</ul>` : `<p>${run.join('<br>')}</p>`;
        i = j;
      }
      return html;
    })
    .join('\n');
}

const escapeHtml = (s: string) => hb.escapeExpression(s);

/** The recipient's part of a mail, which the shop's wording does not write: greeting, their orders, signature. */
function mailText(lang: NoticeLang, body: string, ctx: NoticeContext, year: string): string {
  const r = ctx.recipient;
  const greeting = lang === 'ja' ? (r ? `${r.name} 様` : 'お客さま各位') : r ? `Dear ${r.name},` : 'Dear customers,';
  const orders = r?.orders.length
    ? [
        lang === 'ja' ? '■ このお知らせの対象となるご注文' : '■ Your orders this notice concerns',
        ...r.orders.map((o) => {
          const day = formatDate(tokyoDay(o.orderedAt), lang, year);
          const line = lang === 'ja' ? `・ご注文番号 ${o.orderNumber}（${day}ご注文）` : `・Order ${o.orderNumber} (ordered ${day})`;
          // The parcel's own facts, from this order: what a customer gives the carrier to find it.
          const carrier = o.carrier ? carrierName(o.carrier, lang) : null;
          const parcel =
            lang === 'ja'
              ? [carrier && `配送業者：${carrier}`, o.trackingNumber && `お問い合わせ伝票番号：${o.trackingNumber}`].filter(Boolean).join('／')
              : [carrier && `carrier: ${carrier}`, o.trackingNumber && `tracking number: ${o.trackingNumber}`].filter(Boolean).join(', ');
          return parcel ? `${line}\n${lang === 'ja' ? '　' : '  '}${parcel}` : line;
        }),
      ].join('\n')
    : '';
  const signature = `――――――――――――――――――――\n${ctx.shop.name}${ctx.shop.contact ? `\n${ctx.shop.contact}` : ''}`;
  // Their orders right after the opening (apology and cause), before the first ■ section.
  const cut = body.search(/\n\s*\n■/);
  const withOrders = !orders ? body : cut < 0 ? `${body}\n\n${orders}` : `${body.slice(0, cut)}\n\n${orders}${body.slice(cut)}`;
  return clean([greeting, withOrders, signature].join('\n\n'));
}

/** Renders what every recipient shares once; the mail text per recipient (greeting, their orders). */
function render(type: NoticeType, text: NoticeText, lang: NoticeLang, vars: Record<string, unknown>, ctx: NoticeContext): (recipient: NoticeContext['recipient']) => RenderedNotice {
  const asOf = ctx.asOf ?? new Date();
  const year = tokyoYear(asOf);
  const contact = ctx.shop.contact ?? (lang === 'ja' ? 'ショップのお問い合わせ窓口' : "the shop's contact page");
  const view = {
    ...displayVariables(type, vars, lang, year),
    shop_name: ctx.shop.name,
    shop_contact: contact,
    issued_at: formatDateTime(asOf, lang, year),
  };
  const run = (part: NoticePart) => {
    try {
      return compile(text[part][lang])(view, RUNTIME);
    } catch (e) {
      // Only a template that escaped the check could get here: still an answer at the field, never a 500.
      throw invalidInput(msg.wording, [{ in: 'body', path: `wording.${part}.${lang}`, line: null, column: null, message: String((e as Error).message).split('\n')[0], ja: 'この文面は表示できません。見直して保存し直してください。' }]);
    }
  };
  const body = run('body');
  const banner = oneLine(run('banner'));
  const shared = {
    subject: oneLine(run('subject')),
    html: `<article class="mdg-notice" lang="${lang}">\n<h2>${escapeHtml(banner)}</h2>\n${bodyHtml(escapeHtml(clean(body)))}\n</article>`,
    chat: clean(run('chat')),
    banner,
  };
  return (recipient) => ({ ...shared, text: mailText(lang, body, { ...ctx, recipient }, year) });
}

function assertText(type: NoticeType, text: NoticeText, langs: readonly NoticeLang[]): void {
  const problems: WordingProblem[] = [];
  for (const part of noticeParts) for (const lang of langs) problems.push(...wordingProblems(type, part, lang, text[part]?.[lang] ?? ''));
  if (problems.length) throw invalidInput(msg.wording, problems);
}

/**
 * Checks a shop's wording before it is saved: every part in both languages uses only what its
 * type declares, and renders with the type's sample values to something not empty.
 */
export function checkWording(type: NoticeType, text: NoticeText): void {
  assertText(type, text, noticeLangs);
  const ctx: NoticeContext = { shop: { name: 'Sample' }, recipient: { name: 'Sample', orders: [] }, asOf: noticeSampleAsOf };
  const problems: WordingProblem[] = [];
  for (const lang of noticeLangs) {
    const out = render(type, text, lang, checkVariables(type, noticeSamples[type]), ctx)(ctx.recipient);
    for (const part of ['subject', 'banner', 'chat'] as const)
      if (!out[part]) problems.push({ ...atField(`wording.${part}.${lang}`, msg.empty), line: null, column: null });
  }
  if (problems.length) throw invalidInput(msg.wording, problems);
}

/**
 * Renders a notice in one language. Strict: the variables must fit the type's schema and the
 * as-of time, and the wording must pass the template check; otherwise 400 invalid_input with
 * details at `variables.<name>` or `wording.<part>.<lang>`, never a notice with a hole in it.
 *
 * @example
 * const wording = await loadWording(db, shopId, 'weather', campaign.templateVersionId);
 * const { subject, text } = renderNotice(wording, 'ja', campaign.variables, { shop, recipient, asOf });
 */
export function renderNotice(wording: NoticeWording, lang: NoticeLang, variables: unknown, ctx: NoticeContext): RenderedNotice {
  return noticeRenderer(wording, lang, variables, ctx)(ctx.recipient);
}

/**
 * For a campaign: checks and renders once, then gives each recipient's notice in microseconds
 * (only the greeting and the list of their orders differ). Throws as renderNotice does, at once.
 *
 * @example
 * const forRecipient = noticeRenderer(wording, 'ja', campaign.variables, { shop, asOf: publishedAt });
 * const mail = forRecipient({ name: r.customerName, orders: r.orders });
 */
export function noticeRenderer(wording: NoticeWording, lang: NoticeLang, variables: unknown, ctx: Omit<NoticeContext, 'recipient'>): (recipient: NoticeContext['recipient']) => RenderedNotice {
  if (!noticeLangs.includes(lang)) throw new DomainError('invalid_input', `unknown language ${String(lang)}`);
  const vars = checkVariables(wording.type, variables);
  checkAgainstNow(vars, ctx.asOf ?? new Date());
  assertText(wording.type, wording, [lang]);
  return render(wording.type, wording, lang, vars, ctx);
}

/**
 * The shop as its notices speak of it: the sender name of its mail (else its name) and the
 * contact it set for notices (shops.notice_contact; publishing without one is refused).
 */
export const noticeShopOf = (shop: { name: string; mailSenderName: string | null; noticeContact: string | null }): NoticeContext['shop'] => ({
  name: shop.mailSenderName ?? shop.name,
  ...(shop.noticeContact ? { contact: shop.noticeContact } : {}),
});

/**
 * When a published notice speaks (its 「…現在」): when it went out, that is its publication, or
 * its start when it was scheduled ahead (checked again then, notices.send.start.ts). Every mail
 * and the banner say the same time, whatever minute each leaves.
 */
export const noticeAsOf = (c: { publishedAt: Date | null; startsAt: Date }): Date => (c.publishedAt && c.publishedAt > c.startsAt ? c.publishedAt : c.startsAt);

/** The built-in wording of a type, ready for renderNotice. */
export const builtinNotice = (type: NoticeType): NoticeWording => ({ type, ...builtinWording(type) });
