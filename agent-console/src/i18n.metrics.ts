import type { NowCount, SlaMetric } from './types.ts';

/**
 * A duration as people say it, coarse enough to read at a glance: the two largest units
 * (3分20秒, 1時間5分, 2日3時間). Seconds are rounded first, so 59.6 s is 1分.
 */
function parts(seconds: number): [number, number, number, number] {
  const s = Math.max(0, Math.round(seconds));
  return [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60), s % 60];
}

const durationJa = (seconds: number) => {
  const [d, h, m, s] = parts(seconds);
  if (d) return `${d}日${h ? `${h}時間` : ''}`;
  if (h) return `${h}時間${m ? `${m}分` : ''}`;
  if (m) return `${m}分${s ? `${s}秒` : ''}`;
  return `${s}秒`;
};

const durationEn = (seconds: number) => {
  const [d, h, m, s] = parts(seconds);
  if (d) return `${d} d${h ? ` ${h} h` : ''}`;
  if (h) return `${h} h${m ? ` ${m} min` : ''}`;
  if (m) return `${m} min${s ? ` ${s} s` : ''}`;
  return `${s} s`;
};

/** The metrics page; Japanese is the source, so English cannot miss a key. */
export const metricsJa = {
  nav: '指標',
  title: '指標',
  loading: '読み込み中…',
  retry: '再試行',
  /** Under each chart: its numbers. */
  table: '表で見る',
  joiner: '、',
  queue: {
    title: 'キュー',
    loadFailed: '指標を読み込めませんでした。',
    period: '期間',
    lastDays: (n: number) => `過去${n}日`,
    /** The period's first and last day, both Tokyo days. */
    range: (from: string, to: string) => `${from}〜${to}（日本時間）`,
    refresh: '最新にする',
    asOf: (time: string) => `${time} 時点`,
  },
  now: {
    title: '現在のキュー',
    labels: {
      open: '対応中',
      pending: 'お客様の返信待ち',
      waiting_merchant: '店舗の確認待ち',
      snoozed: 'スヌーズ中',
      unassigned: '未割り当て',
      awaiting_reply: '未返信',
    } satisfies Record<NowCount, string>,
    /** Only the counts whose meaning is not plain from the label. */
    hints: {
      unassigned: '対応中・返信待ち・確認待ちで担当者なし',
      awaiting_reply: '対応中で、最後のメッセージがお客様から',
    } as Partial<Record<NowCount, string>>,
  },
  firstResponse: {
    title: '初回応答時間',
    median: '中央値',
    p90: '90パーセンタイル',
    count: (n: string) => `この期間に受け付けた ${n} 件の初回応答から`,
    none: 'この期間に受け付けたお問い合わせへの初回応答はまだありません。',
  },
  duration: durationJa,
  sla: {
    title: 'SLA達成率',
    metrics: { first_response: '初回応答', next_response: '次回応答', resolution: '解決' } satisfies Record<SlaMetric, string>,
    target: '目標',
    percentMet: '達成率',
    met: '達成',
    breached: '超過',
    noData: '対象なし',
    value: (percent: string, met: string, breached: string) => `${percent}（達成 ${met}・超過 ${breached}）`,
    chart: (from: string, to: string) => `SLA目標の種類ごとの達成率（${from}〜${to}）`,
    none: 'この期間に期限を迎えたSLA目標はありません。',
  },
  csat: {
    title: '顧客満足度（CSAT）',
    average: '平均',
    outOf: '/ 5',
    count: (n: string) => `${n} 件の評価`,
    rating: (r: string) => `★${r}`,
    distribution: '評価の分布',
    none: 'この期間の評価はまだありません。',
  },
  daily: {
    title: '日別の受付・解決',
    opened: '受付',
    resolved: '解決',
    day: '日付',
    chart: (from: string, to: string) => `日別の受付件数と解決件数（${from}〜${to}）`,
    totals: (opened: string, resolved: string) => `期間合計：受付 ${opened} 件、解決 ${resolved} 件`,
    bar: (day: string, what: string, n: string) => `${day} ${what} ${n} 件`,
    empty: 'この期間に受け付けた、または解決したお問い合わせはありません。',
  },
  workLog: {
    title: '作業記録',
    hint: '会話を開いている間、30秒ごとに記録した時間です（代理店の請求用）。',
    onlyOwn: 'あなた自身の作業記録だけが表示されます。',
    month: '月（日本時間）',
    agent: '担当者',
    time: '対応時間',
    conversations: '対応件数',
    resolved: '解決件数',
    total: '合計',
    table: (month: string) => `${month} の担当者ごとの作業記録`,
    empty: 'この月の作業記録はありません。',
    loadFailed: '作業記録を読み込めませんでした。',
    csv: 'CSVで書き出す',
    csvByConversation: '会話ごと',
    csvByAgent: '担当者ごと',
  },
};

