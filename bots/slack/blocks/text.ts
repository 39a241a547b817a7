import type { KnownBlock } from '@slack/types';
import { maskAddressesIn } from '../../../server/domains/orders/orders.mask.ts';
import type { AlertLocale } from '../../../server/domains/slack/slack.alerts.views.ts';

/** A message for Slack: the notification text (also what screen readers and push previews show) and its blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Words in both languages, the shop's first and the other alongside. */
export type Words = readonly [ja: string, en: string];

export const both = (locale: AlertLocale, [ja, en]: Words) => (locale === 'en' ? `${en} / ${ja}` : `${ja} / ${en}`);

/** Slack's mrkdwn treats &, < and > as markup: escaped in whatever people or customers wrote. */
export const escape = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Phone numbers as written in Japan (090-1234-5678, 03 1234 5678, +81…, 09012345678): only their last four digits stay. */
const PHONE = /(?:\+?\d[\d\s()\-‐－]{8,}\d)/g;
/** A Japanese postcode (〒150-0001, 150-0001). */
const POSTCODE = /〒?\s?\d{3}[-‐－]\d{4}/g;

/**
 * Free text a customer or a person wrote (a subject, a comment, a question), made fit for a
 * Slack channel as for a contractor: email addresses, phone numbers and postcodes masked, the
 * rest escaped and cut to `max` characters.
 */
export function maskFreeText(s: string | null | undefined, max = 300): string {
  if (!s) return '';
  const masked = (maskAddressesIn(s) ?? '')
    .replace(POSTCODE, '〒***-****')
    .replace(PHONE, (p) => {
      const digits = p.replace(/\D/g, '');
      return digits.length >= 10 ? `***-****-${digits.slice(-4)}` : p;
    });
  const cut = masked.length > max ? `${masked.slice(0, max - 1)}…` : masked;
  return escape(cut);
}

/** A time in Tokyo, as people at the shop read it. */
export const tokyoTime = (d: Date | string) =>
  new Date(d).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

export const yen = (n: number) => `¥${n.toLocaleString('ja-JP')}`;

/** The value of an action button: which shop and object, and the version (status) it was posted with, so a stale click is told so (C's listeners). */
export const actionValue = (shopId: string, objectId: string, v: string | number) => JSON.stringify({ shopId, objectId, v });

export const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text: text.slice(0, 150), emoji: true } });
export const section = (mrkdwn: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn.slice(0, 3000) } });
export const fields = (pairs: Array<[string, string]>): KnownBlock => ({ type: 'section', fields: pairs.slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${v}`.slice(0, 2000) })) });
export const context = (mrkdwn: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn.slice(0, 3000) }] });
