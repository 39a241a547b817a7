import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Keyring } from '../../../core/sealed.ts';
import type { Redis } from '../../../core/redis.ts';
import { StoreApiError } from '../stores.port.ts';
import { BaseClient, exchangeCode, type BaseApp, type BaseTokens } from './base.client.ts';

/**
 * "Connect BASE": the OAuth round trip with BASE (authorization code grant).
 *
 * The state sent to BASE is signed (HMAC with a key derived from the secrets keyring, as
 * slack.oauth.ts does), names the shop and the person who started, expires after 10 minutes,
 * and carries a nonce that must match a cookie set on the same browser (so a link started by
 * someone else cannot be completed in a victim's session); the nonce is spent in Redis at the
 * callback, so a state works once. Slack's installer (Bolt's InstallProvider) does its own
 * state handling and is not reusable for BASE; this is the small part of it BASE needs.
 */
export const BASE_SCOPES = ['read_users', 'read_orders'] as const;
export const STATE_SECONDS = 600;
export const STATE_COOKIE = 'mdg_base_oauth';

const stateSecret = (keyring: Keyring) => createHmac('sha256', keyring.current.key).update('base-oauth-state').digest();
const claims = z.strictObject({ s: z.uuid(), u: z.uuid(), n: z.string().min(16).max(64), e: z.number().int() });
export type StateClaims = z.infer<typeof claims>;

/** Why a callback did not connect, as the console's `?error=`. */
export type CallbackRefusal = 'denied' | 'invalid_state' | 'expired_state' | 'reused_state' | 'wrong_browser' | 'signed_out' | 'forbidden' | 'base_refused' | 'base_unavailable' | 'not_configured';

export class OAuthRefusal extends Error {
  constructor(readonly code: CallbackRefusal, message: string) {
    super(message);
  }
}

const sign = (keyring: Keyring, payload: string) => createHmac('sha256', stateSecret(keyring)).update(payload).digest('base64url');

/** A new state for `shopId` and `userId`, and the nonce its browser cookie must carry. */
export function issueState(keyring: Keyring, shopId: string, userId: string, now = Date.now()): { state: string; nonce: string } {
  const nonce = randomBytes(24).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ s: shopId, u: userId, n: nonce, e: Math.floor(now / 1000) + STATE_SECONDS } satisfies StateClaims)).toString('base64url');
  return { state: `${payload}.${sign(keyring, payload)}`, nonce };
}

/**
 * The claims of a state, checked: signed by us (the keyring's current key), not expired,
 * and bound to this browser's cookie. Single use is checked apart ({@link spendState}).
 */
export function readState(keyring: Keyring, state: string | undefined, cookieNonce: string | undefined, now = Date.now()): StateClaims {
  const [payload, mac] = (state ?? '').split('.');
  if (!payload || !mac) throw new OAuthRefusal('invalid_state', 'the state is missing or malformed');
  const expected = Buffer.from(sign(keyring, payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new OAuthRefusal('invalid_state', 'the state is not ours');
  let parsed: StateClaims;
  try {
    parsed = claims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new OAuthRefusal('invalid_state', 'the state does not read');
  }
  if (parsed.e * 1000 < now) throw new OAuthRefusal('expired_state', 'the connection was started more than 10 minutes ago');
  const a = createHash('sha256').update(parsed.n).digest();
  const b = createHash('sha256').update(cookieNonce ?? '').digest();
  if (!timingSafeEqual(a, b)) throw new OAuthRefusal('wrong_browser', 'the connection was started in another browser');
  return parsed;
}

/** Spends the state's nonce: true the first time, false after (a replayed callback). */
export async function spendState(redis: Redis, keyPrefix: string, nonce: string): Promise<boolean> {
  const key = `${keyPrefix}base-oauth:${createHash('sha256').update(nonce).digest('hex')}`;
  return (await redis.set(key, '1', 'EX', STATE_SECONDS + 60, 'NX')) === 'OK';
}

/** BASE's authorize URL for the console's "Connect BASE". */
export function authorizeUrl(app: BaseApp, state: string): string {
  const q = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: app.redirectUri, scope: BASE_SCOPES.join(' '), state });
  // BASE's documented example writes the scope's space as %20.
  return `${app.apiUrl}/1/oauth/authorize?${q.toString().replace(/\+/g, '%20')}`;
}

export interface BaseAccount {
  shopId: string;
  shopName: string | null;
}

/** The code of the callback → tokens and the BASE shop they are for (users/me). */
export async function tokensForCode(app: BaseApp, fetchFn: typeof fetch, code: string): Promise<{ tokens: BaseTokens; account: BaseAccount }> {
  try {
    const tokens = await exchangeCode({ app, fetch: fetchFn }, code);
    // No refresh here: a renewed pair would be lost before the connection is stored.
    const client = new BaseClient({ app, fetch: fetchFn, tokens: { ...tokens, refresh: null }, saveTokens: async () => undefined });
    const me = await client.get<{ user?: { shop_id?: unknown; shop_name?: unknown } }>('/1/users/me');
    const shopId = typeof me.user?.shop_id === 'string' ? me.user.shop_id : '';
    if (!shopId) throw new StoreApiError('bad_response', 'BASE did not say which shop connected', 'BASE からショップの情報が返りませんでした。');
    return { tokens, account: { shopId, shopName: typeof me.user?.shop_name === 'string' ? me.user.shop_name : null } };
  } catch (e) {
    if (!(e instanceof StoreApiError)) throw e;
    throw new OAuthRefusal(e.kind === 'unavailable' || e.kind === 'rate_limited' ? 'base_unavailable' : 'base_refused', e.message);
  }
}
