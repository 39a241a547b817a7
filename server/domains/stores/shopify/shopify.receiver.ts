import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { DomainError, notFound } from '../../../core/errors.ts';
import { withoutNul } from '../../../core/nul.ts';
import { unseal } from '../../../core/sealed.ts';
import { connectionById, markBroken, storeWebhook, type StoreDeps } from '../stores.service.ts';
import { fulfillmentTopics, orderTopics } from './shopify.map.ts';

/**
 * `POST /hooks/shopify/:connectionId`: a webhook Shopify sends for one connection. It is
 * believed only if `X-Shopify-Hmac-Sha256` is the HMAC-SHA256 (base64) of the exact bytes
 * received under the connection's webhook secret (the custom app's API secret, or the public
 * app's client secret), compared in constant time; anything else is a 401 and nothing is stored.
 * A verified one goes into core's inbox with its `X-Shopify-Webhook-Id` (a delivery seen before
 * is answered 200 and not worked again) and Shopify is answered at once; the job maps it after.
 * `app/uninstalled` marks the connection broken: the token went with the app. Its body must be
 * this connection's shop (`myshopify_domain`): the topic header is not signed, so a captured
 * order body sent under that topic would otherwise break the connection.
 *
 * The signature covers the body only, not the headers: a captured body re-sent with a new
 * webhook id verifies. It cannot make an order older than the one stored, since core never lets
 * an older snapshot (Shopify's updated_at) overwrite a newer one.
 */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

const unsigned = (reason: string) =>
  new DomainError('unauthenticated', `the webhook's signature does not verify (${reason})`, [
    { in: 'header', path: 'x-shopify-hmac-sha256', message: `the webhook's signature does not verify (${reason})`, ja: 'Shopify の署名を確認できませんでした。' },
  ]);

function verifies(secret: string, body: Buffer, given: string): boolean {
  const expected = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(given, 'base64');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export type Received = 'stored' | 'duplicate' | 'ignored' | 'uninstalled';

export async function receiveWebhook(deps: StoreDeps, ctx: Context, connectionId: string, body: Buffer): Promise<{ received: Received }> {
  const c = await connectionById(deps.db, connectionId);
  if (!c || c.platform !== 'shopify') throw notFound('store connection');
  const secret = c.webhookSecretSealed ? unseal(deps.keyring, c.webhookSecretSealed, `store:webhook:${c.id}`) : deps.config.SHOPIFY_CLIENT_SECRET;
  const given = ctx.get('x-shopify-hmac-sha256');
  const refuse = (reason: string) => {
    deps.logger.warn({ connectionId, reason, ip: ctx.ip, topic: ctx.get('x-shopify-topic') }, 'shopify: webhook refused');
    return unsigned(reason);
  };
  if (!secret) throw refuse('no secret to check it with');
  if (!given) throw refuse('no X-Shopify-Hmac-Sha256');
  if (!verifies(secret, body, given)) throw refuse('signature mismatch');
  // A public app signs every store's webhooks with one secret: the store must be this connection's.
  const shop = ctx.get('x-shopify-shop-domain');
  if (shop && shop.toLowerCase() !== c.account) throw refuse(`sent for ${shop.slice(0, 80)}, not this connection's store`);

  const topic = ctx.get('x-shopify-topic');
  const webhookId = ctx.get('x-shopify-webhook-id');
  if (!topic || !webhookId || webhookId.length > 200) {
    throw new DomainError('invalid_input', 'a Shopify webhook names its topic and id', [
      { in: 'header', path: !topic ? 'x-shopify-topic' : 'x-shopify-webhook-id', message: 'expected X-Shopify-Topic and X-Shopify-Webhook-Id', ja: 'X-Shopify-Topic と X-Shopify-Webhook-Id が必要です。' },
    ]);
  }
  const known = topic === 'app/uninstalled' || [...orderTopics, ...fulfillmentTopics].includes(topic as (typeof orderTopics)[number]);
  if (!known) return { received: 'ignored' };
  let payload: unknown;
  try {
    // PostgreSQL stores no NUL character (jsonb nor text): one in an order's text is dropped, not a 500 Shopify retries until it gives up.
    payload = withoutNul(JSON.parse(body.toString('utf8')));
  } catch {
    throw new DomainError('invalid_input', 'the webhook body is not JSON', [{ in: 'body', path: '', message: 'expected JSON', ja: 'JSON として読み取れませんでした。' }]);
  }
  if (topic === 'app/uninstalled') {
    // The topic header is not signed: only the shop's own uninstall body (the Shop resource) breaks the connection, not another signed body sent under this topic.
    const uninstalled = (payload as { myshopify_domain?: unknown } | null)?.myshopify_domain;
    if (typeof uninstalled !== 'string' || uninstalled.toLowerCase() !== c.account) {
      deps.logger.warn({ connectionId, ip: ctx.ip }, 'shopify: app/uninstalled refused: the body is not this connection’s shop');
      throw new DomainError('invalid_input', 'an app/uninstalled webhook carries the shop it was uninstalled from', [
        { in: 'body', path: 'myshopify_domain', message: 'expected this connection’s store', ja: 'このストアのアンインストール通知ではありません。' },
      ]);
    }
    await markBroken(deps.db, c.id, 'app_uninstalled', {
      code: 'app_uninstalled',
      message: 'the app was uninstalled from the Shopify store; connect it again',
      ja: 'Shopify ストアからアプリがアンインストールされました。もう一度連携してください',
      at: new Date().toISOString(),
    });
    deps.logger.info({ connectionId }, 'shopify: app uninstalled; connection broken');
    return { received: 'uninstalled' };
  }
  return { received: await storeWebhook(deps.db, c, { webhookId, topic, payload }) };
}
