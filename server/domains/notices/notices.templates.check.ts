import Handlebars from 'handlebars';
import type { NoticeLang, NoticePart, NoticeType } from './notices.types.ts';
import { noticeVariableSpecs, partLimits } from './notices.types.ts';

/** Names every template may use besides its type's variables; the renderer always fills them. */
export const contextNames = ['shop_name', 'shop_contact', 'issued_at'] as const;

export interface WordingProblem {
  in: 'body';
  path: string;
  line: number | null;
  column: number | null;
  message: string;
  ja: string;
}

type Node = hbs.AST.Node & Record<string, unknown>;
type Found = Omit<WordingProblem, 'in' | 'path'>;

/**
 * What a notice template may contain, checked on its syntax tree before it is saved or used:
 * text, `{{name}}` of a declared variable, `{{#if name}}`/`{{#unless name}}`, and `{{#each list}}`
 * over a list shown one item per line with `{{this}}` inside. Nothing else: partials, other
 * helpers, `{{{raw}}}` output (it would bypass HTML escaping), paths into objects, `../`.
 * An optional variable may appear only inside its own `{{#if}}`, so a notice left without it
 * says nothing rather than leaving an empty hole in a sentence (Handlebars' strict mode
 * catches a missing name, but not a null value).
 */
class Walk {
  problems: Found[] = [];
  private readonly required = new Set<string>(contextNames);
  private readonly optional = new Set<string>();
  private readonly lists = new Set<string>();

  constructor(type: NoticeType) {
    for (const s of noticeVariableSpecs[type]) {
      (s.required ? this.required : this.optional).add(s.name);
      if (s.kind === 'list' && s.lines) this.lists.add(s.name);
    }
  }

  private fail(n: Node, message: string, ja: string) {
    const loc = n.loc as hbs.AST.SourceLocation | undefined;
    this.problems.push({ line: loc?.start.line ?? null, column: loc?.start.column ?? null, message, ja });
  }

  private name(n: Node): string | undefined {
    if (n.type !== 'PathExpression') return undefined;
    const p = n as unknown as hbs.AST.PathExpression;
    return !p.data && p.depth === 0 && p.parts.length === 1 && p.original === p.parts[0] ? p.parts[0] : undefined;
  }

  private variable(n: Node, guards: Set<string>, inEach: boolean) {
    const p = n as unknown as hbs.AST.PathExpression;
    if (inEach && n.type === 'PathExpression' && p.parts.length === 0 && !p.data) return; // {{this}}
    const name = this.name(n);
    if (!name || (!this.required.has(name) && !this.optional.has(name))) {
      const shown = n.type === 'PathExpression' ? p.original : String(n.type);
      return this.fail(n, `unknown variable "${shown}"`, `「${shown}」という変数はありません。`);
    }
    if (this.lists.has(name)) return this.fail(n, `"${name}" is a list: show it with {{#each ${name}}}{{this}}{{/each}}`, `「${name}」は一覧です。{{#each ${name}}}{{this}}{{/each}} で表示してください。`);
    if (this.optional.has(name) && !guards.has(name))
      this.fail(n, `"${name}" may be left out: use it inside {{#if ${name}}}…{{/if}}`, `「${name}」は省略できる変数です。{{#if ${name}}}…{{/if}} の中で使ってください。`);
  }

  program(p: hbs.AST.Program | undefined, guards: Set<string>, inEach: boolean) {
    if (!p) return;
    if (p.blockParams?.length) this.fail(p as unknown as Node, 'block parameters (as |x|) are not supported', 'ブロックパラメーター（as |x|）は使えません。');
    for (const s of p.body) this.statement(s as unknown as Node, guards, inEach);
  }

