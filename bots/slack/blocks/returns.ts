import type { KnownBlock } from '@slack/types';
import type { ReturnStatus } from '../../../server/domains/returns/returns.model.ts';
import { returnStatusLabel } from '../labels.ts';
import type { AlertLocale, ReturnAlertView } from '../../../server/domains/slack/slack.alerts.views.ts';
import { actionValue, both, context, escape, fields, header, maskFreeText, section, tokyoTime, yen, type SlackMessage, type Words } from './text.ts';

/** The return alerts: a new request, one needing a decision, a refund that failed. */
export type ReturnAlertKind = 'return_requested' | 'return_needs_review' | 'refund_failed';

const headlines: Record<ReturnAlertKind, Words> = {
  return_requested: ['返品の申し込みがありました', 'New return request'],
  return_needs_review: ['返品の確認が必要です', 'A return needs your decision'],
  refund_failed: ['返金に失敗しました', 'A refund failed'],
};

const kindWords: Record<string, Words> = { return: ['返品', 'return'], exchange: ['交換', 'exchange'], refused_delivery: ['受け取り拒否', 'refused delivery'] };

/** The console's words for a return's status (bots/slack/labels.ts, shared with the listeners' answers). */
export const returnStatusWords = (s: string): Words => {
  const l = returnStatusLabel[s as ReturnStatus];
  return l ? [l.ja, l.en] : [s, s];
};

/**
 * A return alert. While the return waits for a decision it carries Approve / Reject / Open
 * (C's listeners handle `return.approve` and `return.reject`); once it moved on, the buttons
 * go and the message says who moved it, to what and when (the alert is updated in place).
 */
export function returnAlert(kind: ReturnAlertKind, r: ReturnAlertView, locale: AlertLocale): SlackMessage {
  const title = `${both(locale, headlines[kind])}: R-${r.number}`;
  const blocks: KnownBlock[] = [
    header(title),
    fields([
      [both(locale, ['返品番号', 'Return']), `<${r.url}|R-${r.number}>`],
      [both(locale, ['状態', 'Status']), both(locale, returnStatusWords(r.status))],
      [both(locale, ['注文', 'Order']), escape(r.orderNumber)],
      [both(locale, ['お客様', 'Customer']), escape(r.customerName)],
      [both(locale, ['種類', 'Kind']), both(locale, kindWords[r.kind] ?? [r.kind, r.kind])],
      [both(locale, ['返金予定額', 'Refund']), yen(r.refundTotal)],
    ]),
  ];
  if (r.comment) blocks.push(section(`>${maskFreeText(r.comment)}`));
  if (r.status === 'needs_review' && r.reviewReasons.length) blocks.push(context(`${both(locale, ['確認の理由', 'Why'])}: ${r.reviewReasons.map((x) => escape(x)).join(', ')}`));
  if (r.status === 'refund_failed' && r.lastMove?.note) blocks.push(section(`${both(locale, ['失敗の理由', 'Why it failed'])}: ${maskFreeText(r.lastMove.note)}`));
  const open = { type: 'button' as const, action_id: 'return.open', text: { type: 'plain_text' as const, text: both(locale, ['開く', 'Open']) }, url: r.url, value: actionValue(r.shopId, r.id, r.status) };
  if (r.status === 'needs_review') {
    blocks.push({
      type: 'actions',
      block_id: `return:${r.id}`,
      elements: [
        { type: 'button', action_id: 'return.approve', style: 'primary', text: { type: 'plain_text', text: both(locale, ['承認', 'Approve']) }, value: actionValue(r.shopId, r.id, r.status) },
        { type: 'button', action_id: 'return.reject', style: 'danger', text: { type: 'plain_text', text: both(locale, ['却下', 'Reject']) }, value: actionValue(r.shopId, r.id, r.status) },
        open,
      ],
    });
  } else {
    blocks.push({ type: 'actions', block_id: `return:${r.id}`, elements: [open] });
    if (r.lastMove) blocks.push(context(`${escape(r.lastMove.by)} → ${both(locale, returnStatusWords(r.lastMove.to))} (${tokyoTime(r.lastMove.at)})`));
  }
  return { text: title, blocks };
}
