import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKeyring, parseKeys, seal, sealedWithOldKey, unseal } from '../../../server/core/sealed.ts';

const key = (n: number) => Buffer.alloc(32, n).toString('base64');

describe('sealed secrets (AES-256-GCM with a key id)', () => {
  it('opens what it sealed, for the same owner only; a changed byte or another owner does not open', () => {
    const ring = parseKeys(`k1:${key(1)}`);
    const sealed = seal(ring, 'xoxb-123-secret', 'slack-token:shop-a');
    expect(sealed).to.not.include('xoxb');
    expect(unseal(ring, sealed, 'slack-token:shop-a')).to.equal('xoxb-123-secret');
    expect(() => unseal(ring, sealed, 'slack-token:shop-b')).to.throw(/cannot be opened/);
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => unseal(ring, parts.join('.'), 'slack-token:shop-a')).to.throw(/cannot be opened/);
    // Two seals of one secret differ (a fresh IV each).
    expect(seal(ring, 'x', 'a')).to.not.equal(seal(ring, 'x', 'a'));
  });

  it('rotates: the first key seals, older keys still open, a key removed leaves its secrets unopenable', () => {
    const old = parseKeys(`k1:${key(1)}`);
    const sealed = seal(old, 'token', 'aad');
    const rotated = parseKeys(`k2:${key(2)},k1:${key(1)}`);
    expect(unseal(rotated, sealed, 'aad')).to.equal('token');
    expect(sealedWithOldKey(rotated, sealed)).to.equal(true);
    expect(sealedWithOldKey(rotated, seal(rotated, 'token', 'aad'))).to.equal(false);
    expect(() => unseal(parseKeys(`k2:${key(2)}`), sealed, 'aad')).to.throw(/its key "k1" is not in SECRETS_KEYS/);
  });

  it('makes one key in DATA_DIR/secrets.key on first use, readable by the owner only, and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealed-'));
    const a = loadKeyring({ DATA_DIR: dir });
    const b = loadKeyring({ DATA_DIR: dir });
    expect(a.current.key.equals(b.current.key)).to.equal(true);
    expect(statSync(join(dir, 'secrets.key')).mode & 0o777).to.equal(0o600);
    expect(readFileSync(join(dir, 'secrets.key'), 'utf8')).to.match(/^k1:/);
    expect(unseal(b, seal(a, 's', 'x'), 'x')).to.equal('s');
  });
});