export type MetricsMessages = typeof metricsJa;

export const metricsEn: MetricsMessages = {
  nav: 'Metrics',
  title: 'Metrics',
  loading: 'Loading…',
  retry: 'Retry',
  table: 'Show as a table',
  joiner: ', ',
  queue: {
    title: 'Queue',
    loadFailed: 'Could not load the metrics.',
    period: 'Period',
    lastDays: (n: number) => `Last ${n} days`,
    range: (from: string, to: string) => `${from} – ${to} (Japan time)`,
    refresh: 'Refresh',
    asOf: (time: string) => `As of ${time}`,
  },
  now: {
    title: 'Queue now',
    labels: {
      open: 'Open',
      pending: 'Waiting on customer',
      waiting_merchant: 'Waiting on merchant',
      snoozed: 'Snoozed',
      unassigned: 'Unassigned',
      awaiting_reply: 'Awaiting reply',
    },
    hints: {
      unassigned: 'Open or waiting, with no assignee',
      awaiting_reply: 'Open, and the last message is from the customer',
    },
  },
  firstResponse: {
    title: 'First response time',
    median: 'Median',
    p90: '90th percentile',
    count: (n: string) => `From ${n} first responses to conversations received in the period`,
    none: 'No first responses yet to conversations received in this period.',
  },
  duration: durationEn,
  sla: {
    title: 'SLA compliance',
    metrics: { first_response: 'First response', next_response: 'Next response', resolution: 'Resolution' },
    target: 'Target',
    percentMet: 'Met',
    met: 'Met',
    breached: 'Breached',
    noData: 'None due',
    value: (percent: string, met: string, breached: string) => `${percent} (${met} met, ${breached} breached)`,
    chart: (from: string, to: string) => `SLA compliance per target (${from} – ${to})`,
    none: 'No SLA target came due in this period.',
  },
  csat: {
    title: 'Customer satisfaction (CSAT)',
    average: 'Average',
    outOf: '/ 5',
    count: (n: string) => `${n} rating${n === '1' ? '' : 's'}`,
    rating: (r: string) => `★${r}`,
    distribution: 'Ratings',
    none: 'No ratings in this period yet.',
  },
  daily: {
    title: 'Opened and resolved per day',
    opened: 'Opened',
    resolved: 'Resolved',
    day: 'Day',
    chart: (from: string, to: string) => `Conversations opened and resolved per day (${from} – ${to})`,
    totals: (opened: string, resolved: string) => `In the period: ${opened} opened, ${resolved} resolved`,
    bar: (day: string, what: string, n: string) => `${day} ${what}: ${n}`,
    empty: 'No conversations were opened or resolved in this period.',
  },
  workLog: {
    title: 'Work log',
    hint: 'Time with a conversation open, recorded every 30 seconds (for the agency’s billing).',
    onlyOwn: 'Only your own work is shown.',
    month: 'Month (Japan time)',
    agent: 'Agent',
    time: 'Time spent',
    conversations: 'Conversations',
    resolved: 'Resolved',
    total: 'Total',
    table: (month: string) => `Work per agent in ${month}`,
    empty: 'No work recorded in this month.',
    loadFailed: 'Could not load the work log.',
    csv: 'Export CSV',
    csvByConversation: 'Per conversation',
    csvByAgent: 'Per agent',
  },
};
