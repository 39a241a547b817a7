import Handlebars from 'handlebars';
import { invalidInput } from '../../core/errors.ts';
import type { Role } from '../shops/shops.tables.ts';
import { maskEmail, masksContactData } from '../orders/orders.mask.ts';

export type Locale = 'ja' | 'en';

/**
 * A Handlebars environment of its own: helpers registered elsewhere (mail, notices) are not
 * reachable from a merchant's text, and `log`/`lookup` are off (see COMPILE below).
 */
const hb = Handlebars.create();

/**
 * `knownHelpersOnly` makes an unknown helper (`{{foo bar}}`) a save-time error instead of a
 * "Missing helper" at send time; `log` would write customer data to the server's console and
 * `lookup` adds nothing our variables need. `strict: false`: a variable the conversation does
 * not have (no order yet) renders as empty text, never an error.
 */
const COMPILE = {
  knownHelpersOnly: true,
  knownHelpers: { log: false, lookup: false },
  strict: false,
  /**
   * Canned replies are chat text, shown by the console and the widget as text (never as
   * HTML). HTML-escaping would show the customer "&amp;" for "&", so nothing is escaped here;
   * safety is the displaying side's job, which must never put message bodies into innerHTML.
   */
  noEscape: true,
} satisfies CompileOptions;

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

/** Partials and decorators would only fail at send time ("could not be found"); refuse them on save. */
class Unsupported extends Handlebars.Visitor {
  found: { what: string; line: number; column: number }[] = [];
  private note(what: string, node: hbs.AST.Node) {
    this.found.push({ what, line: node.loc.start.line, column: node.loc.start.column });
  }
  override PartialStatement(n: hbs.AST.PartialStatement) {
    this.note('partials ({{> …}})', n);
  }
  override PartialBlockStatement(n: hbs.AST.PartialBlockStatement) {
    this.note('partials ({{#> …}})', n);
  }
  override Decorator(n: hbs.AST.Decorator) {
    this.note('decorators ({{* …}})', n);
  }
  override DecoratorBlock(n: hbs.AST.DecoratorBlock) {
    this.note('decorators ({{#* …}})', n);
  }
}

export interface TemplateProblem {
  in: 'body';
  path: string;
  line: number;
  column: number | null;
  message: string;
  /** Handlebars speaks English only; the Japanese names the line and the usual form. */
  ja: string;
}

const japaneseAt = (line: number) => `${line}行目の書き方が正しくありません（変数は {{customer.name}} のように書きます）。`;

/** Where a Handlebars error points: compile errors carry line/column, parse errors name the line. */
function problemOf(field: string, e: unknown): TemplateProblem {
  const err = e as { message?: string; lineNumber?: number; column?: number };
  const message = String(err.message ?? e);
  const line = err.lineNumber ?? Number(/on line (\d+)/.exec(message)?.[1] ?? 1);
  return { in: 'body', path: field, line, column: err.column ?? null, message, ja: japaneseAt(line) };
}

/** Checks that a template compiles and uses only what rendering supports; 400 with the position otherwise. */
export function assertTemplate(field: string, source: string): void {
  let problem: TemplateProblem | undefined;
  try {
    const ast = hb.parse(source);
    const v = new Unsupported();
    v.accept(ast);
    const first = v.found[0];
    if (first) {
      const message = `${first.what} are not supported in canned replies`;
      problem = { in: 'body', path: field, line: first.line, column: first.column, message, ja: `${first.line}行目：定型文では部分テンプレートやデコレーターは使えません。` };
    } else hb.precompile(ast, COMPILE);
  } catch (e) {
    problem = problemOf(field, e);
  }
  if (problem) throw invalidInput(`${field} is not a valid template (line ${problem.line}): ${problem.message.split('\n')[0]}`, [problem]);
}

export interface RenderContext {
  customer?: { name: string; email: string | null; locale?: string } | undefined;
  order?: { number: string; orderedAt: Date; total: number; trackingNumber: string | null; carrier: string | null } | undefined;
  shop: { name: string };
  agent: { name: string };
}

const TOKYO = 'Asia/Tokyo';
const dateTime: Record<Locale, Intl.DateTimeFormat> = {
  // ja: 2026年11月20日 10:00
  ja: new Intl.DateTimeFormat('ja-JP', { timeZone: TOKYO, dateStyle: 'long', timeStyle: 'short' }),
  en: new Intl.DateTimeFormat('en-US', { timeZone: TOKYO, dateStyle: 'long', timeStyle: 'short' }),
};
const grouped = new Intl.NumberFormat('ja-JP');

/** ¥1,234 — the half-width sign in both languages (ja-JP's currency style would give the full-width ￥). */
export const formatYen = (n: number) => `¥${grouped.format(n)}`;
export const formatDateTime = (d: Date, locale: Locale) => dateTime[locale].format(d);

/** The variables a template sees; contact data is masked for contractors, as on every other screen. */
export function templateVariables(ctx: RenderContext, viewer: Role | 'system', locale: Locale) {
  const masked = viewer !== 'system' && masksContactData(viewer);
  const email = ctx.customer?.email ?? '';
  return {
    customer: ctx.customer ? { name: ctx.customer.name, email: email && masked ? maskEmail(email) : email } : {},
    order: ctx.order
      ? {
          number: ctx.order.number,
          orderedAt: formatDateTime(ctx.order.orderedAt, locale),
          total: formatYen(ctx.order.total),
          trackingNumber: ctx.order.trackingNumber ?? '',
          carrier: ctx.order.carrier ?? '',
        }
      : {},
    shop: { name: ctx.shop.name },
    agent: { name: ctx.agent.name },
  };
}

/** Renders a stored (already checked) template; prototype properties and methods stay unreachable. */
export function renderTemplate(source: string, vars: ReturnType<typeof templateVariables>): string {
  try {
    return hb.compile(source, COMPILE)(vars, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  } catch (e) {
    // Only a template stored before today's checks could get here; say so instead of a 500.
    throw invalidInput('this canned reply cannot be rendered; edit and save it again', [problemOf('body', e)]);
  }
}
