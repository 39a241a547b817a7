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
});
