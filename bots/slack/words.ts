import type { Said } from './reply.ts';

/** What the Slack app says to people, Japanese first (answers are ephemeral: only the person sees them). */
export const words = {
  notThisShop: {
    ja: 'この Slack ワークスペースは、そのショップにつながっていません。操作は行いませんでした。',
    en: 'This Slack workspace is not connected to that shop. Nothing was done.',
  },
  noShop: {
    ja: 'この Slack ワークスペースは、madoguchi のどのショップにもつながっていません。',
    en: 'This Slack workspace is not connected to any madoguchi shop.',
  },
  broken: {
    ja: 'このショップの Slack 接続が切れています（トークンが無効）。madoguchi の設定 → Slack で接続し直してください。操作は行いませんでした。',
    en: 'This shop’s Slack connection is broken (its token no longer works). Reconnect it in madoguchi: Settings → Slack. Nothing was done.',
  },
  unlinked: (url: string): Said => ({
    ja: `あなたの Slack アカウントは、まだこのショップの madoguchi のメンバーとつながっていません。操作は行いませんでした。15分以内に次のリンクを開き、madoguchi にサインインして確認してください：${url}`,
    en: `Your Slack account is not linked to a member of this shop in madoguchi yet, so nothing was done. Within 15 minutes, open this link, sign in to madoguchi and confirm: ${url}`,
  }),
  unknownAction: {
    ja: 'このボタンは madoguchi では扱えません（古いメッセージか、不明な操作です）。操作は行いませんでした。',
    en: 'madoguchi does not know this button (an old message, or an unknown action). Nothing was done.',
  },
  badValue: {
    ja: 'このボタンの内容を読み取れませんでした。操作は行いませんでした。',
    en: 'This button’s data could not be read. Nothing was done.',
  },
  failed: {
    ja: '処理中にエラーが発生しました。しばらくしてからもう一度お試しください。',
    en: 'Something went wrong. Please try again in a moment.',
  },
  refused: (s: Said): Said => ({ ja: `できませんでした：${s.ja}`, en: `Not done: ${s.en}` }),
} satisfies Record<string, Said | ((...a: never[]) => Said)>;

/** An Asia/Tokyo date and time, as the console shows them. */
export const tokyoTime = (d: Date) =>
  new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d);
