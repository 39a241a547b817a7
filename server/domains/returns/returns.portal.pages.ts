import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import { findOrderById } from '../orders/orders.repository.ts';
import { customerNotice } from './returns.notify.ts';
import { BANK_RETENTION_DAYS } from './returns.bank.ts';
import { PHOTO_LIMITS } from './returns.photos.ts';
import type { PortalSession } from './returns.portal.auth.ts';
import { basisLabels, eventLabel, moneyRows, statusLabels, taxRows, tokyoDateTime } from './returns.portal.view.ts';
import type { FileReturnBody } from './returns.schema.ts';
import type { ReturnPreviewDto, ReturnViewDto } from './returns.schema.ts';
import type { afterRefusal, Told } from './returns.portal.customer.ts';


const shippingWords = (labelByShop: boolean): [string, string] =>
  labelByShop ? ['返送用の伝票は当店からお送りします。', 'We will send you a return label.'] : ['返送の送料はお客様のご負担です（元払い）。', 'The return shipping is yours to pay (send it prepaid).'];

/** The review page: every rule checked, every line of the money, before anything is filed. */
export async function portalConfirmVars(db: Db, s: PortalSession, ask: FileReturnBody, p: ReturnPreviewDto, hidden: Array<{ name: string; value: string }>) {
  const order = await findOrderById(db, s.shopId, s.orderId);
  if (!order) throw notFound('order');
  const names = new Map(order.lines.map((l) => [l.lineNo, l.name]));
  const [shippingJa, shippingEn] = shippingWords(p.returnLabelByShop);
  return {
    checks: p.checks,
    basisJa: basisLabels[p.basis][0],
    basisEn: basisLabels[p.basis][1],
    exchange: ask.kind === 'exchange',
    money: moneyRows(p.refund, names),
    taxes: taxRows(p.refund),
    shippingJa,
    shippingEn,
    eligible: p.eligible,
    hidden,
    // A refund by transfer (COD and transfer orders) needs the account; asked here, on the submit form only.
    askBank: p.refundMethod === 'bank_transfer' && p.refund.total > 0,
    bankRetentionDays: BANK_RETENTION_DAYS,
    // What arrived is the evidence of a claim on the shop's fault (a late parcel's is its date).
    photosWanted: ask.reason === 'defective' || ask.reason === 'not_as_described' || ask.reason === 'wrong_item',
    photoLimit: { files: PHOTO_LIMITS.files, mb: PHOTO_LIMITS.bytes / 1024 / 1024 },
  };
}

/** A request's page: its status, what to do next, the money and the history, in words; `extra` is what the route read of the shop. */
export function portalRequestVars(v: ReturnViewDto, base: string, extra: { replyTime: Told | null; refusal: Awaited<ReturnType<typeof afterRefusal>> | null }) {
  const names = new Map(v.items.map((i) => [i.lineNo, i.name]));
  const step = customerNotice({
    status: v.status,
    shipBy: v.shipBy ? new Date(v.shipBy) : null,
    returnLabelByShop: v.returnLabelByShop,
    keepItem: v.keepItem,
    refundTotal: v.refundTotal,
    rejectionCode: v.rejectionCode,
    decisionNote: v.decisionNote,
    kind: v.kind,
    basis: v.legalBasis,
    policy: v.policy,
    refused: v.refund.refused ?? null,
    withdrawal: v.withdrawalReceivedAt && v.withdrawalChannel ? { at: new Date(v.withdrawalReceivedAt), channel: v.withdrawalChannel } : null,
  });
  const instructions = step ? step.ja.map((ja, i) => ({ ja, en: step.en[i] ?? '' })) : [];
  return {
    id: v.id,
    number: v.number,
    statusJa: statusLabels[v.status][0],
    statusEn: statusLabels[v.status][1],
    instructions,
    items: v.items,
    exchange: v.kind === 'exchange',
    money: moneyRows(v.refund, names),
    // Served by the portal to this session only (returns.portal.routes.ts), never by a guessable public address.
    photos: v.photos.map((p, i) => ({ url: `${base}/requests/${v.id}/photos/${p.id}`, alt: `添付写真 ${i + 1} / Photo ${i + 1}`, image: p.contentType.startsWith('image/') })),
    replyTime: extra.replyTime,
    refusal: v.status === 'rejected' ? extra.refusal : null,
    canShip: v.allowedEvents.includes('ship'),
    canCancel: v.allowedEvents.includes('cancel'),
    history: v.history.map((h) => {
      const [ja, en] = eventLabel(h.event);
      return { at: tokyoDateTime(h.at), ja, en, note: h.note };
    }),
  };
}
