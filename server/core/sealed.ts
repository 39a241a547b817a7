import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DomainError } from './errors.ts';

/**
 * Secrets madoguchi must read back (Slack bot tokens and signing secrets; later bank details)
 * are sealed with AES-256-GCM under a key from configuration, with the key's id in the sealed
 * text so keys can be rotated: SECRETS_KEYS is `<id>:<base64 of 32 bytes>[,<id>:<key>…]`, the
 * first sealing new secrets and every one opening old ones. On the embedded default a key is
 * generated once into DATA_DIR/secrets.key (mode 0600); in production SECRETS_KEYS is required
 * (see config.ts). A sealed value also binds what it belongs to (`aad`: "slack-token:<shop id>"),
 * so a sealed token copied to another shop's row does not open.
 */
export interface Keyring {
  current: { id: string; key: Buffer };
  byId: ReadonlyMap<string, Buffer>;
}

const VERSION = 's1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses SECRETS_KEYS; throws a message naming what is wrong (config.ts turns it into a ConfigError). */
export function parseKeys(spec: string): Keyring {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      const id = entry.slice(0, at);
      const key = Buffer.from(entry.slice(at + 1), 'base64');
      if (at < 1 || !KEY_ID.test(id)) throw new Error(`expected <id>:<base64 key>, the id letters, digits, _ or - (got "${entry.slice(0, Math.max(at, 0)) || entry.slice(0, 8)}…")`);
      if (key.length !== 32) throw new Error(`key "${id}" is ${key.length} bytes; expected 32 (openssl rand -base64 32)`);
      return [id, key] as const;
    });
  if (!entries.length) throw new Error('expected at least one <id>:<base64 key>');
  const byId = new Map(entries);
  if (byId.size !== entries.length) throw new Error('two keys have the same id');
  return { current: { id: entries[0]![0], key: entries[0]![1] }, byId };
}

/** The keyring of SECRETS_KEYS, or of DATA_DIR/secrets.key (made on first use) when it is not set. */
export function loadKeyring(config: { SECRETS_KEYS?: string | undefined; DATA_DIR: string }): Keyring {
  if (config.SECRETS_KEYS) return parseKeys(config.SECRETS_KEYS);
  const file = join(config.DATA_DIR, 'secrets.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    // `wx`: two processes starting at once on a fresh DATA_DIR keep the first one's key.
    try {
      writeFileSync(file, `k1:${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  try {
    chmodSync(file, 0o600);
  } catch {
    // A read-only mount: the key is still readable.
  }
  return parseKeys(readFileSync(file, 'utf8'));
}

/** `s1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). */
export function seal(keyring: Keyring, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyring.current.key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keyring.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** The secret sealed in `sealed` for `aad`; a DomainError `unavailable` (503) when its key is gone or it was tampered with or moved. */
export function unseal(keyring: Keyring, sealed: string, aad: string): string {
  const [version, keyId, iv, tag, ct, ...rest] = sealed.split('.');
  const key = keyId ? keyring.byId.get(keyId) : undefined;
  if (version !== VERSION || !key || !iv || !tag || ct === undefined || rest.length) {
    throw new DomainError('unavailable', `a stored secret cannot be opened: ${key || version !== VERSION ? 'malformed' : `its key "${keyId}" is not in SECRETS_KEYS`}`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new DomainError('unavailable', 'a stored secret cannot be opened: it does not match its key or its owner');
  }
}

/** True when `sealed` was sealed under a key other than the current one (rotation re-seals it). */
export const sealedWithOldKey = (keyring: Keyring, sealed: string) => sealed.split('.')[1] !== keyring.current.id;
