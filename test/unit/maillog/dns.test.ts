import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { checkMailDns, dkimRecordOf, type TxtResolver } from '../../../server/domains/maillog/maillog.dns.ts';

/** DNS as a table: a name with no entry has no records; `broken` names time out. The resolver is our boundary with the network. */
function fakeDns(records: Record<string, string[][]>, broken: string[] = []): TxtResolver {
  return {
    async resolveTxt(name: string) {
      if (broken.includes(name)) throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
      const r = records[name];
      if (!r) throw Object.assign(new Error('no data'), { code: 'ENODATA' });
      return r;
    },
  };
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const dkim = { domainName: 'shop.example.jp', keySelector: 'mdg1', privateKey };

describe('the DNS check of the sending domain', () => {
  it('passes SPF, DKIM (the public half of the signing key, split in chunks) and DMARC', async () => {
    const key = dkimRecordOf(privateKey);
    const dns = fakeDns({
      'shop.example.jp': [['v=spf1 include:_spf.mail.example.net ~all'], ['google-site-verification=x']],
      'mdg1._domainkey.shop.example.jp': [[key.slice(0, 200), key.slice(200)]],
      '_dmarc.shop.example.jp': [['v=DMARC1; p=none; rua=mailto:d@shop.example.jp']],
    });
    const r = await checkMailDns(dns, { mailDomain: 'shop.example.jp', dkim });
    expect(r.map((x) => [x.kind, x.ok, x.problem])).to.deep.equal([
      ['spf', true, null],
      ['dkim', true, null],
      ['dmarc', true, null],
    ]);
    expect(r[1]!.expected).to.match(/^v=DKIM1; k=rsa; p=MI/);
  });

  it('says what is missing or wrong, in both languages', async () => {
    const dns = fakeDns({
      'shop.example.jp': [['v=spf1 a ~all'], ['v=spf1 mx -all']],
      'mdg1._domainkey.shop.example.jp': [['v=DKIM1; k=rsa; p=AAAAnotthekey']],
      'reply.example.jp': [['v=spf1 +all']],
    });
    const r = await checkMailDns(dns, { mailDomain: 'shop.example.jp', returnPathDomain: 'reply.example.jp', dkim });
    const by = (kind: string, name?: string) => r.find((x) => x.kind === kind && (!name || x.name === name))!;
    expect(by('spf', 'shop.example.jp').problem!.en).to.include('2 SPF records');
    expect(by('spf', 'reply.example.jp').problem!.en).to.include('+all');
    expect(by('dkim').problem!.ja).to.include('一致しません');
    expect(by('dmarc').problem!.en).to.include('no DMARC record');
    expect(r.every((x) => !x.ok)).to.equal(true);
  });

  it('says DKIM is not configured, and that a lookup failed rather than that a record is missing', async () => {
    const r = await checkMailDns(fakeDns({}, ['_dmarc.shop.example.jp']), { mailDomain: 'shop.example.jp' });
    expect(r.find((x) => x.kind === 'dkim')!.problem!.en).to.include('not configured');
    expect(r.find((x) => x.kind === 'dmarc')!.problem!.en).to.include('Could not look up');
  });

  it('says the signing key cannot be read (an ed25519 key, text that is no key) instead of failing the page', async () => {
    const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const bad of [ed25519, '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----']) {
      const r = await checkMailDns(fakeDns({}), { mailDomain: 'shop.example.jp', dkim: { ...dkim, privateKey: bad } });
      const check = r.find((x) => x.kind === 'dkim')!;
      expect(check).to.include({ ok: false, expected: 'v=DKIM1; k=rsa; p=<public key>' });
      expect(check.problem!.en).to.include('cannot be read');
    }
  });
});
