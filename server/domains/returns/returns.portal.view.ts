import type { LegalBasis, ReturnEvent, ReturnStatus } from './returns.model.ts';
import type { RefundBreakdown } from './returns.money.ts';

/** Words the portal and the console show for a return's status. */
export const statusLabels: Record<ReturnStatus, [ja: string, en: string]> = {
  requested: ['受付', 'received'],
  needs_review: ['確認中', 'being reviewed'],
  approved: ['承認', 'approved'],
  rejected: ['お受けできませんでした', 'not accepted'],
  awaiting_shipment: ['ご返送待ち', 'waiting for your parcel'],
  in_transit: ['返送中', 'on its way back'],
  received: ['到着', 'arrived'],
  inspected: ['検品済み', 'inspected'],
  expired: ['期限切れ', 'expired'],
  refund_pending: ['返金手続き中', 'refund under way'],
  refund_failed: ['返金手続き中', 'refund under way'],
  exchange_pending: ['交換品の準備中', 'preparing the exchange'],
  refunded: ['返金済み', 'refunded'],
  exchanged: ['交換済み', 'exchanged'],
  closed: ['完了', 'closed'],
  canceled: ['取り消し', 'withdrawn'],
};

export const basisLabels: Record<LegalBasis, [ja: string, en: string]> = {
  statutory: ['特定商取引法の返品ルール（返品特約なし）', 'the statutory rule (no return terms published)'],
  terms: ['ショップの返品特約', 'the shop’s return terms'],
  defect: ['不良・商品説明との違い（契約不適合）', 'defect or not as described (契約不適合)'],
  shop_error: ['ショップの誤り', 'the shop’s mistake'],
  late_delivery: ['お届けの遅れ（履行遅滞）', 'late delivery (the shop’s failure)'],
  goodwill: ['ショップの特別対応', 'goodwill'],
};

const eventLabels: Partial<Record<ReturnEvent | 'file', [string, string]>> = {
  file: ['お申し込み', 'request filed'],
  auto_approve: ['自動承認', 'approved automatically'],
  send_to_review: ['担当者の確認へ', 'sent for review'],
  approve: ['承認', 'approved'],
  reject: ['お受けできませんでした', 'not accepted'],
  request_shipment: ['ご返送のご案内', 'asked for the parcel'],
  keep_item: ['ご返送不要で返金', 'refund without sending the item back'],
  ship: ['返送', 'parcel sent'],
  receive: ['到着', 'parcel arrived'],
  expire: ['期限切れ', 'expired'],
  inspect: ['検品', 'inspected'],
  start_refund: ['返金手続き開始', 'refund started'],
  start_exchange: ['交換の準備', 'exchange started'],
  refund_succeeded: ['返金完了', 'refunded'],
  refund_failed: ['返金手続き中', 'refund under way'],
  retry_refund: ['返金手続き中', 'refund under way'],
  exchange_shipped: ['交換品発送', 'exchange sent'],
  close: ['完了', 'closed'],
  cancel: ['取り消し', 'withdrawn'],
};

export const eventLabel = (e: string): [string, string] => eventLabels[e as ReturnEvent] ?? [e, e];

export const yen = (n: number) => `${n < 0 ? '−' : ''}¥${Math.abs(n).toLocaleString('ja')}`;

const deductionLabels: Record<string, [string, string]> = {
  return_shipping: ['返送料', 'return shipping'],
  outbound_shipping: ['お届け時の送料（返金対象外）', 'original shipping (not refunded)'],
  cod_fee: ['代引き手数料（返金対象外）', 'COD fee (not refunded)'],
  transfer_fee: ['振込手数料', 'bank transfer fee'],
  restocking: ['再入荷手数料', 'restocking fee'],
};

/** Every line of the calculation, as the portal and the mails show it. */
export function moneyRows(r: RefundBreakdown, names: Map<number, string>) {
  const rows: Array<{ ja: string; en: string; amount: string; cls: string }> = [];
  for (const l of r.lines) {
    const name = names.get(l.lineNo) ?? `#${l.lineNo}`;
    rows.push({ ja: `${name} × ${l.quantity}`, en: `${yen(l.unitPrice)} × ${l.quantity}`, amount: yen(l.gross), cls: '' });
    if (l.couponShare) rows.push({ ja: 'クーポン値引き（按分）', en: 'coupon share', amount: yen(-l.couponShare), cls: '' });
  }
  for (const f of r.fees) rows.push({ ja: f.kind === 'cod_fee' ? '代引き手数料' : 'お届け時の送料', en: f.kind === 'cod_fee' ? 'COD fee' : 'original shipping', amount: yen(f.amount), cls: '' });
  for (const d of r.deductions) {
    const [ja, en] = deductionLabels[d.kind] ?? [d.kind, d.kind];
    rows.push({ ja: `差し引き: ${ja}`, en: `deducted: ${en}`, amount: yen(-d.amount), cls: '' });
  }
  if (r.exchange) {
    rows.push({ ja: '交換品の代金', en: 'exchange items', amount: yen(r.exchange.newItemsTotal), cls: '' });
    const d = r.exchange.difference;
    rows.push({ ja: d > 0 ? 'お支払いいただく差額' : d < 0 ? '返金する差額' : '差額なし', en: d > 0 ? 'difference you pay' : d < 0 ? 'difference refunded' : 'no difference', amount: yen(Math.abs(d)), cls: 'total' });
  } else {
    rows.push({ ja: '返金額', en: 'refund', amount: yen(r.total), cls: 'total' });
  }
  return rows;
}

export const taxRows = (r: RefundBreakdown) => r.byTaxRate.map((t) => ({ label: `${t.rate}%対象 ${yen(t.amount)}（うち消費税 ${yen(t.tax)}） / ${t.rate}% items ${yen(t.amount)}, tax ${yen(t.tax)}` }));

export const tokyoDateTime = (iso: string) => new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });
