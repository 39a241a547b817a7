import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from './logger.ts';

export interface Mail {
  /** One recipient per message, always: bulk mail never shares a To line. */
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative to the text; the text is always there. */
  html?: string;
  /** Where the recipient's "reply" goes, when not to MAIL_FROM (e.g. a signed reply address). */
  replyTo?: string;
  /**
   * The display name in From, for mail sent on a shop's behalf (its sender name, else its name);
   * the address stays MAIL_FROM's, which the deployment's mail domain vouches for.
   */
  fromName?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** MAIL_FROM with the display name `name` instead of its own (nodemailer quotes and encodes it). */
export function fromWithName(mailFrom: string, name: string | undefined): string | { name: string; address: string } {
  // MAIL_FROM is "Name <address>" or a bare address; anything else is sent as it is.
  const address = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(mailFrom)?.[1] ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(mailFrom)?.[1];
  return name && address ? { name, address } : mailFrom;
}

/**
 * Mail over SMTP (`SMTP_URL`); without it, each message is written as an .eml file to the
 * local outbox folder for the operator to read. Log lines name the file, never the recipient.
 */
export function createMailer(opts: { smtpUrl?: string; from: string; outboxDir: string }, logger: Logger): Mailer {
  const envelope = ({ fromName, ...mail }: Mail) => ({ ...mail, from: fromWithName(opts.from, fromName) });
  if (opts.smtpUrl) {
    // Seconds, not nodemailer's minutes: a dead mail server must not hang the request that sends.
    const url = new URL(opts.smtpUrl);
    for (const [k, v] of [['connectionTimeout', '10000'], ['greetingTimeout', '10000'], ['socketTimeout', '20000']]) {
      if (!url.searchParams.has(k!)) url.searchParams.set(k!, v!);
    }
    const transport: Transporter = nodemailer.createTransport(url.toString());
    return {
      async send(mail) {
        await transport.sendMail(envelope(mail));
      },
      close: () => transport.close(),
    };
  }
  const dir = resolve(opts.outboxDir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail(envelope(mail));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^\w.-]/g, '')}.eml`);
      writeFileSync(file, info.message as Buffer);
      logger.info({ file }, 'mail written to the local outbox (set SMTP_URL to send it)');
    },
    close: () => transport.close(),
  };
}

/** The mailer the configuration names: SMTP_URL, or the outbox under DATA_DIR. */
export const mailerFromConfig = (c: { SMTP_URL?: string; MAIL_FROM: string; DATA_DIR: string }, logger: Logger): Mailer =>
  createMailer({ smtpUrl: c.SMTP_URL, from: c.MAIL_FROM, outboxDir: `${c.DATA_DIR}/outbox` }, logger);
