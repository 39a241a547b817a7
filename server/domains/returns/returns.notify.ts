import { rejectionCodesFor, rejectionFactsOf } from './returns.machine.ts';
import { expiresUnshipped, type LegalBasis, type NoticeChannel, type RejectionCode, type ReturnStatus } from './returns.model.ts';

/** What a customer is told at each step that concerns them; steps absent here are the shop's business. */
export interface NoticeFacts {
  status: ReturnStatus | 'ship_reminder';
  shipBy: Date | null;
  returnLabelByShop: boolean;
  keepItem: boolean;
  refundTotal: number;
  rejectionCode: RejectionCode | null;
  decisionNote: string | null;
  kind?: string;
  /** The legal basis: what a rejection may say, and whether the date to send the parcel by is a deadline. */
  basis: LegalBasis;
  /** The policy check stored at filing (what it found is what a rejection may not contradict). */
  policy: unknown;
  /** A refused delivery's money: whether the order was paid, and what the terms charge if it was not. */
  refused?: { paid: boolean; owed: number } | null;
  /** The customer's own withdrawal, as the shop recorded it when it canceled the request for them. */
  withdrawal?: { at: Date; channel: NoticeChannel } | null;
}

/** How a customer's message reached the shop, as the customer would say it. */
const channelWords: Record<NoticeChannel, [string, string]> = {
  email: ['メール', 'email'],
  phone: ['お電話', 'phone'],
  chat: ['チャット', 'chat'],
  letter: ['郵便', 'letter'],
  other: ['その他の方法', 'another way'],
};

const jaDateTime = (d: Date) => d.toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const enDateTime = (d: Date) => `${d.toLocaleString('en-GB', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' })} (Japan time)`;

const rejectionLabels: Record<RejectionCode, [string, string]> = {
  outside_window: ['返品期間を過ぎているため', 'the return period has ended'],
  non_returnable_item: ['返品できない商品のため', 'the item cannot be returned'],
  condition_not_met: ['返品の条件を満たしていないため', 'the return conditions are not met'],
  returns_not_accepted: ['お客様都合の返品をお受けしていないため', 'the shop does not take returns of the customer’s choice'],
  no_defect_found: ['不良が確認できなかったため', 'no defect was found'],
  missing_evidence: ['状態を確認できる写真などが不足しているため', 'photos or other evidence are missing'],
  suspected_abuse: ['お申し込みの内容を確認できなかったため', 'the request could not be verified'],
  other: ['担当者の判断により', 'of the shop’s decision'],
};

/** "Nothing was found" says what was checked: a defect, the item sent, the delivery date. */
const nothingFound: Partial<Record<LegalBasis, [string, string]>> = {
  shop_error: ['ご注文どおりの商品をお届けしていたことを確認したため', 'we found that the item sent was the one ordered'],
  late_delivery: ['お約束の期日までにお届けしていたことを確認したため', 'we found that the parcel was delivered by the promised date'],
};

/**
 * Why the request was not accepted, in words that fit its legal basis. A code that does not fit
 * (a record from before the rules refused it) is told as the shop's decision, never as a
 * window that does not apply: a defect claim is never "past the return period".
 */
function rejectionWords(f: NoticeFacts): [string, string] {
  const code = f.rejectionCode ?? 'other';
  const fits = rejectionCodesFor(rejectionFactsOf({ legalBasis: f.basis, policy: f.policy })).includes(code);
  if (!fits) return rejectionLabels.other;
  return (code === 'no_defect_found' && nothingFound[f.basis]) || rejectionLabels[code];
}

