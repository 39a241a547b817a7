/**
 * The validation messages of the shop's settings, in Japanese and English. The zod schema gives
 * the English one, which the API answers in `details[].message`; the console's settings page finds
 * the Japanese one by that English text ({@link localizeShopMessage}), as the returns forms do.
 * Plain data: the console imports it as it is.
 */
export const shopsMessages = {
  origin: {
    ja: 'オリジンは https://shop.example.jp のように、スキーム・ホスト・（必要なら）ポートで入力してください（パスは含めません）。',
    en: 'expected an origin such as https://shop.example.jp (scheme, host, optional port; no path)',
  },
  originLength: { ja: 'オリジンは200文字以内で入力してください。', en: 'an origin of at most 200 characters' },
  tooManyOrigins: { ja: '許可するオリジンは20件までです。', en: 'at most 20 origins' },
} as const;

const byEnglish = new Map<string, { ja: string; en: string }>(Object.values(shopsMessages).map((m) => [m.en, m]));

/** The message in both languages, when it is one of ours; null for anything else. */
export const localizeShopMessage = (message: string): { ja: string; en: string } | null => byEnglish.get(message) ?? null;
