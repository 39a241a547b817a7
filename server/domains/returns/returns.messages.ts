/**
 * The validation messages of the returns forms (the terms editor, the portal's request and bank
 * account forms), in Japanese and English. The zod schemas give the English one, which the API
 * answers in `details[].message`; a page in Japanese finds the Japanese one by that English text
 * ({@link localize}), so no English message reaches a Japanese reader and the schema stays the
 * only judge of what is valid. Plain data: the console imports it as it is.
 */
export const returnsMessages = {
  // The terms editor.
  windowDays: { ja: '返品期間は1〜365の整数（日数）で入力してください。', en: 'a whole number of days from 1 to 365' },
  shipWithinDays: { ja: '返送の期限は3〜90の整数（日数）で入力してください。', en: 'a whole number of days from 3 to 90' },
  yen: { ja: '0以上の整数（円）で入力してください（1,000万円まで）。', en: 'whole yen from 0 to 10,000,000' },
  percent: { ja: '1〜50の整数（%）で入力してください。', en: 'a whole percent from 1 to 50' },
  tag: { ja: 'タグは1〜40文字で入力してください。', en: 'a tag of 1 to 40 characters' },
  tagTwoWindows: { ja: 'このタグには期間が2つあります。1つにしてください。', en: 'this tag has two windows; keep one' },
  tagAlsoNonReturnable: { ja: 'このタグは「返品できない商品」にも指定されています。どちらかにしてください。', en: 'this tag is also non-returnable; choose one' },
  labelMissing: { ja: 'お客様に見える表示名を日本語と英語で付けてください（例：セール品 / Sale items）。', en: 'give this tag a label customers recognise, in Japanese and English (e.g. セール品 / Sale items)' },
  label: { ja: 'お客様に見える表示名を1〜40文字で入力してください。', en: 'a label of 1 to 40 characters' },
  labelTwice: { ja: 'このタグの表示名が2つあります。1つにしてください。', en: 'this tag has two labels; keep one' },
  text: { ja: '1,000文字以内で入力してください。', en: 'at most 1,000 characters' },
  tooMany: { ja: '登録できる数を超えています。', en: 'too many entries' },
  // The portal's request form.
  noItem: { ja: '返品・交換する商品の数量を入力してください。', en: 'choose at least one item and its quantity' },
  quantity: { ja: '数量は1以上の整数で入力してください。', en: 'expected a whole quantity of at least 1' },
  lineTwice: { ja: '同じ商品が2回入力されています。', en: 'an item is listed twice; give its quantity once' },
  // A person filing on the customer's behalf.
  orderCancelled: { ja: 'この注文はキャンセルされています。返品・交換についてはショップにお問い合わせください。', en: 'this order was cancelled; ask the shop about a return or exchange' },
  noticeFuture: { ja: 'お申し出が届いた日時に、未来の日時は記録できません。', en: 'the notice cannot have reached the shop in the future' },
  noticeBeforeOrder: { ja: 'お申し出が届いた日時が、注文の日時より前になっています。', en: 'the notice cannot have reached the shop before the order was placed' },
  noticeChannel: { ja: 'お申し出の方法（メール・電話・チャット・郵便・その他）を選んでください。', en: 'say how the notice came (email, phone, chat, letter, other)' },
  // A person recording the customer's own withdrawal of a request.
  withdrawalChannel: { ja: '取り消しのご連絡の方法（メール・電話・チャット・郵便・その他）を選んでください。', en: 'say how the customer’s withdrawal came (email, phone, chat, letter, other)' },
  withdrawalReceivedAt: { ja: '取り消しのご連絡が届いた日時を入力してください。', en: 'give the time the customer’s withdrawal reached the shop' },
  withdrawalOnlyOnCancel: { ja: '取り消しのご連絡の記録は、取り消しのときだけ入力できます。', en: 'a withdrawal is recorded with "cancel" only' },
  withdrawalFuture: { ja: '取り消しのご連絡が届いた日時に、未来の日時は記録できません。', en: 'the withdrawal cannot have reached the shop in the future' },
  withdrawalBeforeRequest: { ja: '取り消しのご連絡が届いた日時が、お申し出が届いた日時より前になっています。', en: 'the withdrawal cannot have reached the shop before the request it withdraws' },
  // The portal's bank account form.
  bankName: { ja: '銀行名を入力してください（40文字まで）。', en: 'the bank’s name, up to 40 characters' },
  branchName: { ja: '支店名を入力してください（40文字まで）。', en: 'the branch’s name, up to 40 characters' },
  accountNumber: { ja: '口座番号は7桁の数字です。', en: 'the account number has 7 digits' },
  holderKana: { ja: '口座名義はカタカナで入力してください（通帳の表記どおり）。', en: 'the holder’s name in katakana, as the bank has it' },
} as const satisfies Record<string, { ja: string; en: string }>;

export type ReturnsMessageKey = keyof typeof returnsMessages;

/** The English message a schema gives for `key`. */
export const say = (key: ReturnsMessageKey): string => returnsMessages[key].en;

const byEnglish = new Map<string, { ja: string; en: string }>(Object.values(returnsMessages).map((m) => [m.en, m]));

/** The message in both languages, when it is one of ours; null for anything else. */
export const localize = (message: string): { ja: string; en: string } | null => byEnglish.get(message) ?? null;
