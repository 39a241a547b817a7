/**
 * The widget's words, Japanese first with English alongside. `t` gives the page locale's
 * text; `both` gives the locale's text with the other language after it, for the few places
 * (form labels, the out-of-hours notice) a visitor must understand whatever the page's language.
 */
export type Locale = 'ja' | 'en';

const ja = {
  launcher: 'チャットで問い合わせる',
  close: '閉じる',
  greeting: 'お問い合わせ',
  noticeDetails: '詳しく見る',
  name: 'お名前',
  email: 'メールアドレス',
  orderNumber: 'ご注文番号（任意）',
  start: 'チャットを始める',
  starting: '接続しています…',
  placeholder: 'メッセージを入力（Enter で送信、Shift+Enter で改行）',
  send: '送信',
  attach: 'ファイルを添付（画像・PDF）',
  uploading: 'アップロード中…',
  removeAttachment: '添付を外す',
  typing: '担当者が入力中…',
  read: '既読',
  newer: '新しいメッセージ ↓',
  sending: '送信中…',
  failed: '送信できませんでした',
  offline: 'ただいま営業時間外です。メッセージを残していただければ、メールでご返信します。',
  disconnected: '接続が切れました。再接続しています…',
  verifyFailed: 'ご本人確認ができませんでした。ページを再読み込みしてからもう一度お試しください。',
  sessionFailed: 'チャットを開始できませんでした。',
  uploadFailed: 'ファイルを添付できませんでした。',
  fileType: 'ファイルを添付できませんでした。画像（JPEG・PNG・GIF・WebP）または PDF のみ送れます。',
  fileMismatch: 'ファイルを添付できませんでした。ファイルの中身が画像や PDF ではないか、壊れています。',
  fileTooLarge: 'ファイルを添付できませんでした。ファイルが大きすぎます。小さくしてからお試しください。',
  fileEmpty: 'ファイルを添付できませんでした。ファイルが空です。',
  fileLater: 'ファイルを添付できませんでした。しばらくしてからもう一度お試しください。',
  nameMissing: 'お名前を入力してください。',
  emailMissing: 'メールアドレスを入力してください。',
  badName: 'お名前をご確認ください（100 文字まで）。',
  badEmail: 'メールアドレスをご確認ください（例: hanako@example.jp）。',
  badOrderNumber: 'ご注文番号をご確認ください（英数字と - # / . _ のみ）。',
  tooManyChats: 'チャットの開始が多すぎます。しばらくしてからもう一度お試しください。',
  startLater: 'ただいまチャットを開始できません。しばらくしてからもう一度お試しください。',
  verifyLater: 'ただいまご本人確認ができません。しばらくしてからページを再読み込みしてください。',
  rateNotYet: 'このお問い合わせはまだ解決していないため、評価できません。',
  rateTooLong: 'ご意見は 1000 文字以内でお書きください。',
  rateFailed: '評価を送れませんでした。',
  rateLater: '評価を送れませんでした。しばらくしてからもう一度お試しください。',
  sendInvalid: 'メッセージが長すぎるか、添付ファイルを送れません。',
  sendClosed: 'このお問い合わせには送れません。ページを再読み込みしてください。',
  rateTitle: 'このお問い合わせの対応はいかがでしたか？',
  rateComment: 'ご意見（任意）',
  rateSend: '評価を送る',
  rateThanks: 'ご評価ありがとうございました。',
  rateStar: (n: number) => `${n} / 5`,
  customer: 'あなた',
  empty: 'ご用件をお書きください。担当者がお返事します。',
  openNow: 'ただいま営業時間内です。',
  closedNow: 'ただいま営業時間外です。',
  opensAt: (at: string) => `${at}から対応します。`,
  replyMinutes: '通常、数分以内にお返事します。',
  replyHours: '通常、数時間以内にお返事します。',
  replyDay: '通常、1日以内にお返事します。',
  privacy: '個人情報の取り扱い',
  privacyNote: 'ご入力の情報はお問い合わせへの対応に使います。',
};

type Words = typeof ja;

