import { expect } from 'chai';
import { parseDeliveryReport, verdictOf } from '../../../server/domains/maillog/maillog.dsn.ts';

const report = (blocks: string[]) =>
  [
    'From: MAILER-DAEMON@mx.example.jp',
    'To: bounce+x@reply.example.jp',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="R1"',
    '',
    '--R1',
    'Content-Type: text/plain',
    '',
    'report',
    '--R1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.jp',
    '',
    blocks.join('\r\n\r\n'),
    '',
    '--R1--',
    '',
  ].join('\r\n');

describe('review: DSN parsing defects', () => {
  it('REVIEW-1 a text bounce whose line carries the remote IP reads the IP as the status (hard 5.1.1 taken as soft 4.1.7)', () => {
    const raw = [
      'From: MAILER-DAEMON@old.example.jp',
      'To: bounce+x@reply.example.jp',
      'Subject: failure notice',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      "Hi. This is the qmail-send program at old.example.jp.",
      '<taro@example.jp>:',
      'mx.example.jp[52.4.1.7] said: 550 5.1.1 <taro@example.jp>... User unknown',
      '',
    ].join('\r\n');
    const r = parseDeliveryReport(raw, { fromDaemon: true })!;
    const v = verdictOf(r, 'taro@example.jp');
    expect(v).to.include({ bounced: true });
    expect((v as { status: string }).status).to.equal('5.1.1');
    expect((v as { hard: boolean }).hard).to.equal(true);
  });

  it('REVIEW-2 a report in which our recipient was delivered/expanded and another address failed must not bounce our mail', () => {
    const raw = report([
      'Final-Recipient: rfc822; list@example.jp\r\nAction: expanded\r\nStatus: 2.0.0',
      'Final-Recipient: rfc822; member@other.example\r\nOriginal-Recipient: rfc822; list@example.jp\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown',
    ]);
    const v = verdictOf(parseDeliveryReport(raw)!, 'list@example.jp');
    expect(v.bounced, JSON.stringify(v)).to.equal(false);
  });

  it('REVIEW-3 a Status missing and a Diagnostic-Code naming the remote host IP first: the IP is taken as the status', () => {
    const raw = report(['Final-Recipient: rfc822; taro@example.jp\r\nAction: failed\r\nDiagnostic-Code: smtp; host 52.5.2.2 said: 550 5.1.1 user unknown']);
    const v = verdictOf(parseDeliveryReport(raw)!, 'taro@example.jp');
    expect((v as { status: string }).status).to.equal('5.1.1');
  });
});
