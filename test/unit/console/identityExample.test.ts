import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { signingExample } from '../../../agent-console/src/components/settings/identityExample.ts';
import { verifyIdentity } from '../../../server/domains/conversations/widget.identity.ts';

/**
 * The signing example the settings page shows, run as it is in Node (a module of its own, the
 * secret from the environment, as a shop's server would), against the server's own verifier.
 */
describe("the settings page's identity-token signing example", () => {
  const secret = 'example-secret-for-the-test-0123456789';
  let dir: string;
  let sign: (customer: { id: number | string; email?: string; name?: string }) => string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mdg-identity-'));
    const file = join(dir, 'sign.mjs');
    writeFileSync(file, signingExample);
    process.env.MADOGUCHI_WIDGET_SECRET = secret;
    try {
      ({ madoguchiIdentityToken: sign } = (await import(pathToFileURL(file).href)) as { madoguchiIdentityToken: typeof sign });
    } finally {
      delete process.env.MADOGUCHI_WIDGET_SECRET;
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a token the server accepts, with the claims the customer gave', () => {
    const token = sign({ id: 42, email: 'hanako@example.jp', name: '山田花子' });
    const { claims } = verifyIdentity(secret, token, new Date());
    expect(claims).to.include({ sub: '42', email: 'hanako@example.jp', name: '山田花子' });
    expect(claims.jti).to.match(/^[\w-]{16,128}$/);
  });

  it('leaves out what the shop does not know, and each token is a new one', () => {
    const a = sign({ id: 'cust-7' });
    const b = sign({ id: 'cust-7' });
    expect(verifyIdentity(secret, a, new Date()).claims).to.not.have.any.keys('email', 'name');
    expect(verifyIdentity(secret, a, new Date()).claims.jti).to.not.equal(verifyIdentity(secret, b, new Date()).claims.jti);
  });

  it('is refused under another secret and once it is older than ten minutes', () => {
    const token = sign({ id: 1 });
    expect(() => verifyIdentity('another-secret-0123456789', token, new Date())).to.throw(/signature/);
    expect(() => verifyIdentity(secret, token, new Date(Date.now() + 11 * 60_000))).to.throw(/expired/);
  });
});
