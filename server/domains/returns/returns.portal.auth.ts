import { randomInt, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Db } from '../../core/db/client.ts';
import { DomainError } from '../../core/errors.ts';
import { enqueue } from '../../core/outbox.ts';
import { rateLimited, redisLimiter } from '../../core/ratelimit.ts';
import { fromUnavailable } from '../../core/unavailable.ts';
import { newSecret, sameSecret, secretHash } from '../../core/secrets.ts';
import { render } from '../../core/templates.ts';
import { findOrderAsTyped, findOrderById } from '../orders/orders.repository.ts';
import { findShop } from '../shops/shops.repository.ts';
import { senderNameOf } from '../shops/shops.mail.ts';
import type { ReturnParty } from './returns.parties.ts';

/**
 * The portal has no accounts: a customer proves the order is theirs with its number and the
 * email or phone on it, then a one-time code mailed to the order's address. Nothing tells a
 * stranger which of the two was wrong, and codes and lookups are limited.
 */
export interface PortalLimits {
  lookupsPerAddressPerHour: number;
  lookupsPerOrderPerHour: number;
  codeAttempts: number;
}
export const defaultPortalLimits: PortalLimits = { lookupsPerAddressPerHour: 20, lookupsPerOrderPerHour: 5, codeAttempts: 5 };

export interface PortalAuthDeps {
  db: Db;
  redis: Redis;
  keyPrefix: string;
  poke: () => void;
  limits: PortalLimits;
}

const CODE_TTL_S = 10 * 60;
const NO_ORDER = '00000000-0000-4000-8000-000000000000';

/** The code mail, on the outbox for every sign-in attempt; the job mails only those with an address. */
export const PORTAL_CODE_TOPIC = 'portal.code_mail';
const SESSION_TTL_S = 2 * 3600;

export interface PortalSession {
  shopId: string;
  orderId: string;
  orderNumber: string;
  customerName: string;
  /** Sent back in every form: a page on another site cannot post as this customer. */
  csrf: string;
}

const digits = (s: string) => s.normalize('NFKC').replace(/\D/g, '').replace(/^81/, '0');

/** The email (any case) or the phone (digits only; +81 read as 0) on the order. */
export function contactMatches(order: { customerEmail: string; customerPhone: string | null }, contact: string): boolean {
  const c = contact.normalize('NFKC').trim();
  if (c.includes('@')) return c.toLowerCase() === order.customerEmail.toLowerCase();
  const d = digits(c);
  return d.length >= 10 && !!order.customerPhone && d === digits(order.customerPhone);
}

