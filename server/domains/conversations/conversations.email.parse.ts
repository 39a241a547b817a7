import { createHash, createHmac } from 'node:crypto';
import EmailReplyParser from 'email-reply-parser';
import { simpleParser } from 'mailparser';
import { invalidInput } from '../../core/errors.ts';
import { sameSecret } from '../../core/secrets.ts';
import { MESSAGE_MAX } from './conversations.schema.ts';

/** Replies by mail, configured: INBOUND_EMAIL_SECRET, INBOUND_EMAIL_DOMAIN, INBOUND_EMAIL_LIMIT_MB. */
export interface InboundEmail {
  secret: string;
  /** Lower case, e.g. reply.example.jp. */
  domain: string;
  limitBytes: number;
}

/* ---------- addresses ---------- */

const signature = (secret: string, conversationId: string) => createHmac('sha256', secret).update(conversationId).digest('base64url').slice(0, 16);

/** `reply+<conversationId>.<sig>@<domain>`: a customer's reply to it lands in that conversation. */
export const replyAddress = (inbound: Pick<InboundEmail, 'secret' | 'domain'>, conversationId: string) =>
  `reply+${conversationId}.${signature(inbound.secret, conversationId)}@${inbound.domain}`;

/** `shop+<shopId>@<domain>`: mail to it opens an email ticket in the shop (e.g. forwarded from the shop's own address). */
export const shopAddress = (inbound: Pick<InboundEmail, 'domain'>, shopId: string) => `shop+${shopId}@${inbound.domain}`;

export type MailTarget = { kind: 'reply'; conversationId: string } | { kind: 'shop'; shopId: string };

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const REPLY_LOCAL = new RegExp(`^reply\\+(${UUID})\\.([\\w-]{16})$`, 'i');
const SHOP_LOCAL = new RegExp(`^shop\\+(${UUID})$`, 'i');

/**
 * Where a mail goes, from its recipients: a reply address with a good signature first, then a
 * shop address. A reply address with a bad signature, or no address of ours, is invalid_input
 * (the mail server bounces it).
 */
export function mailTarget(inbound: Pick<InboundEmail, 'secret' | 'domain'>, recipients: string[]): MailTarget {
  let shop: MailTarget | undefined;
  let forged = false;
  for (const address of recipients) {
    const at = address.lastIndexOf('@');
    if (at < 0 || address.slice(at + 1).toLowerCase() !== inbound.domain) continue;
    const local = address.slice(0, at);
    const reply = REPLY_LOCAL.exec(local);
    if (reply) {
      const id = reply[1]!.toLowerCase();
      // Compared case-blind because some mail systems lower-case local parts; 16 characters
      // of base64url still carry some 84 bits that way.
      if (sameSecret(signature(inbound.secret, id).toLowerCase(), reply[2]!.toLowerCase())) return { kind: 'reply', conversationId: id };
      forged = true;
      continue;
    }
    const s = SHOP_LOCAL.exec(local);
    if (s) shop ??= { kind: 'shop', shopId: s[1]!.toLowerCase() };
  }
  if (shop) return shop;
  if (forged) throw invalidInput('the reply address is not valid: its signature does not match');
  throw invalidInput(`no recipient of this mail is a reply+… or shop+… address at ${inbound.domain}`);
}

/* ---------- the mail ---------- */

export interface InboundMail {
  /** To, Cc, Delivered-To and X-Original-To, as the mail has them. */
  recipients: string[];
  from: { address: string; name: string } | null;
  subject: string | null;
  /** The message's own text (plain part, or its HTML made text), quotes not yet removed. */
  text: string;
  /** Idempotency key: the same mail posted again gets the same one. */
  clientId: string;
  attachments: number;
  /** An out-of-office or other machine-sent answer (RFC 3834 and the common older headers). */
  automatic: boolean;
}

/** Auto-Submitted other than "no", or the headers older responders set instead. */
function isAutomatic(headers: Map<string, unknown>): boolean {
  const auto = String(headers.get('auto-submitted') ?? 'no').trim().toLowerCase();
  const precedence = String(headers.get('precedence') ?? '').trim().toLowerCase();
  return auto !== 'no' || ['auto_reply', 'bulk', 'junk', 'list'].includes(precedence) || headers.has('x-autoreply') || headers.has('x-autorespond');
}

