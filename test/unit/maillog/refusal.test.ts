import { expect } from 'chai';
import { deferralReason, refusalOf } from '../../../server/domains/maillog/maillog.refusal.ts';

describe('what a mail server’s refusal means for the mail', () => {
  it('fails the mail for good only on a 5xx to the recipient or to the message', () => {
    expect(refusalOf({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 5.1.1 user unknown' })).to.deep.equal({ kind: 'recipient', answer: '550 5.1.1 user unknown' });
    expect(refusalOf({ code: 'EENVELOPE', command: 'DATA', responseCode: 554, response: '554 5.7.1 no' }).kind).to.equal('recipient');
    expect(refusalOf({ code: 'EMESSAGE', command: 'DATA', responseCode: 552, response: '552 5.3.4 too big' }).kind).to.equal('recipient');
  });

  it('defers a 5xx to our own envelope sender or sign-in, and says it is our configuration', () => {
    const sender = refusalOf({ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 553, response: '553 5.7.1 Sender address rejected' });
    expect(sender.kind).to.equal('configuration');
    expect(deferralReason(sender)).to.match(/^our mail server refused our sender or sign-in \(a configuration problem; tried again\): 553/);
    expect(refusalOf({ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535, response: '535 5.7.8 bad credentials' }).kind).to.equal('configuration');
  });

  it('defers a 4xx, a connection-level 5xx and a connection that failed', () => {
    expect(refusalOf({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 451, response: '451 4.7.1 greylisted' }).kind).to.equal('temporary');
    expect(refusalOf({ code: 'EPROTOCOL', command: 'CONN', responseCode: 554, response: '554 no service' }).kind).to.equal('temporary');
    expect(refusalOf({ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:25' })).to.deep.equal({ kind: 'temporary', answer: 'connect ECONNREFUSED 127.0.0.1:25' });
  });
});
