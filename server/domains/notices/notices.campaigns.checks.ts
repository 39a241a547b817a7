import type { Db } from '../../core/db/client.ts';
import { DomainError, invalidInput } from '../../core/errors.ts';
import { japaneseOf, said } from '../../core/messages.ts';
import { findShop } from '../shops/shops.repository.ts';
import type { CampaignRow } from './notices.campaigns.repository.ts';
import { loadWording } from './notices.templates.service.ts';
import { checkVariables, noticeShopOf, renderNotice } from './notices.render.ts';
import { isPerOrderType, noticeVariableSpecs, type NoticeType } from './notices.types.ts';
import { perOrderBanner } from './notices.campaigns.schema.ts';
import { isEmptyTarget, reachesAnyOrder } from './notices.target.ts';

const m = {
  unknown: said('この種類のお知らせにない変数です。', 'not a variable of this notice type'),
  noChannel: said('バナー・メール・チャットのうち1つ以上を選んでください。', 'choose at least one of banner, mail and chat'),
  over: said('終了日時がすでに過ぎています。', 'the end has already passed'),
  noTarget: said('送信先の条件を1つ以上指定してください（すべての注文には送れません）。', 'give at least one condition of the orders to send to (a notice is never sent to every order at once)'),
  nobody: said('条件に合う注文がありません。', 'the target matches no order'),
  noContact: said(
    'お知らせに載せるお問い合わせ先が設定されていません。設定 → ショップ情報の「お知らせのお問い合わせ先」で、メールアドレスや電話番号・受付時間を設定してください。',
    "the shop has no contact for notices: set it in Settings → Shop profile → Contact for notices (mail address, phone, hours)",
  ),
  notValid: said('お知らせを公開できません。内容を確認してください。', 'the notice cannot be published as it is'),
};

const detail = (path: string, en: string) => ({ in: 'body', path, message: en, ja: japaneseOf(en) ?? en });

/** A draft may leave variables out, but never name one its type does not have (a typo would be lost silently). */
export function checkVariableNames(type: NoticeType, variables: Record<string, unknown>): void {
  const known = new Set(noticeVariableSpecs[type].map((s) => s.name));
  const unknown = Object.keys(variables).filter((k) => !known.has(k));
  if (unknown.length) throw invalidInput(m.notValid, unknown.map((k) => detail(`variables.${k}`, m.unknown)));
}

/**
 * Everything publication needs, checked before anything is written: a channel; a window not
 * over; the variables by the type's schema; the wording (the shop's version or the built-in)
 * rendered in both languages for a sample customer; and, when there is anyone to send to, a
 * target that names at least one condition and matches at least one order now. Each failure is
 * a 400 with the field it concerns.
 */
export async function checkPublishable(db: Db, c: CampaignRow, now = new Date()): Promise<void> {
  const problems = [];
  if (!c.channels.banner && !c.channels.mail && !c.channels.chat) problems.push(detail('channels', m.noChannel));
  if (c.channels.banner && isPerOrderType(c.type)) problems.push(detail('channels.banner', perOrderBanner));
  if (c.endsAt && c.endsAt <= now) problems.push(detail('endsAt', m.over));
  const sends = c.channels.mail || c.channels.chat;
  if (sends && isEmptyTarget(c.target)) problems.push(detail('target', m.noTarget));
  else if (sends && !(await reachesAnyOrder(db, c.shopId, c.target))) problems.push(detail('target', m.nobody));
  const shop = await findShop(db, c.shopId);
  if (!shop) throw new DomainError('not_found', 'shop not found');
  // Every notice tells the customer how to reach the shop; a placeholder would go out as it is.
  if (!shop.noticeContact) problems.push(detail('shop.noticeContact', m.noContact));
  if (problems.length) throw invalidInput(m.notValid, problems);
  const type = c.type as NoticeType;
  checkVariables(type, c.variables);
  const wording = await loadWording(db, c.shopId, type, c.templateVersionId);
  const ctx = { shop: noticeShopOf(shop), recipient: { name: '見本 花子', orders: [{ orderNumber: 'SAMPLE-0001', orderedAt: now }] }, asOf: now };
  for (const lang of ['ja', 'en'] as const) renderNotice(wording, lang, c.variables, ctx);
}
