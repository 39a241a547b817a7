import type { Lang } from '../../i18n.ts';

/**
 * The capabilities the settings page offers to connect, one entry each. A new one adds its
 * entry here (status 'available' once it works) and, when it has settings, a component that
 * IntegrationsSection renders in its card by `id`.
 */
export interface Integration {
  id: string;
  title: Record<Lang, string>;
  description: Record<Lang, string>;
  status: 'available' | 'coming';
}

export const integrations: readonly Integration[] = [
  {
    id: 'stores',
    title: { ja: 'ストア連携（Shopify・BASE）', en: 'Store connections (Shopify, BASE)' },
    description: {
      ja: 'ネットショップをつなぐと、注文・発送・配達の情報が自動で届きます。',
      en: 'Connect your online store and its orders, shipments and deliveries arrive by themselves.',
    },
    status: 'available',
  },
  {
    id: 'delay-notices',
    title: { ja: '遅延のお知らせ', en: 'Delay notices' },
    description: {
      ja: '発送の遅れや休業を、ウィジェットとメールでお客様に先にお知らせします。',
      en: 'Tell customers about shipping delays and closures up front, in the widget and by mail.',
    },
    status: 'available',
  },
  {
    id: 'slack',
    title: { ja: 'Slack', en: 'Slack' },
    description: {
      ja: '返品の申請や SLA の期限などを Slack のチャンネルに通知し、返品の承認や店舗への確認を Slack で行えます。',
      en: 'Post returns, SLA warnings and more to Slack channels; approve returns and answer agents’ questions from Slack.',
    },
    status: 'available',
  },
  {
    id: 'mail-domain',
    title: { ja: 'メール送信ドメイン', en: 'Mail sending domain' },
    description: {
      ja: 'お客様へのメールをショップ自身のドメイン（SPF・DKIM 設定済み）から送ります。',
      en: 'Send customer mail from the shop’s own domain (with SPF and DKIM set up).',
    },
    status: 'coming',
  },
];