const en: Words = {
  launcher: 'Chat with us',
  close: 'Close',
  greeting: 'Contact us',
  noticeDetails: 'Details',
  name: 'Name',
  email: 'Email',
  orderNumber: 'Order number (optional)',
  start: 'Start chat',
  starting: 'Connecting…',
  placeholder: 'Type a message (Enter to send, Shift+Enter for a new line)',
  send: 'Send',
  attach: 'Attach a file (image or PDF)',
  uploading: 'Uploading…',
  removeAttachment: 'Remove attachment',
  typing: 'An agent is typing…',
  read: 'Read',
  newer: 'New messages ↓',
  sending: 'Sending…',
  failed: 'Could not be sent',
  offline: 'We are outside business hours. Leave a message and we will reply by email.',
  disconnected: 'Connection lost. Reconnecting…',
  verifyFailed: 'We could not verify who you are. Please reload the page and try again.',
  sessionFailed: 'The chat could not be started.',
  uploadFailed: 'The file could not be attached.',
  fileType: 'The file could not be attached: only images (JPEG, PNG, GIF, WebP) and PDF files can be sent.',
  fileMismatch: 'The file could not be attached: its contents are not an image or a PDF, or it is damaged.',
  fileTooLarge: 'The file could not be attached: it is too large. Please make it smaller and try again.',
  fileEmpty: 'The file could not be attached: it is empty.',
  fileLater: 'The file could not be attached just now. Please try again in a moment.',
  nameMissing: 'Please enter your name.',
  emailMissing: 'Please enter your email address.',
  badName: 'Please check your name (up to 100 characters).',
  badEmail: 'Please check your email address (for example hanako@example.jp).',
  badOrderNumber: 'Please check the order number (letters, digits and - # / . _ only).',
  tooManyChats: 'Too many chats were started. Please try again later.',
  startLater: 'The chat cannot be started just now. Please try again in a moment.',
  verifyLater: 'We cannot verify who you are just now. Please reload the page in a moment.',
  rateNotYet: 'This conversation is not resolved yet, so it cannot be rated.',
  rateTooLong: 'Please keep your comments to 1000 characters.',
  rateFailed: 'Your rating could not be sent.',
  rateLater: 'Your rating could not be sent just now. Please try again in a moment.',
  sendInvalid: 'The message is too long, or its attachment cannot be sent.',
  sendClosed: 'This conversation no longer takes messages. Please reload the page.',
  rateTitle: 'How did we do?',
  rateComment: 'Comments (optional)',
  rateSend: 'Send rating',
  rateThanks: 'Thank you for your rating.',
  rateStar: (n: number) => `${n} of 5`,
  customer: 'You',
  empty: 'Tell us how we can help. An agent will reply here.',
  openNow: 'We are open now.',
  closedNow: 'We are closed now.',
  opensAt: (at: string) => `We open ${at}.`,
  replyMinutes: 'We typically reply within minutes.',
  replyHours: 'We typically reply within a few hours.',
  replyDay: 'We typically reply within a day.',
  privacy: 'Privacy notice',
  privacyNote: 'We use what you enter here to answer your enquiry.',
};

export type TextKey = { [K in keyof Words]: Words[K] extends string ? K : never }[keyof Words];

export interface I18n {
  locale: Locale;
  t(key: TextKey): string;
  /** The locale's text, then the other language's (skipped when the same); several keys read as one text in each. */
  both(key: TextKey | readonly TextKey[]): string;
  star(n: number): string;
  opensAt(at: string): string;
}

export function i18n(locale: Locale): I18n {
  const mine = locale === 'en' ? en : ja;
  const other = locale === 'en' ? ja : en;
  const join = (words: Words, keys: readonly TextKey[]) => keys.map((k) => words[k]).join(words === ja ? '' : ' ');
  return {
    locale,
    t: (key) => mine[key],
    both: (key) => {
      const keys = typeof key === 'string' ? [key] : key;
      const a = join(mine, keys);
      const b = join(other, keys);
      return a === b ? a : `${a} / ${b}`;
    },
    star: (n) => mine.rateStar(n),
    opensAt: (at) => mine.opensAt(at),
  };
}

/** The page's choice (data-locale), else the browser's first language, Japanese by default. */
export function pickLocale(attr: string | null | undefined, languages: readonly string[]): Locale {
  if (attr === 'ja' || attr === 'en') return attr;
  return languages[0]?.toLowerCase().startsWith('en') ? 'en' : 'ja';
}
