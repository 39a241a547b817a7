import { createHmac } from 'node:crypto';
import { sameSecret } from '../../core/secrets.ts';

/**
 * Signed addresses and links of the mail log. Like reply addresses
 * (conversations.email.parse.ts): the id of a mail_log row, a dot, and 16 characters of an
 * HMAC-SHA256, so that it fits in the 64 characters of a mail local part and nobody can make
 * one for a row they only know the id of (an agent sees ids in the console).
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SIGNED = new RegExp(`^(${UUID})\\.([\\w-]{16})$`, 'i');

/** What a signature is for: a bounce address and an unsubscribe link of the same mail differ. */
export type SignedUse = 'bounce' | 'unsubscribe';

const signature = (secret: string, use: SignedUse, logId: string) => createHmac('sha256', secret).update(`${use}:${logId}`).digest('base64url').slice(0, 16);

/** `<logId>.<signature>` */
export const signedId = (secret: string, use: SignedUse, logId: string) => `${logId}.${signature(secret, use, logId)}`;

/** The log id a signed token names, without checking it (to find the key to check it with); undefined when it has not the shape. */
export function idOfToken(token: string): string | undefined {
  return SIGNED.exec(token)?.[1]?.toLowerCase();
}

/**
 * Whether `token` is `<logId>.<signature>` signed with `secret` for `use`. Compared case-blind
 * because some mail systems lower-case local parts (see mailTarget).
 */
export function signatureHolds(secret: string, use: SignedUse, token: string): boolean {
  const m = SIGNED.exec(token);
  if (!m) return false;
  return sameSecret(signature(secret, use, m[1]!.toLowerCase()).toLowerCase(), m[2]!.toLowerCase());
}

/** The VERP return path of one mail: `bounce+<logId>.<signature>@<domain>`; its DSN names the mail by address alone. */
export const bounceAddress = (bounce: { domain: string; secret: string }, logId: string) => `bounce+${signedId(bounce.secret, 'bounce', logId)}@${bounce.domain}`;

/** The mailto: unsubscribe address of one bulk mail: `unsub+<logId>.<signature>@<domain>` (signed with the shop's key). */
export const unsubscribeAddress = (domain: string, key: string, logId: string) => `unsub+${signedId(key, 'unsubscribe', logId)}@${domain}`;

export const BOUNCE_LOCAL = /^bounce\+(.+)$/i;
export const UNSUBSCRIBE_LOCAL = /^unsub\+(.+)$/i;
