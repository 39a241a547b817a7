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
  color: { ja: '色は #1a7f5a のように # と16進数6桁で入力してください。', en: 'expected a colour as #rrggbb, such as #1a7f5a' },
  greeting: { ja: 'あいさつ文は改行なしの120文字以内で入力してください。', en: 'a greeting of one line, at most 120 characters' },
  privacyUrl: { ja: 'プライバシーポリシーの URL は https:// で始まる500文字以内のアドレスで入力してください。', en: 'expected an https:// address of at most 500 characters' },
  noticeContact: {
    ja: 'お知らせのお問い合わせ先は、メールアドレス・電話番号・URLのいずれかを含む4行・300文字以内で入力してください（制御文字は使えません）。',
    en: 'a contact of at most 4 lines and 300 characters, with a mail address, a phone number or a URL (no control characters)',
  },
  replyTime: { ja: '通常の返信時間は「数分以内」「数時間以内」「1日以内」から選んでください。', en: 'expected minutes, hours or day' },
} as const;

const byEnglish = new Map<string, { ja: string; en: string }>(Object.values(shopsMessages).map((m) => [m.en, m]));

/** The message in both languages, when it is one of ours; null for anything else. */
export const localizeShopMessage = (message: string): { ja: string; en: string } | null => byEnglish.get(message) ?? null;