/** Every address in a header value as mailparser gives it: a string, an address object, or a list of either. */
function addressesIn(value: unknown): string[] {
  if (!value) return [];
  if (typeof value === 'string') return value.match(/[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g) ?? [];
  if (Array.isArray(value)) return value.flatMap(addressesIn);
  if (typeof value === 'object' && 'value' in value && Array.isArray(value.value)) {
    return value.value.flatMap((a: { address?: string; group?: unknown[] }) => (a.address ? [a.address] : addressesIn({ value: a.group ?? [] })));
  }
  return [];
}

/** Message-ID when there is one (a resend keeps it), else the bytes themselves. */
const mailClientId = (messageId: string | undefined, raw: Buffer) =>
  `mail-${createHash('sha256').update(messageId?.trim() || raw).digest('hex').slice(0, 40)}`;

/** Parses a raw RFC 822 message (any charset mailparser knows, ISO-2022-JP included). */
export async function readMail(raw: Buffer): Promise<InboundMail> {
  const m = await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const from = m.from?.value.find((a) => a.address);
  return {
    recipients: [m.to, m.cc, m.headers.get('delivered-to'), m.headers.get('x-original-to')].flatMap(addressesIn),
    from: from ? { address: from.address!, name: from.name } : null,
    subject: m.subject ?? null,
    text: m.text ?? '',
    clientId: mailClientId(m.messageId, raw),
    attachments: m.attachments.length,
    automatic: isAutomatic(m.headers as Map<string, unknown>),
  };
}

/* ---------- text ---------- */

/**
 * Reply headers of Japanese mail programs that email-reply-parser does not know (it knows
 * "On … wrote:", "-----Original Message-----", iPhone's "…のメッセージ:" and "> " lines).
 * Everything from the first of them on is the quoted earlier mail.
 */
const JA_REPLY_HEADERS = [
  // Gmail: "2026年11月25日(水) 10:00 店 <shop@example.jp>:", the address sometimes wrapped to the next line.
  /^[^\S\n]*\d{4}年\d{1,2}月\d{1,2}日[^\n]*(?:\n[^\n]*)?@[^\n]*>[^\S\n]*[:：][^\S\n]*$/m,
  // Outlook: "----- 元のメッセージ -----".
  /^[^\S\n]*-{2,}[^\S\n]*元のメッセージ[^\S\n]*-{2,}[^\S\n]*$/m,
  // Outlook's header block: "差出人: …", then "送信日時: …" within a few lines.
  /^[^\S\n]*差出人[^\S\n]*[:：][^\n]*\n(?:[^\n]*\n){0,3}?[^\S\n]*(?:送信日時|日時|日付)[^\S\n]*[:：]/m,
  // Apple Mail and Thunderbird: "2026/11/25 10:00、店 <…>のメッセージ：", "… さんは書きました:"; a date, time or address on the line.
  /^(?=[^\n]*(?:@|\d{1,2}:\d{2}|\d{4}\/\d{1,2}\/\d{1,2}))[^\n]*(?:のメッセージ|書きました|wrote)[^\S\n]*[:：][^\S\n]*$/m,
];

/** The new text of a reply: the quoted earlier mail, reply headers and common signatures removed. */
export function stripQuoted(text: string): string {
  const t = text.replace(/\r\n?/g, '\n');
  const cut = Math.min(t.length, ...JA_REPLY_HEADERS.map((re) => re.exec(t)?.index ?? t.length));
  return new EmailReplyParser().parseReply(t.slice(0, cut)).trim();
}

// Tabs and new lines stay; other control characters come from mail programs, not people.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Text fit for a header-ish field (name, subject): one line, no control characters, at most `max`. */
export const oneLine = (s: string | null | undefined, max: number) => (s ?? '').replace(/\s+/g, ' ').replace(CONTROL, '').trim().slice(0, max);

/** The message body to store: the reply's own text, tidied; refused when nothing is left or it is too long. */
export function replyBody(text: string): string {
  const body = stripQuoted(text.replace(CONTROL, ''))
    .replace(/[^\S\n]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (!body) throw invalidInput('the mail has no text of its own (only the quoted earlier mail, or nothing)');
  if (body.length > MESSAGE_MAX) throw invalidInput(`the mail text is longer than ${MESSAGE_MAX} characters`);
  return body;
}
