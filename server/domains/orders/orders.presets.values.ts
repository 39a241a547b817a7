/**
 * Values as shop platforms write them, turned into what madoguchi's columns take: Shopify's province
 * codes and romaji names, payment gateway names and Japanese payment labels, phone numbers with +81.
 */
import { prefectures } from './orders.model.ts';
import type { PaymentMethod } from './orders.schema.ts';

/** JIS X 0401 order, the same as `prefectures`: Shopify's `JP-13` / `13` is the 13th. */
const romaji = [
  'hokkaido', 'aomori', 'iwate', 'miyagi', 'akita', 'yamagata', 'fukushima', 'ibaraki', 'tochigi', 'gunma',
  'saitama', 'chiba', 'tokyo', 'kanagawa', 'niigata', 'toyama', 'ishikawa', 'fukui', 'yamanashi', 'nagano',
  'gifu', 'shizuoka', 'aichi', 'mie', 'shiga', 'kyoto', 'osaka', 'hyogo', 'nara', 'wakayama',
  'tottori', 'shimane', 'okayama', 'hiroshima', 'yamaguchi', 'tokushima', 'kagawa', 'ehime', 'kochi', 'fukuoka',
  'saga', 'nagasaki', 'kumamoto', 'oita', 'miyazaki', 'kagoshima', 'okinawa',
] as const;

/**
 * `JP-13`, `13`, `Tokyo`, `Tōkyō`, `東京都`, `東京` → 東京都. Anything else is returned as written, so the
 * order schema reports it at the platform's column.
 */
export function prefectureOf(raw: string): string {
  const s = raw.normalize('NFKC').trim();
  const code = /^(?:JP-?)?(\d{1,2})$/i.exec(s);
  if (code) return prefectures[Number(code[1]) - 1] ?? s;
  if ((prefectures as readonly string[]).includes(s)) return s;
  const short = prefectures.find((p) => p.replace(/[都道府県]$/, '') === s);
  if (short) return short;
  const plain = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const same = (latin: string) => romaji.findIndex((r) => r === latin || r.replace(/ou/g, 'o') === latin.replace(/ou/g, 'o'));
  // The name as written first: Kyoto ends in the `to` of Tokyo-to, and is not Kyo.
  const whole = same(plain.replace(/[^a-z]/g, ''));
  const i = whole >= 0 ? whole : same(plain.replace(/[-\s]*(prefecture|ken|to|fu)$/, '').replace(/[^a-z]/g, ''));
  return i >= 0 ? prefectures[i]! : s;
}

/** Whether a country cell means Japan (a blank one too: small Japanese shops rarely fill it). */
export const isJapan = (country: string) => ['', 'jp', 'jpn', 'japan', '日本'].includes(country.normalize('NFKC').trim().toLowerCase());

/** `+81 90-1234-5678` → `090-1234-5678`; spaces and brackets go, and the apostrophe Shopify puts before a `+` so spreadsheets do not read a formula. */
export function phoneOf(raw: string): string {
  let s = raw.normalize('NFKC').trim().replace(/^'/, '').replace(/[\s()（）]/g, '');
  if (s.startsWith('+81')) s = `0${s.slice(3).replace(/^-?0?/, '')}`;
  return s;
}

/** Shopify writes zips with a leading apostrophe so spreadsheets keep their zeros. */
export const postcodeOf = (raw: string) => raw.trim().replace(/^'/, '');

/**
 * A platform's payment label or gateway name → madoguchi's method. Checked in order, so 「代金引換」 wins
 * over a gateway that also takes cards. Unknown labels are `other`: the order is still the order.
 */
const paymentRules: Array<[RegExp, PaymentMethod]> = [
  [/gift ?card|ギフトカード|ギフト券|store credit/i, 'other'],
  [/代金引換|代引|cash on delivery|\bcod\b/i, 'cod'],
  [/後払い|後払|np_?atobarai|paidy|atone|deferred/i, 'deferred'],
  [/コンビニ|konbini|convenience|seven|famima|lawson/i, 'convenience_store'],
  [/銀行|振込|振り込み|bank|furikomi/i, 'bank_transfer'],
  [/キャリア|docomo|ドコモ|au[かｶカ]んたん|softbank|ソフトバンク|carrier/i, 'carrier_billing'],
  [/paypay|楽天ペイ|rakuten ?pay|line ?pay|d払い|merpay|メルペイ|電子マネー|e-?money|suica|edy|waon|nanaco/i, 'e_money'],
  [/クレジット|カード|credit|card|shopify[ _]?payments|stripe|visa|master|jcb|amex|gmo|sbps|komoju/i, 'credit_card'],
];

export function paymentOf(raw: string): PaymentMethod {
  const s = raw.normalize('NFKC').trim();
  for (const [re, method] of paymentRules) if (re.test(s)) return method;
  return 'other';
}

/** `JCT 10%`, `消費税 8%`, `Consumption Tax 10.0%` → 10 / 8; null when the name names no rate. */
export function rateOf(taxName: string): number | null {
  const m = /(\d+(?:\.\d+)?)\s*[%％]/.exec(taxName.normalize('NFKC'));
  return m ? Number(m[1]) : null;
}

/** A money cell as a number of yen (`1,980`, `¥1,980`, `1980.00`); null when it is not one. */
export function yenOf(raw: string): number | null {
  const s = raw.normalize('NFKC').trim().replace(/^[¥\\]\s*/, '').replace(/円$/, '').replace(/,/g, '');
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : null;
}
