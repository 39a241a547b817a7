import { z } from 'zod';
import en from 'zod/v4/locales/en.js';
import ja from 'zod/v4/locales/ja.js';

/**
 * Validation messages in the reader's language. A zod schema speaks English (the API's
 * `details[].message`); each detail also carries `ja`, so a console or page in Japanese shows
 * Japanese without keeping its own copy of every rule. Custom messages are written with
 * {@link said}, which registers the Japanese twin of the English text; zod's own messages are
 * put into plain Japanese here (zod's Japanese locale where we have no better wording).
 */
export interface Bilingual {
  ja: string;
  en: string;
}

/** A Bilingual text in a documented answer (the API reference). */
export const bilingualText = z.strictObject({ ja: z.string(), en: z.string() });

const registry = new Map<string, Bilingual>();

/**
 * One English text has one Japanese twin: the answer names the rule by its English, so two
 * twins would make the Japanese depend on which module loaded last. A clash is a programming
 * error, found the first time the module loads (every test run).
 */
function remember(m: Bilingual): void {
  const known = registry.get(m.en);
  if (known && known.ja !== m.ja) throw new Error(`"${m.en}" already has the Japanese "${known.ja}", not "${m.ja}"`);
  registry.set(m.en, m);
}

/** A custom message: returns the English text for the schema and remembers its Japanese. */
export function said(jaText: string, enText: string): string {
  remember({ ja: jaText, en: enText });
  return enText;
}

/** Registers a table of `{ ja, en }` messages (the domains' message files). */
export function registerMessages(table: Record<string, Bilingual>): void {
  for (const m of Object.values(table)) remember(m);
}

/** The Japanese of a registered English message, or undefined. */
export const japaneseOf = (enText: string): string | undefined => registry.get(enText)?.ja;

type Issue = z.core.$ZodIssue;
type Raw = Parameters<ReturnType<typeof en>['localeError']>[0];
const zodEn = en().localeError;
const zodJa = ja().localeError;

const isDefault = (i: Issue) => {
  // The received type is read from the input, which a finished issue no longer holds.
  if (i.code === 'invalid_type') return i.message.startsWith('Invalid input: expected ');
  const m = zodEn(i as unknown as Raw);
  return (typeof m === 'string' ? m : m?.message) === i.message;
};

const formats: Record<string, string> = {
  email: 'メールアドレスの形式で入力してください（例：taro@example.jp）。',
  url: 'URLの形式で入力してください（例：https://shop.example.jp）。',
  uuid: 'IDの形式が正しくありません。',
  datetime: '日時の形式で入力してください（例：2026-12-04T09:00:00+09:00）。',
  date: '日付の形式で入力してください（例：2026-12-04）。',
  time: '時刻の形式で入力してください（例：09:00）。',
};

/** Plain Japanese for zod's own issues; zod's Japanese locale for the rare rest. */
function zodJapanese(i: Issue): string {
  switch (i.code) {
    case 'invalid_type':
      if (i.message.endsWith('received undefined')) return '入力してください。';
      return i.expected === 'int' ? '整数で入力してください。' : i.expected === 'number' ? '数値で入力してください。' : '入力の形式が正しくありません。';
    case 'too_small':
      if (i.origin === 'string') return Number(i.minimum) <= 1 ? '入力してください。' : `${i.minimum}文字以上で入力してください。`;
      if (i.origin === 'array' || i.origin === 'set') return `${i.minimum}件以上にしてください。`;
      return `${i.minimum}${i.inclusive === false ? 'より大きい' : '以上の'}数値で入力してください。`;
    case 'too_big':
      if (i.origin === 'string') return `${i.maximum}文字以内で入力してください。`;
      if (i.origin === 'array' || i.origin === 'set') return `${i.maximum}件までにしてください。`;
      return `${i.maximum}${i.inclusive === false ? '未満の' : '以下の'}数値で入力してください。`;
    case 'invalid_format':
      return formats[i.format] ?? '入力の形式が正しくありません。';
    case 'invalid_value':
      return '選択肢の中から選んでください。';
    case 'unrecognized_keys':
      return `受け付けていない項目があります：${i.keys.join('、')}`;
    case 'not_multiple_of':
      return `${String(i.divisor)}の倍数で入力してください。`;
    default: {
      const m = zodJa(i as unknown as Raw);
      return (typeof m === 'string' ? m : m?.message) ?? '入力内容を確認してください。';
    }
  }
}

/**
 * The Japanese of a validation issue: the registered twin of a custom message, plain Japanese for
 * zod's own, and for a custom message nobody translated, a request to check the field rather than
 * English in a Japanese page.
 */
export function japaneseIssue(i: Issue): string {
  return japaneseOf(i.message) ?? (isDefault(i) ? zodJapanese(i) : 'この項目の入力内容を確認してください。');
}
