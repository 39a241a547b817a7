import { noticesMessages } from './i18n.notices.ts';
import type { Lang } from './i18n.ts';
import type { Campaign, CampaignStatus, Counts } from './noticesApi.ts';
import { tokyoDateTime } from './returns.format.ts';

/** Japan keeps no summer time: a Tokyo wall-clock time is always UTC+9. */
const TOKYO_MS = 9 * 60 * 60 * 1000;

/** An instant as a `datetime-local` value on the Tokyo clock, whatever the computer's zone ('' for none). */
export function tokyoInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t + TOKYO_MS).toISOString().slice(0, 16);
}

/** A `datetime-local` value read as Tokyo time, as an ISO instant; null for empty or unreadable. */
export function fromTokyoInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  const t = Date.parse(`${value}:00+09:00`);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** "2026/12/03 21:00〜2026/12/10 18:00", or from the start alone when it has no end. */
export function windowText(c: Pick<Campaign, 'startsAt' | 'endsAt'>, lang: Lang): string {
  const w = noticesMessages[lang].window;
  const s = tokyoDateTime(c.startsAt, lang);
  return c.endsAt ? w.range(s, tokyoDateTime(c.endsAt, lang)) : w.from(s);
}

/** Recipients whose mail is settled one way or another (the bar's filled part). */
export const settled = (c: Counts) => c.sent + c.failed + c.suppressed + (c.cancelled ?? 0);

/** What a campaign in each state may do next (the server's machine says the same, and checks again: 409). */
export const mayAct = {
  pause: (s: CampaignStatus) => s === 'sending',
  resume: (s: CampaignStatus) => s === 'paused',
  cancel: (s: CampaignStatus) => s === 'draft' || s === 'scheduled' || s === 'sending' || s === 'paused',
  retry: (s: CampaignStatus, c: Counts) => c.failed > 0 && (s === 'sending' || s === 'paused' || s === 'sent'),
  /** Only before the first mail: a change once sending would reach some customers and not others. */
  edit: (s: CampaignStatus) => s === 'draft' || s === 'scheduled',
};
