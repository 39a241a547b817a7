import { prefectures } from '../orders/orders.model.ts';

export type Prefecture = (typeof prefectures)[number];

/** The romanised names, in the order of `prefectures` (JIS X 0401). */
const romaji = [
  'hokkaido', 'aomori', 'iwate', 'miyagi', 'akita', 'yamagata', 'fukushima', 'ibaraki', 'tochigi', 'gunma',
  'saitama', 'chiba', 'tokyo', 'kanagawa', 'niigata', 'toyama', 'ishikawa', 'fukui', 'yamanashi', 'nagano',
  'gifu', 'shizuoka', 'aichi', 'mie', 'shiga', 'kyoto', 'osaka', 'hyogo', 'nara', 'wakayama',
  'tottori', 'shimane', 'okayama', 'hiroshima', 'yamaguchi', 'tokushima', 'kagawa', 'ehime', 'kochi', 'fukuoka',
  'saga', 'nagasaki', 'kumamoto', 'oita', 'miyazaki', 'kagoshima', 'okinawa',
] as const;

/** Every spelling we accept, to the form orders store (「東京都」). */
const spellings = new Map<string, Prefecture>();
prefectures.forEach((p, i) => {
  spellings.set(p, p);
  // 「東京」「大阪」「神奈川」: the suffix is often left out (never for 北海道, which has none to drop).
  if (p !== '北海道') spellings.set(p.slice(0, -1), p);
  const r = romaji[i]!;
  for (const s of [r, `${r}-to`, `${r}-fu`, `${r}-ken`, `${r} prefecture`, `${r}-ken prefecture`, `${r} metropolis`]) spellings.set(s, p);
});
// Long vowels as they are often written.
for (const [alias, p] of [['hokkaidō', '北海道'], ['tōkyō', '東京都'], ['kyōto', '京都府'], ['ōsaka', '大阪府'], ['hyōgo', '兵庫県'], ['kōchi', '高知県'], ['ōita', '大分県']] as const) spellings.set(alias, p);

/**
 * A prefecture as the orders table writes it, from how a person typed it: 「東京都」「東京」
 * "Tokyo" "tokyo-to" "TOKYO". Undefined when it names none of the 47.
 *
 * @example
 * normalisePrefecture('Osaka') // '大阪府'
 */
export function normalisePrefecture(input: string): Prefecture | undefined {
  const s = input.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
  return spellings.get(s);
}
