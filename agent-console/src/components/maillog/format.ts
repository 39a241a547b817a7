import type { MailLogMessages } from '../../i18n.maillog.ts';
import type { MailLogEntry } from '../../mailLogApi.ts';

/** "12/3 21:04", Japan time, as a shop reads it (the console runs anywhere). */
export function shortTokyo(iso: string): string {
  const parts = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('month')}/${p('day')} ${p('hour')}:${p('minute')}`;
}

/** The mail server's words without the transport's prefix: "smtp; 550 5.1.1 …" → "550 5.1.1 …". */
const answer = (s: string | null) => (s ?? '').replace(/^\s*[a-z-]+;\s*/i, '').replace(/\s+/g, ' ').trim();

/** When the entry's status happened: bounced when the report came, sent when sent, else last changed. */
export const statusTime = (e: MailLogEntry) => (e.status === 'bounced' ? e.bouncedAt : e.status === 'sent' ? e.sentAt : null) ?? e.updatedAt;

/**
 * One line of delivery history: "12/3 21:04 送信済み", "12/3 21:05 不達: 550 5.1.1 user unknown",
 * "12/3 21:05 送信停止: お客様が配信停止".
 */
export function historyLine(e: MailLogEntry, m: MailLogMessages): string {
  const why =
    e.status === 'bounced' ? answer(e.dsnDiagnostic) || e.dsnStatus || ''
    : e.status === 'failed' || e.status === 'deferred' ? answer(e.smtpResponse ?? e.reason)
    : e.status === 'suppressed' ? (e.reason ?? '').split(',').map((r) => m.suppressedReason[r] ?? r).join('・')
    : '';
  return `${shortTokyo(statusTime(e))} ${m.status[e.status]}${why ? `: ${why}` : ''}`;
}