  private statement(n: Node, guards: Set<string>, inEach: boolean) {
    switch (n.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const s = n as unknown as hbs.AST.MustacheStatement;
        if (!s.escaped) return this.fail(n, 'raw output ({{{…}}} or {{&…}}) is not allowed', '{{{…}}} や {{&…}} による加工なしの出力は使えません。');
        if (s.params.length || s.hash) return this.fail(n, 'helpers are not supported here; write {{variable}}', 'ここでは {{変数名}} の形だけが使えます。');
        return this.variable(s.path as unknown as Node, guards, inEach);
      }
      case 'BlockStatement':
        return this.block(n as unknown as hbs.AST.BlockStatement, guards, inEach);
      default:
        return this.fail(n, 'partials and decorators are not supported', '部分テンプレートやデコレーターは使えません。');
    }
  }

  private block(b: hbs.AST.BlockStatement, guards: Set<string>, inEach: boolean) {
    const n = b as unknown as Node;
    const helper = this.name(b.path as unknown as Node);
    const param = b.params.length === 1 && !b.hash ? this.name(b.params[0] as unknown as Node) : undefined;
    if (helper !== 'if' && helper !== 'unless' && helper !== 'each')
      return this.fail(n, `only {{#if}}, {{#unless}} and {{#each}} blocks are supported`, 'ブロックは {{#if}}・{{#unless}}・{{#each}} だけが使えます。');
    if (!param || (!this.required.has(param) && !this.optional.has(param)))
      return this.fail(n, `{{#${helper}}} takes one declared variable`, `{{#${helper}}} には宣言された変数を1つ指定してください。`);
    if (helper === 'each') {
      if (!this.lists.has(param)) return this.fail(n, `{{#each}} is for the lists shown line by line (${[...this.lists].join(', ') || 'none in this type'})`, '{{#each}} は1行ずつ表示する一覧にだけ使えます。');
      if (this.optional.has(param) && !guards.has(param)) this.fail(n, `"${param}" may be left out: use it inside {{#if ${param}}}`, `「${param}」は省略できる変数です。{{#if ${param}}} の中で使ってください。`);
      this.program(b.program, guards, true);
      return this.program(b.inverse, guards, inEach);
    }
    const withGuard = new Set(guards).add(param);
    this.program(b.program, helper === 'if' ? withGuard : guards, inEach);
    this.program(b.inverse, helper === 'unless' ? withGuard : guards, inEach);
  }
}

const japaneseAt = (line: number | null) => `${line ?? 1}行目の書き方が正しくありません（変数は {{extra_days}} のように、条件は {{#if 変数名}}…{{/if}} のように書きます）。`;

/**
 * Checked sources: a campaign renders the same wording for every recipient, so each source is
 * parsed and walked once, not once per mail. Bounded, as shops' versions come and go.
 */
const checked = new Map<string, WordingProblem[]>();

/** The problems of one part's source in one language, as details pointing at `wording.<part>.<lang>`. */
export function wordingProblems(type: NoticeType, part: NoticePart, lang: NoticeLang, source: string): WordingProblem[] {
  const key = `${type}\u0000${part}\u0000${lang}\u0000${source}`;
  let found = checked.get(key);
  if (!found) {
    if (checked.size > 1000) checked.clear();
    found = problemsOf(type, part, lang, source);
    checked.set(key, found);
  }
  return found.map((p) => ({ ...p }));
}

function problemsOf(type: NoticeType, part: NoticePart, lang: NoticeLang, source: string): WordingProblem[] {
  const path = `wording.${part}.${lang}`;
  const at = (f: Found): WordingProblem => ({ in: 'body', path, ...f });
  if (source.length > partLimits[part])
    return [at({ line: null, column: null, message: `at most ${partLimits[part]} characters (this is ${source.length})`, ja: `${partLimits[part]}文字以内にしてください（現在${source.length}文字）。` })];
  if (!source.trim()) return [at({ line: null, column: null, message: 'required', ja: '入力してください。' })];
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (e) {
    const message = String((e as Error).message ?? e);
    const line = Number(/on line (\d+)/.exec(message)?.[1] ?? 1);
    return [at({ line, column: null, message: `not a valid template (line ${line}): ${message.split('\n')[0]}`, ja: japaneseAt(line) })];
  }
  const walk = new Walk(type);
  walk.program(ast, new Set(), false);
  return walk.problems.map(at);
}
