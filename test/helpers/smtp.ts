import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { onRunEnd, perProcess } from './cleanup.ts';

export interface SinkMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  raw: ParsedMail;
}

export interface SmtpSink {
  url: string;
  mails: SinkMail[];
  /** Resolves with the first mail (already received or yet to come) that matches. */
  waitFor(match: (m: SinkMail) => boolean, timeoutMs?: number): Promise<SinkMail>;
}

const state = perProcess('smtp', () => ({}) as { sink?: Promise<SmtpSink> });

/** Addresses with this in them are refused by the sink (550 no such mailbox): a mail that cannot be delivered. */
export const REFUSED_MARK = '+refused';

/** Addresses with this in them get a temporary refusal (451 try again later): a mail to try again. */
export const DEFERRED_MARK = '+deferred';

/** A real SMTP server on a free port for the whole run; every mail sent to it is kept, parsed. */
export function smtpSink(): Promise<SmtpSink> {
  state.sink ??= new Promise((done, fail) => {
    const mails: SinkMail[] = [];
    const waiting: { match: (m: SinkMail) => boolean; resolve: (m: SinkMail) => void }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // A mailbox that does not exist: the server refuses the recipient (550), as a real one would.
      onRcptTo(address, _session, callback) {
        if (address.address.includes(REFUSED_MARK)) return callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
        if (address.address.includes(DEFERRED_MARK)) return callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            const mail: SinkMail = {
              to: session.envelope.rcptTo.map((r) => r.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              raw: parsed,
            };
            mails.push(mail);
            for (const w of [...waiting]) {
              if (w.match(mail)) {
                waiting.splice(waiting.indexOf(w), 1);
                w.resolve(mail);
              }
            }
            callback();
          })
          .catch(callback);
      },
    });
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      // Listening, the server's errors are its connections' (a sender killed mid-mail resets
      // its sockets, several at once with a pooled or parallel sender): a real mail server
      // drops such a connection and goes on, and so does the sink.
      server.off('error', fail);
      server.on('error', () => undefined);
      const { port } = server.server.address() as AddressInfo;
      // For the process (a parallel worker's next file mails this sink too), and made again after.
      onRunEnd(
        'smtp sink',
        () =>
          new Promise<void>((r) => {
            state.sink = undefined;
            server.close(() => r());
          }),
        'process',
      );
      done({
        url: `smtp://127.0.0.1:${port}`,
        mails,
        waitFor(match, timeoutMs = 5000) {
          const found = mails.find(match);
          if (found) return Promise.resolve(found);
          return new Promise((resolve, reject) => {
            const entry = { match, resolve };
            waiting.push(entry);
            setTimeout(() => {
              const i = waiting.indexOf(entry);
              if (i >= 0) {
                waiting.splice(i, 1);
                reject(new Error(`no matching mail within ${timeoutMs} ms (${mails.length} received)`));
              }
            }, timeoutMs).unref();
          });
        },
      });
    });
  });
  return state.sink;
}

type Refuse = (address: string) => { code: number; message: string } | undefined;

/**
 * A mail server of the test's own that refuses as told, the way a real one answers: at MAIL FROM
 * (our envelope sender) or RCPT TO (the recipient); what it accepts it drops.
 */
export function refusingSmtp(refuse: { mailFrom?: Refuse; rcptTo?: Refuse }): Promise<{ url: string; close: () => void }> {
  const answer = (r: ReturnType<Refuse>) => (r ? Object.assign(new Error(r.message), { responseCode: r.code }) : undefined);
  return new Promise((done) => {
    const s = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onMailFrom: (address, _s, cb) => cb(answer(refuse.mailFrom?.(address.address)) ?? null),
      onRcptTo: (address, _s, cb) => cb(answer(refuse.rcptTo?.(address.address)) ?? null),
      onData(stream, _s, cb) {
        stream.resume();
        stream.on('end', () => cb());
      },
    });
    s.listen(0, '127.0.0.1', () => done({ url: `smtp://127.0.0.1:${(s.server.address() as AddressInfo).port}`, close: () => s.close() }));
  });
}
