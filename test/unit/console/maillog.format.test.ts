import { expect } from 'chai';
import { historyLine, shortTokyo } from '../../../agent-console/src/components/maillog/format.ts';
import { mailLogMessages } from '../../../agent-console/src/i18n.maillog.ts';
import type { MailLogEntry } from '../../../agent-console/src/mailLogApi.ts';
import { parseRoute, pathOf } from '../../../agent-console/src/router.ts';

const entry = (over: Partial<MailLogEntry>): MailLogEntry => ({
  id: '00000000-0000-4000-8000-000000000001',
  kind: 'portal_code',
  about: { conversationId: null, orderNumber: 'T-1', orderNumbers: ['T-1'], returnId: null, campaignId: null, invitationId: null },
  recipient: 'taro@docomo.ne.jp',
  masked: false,
  mobileCarrier: 'docomo',
  carrierHint: null,
  subject: '確認コード',
  messageId: '<x@desk.example.jp>',
  bulk: false,
  status: 'sent',
  reason: null,
  attempts: 1,
  smtpResponse: '250 2.0.0 OK',
  dsnStatus: null,
  dsnDiagnostic: null,
  createdAt: '2026-12-03T12:04:00.000Z',
  updatedAt: '2026-12-03T12:04:00.000Z',
  sentAt: '2026-12-03T12:04:00.000Z',
  bouncedAt: null,
  ...over,
});

describe('console: delivery history lines', () => {
  const ja = mailLogMessages.ja;
  it('shows the time in Japan: 12/3 21:04', () => expect(shortTokyo('2026-12-03T12:04:00.000Z')).to.equal('12/3 21:04'));
  it('"12/3 21:04 送信済み"', () => expect(historyLine(entry({}), ja)).to.equal('12/3 21:04 送信済み'));
  it('"12/3 21:05 不達: 550 5.1.1 user unknown", at the time the report came', () =>
    expect(historyLine(entry({ status: 'bounced', dsnStatus: '5.1.1', dsnDiagnostic: 'smtp; 550 5.1.1 user unknown', bouncedAt: '2026-12-03T12:05:00.000Z' }), ja)).to.equal('12/3 21:05 不達: 550 5.1.1 user unknown'));
  it('says why a mail failed or was not sent', () => {
    expect(historyLine(entry({ status: 'failed', smtpResponse: '550 no such mailbox', sentAt: null }), ja)).to.equal('12/3 21:04 送信失敗: 550 no such mailbox');
    expect(historyLine(entry({ status: 'suppressed', reason: 'hard_bounce,unsubscribed', sentAt: null }), ja)).to.equal('12/3 21:04 送信停止: 不達（宛先なし）・お客様が配信停止');
    expect(historyLine(entry({ status: 'suppressed', reason: 'unsubscribed', sentAt: null }), mailLogMessages.en)).to.equal('12/3 21:04 Not sent: Unsubscribed by the customer');
  });
  it('routes to the mail log, narrowed by the object it was opened from', () => {
    const path = pathOf({ page: 'mailLog', shopId: 's1', filter: { orderNumber: 'T-1', returnId: undefined } });
    expect(path).to.equal('/console/shops/s1/mail-log?orderNumber=T-1');
    expect(parseRoute('/console/shops/s1/mail-log')).to.deep.equal({ page: 'mailLog', shopId: 's1' });
  });
});
