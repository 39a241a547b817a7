import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../server/config.ts';

describe('configuration', () => {
  it('has working defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c).to.include({ PORT: 3000, DATA_DIR: './data', SESSION_TTL_HOURS: 12, SEED_DEMO: true, TRUST_PROXY: false, LOG_LEVEL: 'info' });
    expect(c.DATABASE_URL).to.equal(undefined);
    expect(c.REDIS_URL).to.equal(undefined);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT).to.equal(3000);
  });

  it('reads booleans written as true/false, 1/0, yes/no', () => {
    expect(loadConfig({ SEED_DEMO: 'no', TRUST_PROXY: '1' })).to.include({ SEED_DEMO: false, TRUST_PROXY: true });
  });

  it('names every bad variable, its value and what it expects, in one message', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: '70000', REDIS_URL: 'http://x', COOKIE_SECURE: 'maybe' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).to.include('PORT="70000"');
    expect(msg).to.include('REDIS_URL="http://x": expected a URL starting with redis:// or rediss://');
    expect(msg).to.include('COOKIE_SECURE="maybe": expected true or false');
  });
});

describe('configuration in production', () => {
  const prod = { NODE_ENV: 'production', PUBLIC_URL: 'https://desk.example.jp', SMTP_URL: 'smtp://mail.example.jp:587', SECRETS_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` };

  it('does not seed demo people unless asked to', () => {
    expect(loadConfig(prod).SEED_DEMO).to.equal(false);
    expect(loadConfig({ ...prod, SEED_DEMO: 'true' }).SEED_DEMO).to.equal(true);
  });

  it('needs PUBLIC_URL and SMTP_URL, so invitation links work and mail really goes out, and SECRETS_KEYS, so stored tokens are not sealed with a key made on one disk', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(ConfigError, /PUBLIC_URL is required.*SMTP_URL is required.*SECRETS_KEYS is required/);
  });

  it('refuses SECRETS_KEYS that are not <id>:<32 bytes in base64>, and half a Slack app', () => {
    expect(() => loadConfig({ ...prod, SECRETS_KEYS: 'k1:c2hvcnQ=' })).to.throw(ConfigError, /SECRETS_KEYS: key "k1" is 5 bytes; expected 32/);
    expect(() => loadConfig({ ...prod, SECRETS_KEYS: `nokey${Buffer.alloc(32).toString('base64')}` })).to.throw(ConfigError, /SECRETS_KEYS: expected <id>:<base64 key>/);
    expect(() => loadConfig({ ...prod, SLACK_CLIENT_ID: '1.2' })).to.throw(ConfigError, /SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET together/);
  });

  it('refuses half a Shopify or BASE app, a Shopify API URL without {shop}, and poll minutes out of range', () => {
    expect(() => loadConfig({ ...prod, SHOPIFY_CLIENT_ID: 'abc' })).to.throw(ConfigError, /SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET together/);
    expect(() => loadConfig({ ...prod, BASE_CLIENT_SECRET: 'abc' })).to.throw(ConfigError, /BASE_CLIENT_ID and BASE_CLIENT_SECRET together/);
    expect(() => loadConfig({ ...prod, SHOPIFY_API_URL: 'http://127.0.0.1:9/' })).to.throw(ConfigError, /SHOPIFY_API_URL.*\{shop\}/);
    expect(() => loadConfig({ ...prod, STORE_POLL_MINUTES: '0' })).to.throw(ConfigError, /STORE_POLL_MINUTES/);
    expect(loadConfig(prod)).to.include({ SHOPIFY_API_URL: 'https://{shop}', BASE_API_URL: 'https://api.thebase.in', STORE_POLL_MINUTES: 10, STORE_RECONCILE_MINUTES: 60 });
  });
});
