import type { ConversationStatus } from '../../server/domains/conversations/conversations.tables.ts';
import type { RejectionCode, ReturnStatus } from '../../server/domains/returns/returns.model.ts';
import type { Said } from './reply.ts';

/** The console's words for statuses and reasons (agent-console/src/i18n.returns.ts), for Slack's summaries. */
export const returnStatusLabel: Record<ReturnStatus, Said> = {
  requested: { ja: '受付', en: 'Requested' },
  needs_review: { ja: '要確認', en: 'Needs review' },
  approved: { ja: '承認済み', en: 'Approved' },
  rejected: { ja: '却下', en: 'Rejected' },
  awaiting_shipment: { ja: '返送待ち', en: 'Awaiting parcel' },
  in_transit: { ja: '返送中', en: 'In transit' },
  received: { ja: '到着', en: 'Received' },
  inspected: { ja: '検品済み', en: 'Inspected' },
  expired: { ja: '期限切れ', en: 'Expired' },
  refund_pending: { ja: '返金処理中', en: 'Refund pending' },
  refund_failed: { ja: '返金失敗', en: 'Refund failed' },
  exchange_pending: { ja: '交換準備中', en: 'Exchange pending' },
  refunded: { ja: '返金済み', en: 'Refunded' },
  exchanged: { ja: '交換済み', en: 'Exchanged' },
  closed: { ja: '完了', en: 'Closed' },
  canceled: { ja: '取り消し', en: 'Canceled' },
};

export const rejectionLabel: Record<RejectionCode, Said> = {
  outside_window: { ja: '返品期間外', en: 'Outside the return window' },
  non_returnable_item: { ja: '返品できない商品', en: 'Non-returnable item' },
  condition_not_met: { ja: '返品の条件を満たしていない', en: 'Conditions not met' },
  returns_not_accepted: { ja: 'お客様都合の返品を受け付けていない', en: 'Returns of choice not accepted' },
  no_defect_found: { ja: '不良が確認できない', en: 'No defect found' },
  missing_evidence: { ja: '確認に必要な写真・情報がない', en: 'Missing photos or information' },
  suspected_abuse: { ja: '不正の疑い', en: 'Suspected abuse' },
  other: { ja: 'その他', en: 'Other' },
};

export const conversationStatusLabel: Record<ConversationStatus, Said> = {
  open: { ja: '対応中', en: 'Open' },
  pending: { ja: 'お客様の返信待ち', en: 'Pending (customer)' },
  waiting_merchant: { ja: 'ショップの回答待ち', en: 'Waiting on the merchant' },
  snoozed: { ja: 'スヌーズ中', en: 'Snoozed' },
  resolved: { ja: '解決済み', en: 'Resolved' },
  closed: { ja: 'クローズ', en: 'Closed' },
};