export function createPortalAuth(deps: PortalAuthDeps) {
  const key = (kind: string, id: string) => `${deps.keyPrefix}portal:${kind}:${id}`;
  const byAddress = redisLimiter(deps.redis, { keyPrefix: `${deps.keyPrefix}portal:lookup:addr`, points: deps.limits.lookupsPerAddressPerHour, duration: 3600 });
  const byOrder = redisLimiter(deps.redis, { keyPrefix: `${deps.keyPrefix}portal:lookup:order`, points: deps.limits.lookupsPerOrderPerHour, duration: 3600 });
  const refuse = rateLimited((s) => `too many attempts; try again in ${Math.ceil(s / 60)} min`);

  /**
   * Starts a sign-in. A matching order gets a code by mail; a wrong number or contact gets a
   * challenge no code can pass, and the same answer, so the page reveals nothing.
   */
  async function start(shopId: string, orderNumber: string, contact: string, address: string): Promise<string> {
    await byAddress.consume(address).catch(refuse);
    // One budget per order however it is typed (#1001 or 1001).
    await byOrder.consume(`${shopId}:${orderNumber.replace(/^#/, '').toUpperCase()}`).catch(refuse);
    const [order, shop] = await Promise.all([findOrderAsTyped(deps.db, shopId, orderNumber), findShop(deps.db, shopId)]);
    if (!shop) throw new DomainError('not_found', 'shop not found');
    // Every answer does the same work (a second read, one outbox row), so the time it takes
    // tells no one whether the order exists or whether the contact was the one on it.
    if (!order) await findOrderById(deps.db, shopId, NO_ORDER);
    const challenge = newSecret(18);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const match = order && contactMatches(order, contact) ? order : undefined;
    await deps.redis
      .multi()
      .hset(key('challenge', challenge), { shopId, orderId: match?.id ?? '', codeHash: secretHash(`${challenge}:${code}`), attempts: '0' })
      .expire(key('challenge', challenge), CODE_TTL_S)
      .exec();
    const mail = match
      ? {
          to: match.customerEmail,
          fromName: senderNameOf(shop),
          subject: `【${shop.name}】返品・交換の確認コード / Your confirmation code`,
          shopId,
          kind: 'portal_code' as const,
          about: { orderNumber: match.orderNumber },
          // One Message-ID per code mail: a retry of the job is the same mail in the log.
          messageId: `code-${randomUUID()}`,
          text: render('mail/portal-code', { shopName: shop.name, customerName: match.customerName, orderNumber: match.orderNumber, code, minutes: CODE_TTL_S / 60 }, { text: true }),
        }
      : { to: null };
    await deps.db.transaction((tx) => enqueue(tx, { shopId, topic: PORTAL_CODE_TOPIC, payload: mail }));
    deps.poke();
    return challenge;
  }

  /** Checks the code; a few wrong ones burn the challenge. Answers a session token. */
  async function verify(shopId: string, challenge: string, code: string): Promise<string> {
    const k = key('challenge', challenge);
    const c = await deps.redis.hgetall(k);
    if (!c.shopId || c.shopId !== shopId) throw new DomainError('unauthenticated', 'this code has expired; start again');
    const attempts = await deps.redis.hincrby(k, 'attempts', 1);
    if (attempts > deps.limits.codeAttempts) {
      await deps.redis.del(k);
      throw new DomainError('rate_limited', 'too many wrong codes; start again', { retryAfterSeconds: 0 });
    }
    if (!c.orderId || !sameSecret(secretHash(`${challenge}:${code.normalize('NFKC').trim()}`), c.codeHash ?? '')) {
      const left = deps.limits.codeAttempts - attempts;
      throw new DomainError('invalid_input', 'the code is not right; check the mail and try again', {
        attemptsLeft: left,
        say: { ja: `確認コードが正しくありません。メールをご確認のうえ、もう一度入力してください（あと${left}回）。`, en: `The code is not right; check the mail and try again (${left} ${left === 1 ? 'try' : 'tries'} left).` },
      });
    }
    await deps.redis.del(k);
    const order = await findOrderRow(shopId, c.orderId);
    const token = newSecret();
    const session: PortalSession = { shopId, orderId: c.orderId, orderNumber: order.orderNumber, customerName: order.customerName, csrf: newSecret(18) };
    await deps.redis.set(key('session', secretHash(token)), JSON.stringify(session), 'EX', SESSION_TTL_S);
    return token;
  }

  async function findOrderRow(shopId: string, orderId: string) {
    const o = await findOrderById(deps.db, shopId, orderId);
    if (!o) throw new DomainError('unauthenticated', 'this order is no longer available; start again');
    return o;
  }

  async function session(shopId: string, token: string | undefined): Promise<PortalSession | null> {
    if (!token) return null;
    const raw = await deps.redis.get(key('session', secretHash(token)));
    if (!raw) return null;
    const s = JSON.parse(raw) as PortalSession;
    return s.shopId === shopId ? s : null;
  }

  const end = (token: string) => deps.redis.del(key('session', secretHash(token)));

  // The codes and sessions live in Redis: while it is away the portal's sign-in answers
  // `unavailable`, which its pages show as such, rather than failing as an unknown error.
  const orUnavailable =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      fn(...args).catch((e: unknown) => {
        throw fromUnavailable(e) ?? e;
      });
  return { start: orUnavailable(start), verify: orUnavailable(verify), session: orUnavailable(session), end: orUnavailable(end) };
}

export type PortalAuth = ReturnType<typeof createPortalAuth>;

export const partyOf = (s: PortalSession): ReturnParty => ({ kind: 'customer', shopId: s.shopId, orderId: s.orderId, name: s.customerName });
