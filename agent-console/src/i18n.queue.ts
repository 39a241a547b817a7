import type { Lang } from './i18n.ts';
import type { StatusEventData } from '../../server/domains/conversations/conversations.tables.ts';

const jst = (iso: string, locale: string) => new Date(iso).toLocaleString(locale, { timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' });

/** Working the queue: mentions, status events, snooze presets, bulk actions, the customer's other business. Japanese is the source. */
const ja = {
  mentions: {
    nav: 'メンション',
    title: 'メンション',
    unreadCount: (n: number) => `未読 ${n}件`,
    empty: 'まだメンションはありません。',
    loadFailed: 'メンションを読み込めませんでした。',
    retry: '再試行',
    unread: '未読',
    by: (name: string) => `${name}さんより`,
    open: (n: number) => `#${n} のメモを開く`,
    markRead: '既読にする',
    toast: (name: string, n: number) => `${name}さんが #${n} であなたをメンションしました`,
    toastOpen: '開く',
    toastClose: '閉じる',
    notifyAsk: 'ブラウザの通知を受け取る',
    notifyOn: 'ブラウザの通知はオンです。',
    notifyDenied: 'ブラウザの通知はブロックされています。ブラウザの設定から許可できます。',
    notifyUnsupported: 'このブラウザは通知に対応していません。',
  },
  events: {
    label: '状況の変更',
    text: (e: StatusEventData): string => {
      const who = e.by ?? 'madoguchi';
      switch (e.action) {
        case 'assigned':
          return `${who}さんが${e.assignee}さんに割り当てました`;
        case 'unassigned':
          return `${who}さんが担当を外しました`;
        case 'snoozed':
          return `${who}さんが ${jst(e.until!, 'ja-JP')} までスヌーズしました`;
        case 'resolved':
          return `${who}さんが解決済みにしました`;
        case 'closed':
          return `${who}さんがクローズしました`;
        case 'reopened':
          return `${who}さんが再開しました`;
        case 'woke':
          return 'スヌーズが終わり、再開しました';
      }
    },
  },
  snooze: {
    label: 'スヌーズ',
    tomorrow: '明日の営業開始',
    nextMonday: '来週月曜の営業開始',
    custom: '日時を指定',
  },
  resolveNext: '解決して次へ',
  bulk: {
    select: (n: number) => `#${n} を選択`,
    selectAll: '表示中をすべて選択',
    selected: (n: number) => `${n}件を選択中`,
    assign: '担当者',
    assignTo: '割り当て',
    unassigned: '担当なし',
    tag: 'タグ',
    addTag: 'タグを追加',
    resolve: '解決済みにする',
    clear: '選択を解除',
    done: (ok: number, failed: number) => (failed ? `${ok}件を変更、${failed}件は変更できませんでした。` : `${ok}件を変更しました。`),
    failedItem: (n: number | string, why: string) => `#${n}: ${why}`,
    reasons: { not_found: '見つかりません', invalid_transition: 'この状態からは変更できません', conflict: '他の人が先に変更しました', invalid_input: '入力が正しくありません', forbidden: '権限がありません' } as Record<string, string>,
    failed: '一括操作に失敗しました。',
  },
  related: {
    title: 'この顧客のほかの記録',
    conversations: 'ほかのお問い合わせ',
    orders: '注文',
    returns: '返品',
    none: 'なし',
    loadFailed: '読み込めませんでした。',
    returnLabel: (n: number, order: string) => `返品 #${n}（注文 ${order}）`,
  },
  shortcuts: [
    ['Shift + E', '解決して次のお問い合わせへ'],
    ['x', '受信箱で選んだ行を選択 / 解除'],
  ] as [string, string][],
};

const en: typeof ja = {
  mentions: {
    nav: 'Mentions',
    title: 'Mentions',
    unreadCount: (n: number) => `${n} unread`,
    empty: 'No mentions yet.',
    loadFailed: 'Could not load your mentions.',
    retry: 'Retry',
    unread: 'Unread',
    by: (name: string) => `from ${name}`,
    open: (n: number) => `Open the note in #${n}`,
    markRead: 'Mark read',
    toast: (name: string, n: number) => `${name} mentioned you in #${n}`,
    toastOpen: 'Open',
    toastClose: 'Dismiss',
    notifyAsk: 'Get browser notifications',
    notifyOn: 'Browser notifications are on.',
    notifyDenied: 'Browser notifications are blocked; you can allow them in the browser settings.',
    notifyUnsupported: 'This browser does not support notifications.',
  },
  events: {
    label: 'Status change',
    text: (e: StatusEventData): string => {
      const who = e.by ?? 'madoguchi';
      switch (e.action) {
        case 'assigned':
          return `${who} assigned this to ${e.assignee}`;
        case 'unassigned':
          return `${who} unassigned this`;
        case 'snoozed':
          return `${who} snoozed this until ${jst(e.until!, 'en-GB')} (Japan time)`;
        case 'resolved':
          return `${who} resolved this`;
        case 'closed':
          return `${who} closed this`;
        case 'reopened':
          return `${who} reopened this`;
        case 'woke':
          return 'The snooze ended; open again';
      }
    },
  },
  snooze: {
    label: 'Snooze',
    tomorrow: 'Tomorrow at opening',
    nextMonday: 'Next Monday at opening',
    custom: 'Pick a date and time',
  },
  resolveNext: 'Resolve and next',
  bulk: {
    select: (n: number) => `Select #${n}`,
    selectAll: 'Select all shown',
    selected: (n: number) => `${n} selected`,
    assign: 'Assignee',
    assignTo: 'Assign',
    unassigned: 'Unassigned',
    tag: 'Tag',
    addTag: 'Add tag',
    resolve: 'Resolve',
    clear: 'Clear selection',
    done: (ok: number, failed: number) => (failed ? `${ok} changed, ${failed} could not be changed.` : `${ok} changed.`),
    failedItem: (n: number | string, why: string) => `#${n}: ${why}`,
    reasons: { not_found: 'not found', invalid_transition: 'cannot move from its status', conflict: 'someone changed it first', invalid_input: 'not valid', forbidden: 'not allowed' },
    failed: 'The bulk action failed.',
  },
  related: {
    title: "The customer's other records",
    conversations: 'Other conversations',
    orders: 'Orders',
    returns: 'Returns',
    none: 'None',
    loadFailed: 'Could not load them.',
    returnLabel: (n: number, order: string) => `Return #${n} (order ${order})`,
  },
  shortcuts: [
    ['Shift + E', 'Resolve and open the next conversation'],
    ['x', 'Select / unselect the highlighted inbox row'],
  ],
};

export const queueMessages: Record<Lang, typeof ja> = { ja, en };
export type QueueMessages = typeof ja;
