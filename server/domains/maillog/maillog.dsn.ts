/**
 * Delivery status notifications (RFC 3464): a `multipart/report; report-type=delivery-status`
 * whose `message/delivery-status` part has one block of fields for the report and one per
 * recipient (Final-Recipient, Action, Status, Diagnostic-Code). mailparser folds that part
 * into the text, so the report is read from the raw MIME here: pure, and tested on its own.
 */

export interface DsnRecipient {
  /** The address the report is about (Final-Recipient, else Original-Recipient), lower case. */
  recipient: string | null;
  /** The address as the sender gave it (Original-Recipient), lower case: a forwarder or a list may have changed the final one. */
  originalRecipient?: string | null;
  /** failed, delayed, delivered, relayed or expanded. */
  action: string;
  /** The enhanced status code, e.g. 5.1.1 (RFC 3463). */
  status: string | null;
  /** What the receiving server said, e.g. "smtp; 550 5.1.1 user unknown". */
  diagnostic: string | null;
}

export interface DeliveryReport {
  recipients: DsnRecipient[];
  /** The Message-ID of the mail that bounced, when the report returned its headers. */
  originalMessageId: string | null;
  /** A bounce that is no RFC 3464 report (an old MTA's text), read from its words: less sure. */
  fromText: boolean;
}

/** What a report means for the mail: a hard (5.x.x) or soft (4.x.x) bounce, or none. */
export type BounceVerdict =
  | { bounced: true; hard: boolean; status: string; diagnostic: string | null; recipient: string | null }
  | { bounced: false; why: 'delayed' | 'delivered' | 'no_status' };

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** An enhanced status code standing alone: not a run inside a dotted one (an IP address such as 52.4.1.7 holds "4.1.7"). */
const STATUS = /(?<![\w.])[245]\.\d{1,3}\.\d{1,3}(?!\.?\d)/;
/** The same right after an SMTP reply code ("550 5.1.1", "550-5.1.1"): where a mail server puts it. */
const REPLY_STATUS = /\b[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)/;

/** The words of a text delay warning: the MTA has not given up. */
const STILL_TRYING = /\b(will|shall)\s+(keep|continue)\s+(on\s+)?(trying|to\s+try|retrying)|will\s+(be\s+)?retr(y|ied)|not\s+yet\s+been\s+delivered|delivery\s+(is\s+|has\s+been\s+)?delayed|no\s+action\s+is\s+required/i;

/** The enhanced status code in a mail server's words: the one after a reply code first, else one standing alone. */
export const statusIn = (text: string): string | null => REPLY_STATUS.exec(text)?.[1] ?? STATUS.exec(text)?.[0] ?? null;

/** Header block → lower-case names to unfolded values (the first of a repeated name). */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  const unfolded = block.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

function splitPart(raw: string): Part {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.search(/\n\n/);
  const head = end < 0 ? text : text.slice(0, end);
  return { headers: fields(head), body: end < 0 ? '' : text.slice(end + 2) };
}

const param = (value: string, name: string) => new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value)?.slice(1).find((v) => v !== undefined);

