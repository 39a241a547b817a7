import type { Lang } from './i18n.ts';

/** Where an order came from, as the checklist names it (the same in both languages). */
const sourceName: Record<string, string> = { api: 'API', csv: 'CSV', shopify: 'Shopify', base: 'BASE' };

/** The first-run checklist; Japanese is the source, so English cannot miss a key. */
const ja = {
  title: 'はじめに',
  lead: 'ショップでチャットと返品受付を始めるまでの手順です。各項目は、ショップの実際の設定から自動で「完了」になります。',
  progress: (done: number, of: number) => `${of} 件中 ${done} 件完了`,
  allDone: 'すべての手順が完了しました。お客様からのチャットを受け付けられます。',
  done: '完了',
  notDone: '未完了',
  coming: '準備中',
  loadFailed: '手順の状況を読み込めませんでした。',
  retry: '再読み込み',
  open: '手順を見る',
  hide: 'この案内を閉じる',
  panelTitle: (done: number, of: number) => `はじめに：${of} 件中 ${done} 件完了`,
  steps: {
    widget: {
      title: 'チャットをショップに設置する',
      lead: '埋め込みタグをショップの全ページに貼り、ショップのオリジンを許可してください。ページでウィジェットが読み込まれると完了になります。',
    },
    hours: { title: '営業時間を設定する', lead: 'お客様に表示する受付時間と、対応期限（SLA）の計算に使います。', action: '営業時間を設定' },
    terms: {
      title: '返品条件を公開する',
      lead: '返品条件（返品特約）を公開すると、お客様の返品ページと「特定商取引法に基づく表記」用のページに載ります。特定商取引法では、商品ページなどの広告と注文の最終確認画面にも表示が必要です。公開後に出る文面をショップに貼ってください。',
      action: '返品条件を編集',
    },
    people: { title: 'スタッフを招待する', lead: '一緒に対応するスタッフや外部の対応担当者を招待します。', action: 'メンバーを招待' },
    platform: {
      title: 'ショップの注文を連携する',
      lead: 'Shopify や BASE のストアを連携すると、注文が自動で届きます。API キーでショップのシステムから送ることも、CSV ファイルの取り込みで始めることもできます。',
      storesAction: 'ストアを連携する',
      storeOk: (platform: string) => `${platform}と連携中です。注文は自動で届きます。`,
      storeBroken: (platform: string) => `${platform}との連携が切れています。ストア連携の画面から再連携してください。`,
      curlLead: '次のコマンドでキーを試せます（キーを貼り替えてください）。dryRun=true の試し送信なので注文は保存されません。外すと保存されます。',
      copyCurl: 'コマンドをコピー',
      importCsv: 'CSV で注文を取り込む',
      keysAction: 'API キーを作成',
      waiting: '最初の注文が届くのを待っています…',
      keyWorks: (at: string) => `キーは使えています（最終使用：${at}）。ショップのシステムから最初の注文が届くと完了になります。`,
      newest: (at: string, source: string) => `最新の注文：${at}（${sourceName[source] ?? source}）`,
    },
    notices: { title: '配送遅延のお知らせ', lead: '繁忙期の遅延を対象のお客様にまとめてお知らせします。お知らせに載せる問い合わせ先を設定すると完了になります。', action: 'お知らせを開く' },
    slack: { title: 'Slack 連携', lead: '通知を Slack で受け取り、その場で対応できるようにします。ワークスペースを接続すると完了になります。', action: 'Slack を接続' },
  },
  seenOn: (origin: string, at: string) => `ウィジェットは ${origin} で ${at} に表示されました。`,
  seenNotAllowed: (origin: string, at: string) => `${origin} でウィジェットが読み込まれましたが（${at}）、許可されていないため表示されていません。`,
  notSeen: 'ウィジェットはまだどのページでも読み込まれていません。タグを貼ったページを開くと、ここに表示されます。',
  chatted: 'お客様からのチャットを受け付けています。',
  copied: 'コピーしました',
  copyFailed: 'コピーできませんでした。選択してコピーしてください。',
};

export type SetupMessages = typeof ja;

const en: SetupMessages = {
  title: 'Getting started',
  lead: 'The steps to take chats and returns on your shop. Each step is marked done by itself from the shop’s real settings.',
  progress: (done, of) => `${done} of ${of} done`,
  allDone: 'Every step is done. Customers can chat with you.',
  done: 'Done',
  notDone: 'Not done',
  coming: 'Coming soon',
  loadFailed: 'The checklist could not be loaded.',
  retry: 'Reload',
  open: 'Open the checklist',
  hide: 'Hide this',
  panelTitle: (done, of) => `Getting started: ${done} of ${of} done`,
  steps: {
    widget: {
      title: 'Put the chat on your shop',
      lead: 'Paste the tag into every page of your shop and allow your shop’s origin. The step is done once the widget loads on a page.',
    },
    hours: { title: 'Set your business hours', lead: 'Shown to customers, and used to count response targets (SLA).', action: 'Set business hours' },
    terms: {
      title: 'Publish your return terms',
      lead: 'Once published, your return terms appear on the customers’ returns page and on a page for your 特定商取引法 notice. The Act also wants them in your ads (product pages) and on the final order confirmation screen: paste the published text there.',
      action: 'Edit return terms',
    },
    people: { title: 'Invite your team', lead: 'Invite the staff and outside agents who answer with you.', action: 'Invite people' },
    platform: {
      title: 'Connect your shop’s orders',
      lead: 'Connect your Shopify or BASE store and orders arrive by themselves. Or create an API key and let your shop system send them, or start with a CSV import.',
      storesAction: 'Connect your store',
      storeOk: (platform) => `Connected with ${platform}: orders arrive by themselves.`,
      storeBroken: (platform) => `The ${platform} connection is broken. Connect it again from store connections.`,
      curlLead: 'Try your key with this command (put your key in). It is a dry run (dryRun=true): nothing is stored. Without it, the order is saved.',
      copyCurl: 'Copy the command',
      importCsv: 'Import orders from CSV',
      keysAction: 'Create an API key',
      waiting: 'Waiting for the first order…',
      keyWorks: (at) => `Your key works (last used ${at}). The step is done when the first order arrives from your shop system.`,
      newest: (at, source) => `Newest order: ${at} (${sourceName[source] ?? source})`,
    },
    notices: { title: 'Delivery delay notices', lead: 'Tell the right customers about delays in peak season, in one go. The step is done once the contact printed in every notice is set.', action: 'Open notices' },
    slack: { title: 'Slack', lead: 'Get alerts in Slack and act on them there. The step is done once a workspace is connected.', action: 'Connect Slack' },
  },
  seenOn: (origin, at) => `The widget was seen on ${origin} at ${at}.`,
  seenNotAllowed: (origin, at) => `The widget loaded on ${origin} (${at}) but stays hidden there: that origin is not allowed.`,
  notSeen: 'The widget has not loaded on any page yet. Open a page with the tag and it shows here.',
  chatted: 'Customers are chatting with you.',
  copied: 'Copied',
  copyFailed: 'Could not copy. Select the text and copy it.',
};

export const setupMessages: Record<Lang, SetupMessages> = { ja, en };
