import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { noticeLangs, noticeParts, type NoticeText, type NoticeType } from './notices.types.ts';

const root = fileURLToPath(new URL('../../../templates/notices/', import.meta.url));

/**
 * A built-in notice is one Handlebars file per type and language, `templates/notices/<type>.<lang>.hbs`,
 * holding its four parts as inline partials:
 *
 *     {{#*inline "subject"}}…{{/inline}}  {{#*inline "body"}}…{{/inline}}
 *     {{#*inline "banner"}}…{{/inline}}   {{#*inline "chat"}}…{{/inline}}
 *
 * so a writer sees the whole notice at once and an editor highlights it as Handlebars. The body
 * is written once as plain text; the renderer makes the mail text and the escaped HTML from it.
 * The first and last line break inside a part belong to the file's layout, not to the text.
 */
const PART = /\{\{#\*inline "(\w+)"\}\}\n?([\s\S]*?)\n?\{\{\/inline\}\}/g;

export function parseNoticeFile(source: string, file: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [, name, text] of source.matchAll(PART)) {
    if (!(noticeParts as readonly string[]).includes(name!) || found[name!] !== undefined) throw new Error(`${file}: unexpected or repeated part "${name}"`);
    found[name!] = text!;
  }
  const rest = source.replace(PART, '').replace(/\{\{!--[\s\S]*?--\}\}/g, '').trim();
  if (rest) throw new Error(`${file}: text outside the parts: ${rest.slice(0, 40)}`);
  for (const p of noticeParts) if (found[p] === undefined) throw new Error(`${file}: the part "${p}" is missing`);
  return found;
}

const cache = new Map<NoticeType, NoticeText>();

/** The built-in wording of a type, read once; a broken file fails loudly (the unit tests read them all). */
export function builtinWording(type: NoticeType): NoticeText {
  let w = cache.get(type);
  if (!w) {
    const byLang = Object.fromEntries(noticeLangs.map((l) => [l, parseNoticeFile(readFileSync(`${root}${type}.${l}.hbs`, 'utf8'), `${type}.${l}.hbs`)]));
    w = Object.fromEntries(noticeParts.map((p) => [p, { ja: byLang.ja![p]!, en: byLang.en![p]! }])) as NoticeText;
    cache.set(type, w);
  }
  return structuredClone(w);
}