const mediaType = (p: Part) => (p.headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();

function decoded(p: Part): string {
  const enc = (p.headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  if (enc === 'base64') return Buffer.from(p.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = p.body.replace(/=\n/g, '').replace(/=([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return p.body;
}

/** Every leaf part of a MIME message, depth first (nested multiparts opened, at most 8 deep). */
function leaves(p: Part, depth = 0): Part[] {
  const type = mediaType(p);
  const boundary = type.startsWith('multipart/') ? param(p.headers.get('content-type') ?? '', 'boundary') : undefined;
  if (!boundary || depth > 8) return [p];
  const lines = p.body.split('\n');
  const parts: string[] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    const t = line.trimEnd();
    if (t === `--${boundary}--`) break;
    if (t === `--${boundary}`) {
      if (current) parts.push(current.join('\n'));
      current = [];
      continue;
    }
    current?.push(line);
  }
  if (current) parts.push(current.join('\n'));
  return parts.flatMap((raw) => leaves(splitPart(raw), depth + 1));
}

/** `rfc822; Taro@Example.jp` → `taro@example.jp`. */
const addressOf = (v: string | undefined) => (v ? v.replace(/^[^;]*;/, '').trim().replace(/^<|>$/g, '').toLowerCase() || null : null);

function recipientOf(f: Map<string, string>): DsnRecipient {
  const diagnostic = f.get('diagnostic-code') ?? null;
  const status = STATUS.exec(f.get('status') ?? '')?.[0] ?? (diagnostic ? statusIn(diagnostic) : null);
  return {
    recipient: addressOf(f.get('final-recipient') ?? f.get('original-recipient')),
    originalRecipient: addressOf(f.get('original-recipient')),
    action: (f.get('action') ?? '').toLowerCase(),
    status,
    diagnostic,
  };
}

/**
 * The report in a raw mail: its per-recipient blocks and the original Message-ID, or null when
 * the mail is no delivery report. `bounceText` reads a mail from a mailer daemon that is not
 * RFC 3464 (qmail and some carrier gateways still send those): a status code in its text.
 */
export function parseDeliveryReport(raw: Buffer | string, opts: { fromDaemon?: boolean } = {}): DeliveryReport | null {
  const top = splitPart(typeof raw === 'string' ? raw : raw.toString('latin1'));
  const parts = leaves(top);
  const report = parts.find((p) => ['message/delivery-status', 'message/global-delivery-status'].includes(mediaType(p)));
  const original = parts.find((p) => ['text/rfc822-headers', 'message/rfc822', 'message/global-headers', 'message/global'].includes(mediaType(p)));
  // The returned mail's headers: the whole part for text/rfc822-headers, its head for message/rfc822.
  const originalMessageId = original ? (splitPart(decoded(original)).headers.get('message-id') ?? null) : null;
  if (report) {
    const blocks = decoded(report)
      .replace(/\r\n/g, '\n')
      .split(/\n[ \t]*\n/)
      .map((b) => b.trim())
      .filter(Boolean);
    // The first block is about the report (Reporting-MTA); each later one about a recipient.
    const recipients = blocks
      .slice(1)
      .map(fields)
      .filter((f) => f.has('action') || f.has('status'))
      .map(recipientOf);
    return { recipients, originalMessageId, fromText: false };
  }
  if (!opts.fromDaemon) return null;
  const text = parts
    .filter((p) => mediaType(p) === 'text/plain')
    .map(decoded)
    .join('\n');
  const line = text.split('\n').find((l) => REPLY_STATUS.test(l)) ?? text.split('\n').find((l) => STATUS.test(l));
  if (!line) return null;
  const status = statusIn(line)!;
  const address = /[^\s<>"':;,()]+@[^\s<>"':;,()]+/.exec(line)?.[0]?.toLowerCase() ?? null;
  // A warning that the MTA is still trying (a 4.x.x "will keep trying") is no failure yet.
  const action = status.startsWith('4.') && STILL_TRYING.test(text) ? 'delayed' : 'failed';
  return { recipients: [{ recipient: address, action, status, diagnostic: line.trim().slice(0, 500) }], originalMessageId, fromText: true };
}

/**
 * Policy refusals (5.7.x: DMARC, SPF, a spam filter, a carrier's なりすまし拒否) and a full
 * mailbox (5.2.2) say nothing about whether the address exists: one misconfigured DNS record
 * would otherwise suppress every customer at that provider. They count as soft bounces.
 */
const softPermanent = (status: string) => status.startsWith('5.7.') || status === '5.2.2';

/**
 * What the report says of the mail to `recipient`. The blocks that name it decide: by
 * Final-Recipient, else by Original-Recipient (a forwarder rewrote the address); one that says
 * it was delivered, relayed or expanded is no bounce, whatever became of other addresses in
 * the report. Only when no block names it (a forwarder that rewrote both) does its first
 * failed recipient stand for it. Only `Action: failed` is a bounce; `delayed` is the MTA still
 * trying. 5.x.x is hard, except policy refusals and a full mailbox; 4.x.x (a failure after the
 * MTA's retries ran out: greylisting to the end) is soft.
 */
export function verdictOf(report: DeliveryReport, recipient: string): BounceVerdict {
  const address = recipient.toLowerCase();
  const byFinal = report.recipients.filter((r) => r.recipient === address);
  const byOriginal = report.recipients.filter((r) => r.originalRecipient === address);
  const named = byFinal.length ? byFinal : byOriginal;
  const failed = (named.length ? named : report.recipients).filter((r) => r.action === 'failed');
  const mine = failed[0];
  if (!mine) return { bounced: false, why: (named.length ? named : report.recipients).some((r) => r.action === 'delayed') ? 'delayed' : 'delivered' };
  const status = mine.status ?? (mine.diagnostic ? statusIn(mine.diagnostic) : null);
  if (!status || status.startsWith('2.')) return { bounced: false, why: 'no_status' };
  return { bounced: true, hard: status.startsWith('5.') && !softPermanent(status), status, diagnostic: mine.diagnostic, recipient: mine.recipient };
}
