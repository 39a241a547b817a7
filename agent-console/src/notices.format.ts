import { noticesMessages } from './i18n.notices.ts';
import type { Lang } from './i18n.ts';
import type { Campaign, CampaignStatus, Counts } from './noticesApi.ts';
import { tokyoDateTime } from './returns.format.ts';

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
  /** Taking a published notice down now (its banner off the shop's pages): a sent banner-only notice has no other way to end early. */
  end: (s: CampaignStatus, endsAt: string | null, now = Date.now()) => (s === 'scheduled' || s === 'sending' || s === 'paused' || s === 'sent') && (endsAt === null || Date.parse(endsAt) > now),
  /** Only before the first mail: a change once sending would reach some customers and not others. */
  edit: (s: CampaignStatus) => s === 'draft' || s === 'scheduled',
};

/** A list in a line, as each language writes one: 「東京都、大阪府」, "Tokyo, Osaka". */
export const listed = (items: readonly string[], lang: Lang) => items.join(lang === 'ja' ? '、' : ', ');
