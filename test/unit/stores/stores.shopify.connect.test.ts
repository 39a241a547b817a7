import { expect } from 'chai';
import { shopDomain, tokenBody } from '../../../server/domains/stores/shopify/shopify.connect.ts';
import { queryHmac } from '../../../server/domains/stores/shopify/shopify.oauth.ts';
import { oauthHmac } from '../../helpers/shopify-api.ts';

describe('connecting Shopify: the pieces', () => {
  it('takes a store’s domain as merchants paste it and refuses anything that is not a myshopify.com store', () => {
    for (const [given, domain] of [
      ['my-shop.myshopify.com', 'my-shop.myshopify.com'],
      ['https://My-Shop.myshopify.com/admin', 'my-shop.myshopify.com'],
      ['  my-shop  ', 'my-shop.myshopify.com'],
      ['http://my-shop.myshopify.com/?x=1', 'my-shop.myshopify.com'],
    ]) {
      expect(shopDomain.parse(given), given).to.equal(domain);
    }
    for (const bad of ['example.com', 'my-shop.myshopify.com.evil.jp', '-x.myshopify.com', '', 'a b.myshopify.com']) {
      expect(shopDomain.safeParse(bad).success, bad).to.equal(false);
    }
  });

  it('takes the address of the store’s admin as Shopify shows it now (admin.shopify.com/store/<handle>), and nothing else on that host', () => {
    for (const [given, domain] of [
      ['https://admin.shopify.com/store/my-shop', 'my-shop.myshopify.com'],
      ['admin.shopify.com/store/My-Shop/orders?inContextTimeframe=none', 'my-shop.myshopify.com'],
    ]) {
      expect(shopDomain.parse(given), given).to.equal(domain);
    }
    for (const bad of ['https://admin.shopify.com/', 'https://admin.shopify.com/store/', 'https://admin.shopify.com/store/a b', 'https://admin.shopify.com.evil.jp/store/x']) {
      expect(shopDomain.safeParse(bad).success, bad).to.equal(false);
    }
  });

  it('refuses a token form with a field missing or unknown', () => {
    expect(tokenBody.safeParse({ shopDomain: 'x.myshopify.com', accessToken: 'shpat_0123456789' }).success).to.equal(false);
    expect(tokenBody.safeParse({ shopDomain: 'x.myshopify.com', accessToken: 'shpat_0123456789', apiSecret: 'shpss_0123456789', extra: 1 }).success).to.equal(false);
    expect(tokenBody.safeParse({ shopDomain: 'x.myshopify.com', accessToken: 'shpat_0123456789', apiSecret: 'shpss_0123456789', backfillDays: 400 }).success).to.equal(false);
  });

  it('signs a redirect’s query as Shopify does (the example of Shopify’s OAuth guide) and as the stand-in does', () => {
    const query = { code: '0907a61c0c8d55e99db179b68161bc00', shop: 'some-shop.myshopify.com', state: '0.6784241404160823', timestamp: '1337178173' };
    expect(queryHmac({ ...query, hmac: 'ignored' }, 'hush')).to.equal('700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf');
    const withHost = { ...query, host: 'YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvc29tZS1zaG9w' };
    expect(queryHmac(withHost, 'hush')).to.equal(oauthHmac(withHost, 'hush'));
  });
});
