import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const root = fileURLToPath(new URL('../../templates/', import.meta.url));
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Renders `templates/<name>.hbs`; compiled once. Plain-text templates: `{ noEscape: true }`. */
export function render(name: string, vars: Record<string, unknown>, opts: { text?: boolean } = {}): string {
  const key = `${name}:${opts.text ? 'text' : 'html'}`;
  let t = compiled.get(key);
  if (!t) {
    t = Handlebars.compile(readFileSync(`${root}${name}.hbs`, 'utf8'), { noEscape: !!opts.text, strict: true });
    compiled.set(key, t);
  }
  return t(vars);
}
