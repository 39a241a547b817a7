import { randomBytes } from 'node:crypto';
import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { newSecret, sameSecret, secretHash } from '../../core/secrets.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import {
  findApiKeyByPrefix,
  insertApiKey,
  listApiKeys,
  markApiKeyUsed,
  revokeApiKey,
  type ApiKeyRow,
} from './apikeys.repository.ts';

const KEY_FORMAT = /^mdg_([0-9a-f]{16})_([\w-]{43})$/;

export const apiKeyView = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: `mdg_${k.prefix}`,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/** Creates a key for the shop platform; the full key is in this answer only, never again. */
export async function createApiKey(db: Db, actor: Actor, name: string, requestId?: string) {
  requireRole(actor, 'owner');
  const prefix = randomBytes(8).toString('hex');
  const secret = newSecret();
  return db.transaction(async (tx) => {
    const row = await insertApiKey(tx, {
      shopId: actor.shopId,
      name,
      prefix,
      secretHash: secretHash(secret),
      createdBy: actor.userId,
    });
    await recordAudit(tx, actor, { action: 'api_key.created', objectType: 'api_key', objectId: row.id, summary: { name } }, requestId);
    return { ...apiKeyView(row), key: `mdg_${prefix}_${secret}` };
  });
}

export async function listShopApiKeys(db: Db, actor: Actor) {
  requireRole(actor, 'owner');
  return (await listApiKeys(db, actor.shopId)).map(apiKeyView);
}

export async function revokeShopApiKey(db: Db, actor: Actor, id: string, requestId?: string) {
  requireRole(actor, 'owner');
  return db.transaction(async (tx) => {
    const row = await revokeApiKey(tx, actor.shopId, id, new Date());
    if (!row) throw notFound('active API key');
    await recordAudit(tx, actor, { action: 'api_key.revoked', objectType: 'api_key', objectId: id, summary: { name: row.name } }, requestId);
    return apiKeyView(row);
  });
}

const LAST_USED_EVERY_MS = 60_000;

/** Resolves `Authorization: Bearer mdg_…` to its shop; 401 for a malformed, unknown or revoked key. */
export async function authenticateApiKey(db: Db, presented: string): Promise<Extract<Actor, { kind: 'api_key' }>> {
  const m = KEY_FORMAT.exec(presented);
  const wrong = new DomainError('unauthenticated', 'the API key is not valid');
  if (!m) throw wrong;
  const row = await findApiKeyByPrefix(db, m[1]!);
  // Compared even when no key has the prefix, so a miss costs the same as a wrong secret.
  const ok = sameSecret(row?.secretHash ?? secretHash('no-such-key'), secretHash(m[2]!));
  if (!row || !ok) throw wrong;
  if (row.revokedAt) throw new DomainError('unauthenticated', 'the API key has been revoked');
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_EVERY_MS) await markApiKeyUsed(db, row.shopId, row.id, now);
  return { kind: 'api_key', shopId: row.shopId, keyId: row.id, name: `API key ${row.name}` };
}
