import type { Bilingual } from '../../core/messages.ts';

/**
 * Addresses at Japanese mobile carriers. Their default filters (なりすまし拒否, 迷惑メール
 * フィルター) drop mail from domains the subscriber has not allowed, so a customer at one of
 * them often never sees a portal code or a notice: the log flags the address, and the portal
 * and the widget tell the customer which domain to allow.
 *
 * The brands without mail of their own use their parent's: ahamo keeps @docomo.ne.jp
 * (ドコモメール持ち運び), povo keeps @au.com / @ezweb.ne.jp, LINEMO keeps @softbank.ne.jp /
 * @i.softbank.jp; Y!mobile and UQ mobile have their own domains, Rakuten Mobile has @rakumail.jp.
 */
export const mobileCarriers = ['docomo', 'au', 'softbank', 'ymobile', 'uqmobile', 'rakuten'] as const;
export type MobileCarrier = (typeof mobileCarriers)[number];

/** Each domain, and its subdomains (biz.ezweb.ne.jp, d.vodafone.ne.jp, *.pdx.ne.jp). */
const domains: Record<string, MobileCarrier> = {
  'docomo.ne.jp': 'docomo',
  'au.com': 'au',
  'ezweb.ne.jp': 'au',
  'softbank.ne.jp': 'softbank',
  'i.softbank.jp': 'softbank',
  'disney.ne.jp': 'softbank',
  'vodafone.ne.jp': 'softbank',
  'ymobile.ne.jp': 'ymobile',
  'ymobile1.ne.jp': 'ymobile',
  'y-mobile.ne.jp': 'ymobile',
  'emobile.ne.jp': 'ymobile',
  'emobile-s.ne.jp': 'ymobile',
  'willcom.com': 'ymobile',
  'pdx.ne.jp': 'ymobile',
  'wcm.ne.jp': 'ymobile',
  'uqmobile.jp': 'uqmobile',
  'rakumail.jp': 'rakuten',
};

export const carrierNames: Record<MobileCarrier, Bilingual> = {
  docomo: { ja: 'ドコモ（ahamo を含む）', en: 'docomo (including ahamo)' },
  au: { ja: 'au（povo を含む）', en: 'au (including povo)' },
  softbank: { ja: 'ソフトバンク（LINEMO を含む）', en: 'SoftBank (including LINEMO)' },
  ymobile: { ja: 'ワイモバイル', en: 'Y!mobile' },
  uqmobile: { ja: 'UQ mobile', en: 'UQ mobile' },
  rakuten: { ja: '楽天モバイル', en: 'Rakuten Mobile' },
};

/** The carrier whose mail service `address` is at, or null (any other address, or none). */
export function mobileCarrierOf(address: string | null | undefined): MobileCarrier | null {
  if (!address) return null;
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  let domain = address
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
  for (;;) {
    const carrier = domains[domain];
    if (carrier) return carrier;
    const dot = domain.indexOf('.');
    if (dot < 0) return null;
    domain = domain.slice(dot + 1);
  }
}

/**
 * What to tell a customer at a carrier address, or null for any other address: allow mail
 * from the domain madoguchi sends from (MAIL_FROM's).
 */
export function carrierHint(address: string | null | undefined, mailDomain: string): (Bilingual & { carrier: MobileCarrier }) | null {
  const carrier = mobileCarrierOf(address);
  return carrier ? carrierHintOf(carrier, mailDomain) : null;
}

/** The hint for a customer of `carrier`. */
export function carrierHintOf(carrier: MobileCarrier, mailDomain: string): Bilingual & { carrier: MobileCarrier } {
  const name = carrierNames[carrier];
  return {
    carrier,
    ja: `${name.ja}のメールアドレスでは、迷惑メールフィルターのためメールが届かないことがあります。「@${mailDomain}」からのメールを受信できるよう設定してください（受信リスト設定・指定受信）。`,
    en: `Mail to ${name.en} addresses is often held back by the carrier's spam filter. Please allow mail from "@${mailDomain}" in your mail settings (allowed senders list).`,
  };
}
