import type { AlertLocale, NoticeAlertView } from '../../../server/domains/slack/slack.alerts.views.ts';
import { both, escape, fields, header, type SlackMessage } from './text.ts';

export interface NoticeCounts {
  total: number;
  sent: number;
  failed: number;
  suppressed: number;
  cancelled: number;
}

/** A delay notice finished sending: how many went, failed, were held back (addresses suppressed or unsubscribed), and bounced back so far. */
export function noticeFinished(n: NoticeAlertView, status: 'sent' | 'cancelled', counts: NoticeCounts, locale: AlertLocale): SlackMessage {
  const title = `${both(locale, status === 'cancelled' ? ['お知らせの送信を中止しました', 'Notice sending cancelled'] : ['お知らせの送信が終わりました', 'Notice sent'])}: ${n.name}`;
  return {
    text: title,
    blocks: [
      header(title),
      fields([
        [both(locale, ['お知らせ', 'Notice']), `<${n.url}|${escape(n.name)}>`],
        [both(locale, ['対象', 'Recipients']), String(counts.total)],
        [both(locale, ['送信済み', 'Sent']), String(counts.sent)],
        [both(locale, ['失敗', 'Failed']), String(counts.failed)],
        [both(locale, ['不達（バウンス）', 'Bounced']), String(n.bounced)],
        [both(locale, ['送信せず（配信停止・以前の不達）', 'Not sent (unsubscribed or bounced before)']), String(counts.suppressed)],
        ...(counts.cancelled ? [[both(locale, ['中止', 'Cancelled']), String(counts.cancelled)] as [string, string]] : []),
      ]),
    ],
  };
}
