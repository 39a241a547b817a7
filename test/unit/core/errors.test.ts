import { expect } from 'chai';
import { createLogger, serializeError } from '../../../server/core/logger.ts';

describe('errors as logged', () => {
  it('blank email addresses in messages, as SMTP replies quote the recipient', () => {
    const e = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 <hanako.private@example.jp>: Recipient address rejected"), { code: 'EENVELOPE' });
    const logged = serializeError(e);
    expect(logged.message).to.include('[email]').and.not.include('hanako');
    expect(logged.code).to.equal('EENVELOPE');
  });

  it('blank Slack tokens in messages and never log fields named for secrets', () => {
    const logged = serializeError(new Error('call with xoxb-1234-5678-abcDEF failed'));
    expect(logged.message).to.equal('call with [token] failed');
    const lines: string[] = [];
    const log = createLogger('info', { write: (l: string) => void lines.push(l) } as unknown as NodeJS.WritableStream);
    log.info({ botToken: 'xoxb-1', body: { signingSecret: 'abc', token: 'xoxp-2', client_secret: 'cs' } }, 'connect');
    expect(lines.join('')).not.to.match(/xoxb-1|xoxp-2|"abc"|"cs"/);
    expect(lines.join('')).to.include('[redacted]');
  });

  it('never log the message of a failed query without a SQLSTATE, which lists the bound values', () => {
    const cause = Object.assign(new Error('Connection terminated unexpectedly'), { name: 'Error' });
    const e = Object.assign(new Error('Failed query: insert into users ...\nparams: hanako@example.jp,山田 花子,$argon2id$v=19$secret'), { name: 'DrizzleQueryError', params: ['hanako@example.jp'], query: 'insert', cause });
    const logged = JSON.stringify(serializeError(e));
    for (const secret of ['hanako', '山田', 'argon2id', 'Connection terminated']) expect(logged, secret).not.to.include(secret);
    expect(logged).to.include('DrizzleQueryError');
  });

  it('do not take a system error code such as EPIPE for a SQLSTATE', () => {
    const logged = serializeError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(logged).to.include({ code: 'EPIPE', message: 'write EPIPE' });
    expect(logged).not.to.have.property('sqlState');
  });
});