const jaDay = (d: Date) => d.toLocaleDateString('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric' });
const enDay = (d: Date) => d.toLocaleDateString('en-GB', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric' });

/** Lines in Japanese and English, or null when this step is not one to tell the customer about. */
export function customerNotice(f: NoticeFacts): { ja: string[]; en: string[]; subjectJa: string; subjectEn: string } | null {
  if (f.kind === 'refused_delivery') return refusedNotice(f);
  const ship = (ja: string[], en: string[]) => {
    // A deadline only where the machine enforces one (the shop's terms); otherwise a date to aim for, and the right stands.
    if (f.shipBy && expiresUnshipped(f.basis)) {
      ja.push(`${jaDay(f.shipBy)}までに商品をご返送ください。期限までにご返送がない場合、お申し込みは終了します。`);
      en.push(`Please send the item back by ${enDay(f.shipBy)}. If it has not been sent by then, the request ends.`);
    } else if (f.shipBy) {
      ja.push(`${jaDay(f.shipBy)}を目安に商品をご返送ください。目安を過ぎてもお申し込みは取り消されませんが、返金は商品が当店に届いてからになります。`);
      en.push(`Please send the item back by ${enDay(f.shipBy)} if you can. The request stands after that date too; the refund is made once the item is back with us.`);
    }
    if (f.returnLabelByShop) {
      ja.push('返送用の伝票は当店からお送りします。');
      en.push('We will send you a return label.');
    } else {
      ja.push('送料はお客様のご負担で、元払いにてご返送ください。');
      en.push('Please send it prepaid; the return shipping is yours to pay.');
    }
  };
  switch (f.status) {
    case 'requested':
      return { subjectJa: 'お申し込みを受け付けました', subjectEn: 'request received', ja: ['お申し込みを受け付けました。内容を確認のうえ、あらためてご連絡します。'], en: ['We have received your request and will be in touch once it is checked.'] };
    case 'awaiting_shipment': {
      const ja = ['お申し込みを承認しました。'];
      const en = ['Your request is approved.'];
      ship(ja, en);
      return { subjectJa: '承認しました・ご返送のお願い', subjectEn: 'approved: please send the item back', ja, en };
    }
    case 'ship_reminder': {
      // Only a date the machine enforces is a deadline; for a right that stands it is a date to aim for (目安).
      if (expiresUnshipped(f.basis)) {
        const ja = ['ご返送の期限が近づいています。'];
        const en = ['The deadline to send the item back is near.'];
        ship(ja, en);
        return { subjectJa: 'ご返送期限のお知らせ', subjectEn: 'reminder: send the item back', ja, en };
      }
      const ja = ['ご返送の目安日が近づいています。お手数ですが、ご返送をお願いいたします。'];
      const en = ['The date we suggested for sending the item back is near; please send it when you can.'];
      ship(ja, en);
      return { subjectJa: 'ご返送のお願い（目安日のお知らせ）', subjectEn: 'reminder: please send the item back', ja, en };
    }
    case 'rejected': {
      // "The shop's decision" with the note that says what it was: the note is the reason.
      if (f.decisionNote && rejectionWords(f) === rejectionLabels.other) {
        return {
          subjectJa: 'お申し込みについて',
          subjectEn: 'about your request',
          ja: ['申し訳ございませんが、次の理由により、今回のお申し込みはお受けできませんでした。', `理由: ${f.decisionNote}`],
          en: ['We are sorry: we cannot accept this request, for the reason below.', `Reason: ${f.decisionNote}`],
        };
      }
      const [rja, ren] = rejectionWords(f);
      const ja = [`申し訳ございませんが、${rja}、今回のお申し込みはお受けできませんでした。`];
      const en = [`We are sorry: we cannot accept this request because ${ren}.`];
      if (f.decisionNote) {
        ja.push(`担当者より: ${f.decisionNote}`);
        en.push(`From the shop: ${f.decisionNote}`);
      }
      return { subjectJa: 'お申し込みについて', subjectEn: 'about your request', ja, en };
    }
    case 'received':
      return { subjectJa: '商品を受け取りました', subjectEn: 'item received', ja: ['ご返送いただいた商品を受け取りました。状態を確認して手続きを進めます。'], en: ['We have received the item you sent back and will proceed once it is checked.'] };
    case 'refund_pending':
      return f.keepItem
        ? { subjectJa: '返金手続きを開始しました', subjectEn: 'refund under way', ja: ['商品のご返送は不要です。返金の手続きを進めます。'], en: ['There is no need to send the item back; we are arranging the refund.'] }
        : null;
    case 'refunded':
      return { subjectJa: '返金が完了しました', subjectEn: 'refunded', ja: [`${f.refundTotal.toLocaleString('ja')}円の返金手続きが完了しました。`], en: [`We have refunded ¥${f.refundTotal.toLocaleString('en')}.`] };
    case 'exchanged':
      return { subjectJa: '交換品を発送しました', subjectEn: 'exchange sent', ja: ['交換の商品を発送しました。'], en: ['We have sent the replacement.'] };
    case 'canceled': {
      // The shop recorded the customer's own withdrawal: say that, and when and how it came, not that they pressed a button.
      if (f.withdrawal) {
        const [cja, cen] = channelWords[f.withdrawal.channel];
        return {
          subjectJa: 'お申し込みの取り消しを承りました',
          subjectEn: 'your withdrawal is recorded',
          ja: [`${jaDateTime(f.withdrawal.at)}に${cja}でいただいたお申し込み取り消しのご連絡を、当店で記録しました。お申し込みは取り消しとなりました。`, 'お心当たりのない場合は、このメールにご返信のうえ当店までお知らせください。'],
          en: [`We have recorded the withdrawal of your request that reached us by ${cen} on ${enDateTime(f.withdrawal.at)}; the request is withdrawn.`, 'If you did not withdraw it, please reply to this mail and let us know.'],
        };
      }
      return { subjectJa: 'お申し込みを取り消しました', subjectEn: 'request withdrawn', ja: ['お申し込みを取り消しました。'], en: ['Your request has been withdrawn.'] };
    }
    case 'expired':
      return { subjectJa: 'お申し込みを終了しました', subjectEn: 'request closed', ja: ['期限までにご返送を確認できなかったため、お申し込みを終了しました。'], en: ['We did not receive the item by the deadline, so the request has been closed.'] };
    default:
      return null;
  }
}

/** A refused parcel: the customer asked for nothing, so only its return to the shop and the refund concern them. */
function refusedNotice(f: NoticeFacts): { ja: string[]; en: string[]; subjectJa: string; subjectEn: string } | null {
  if (f.status === 'received') {
    const ja = ['ご注文のお荷物が、受け取り拒否により当店に戻りました。'];
    const en = ['Your parcel came back to us: the delivery was refused.'];
    if (f.refused && !f.refused.paid) {
      ja.push(f.refused.owed ? `代金引換のためご返金はありません。返品特約により、送料 ${f.refused.owed.toLocaleString('ja')}円 のお支払いをお願いすることがあります。` : '代金引換のため、ご返金・ご請求はありません。');
      en.push(f.refused.owed ? `It was cash on delivery, so there is nothing to refund; under the shop’s terms you may be asked to pay ¥${f.refused.owed.toLocaleString('en')} of shipping.` : 'It was cash on delivery: nothing is refunded and nothing is charged.');
    } else {
      ja.push(`${f.refundTotal.toLocaleString('ja')}円を返金する手続きを進めます。`);
      en.push(`We are arranging a refund of ¥${f.refundTotal.toLocaleString('en')}.`);
    }
    return { subjectJa: 'お荷物が当店に戻りました', subjectEn: 'your parcel came back', ja, en };
  }
  if (f.status === 'refunded') return { subjectJa: '返金が完了しました', subjectEn: 'refunded', ja: [`${f.refundTotal.toLocaleString('ja')}円の返金手続きが完了しました。`], en: [`We have refunded ¥${f.refundTotal.toLocaleString('en')}.`] };
  return null;
}
