import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { newSecret, secretHash } from '../../core/secrets.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findShop, updateShop } from '../shops/shops.repository.ts';
import { findCustomerSession, insertCustomer, insertCustomerSession, upsertVerifiedCustomer, type CustomerRow } from './conversations.customers.repository.ts';
import type { WidgetSecretDto, WidgetSessionDto } from './conversations.dto.ts';
import { acceptIdentity, type IdentityReplayCache } from './widget.identity.ts';

const SESSION_DAYS = 30;

export type WidgetSessionInput =
  | { name: string; email: string; orderNumber?: string; locale?: 'ja' | 'en' }
  | { identityToken: string; locale?: 'ja' | 'en' };

export interface CustomerPrincipal {
  shopId: string;
  customerId: string;
  /** Who writes, as messages name them: a widget connection keeps this, not the whole record, for as long as it is open. */
  customer: Pick<CustomerRow, 'id' | 'name'>;
}

/**
 * Starts a widget session: an anonymous visitor from the pre-chat form (always a new
 * unverified customer, whatever address it types), or a customer the shop's server vouched
 * for with a signed identity token (refused when forged, expired or used before; while the
 * replay cache cannot answer, refused with 503). The answer's token is the widget's only
 * credential; we keep its SHA-256.
 */
export async function startWidgetSession(deps: { db: Db; replay: IdentityReplayCache }, shopId: string, input: WidgetSessionInput, now = new Date()): Promise<WidgetSessionDto> {
  const { db } = deps;
  const shop = await findShop(db, shopId);
  if (!shop) throw notFound('shop');
  const locale = input.locale ?? (shop.locale as 'ja' | 'en');
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  // The customer and their session are written together: either the session exists, or nothing was.
  const start = (customerOf: (tx: Db) => Promise<CustomerRow>) =>
    db.transaction(async (tx) => {
      const customer = await customerOf(tx);
      await insertCustomerSession(tx, { id: secretHash(token), shopId, customerId: customer.id, expiresAt });
      return customer;
    });
  let customer: CustomerRow;
  if ('identityToken' in input) {
    const { claims: c, release } = await acceptIdentity(deps.replay, shopId, shop.widgetSecret, input.identityToken, now);
    try {
      customer = await start((tx) => upsertVerifiedCustomer(tx, { shopId, externalId: c.sub, name: c.name ?? c.email ?? c.sub, email: c.email?.toLowerCase() ?? null, locale }));
    } catch (e) {
      // No session was made (the database away, say): the token was not used, and the customer's retry with it must be taken.
      await release();
      throw e;
    }
  } else {
    customer = await start((tx) => insertCustomer(tx, { shopId, name: input.name, email: input.email, locale }));
  }
  return { token, expiresAt: expiresAt.toISOString(), customer: { id: customer.id, name: customer.name, verified: customer.verified }, orderNumber: 'orderNumber' in input ? (input.orderNumber ?? null) : null };
}

/** A widget session's customer, and when the session ends (it never slides). */
export interface WidgetSessionPrincipal extends CustomerPrincipal {
  expiresAt: Date;
}

export const widgetSessionEnded = () => new DomainError('unauthenticated', 'the chat session has expired or is not valid');

/** The customer behind a widget token, in this shop only. */
export async function resolveCustomer(db: Db, shopId: string, token: string | undefined, now = new Date()): Promise<WidgetSessionPrincipal> {
  if (!token) throw new DomainError('unauthenticated', 'start a chat session first (no widget token)');
  const found = await findCustomerSession(db, shopId, secretHash(token));
  if (!found || found.session.expiresAt <= now) throw widgetSessionEnded();
  return { shopId, customerId: found.customer.id, customer: { id: found.customer.id, name: found.customer.name }, expiresAt: found.session.expiresAt };
}

/** A new HMAC key for identity tokens (owner); shown in this answer only, the old one stops working. */
export async function rotateWidgetSecret(db: Db, actor: Actor, requestId?: string): Promise<WidgetSecretDto> {
  requireRole(actor, 'owner');
  const secret = newSecret();
  return db.transaction(async (tx) => {
    await updateShop(tx, actor.shopId, { widgetSecret: secret });
    await recordAudit(tx, actor, { action: 'widget_secret.rotated', objectType: 'shop', objectId: actor.shopId }, requestId);
    return { secret };
  });
}
