import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** `<id@domain>`; nodemailer makes one when absent. A stable one lets a resend be recognised as the same mail. */
  messageId?: string;
  /** The envelope sender (Return-Path) when not MAIL_FROM's address: a VERP address that brings bounces back to us. */
  envelopeFrom?: string;
  /** Extra headers (List-Unsubscribe, Auto-Submitted…). */
  headers?: Record<string, string>;
}

/** What the mail server said when it took the mail. */
export interface SentMail {
  messageId: string;
  /** The SMTP answer ("250 2.0.0 OK …"), or where the local outbox wrote it. */
  response: string;
}

export interface Mailer {
  /** Rejects with nodemailer's error (its `responseCode` is the SMTP code, when the server answered). */
  send(mail: Mail): Promise<SentMail>;
  /**
   * The same mail server over a pool of kept-open connections, for bulk mail (notices): this
   * mailer itself when it pools already, else one made on first use. Absent: use this one.
   */
  bulk?: Mailer;
  close(): void;
}

/** DKIM signing (nodemailer signs each message): DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY(_FILE). */
export interface DkimOptions {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** MAIL_FROM with the display name `name` instead of its own (nodemailer quotes and encodes it). */
export function fromWithName(mailFrom: string, name: string | undefined): string | { name: string; address: string } {
  // MAIL_FROM is "Name <address>" or a bare address; anything else is sent as it is.
  const address = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(mailFrom)?.[1] ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(mailFrom)?.[1];
  return name && address ? { name, address } : mailFrom;
}

/** Connections a pooled SMTP transport keeps open when the URL does not say (`maxConnections`). */
export const DEFAULT_POOL = 5;

/**
 * Mail over SMTP (`SMTP_URL`); without it, each message is written as an .eml file to the
 * local outbox folder for the operator to read. Log lines name the file, never the recipient.
 */
export function createMailer(opts: { smtpUrl?: string; from: string; outboxDir: string; dkim?: DkimOptions }, logger: Logger): Mailer {
  const envelope = ({ fromName, envelopeFrom, ...mail }: Mail) => {
    const from = fromWithName(opts.from, fromName);
    return {
      ...mail,
      from,
      // The envelope's recipient is the To address, always (one recipient per message).
      ...(envelopeFrom ? { envelope: { from: envelopeFrom, to: mail.to } } : {}),
      ...(opts.dkim ? { dkim: opts.dkim } : {}),
    };
  };
  if (opts.smtpUrl) {
    // Seconds, not nodemailer's minutes: a dead mail server must not hang the request that sends.
    const url = new URL(opts.smtpUrl);
    for (const [k, v] of [['connectionTimeout', '10000'], ['greetingTimeout', '10000'], ['socketTimeout', '20000']]) {
      if (!url.searchParams.has(k!)) url.searchParams.set(k!, v!);
    }
    // Pooled unless the URL says otherwise (`?pool=false`): a connection per mail costs a TCP
    // (and TLS) handshake and the greeting each time, which is most of a mail's time at a
    // nearby server (bulk notices measured 73 mails/s unpooled against 430 pooled, bench/notices.ts).
    const pooledUrl = (u: URL) => {
      const p = new URL(u);
      p.searchParams.set('pool', 'true');
      if (!p.searchParams.has('maxConnections')) p.searchParams.set('maxConnections', String(DEFAULT_POOL));
      return p;
    };
    if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
    if (url.searchParams.get('pool') === 'true' && !url.searchParams.has('maxConnections')) url.searchParams.set('maxConnections', String(DEFAULT_POOL));
    const overSmtp = (u: URL): Mailer => {
      const transport: Transporter = nodemailer.createTransport(u.toString());
      return {
        async send(mail) {
          const info = await transport.sendMail(envelope(mail));
          return { messageId: info.messageId, response: String(info.response ?? '') };
        },
        close: () => transport.close(),
      };
    };
    const main = overSmtp(url);
    if (url.searchParams.get('pool') === 'true') return { ...main, bulk: main };
    // Unpooled by choice for single mails; bulk mail still gets a pool of its own.
    let bulk: Mailer | undefined;
    return {
      send: main.send,
      get bulk() {
        return (bulk ??= overSmtp(pooledUrl(url)));
      },
      close() {
        main.close();
        bulk?.close();
      },
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
      return { messageId: info.messageId, response: `written to ${file}` };
    },
    close: () => transport.close(),
  };
}

type DkimConfig = { DKIM_DOMAIN?: string; DKIM_SELECTOR?: string; DKIM_PRIVATE_KEY?: string; DKIM_PRIVATE_KEY_FILE?: string };

/** The DKIM signing the configuration names, or undefined (loadConfig checks the variables come together). */
export function dkimFromConfig(c: DkimConfig): DkimOptions | undefined {
  if (!c.DKIM_DOMAIN || !c.DKIM_SELECTOR) return undefined;
  // A key in a variable often arrives with its new lines written as \n.
  const privateKey = c.DKIM_PRIVATE_KEY?.replace(/\\n/g, '\n') ?? (c.DKIM_PRIVATE_KEY_FILE ? readFileSync(c.DKIM_PRIVATE_KEY_FILE, 'utf8') : undefined);
  return privateKey ? { domainName: c.DKIM_DOMAIN, keySelector: c.DKIM_SELECTOR, privateKey } : undefined;
}

/** The mailer the configuration names: SMTP_URL, or the outbox under DATA_DIR; DKIM-signed when DKIM_* are set. */
export const mailerFromConfig = (c: { SMTP_URL?: string; MAIL_FROM: string; DATA_DIR: string } & DkimConfig, logger: Logger): Mailer =>
  createMailer({ smtpUrl: c.SMTP_URL, from: c.MAIL_FROM, outboxDir: `${c.DATA_DIR}/outbox`, dkim: dkimFromConfig(c) }, logger);

/** The domain of MAIL_FROM's address (the sending domain SPF, DKIM and DMARC are about). */
export function mailDomainOf(mailFrom: string): string {
  const address = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(mailFrom)?.[1] ?? /([^<>\s]+@[^<>\s]+)/.exec(mailFrom)?.[1] ?? '';
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
