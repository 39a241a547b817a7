import type { AlertLocale, TroubleAlertView } from '../../../server/domains/slack/slack.alerts.views.ts';
import { both, context, fields, header, section, tokyoTime, type SlackMessage, type Words } from './text.ts';

/** What a job does, in the shop's words, by its listener or topic; an unknown one is shown as its topic. */
const jobWords: Record<string, Words> = {
  'return-customer-mail': ['返品についてのお客様へのメール', 'mail to the customer about a return'],
  'reply-mail': ['返信のメール送信', 'mailing a reply to the customer'],
  'return-chat-notice': ['返品についてのチャットのお知らせ', 'the chat notice about a return'],
  'mail.send': ['招待メールの送信', 'sending an invitation mail'],
  'portal.code_mail': ['返品窓口の確認コードのメール', 'the returns portal’s code mail'],
  'notice.start': ['お知らせの送信開始', 'starting a notice’s sending'],
  'sla.check': ['SLAの確認', 'checking an SLA'],
  'conversation.unsnooze': ['スヌーズの終了', 'ending a snooze'],
  'return.ship_reminder': ['返送期限のお知らせ', 'the reminder to send a return'],
  'return.ship_expiry': ['返送期限切れの処理', 'expiring an unsent return'],
};

const jobOf = (topic: string): Words | undefined => jobWords[topic.split('>')[1] ?? ''] ?? jobWords[topic];

const dependencyWords: Record<string, Words> = {
  mail: ['メールサーバー', 'the mail server'],
  database: ['データベース', 'the database'],
  redis: ['ジョブキュー (Redis)', 'the job queue (Redis)'],
};

/** A paragraph in both languages, the shop's first, each on its own line. */
const paragraph = (locale: AlertLocale, [ja, en]: Words) => (locale === 'en' ? `${en}\n${ja}` : `${ja}\n${en}`);

/** What a person at the shop can do about it. */
function advice(t: TroubleAlertView): Words {
  if (t.kind === 'jobs_failing') {
    return [
      '自動処理がくり返し失敗し、再試行を終えました。対象のページで状態を確認し、必要ならお客様へ手動でご連絡ください（メールの場合は配信ログに理由があります）。続くときは madoguchi の運用担当者にご連絡ください。',
      'Background work kept failing and its retries are over. Check the object’s page and, if needed, contact the customer by hand (for mail, the mail log says why). If it goes on, tell whoever runs your madoguchi.',
    ];
  }
  if (t.dependency === 'mail') {
    return [
      'お客様へのメールが送れていません。メールは送信待ちのまま保持され、メールサーバーが受け付けるようになると自動で送られます。配信ログで理由を確認し、続くときはメールサーバーの管理者か madoguchi の運用担当者にご連絡ください。',
      'Mail to your customers is not going out. It is kept and goes by itself once the mail server takes it again. The mail log shows the server’s answer; if it goes on, tell your mail server’s administrator or whoever runs your madoguchi.',
    ];
  }
  return [
    '停止中の処理は失われず、復旧後に順に実行されました。お客様への連絡に遅れが出ている可能性があります。',
    'No work was lost: what waited ran once it was back. Messages to customers may have gone out late.',
  ];
}

function title(t: TroubleAlertView, locale: AlertLocale): string {
  if (t.kind === 'jobs_failing') return both(locale, ['自動処理の失敗が続いています', 'Background jobs are failing']);
  const [dja, den] = dependencyWords[t.dependency ?? ''] ?? ['依存サービス', 'a service we depend on'];
  const The = `${den[0]!.toUpperCase()}${den.slice(1)}`;
  if (t.until) return both(locale, [`${dja}が停止していました`, `${The} was down`]);
  if (t.dependency === 'mail') return both(locale, ['メールサーバーがメールを受け付けていません', 'The mail server is not taking mail']);
  return both(locale, [`${dja}に接続できません`, `${The} is down`]);
}

/**
 * System trouble (the `system.trouble` event): what is failing, since when, how many, what to
 * do, and where to look in the console. Names only jobs and pages, never a customer.
 */
export function systemTrouble(t: TroubleAlertView, locale: AlertLocale): SlackMessage {
  const head = title(t, locale);
  const job = t.topic ? jobOf(t.topic) : undefined;
  const pairs: Array<[string, string]> = [];
  if (t.kind === 'jobs_failing') {
    pairs.push([both(locale, ['失敗した処理', 'Failing']), job ? both(locale, job) : `\`${t.topic ?? '?'}\``]);
    pairs.push([both(locale, ['失敗件数（1時間以内）', 'Failed (last hour)']), String(t.count)]);
  } else {
    pairs.push([both(locale, ['停止しているもの', 'What is down']), both(locale, dependencyWords[t.dependency ?? ''] ?? ['不明', 'unknown'])]);
    if (t.dependency === 'mail') pairs.push([both(locale, ['送信待ちのメール', 'Mails waiting']), String(t.count)]);
  }
  pairs.push([both(locale, ['いつから', 'Since']), tokyoTime(t.since)]);
  if (t.until) pairs.push([both(locale, ['復旧', 'Back at']), tokyoTime(t.until)]);
  const look = [
    ...(t.objectUrl ? [`<${t.objectUrl}|${both(locale, ['対象を開く', 'Open the object'])}>`] : []),
    ...(t.dependency === 'mail' || t.kind === 'jobs_failing' ? [`<${t.mailLogUrl}|${both(locale, ['配信ログを開く', 'Open the mail log'])}>`] : []),
  ];
  return {
    text: head,
    blocks: [header(head), fields(pairs), section(paragraph(locale, advice(t))), ...(look.length ? [context(look.join('  ·  '))] : [])],
  };
}
