import { createHmac } from 'node:crypto';
import type { Db } from '../../core/db/client.ts';
import { newSecret } from '../../core/secrets.ts';
import { auditKeyOf } from './audit.repository.ts';

/** What a search text looks like: an address, a phone number, or anything else (an order number, a name). */
export type SearchKind = 'email' | 'phone' | 'text';

/** How the trail records a search: its kind and a keyed digest, never the text (it is often a person's address or name). */
export interface SearchRecord {
  kind: SearchKind;
  digest: string;
}

/**
 * Classed by shape, as people type them: anything with an @ is an address; 8 or more digits
 * with only phone punctuation (090-1234-5678, +81 90 1234 5678, full-width digits) a phone
 * number. A long numeric order number counts as a phone: the safe side.
 */
export function searchKind(q: string): SearchKind {
  const s = q.normalize('NFKC').trim();
  if (s.includes('@')) return 'email';
  if (/^\+?[\d\s()\-‐ー−]+$/.test(s) && s.replace(/\D/g, '').length >= 8) return 'phone';
  return 'text';
}

/** The same person typed differently digests the same: case, width, and a phone's punctuation do not count. */
function normalise(kind: SearchKind, q: string): string {
  const s = q.normalize('NFKC').trim().toLowerCase();
  if (kind !== 'phone') return s;
  const digits = s.replace(/\D/g, '');
  // +81 90… and 090… are the same Japanese number.
  return digits.startsWith('81') && s.startsWith('+') ? `0${digits.slice(2)}` : digits;
}

/**
 * The trail's record of a search for `q` in this shop: kind and an HMAC-SHA256 under the
 * shop's audit key. The owner finds every search for a value with `GET …/audit?searched=`,
 * which digests the value the same way; the trail itself never holds it.
 *
 * @example
 * await recordAudit(db, actor, { action: 'orders.listed', objectType: 'order', summary: { search: await searchRecord(db, shopId, 'hanako@example.jp') } });
 */
export async function searchRecord(db: Db, shopId: string, q: string): Promise<SearchRecord> {
  const kind = searchKind(q);
  const key = await auditKeyOf(db, shopId, () => newSecret(32));
  return { kind, digest: createHmac('sha256', key).update(`${kind}:${normalise(kind, q)}`).digest('base64url') };
}
