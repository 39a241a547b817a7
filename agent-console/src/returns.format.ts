import type { Lang } from './i18n.ts';
import { isMonth } from './metrics.time.ts';
import type { ReturnStatus } from './types.ts';

/** Integer yen, tax included: ¥2,750, and −¥500 for what is taken off. */
export const yen = (n: number) => `${n < 0 ? '−' : ''}¥${Math.abs(n).toLocaleString('ja-JP')}`;

const locale = (lang: Lang) => (lang === 'ja' ? 'ja-JP' : 'en-US');

/** A moment in Japan time, whatever the computer's zone: 2026/11/20 14:05 or Nov 20, 2026, 2:05 PM. */
export const tokyoDateTime = (iso: string, lang: Lang) =>
  new Date(iso).toLocaleString(locale(lang), { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });

/** What the list opens on: the requests a person has to move along. */
export const needsAction: readonly ReturnStatus[] = ['needs_review', 'approved', 'received', 'inspected', 'refund_pending', 'refund_failed'];

/** The Tokyo month `n` months before `month` (YYYY-MM). */
export function monthsBefore(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) - n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The months from..to, both included, as the report counts them; 0 when not a valid range. */
export function monthSpan(from: string, to: string): number {
  if (!isMonth(from) || !isMonth(to) || from > to) return 0;
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

/** A file's size as people read it: 68 B, 12 KB, 1.4 MB. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
