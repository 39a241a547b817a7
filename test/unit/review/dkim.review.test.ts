import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../../server/config.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { createMailer, dkimFromConfig } from '../../../server/core/mail.ts';
import { checkMailDns } from '../../../server/domains/maillog/maillog.dns.ts';

async function sentWith(privateKey: string) {
  const dir = mkdtempSync(join(tmpdir(), 'dkim-review-'));
  const mailer = createMailer({ from: 'a@madoguchi.localhost', outboxDir: dir, dkim: { domainName: 'madoguchi.localhost', keySelector: 's1', privateKey } }, createLogger('silent'));
  await mailer.send({ to: 'b@example.jp', subject: 'x', text: 'y' });
  mailer.close();
  return readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8');
}

describe('review: DKIM from configuration', () => {
  it('REVIEW-H1 a DKIM_PRIVATE_KEY that is no key is refused by loadConfig (else every mail goes out unsigned, silently)', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', DKIM_DOMAIN: 'madoguchi.localhost', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nnot a key\\n-----END PRIVATE KEY-----' })).to.throw();
  });

  it('REVIEW-H2 an ed25519 key (which the DNS page accepts and asks to publish) signs the mail', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dkim = dkimFromConfig({ DKIM_DOMAIN: 'madoguchi.localhost', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY: pem })!;
    const { dkimRecordOf } = await import('../../../server/domains/maillog/maillog.dns.ts');
    const record = dkimRecordOf(pem);
    const checks = await checkMailDns({ resolveTxt: async (n) => (n === 's1._domainkey.madoguchi.localhost' ? [[record]] : [['v=spf1 -all'], ['v=DMARC1; p=none']].filter((r) => (n.startsWith('_dmarc') ? r[0]!.startsWith('v=DMARC') : r[0]!.startsWith('v=spf')))) }, { mailDomain: 'madoguchi.localhost', dkim });
    expect(checks.find((c) => c.kind === 'dkim')!.ok, 'the settings page says DKIM is fine').to.equal(true);
    const eml = await sentWith(pem);
    expect(eml, 'the mail carries a DKIM-Signature').to.match(/^DKIM-Signature:/im);
  });
});
