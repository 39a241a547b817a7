import { expect } from 'chai';
import { parseDeliveryReport, verdictOf } from '../../../server/domains/maillog/maillog.dsn.ts';
import { dsnMail, textBounce, vacationMail } from '../../fixtures/dsn/builders.ts';

const to = 'bounce+x@reply.example.jp';

describe('delivery reports (RFC 3464)', () => {
  it('reads the recipient, action, status, the folded diagnostic and the original Message-ID', () => {
    const r = parseDeliveryReport(dsnMail({ to, recipient: 'Taro@Docomo.ne.jp', messageId: '<abc@desk.example.jp>' }))!;
    expect(r.fromText).to.equal(false);
    expect(r.originalMessageId).to.equal('<abc@desk.example.jp>');
    expect(r.recipients).to.have.length(1);
    expect(r.recipients[0]).to.include({ recipient: 'taro@docomo.ne.jp', action: 'failed', status: '5.1.1' });
    expect(r.recipients[0]!.diagnostic).to.equal('smtp; 550 5.1.1 <Taro@Docomo.ne.jp>: Recipient address rejected: User unknown in virtual mailbox table');
  });

  it('calls 5.x.x a hard bounce and 4.x.x after the retries ran out a soft one', () => {
    expect(verdictOf(parseDeliveryReport(dsnMail({ to, recipient: 'a@example.jp' }))!, 'a@example.jp')).to.include({ bounced: true, hard: true, status: '5.1.1' });
    const soft = verdictOf(parseDeliveryReport(dsnMail({ to, recipient: 'a@example.jp', status: '4.2.2', diagnostic: 'smtp; 452 4.2.2 mailbox full' }))!, 'a@example.jp');
    expect(soft).to.include({ bounced: true, hard: false, status: '4.2.2', diagnostic: 'smtp; 452 4.2.2 mailbox full' });
  });

  it('does not call a delay warning or a success notice a bounce', () => {
    expect(verdictOf(parseDeliveryReport(dsnMail({ to, recipient: 'a@example.jp', action: 'delayed', status: '4.4.1' }))!, 'a@example.jp')).to.deep.equal({ bounced: false, why: 'delayed' });
    expect(verdictOf(parseDeliveryReport(dsnMail({ to, recipient: 'a@example.jp', action: 'delivered', status: '2.0.0' }))!, 'a@example.jp')).to.deep.equal({ bounced: false, why: 'delivered' });
  });

  it('finds the report inside a report forwarded in a multipart/mixed', () => {
    const r = parseDeliveryReport(dsnMail({ to, recipient: 'a@example.jp', nested: true }))!;
    expect(r.recipients[0]).to.include({ recipient: 'a@example.jp', status: '5.1.1' });
  });

  it('takes the status from the diagnostic when the Status field is missing', () => {
    const raw = dsnMail({ to, recipient: 'a@example.jp' }).replace(/^Status: .*\r\n/m, '');
    expect(verdictOf(parseDeliveryReport(raw)!, 'a@example.jp')).to.include({ bounced: true, status: '5.1.1' });
  });

  it('reads an old-style text bounce only from a mailer daemon, and no auto-reply at all', () => {
    expect(parseDeliveryReport(textBounce(to, 'old@example.jp'))).to.equal(null);
    const r = parseDeliveryReport(textBounce(to, 'old@example.jp'), { fromDaemon: true })!;
    expect(r.fromText).to.equal(true);
    expect(verdictOf(r, 'old@example.jp')).to.include({ bounced: true, hard: true, status: '5.1.1', recipient: 'old@example.jp' });
    expect(parseDeliveryReport(vacationMail(to))).to.equal(null);
    expect(parseDeliveryReport(vacationMail(to), { fromDaemon: true })).to.equal(null);
  });

  it('answers null for bytes that are no mail', () => {
    expect(parseDeliveryReport(Buffer.from([0, 1, 2, 255]))).to.equal(null);
    expect(parseDeliveryReport('')).to.equal(null);
  });

  it('reads the status after the reply code, not inside the remote host’s IP address', () => {
    const raw = daemonText('failure notice', ['Hi. This is the qmail-send program at old.example.jp.', '<taro@example.jp>:', 'mx.example.jp[52.4.1.7] said: 550 5.1.1 <taro@example.jp>... User unknown']);
    expect(verdictOf(parseDeliveryReport(raw, { fromDaemon: true })!, 'taro@example.jp')).to.include({ bounced: true, hard: true, status: '5.1.1' });
    const noStatus = report(['Final-Recipient: rfc822; taro@example.jp\r\nAction: failed\r\nDiagnostic-Code: smtp; host 52.5.2.2 said: 550 5.1.1 user unknown']);
    expect(verdictOf(parseDeliveryReport(noStatus)!, 'taro@example.jp')).to.include({ status: '5.1.1' });
  });

  it('does not bounce our mail when the report says our address was expanded or delivered and another one failed', () => {
    const raw = report([
      'Final-Recipient: rfc822; list@example.jp\r\nAction: expanded\r\nStatus: 2.0.0',
      'Final-Recipient: rfc822; member@other.example\r\nOriginal-Recipient: rfc822; list@example.jp\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown',
    ]);
    expect(verdictOf(parseDeliveryReport(raw)!, 'list@example.jp')).to.deep.equal({ bounced: false, why: 'delivered' });
    // A forwarder that rewrote the address: the block naming ours as its Original-Recipient decides.
    const forwarded = report(['Final-Recipient: rfc822; taro@forward.example\r\nOriginal-Recipient: rfc822; taro@example.jp\r\nAction: failed\r\nStatus: 5.1.1']);
    expect(verdictOf(parseDeliveryReport(forwarded)!, 'taro@example.jp')).to.include({ bounced: true, status: '5.1.1' });
  });

  it('counts policy refusals (5.7.x) and a full mailbox (5.2.2) as soft: they say nothing of the address', () => {
    for (const status of ['5.7.1', '5.7.26', '5.2.2']) {
      const v = verdictOf(parseDeliveryReport(dsnMail({ to, recipient: 'a@example.jp', status, diagnostic: `smtp; 550 ${status} refused` }))!, 'a@example.jp');
      expect(v, status).to.include({ bounced: true, hard: false, status });
    }
  });

  it('does not call a text delay warning that will keep trying a failure', () => {
    const raw = daemonText('Warning: message delayed', ['<taro@example.jp>: host mx.example.jp said: 451 4.4.1 try again later', 'The mail system will keep trying to deliver your message for 5 days.']);
    expect(verdictOf(parseDeliveryReport(raw, { fromDaemon: true })!, 'taro@example.jp')).to.deep.equal({ bounced: false, why: 'delayed' });
  });
});

/** A delivery report with these per-recipient blocks. */
function report(blocks: string[]): string {
  return [
    'From: MAILER-DAEMON@mx.example.jp',
    `To: ${to}`,
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
}

/** A mailer daemon's plain-text mail (no RFC 3464 report), as old MTAs send. */
function daemonText(subject: string, lines: string[]): string {
  return ['From: MAILER-DAEMON@old.example.jp', `To: ${to}`, `Subject: ${subject}`, 'Content-Type: text/plain; charset=us-ascii', '', ...lines, ''].join('\r\n');
}
