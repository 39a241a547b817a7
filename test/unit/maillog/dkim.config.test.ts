import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../server/config.ts';
import { dkimFromConfig, mailDomainOf } from '../../../server/core/mail.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

describe('DKIM configuration', () => {
  it('signs only with the domain, the selector and a key together; half a setting stops the start', () => {
    expect(dkimFromConfig(loadConfig({}))).to.equal(undefined);
    expect(() => loadConfig({ DKIM_DOMAIN: 'shop.example.jp', DKIM_SELECTOR: 'mdg1' })).to.throw(ConfigError, /DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY/);
    expect(() => loadConfig({ DKIM_DOMAIN: 'shop.example.jp', DKIM_SELECTOR: 'mdg1', DKIM_PRIVATE_KEY: 'not a key' })).to.throw(ConfigError, /DKIM_PRIVATE_KEY="not a key": expected a PEM private key/);
    expect(() => loadConfig({ DKIM_DOMAIN: 'shop.example.jp', DKIM_SELECTOR: 'mdg1', DKIM_PRIVATE_KEY_FILE: '/nonexistent/key.pem' })).to.throw(ConfigError, /no such file/);
  });

  it('refuses a key nodemailer cannot sign with (text that only looks like PEM, an ed25519 key), which would send every mail unsigned', () => {
    const base = { DKIM_DOMAIN: 'shop.example.jp', DKIM_SELECTOR: 'mdg1' };
    expect(() => loadConfig({ ...base, DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nnot a key\\n-----END PRIVATE KEY-----' })).to.throw(ConfigError, /DKIM_PRIVATE_KEY: not a private key/);
    const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadConfig({ ...base, DKIM_PRIVATE_KEY: ed25519 })).to.throw(ConfigError, /DKIM_PRIVATE_KEY: the key is ed25519; DKIM signing needs an RSA key/);
    const file = join(mkdtempSync(join(tmpdir(), 'mdg-dkim-')), 'key.pem');
    writeFileSync(file, ed25519);
    expect(() => loadConfig({ ...base, DKIM_PRIVATE_KEY_FILE: file })).to.throw(ConfigError, /DKIM_PRIVATE_KEY_FILE: the key is ed25519/);
  });

  it('reads the key from the variable (new lines written as \\n) or from a file', () => {
    const inline = dkimFromConfig(loadConfig({ DKIM_DOMAIN: 'Shop.Example.jp', DKIM_SELECTOR: 'mdg1', DKIM_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n') }))!;
    expect(inline).to.deep.equal({ domainName: 'shop.example.jp', keySelector: 'mdg1', privateKey });
    const file = join(mkdtempSync(join(tmpdir(), 'mdg-dkim-')), 'key.pem');
    writeFileSync(file, privateKey);
    expect(dkimFromConfig(loadConfig({ DKIM_DOMAIN: 'shop.example.jp', DKIM_SELECTOR: 'mdg1', DKIM_PRIVATE_KEY_FILE: file }))!.privateKey).to.equal(privateKey);
  });

  it('takes the sending domain from MAIL_FROM, with or without a display name', () => {
    expect(mailDomainOf('窓口 madoguchi <no-reply@Mail.Shop.example.jp>')).to.equal('mail.shop.example.jp');
    expect(mailDomainOf('no-reply@shop.example.jp')).to.equal('shop.example.jp');
  });
});
