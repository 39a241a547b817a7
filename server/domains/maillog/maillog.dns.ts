import { createPublicKey } from 'node:crypto';
import type { Bilingual } from '../../core/messages.ts';

/**
 * The DNS records a sending domain needs for its mail to arrive: SPF, DKIM and DMARC. Gmail's
 * and Yahoo's bulk-sender rules (2024) refuse bulk mail without them, and the Japanese
 * carriers' なりすまし拒否 filters drop mail that fails SPF or DKIM. The resolver is passed in
 * (node:dns/promises' Resolver in the app, a fake in tests): this code does no network itself.
 */
export interface TxtResolver {
  resolveTxt(name: string): Promise<string[][]>;
}

export interface MailDnsSetup {
  /** MAIL_FROM's domain: what the From header shows and DMARC aligns with. */
  mailDomain: string;
  /** The envelope sender's domain (the VERP return path on INBOUND_EMAIL_DOMAIN), when it is not mailDomain. */
  returnPathDomain?: string;
  /** DKIM signing, when configured. */
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}

export interface DnsRecordCheck {
  kind: 'spf' | 'dkim' | 'dmarc';
  name: string;
  type: 'TXT';
  expected: string;
  found: string[];
  ok: boolean;
  problem: Bilingual | null;
}

/** The TXT strings of a name, each record's chunks joined; a name with none is []. A lookup that fails otherwise is undefined. */
async function txt(resolver: TxtResolver, name: string): Promise<string[] | undefined> {
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENODATA' || code === 'ENOTFOUND' || code === 'NXDOMAIN') return [];
    return undefined;
  }
}

const unreachable = (name: string): Bilingual => ({ ja: `${name} の DNS を確認できませんでした。しばらくしてからもう一度お試しください。`, en: `Could not look up ${name} in DNS; try again later.` });

/** The DKIM record of a private key: its public half, base64 DER (SubjectPublicKeyInfo), as `p=`. */
export function dkimRecordOf(privateKey: string): string {
  const key = createPublicKey(privateKey);
  // nodemailer signs with RSA only (loadConfig refuses other keys): a record for another kind would promise signatures that never come.
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key: DKIM signing needs an RSA key`);
  return `v=DKIM1; k=rsa; p=${key.export({ type: 'spki', format: 'der' }).toString('base64')}`;
}

const tag = (record: string, name: string) => new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;]*)`, 'i').exec(record)?.[1]?.replace(/\s+/g, '');

async function spfCheck(resolver: TxtResolver, domain: string): Promise<DnsRecordCheck> {
  const base = { kind: 'spf' as const, name: domain, type: 'TXT' as const, expected: 'v=spf1 include:<送信に使うメールサービスの SPF / your mail service’s SPF> ~all' };
  const found = await txt(resolver, domain);
  if (!found) return { ...base, found: [], ok: false, problem: unreachable(domain) };
  const spf = found.filter((r) => /^v=spf1(\s|$)/i.test(r));
  if (!spf.length) return { ...base, found, ok: false, problem: { ja: `${domain} に SPF レコード（v=spf1 …）がありません。`, en: `${domain} has no SPF record (v=spf1 …).` } };
  if (spf.length > 1) return { ...base, found, ok: false, problem: { ja: `${domain} に SPF レコードが ${spf.length} つあります。1 つにまとめてください（複数あると SPF は失敗します）。`, en: `${domain} has ${spf.length} SPF records; merge them into one (with several, SPF fails).` } };
  if (/(^|\s)\+?all(\s|$)/i.test(spf[0]!)) return { ...base, found, ok: false, problem: { ja: 'SPF が「+all」（すべての送信元を許可）になっています。「~all」か「-all」にしてください。', en: 'The SPF record ends in +all (anyone may send); use ~all or -all.' } };
  return { ...base, found, ok: true, problem: null };
}

async function dkimCheck(resolver: TxtResolver, dkim: MailDnsSetup['dkim'], mailDomain: string): Promise<DnsRecordCheck> {
  if (!dkim) {
    return {
      kind: 'dkim',
      name: `<selector>._domainkey.${mailDomain}`,
      type: 'TXT',
      expected: 'v=DKIM1; k=rsa; p=<public key>',
      found: [],
      ok: false,
      problem: { ja: 'DKIM 署名が設定されていません（DKIM_DOMAIN・DKIM_SELECTOR・DKIM_PRIVATE_KEY）。', en: 'DKIM signing is not configured (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY).' },
    };
  }
  const name = `${dkim.keySelector}._domainkey.${dkim.domainName}`;
  let expected: string;
  try {
    expected = dkimRecordOf(dkim.privateKey);
  } catch {
    // loadConfig refuses such a key; a check handed one anyway says so rather than failing the page.
    return { kind: 'dkim', name, type: 'TXT', expected: 'v=DKIM1; k=rsa; p=<public key>', found: [], ok: false, problem: { ja: 'DKIM の秘密鍵を読み込めません。DKIM_PRIVATE_KEY に RSA の秘密鍵（PEM）を設定してください。', en: 'The DKIM private key cannot be read; set DKIM_PRIVATE_KEY to an RSA private key (PEM).' } };
  }
  const base = { kind: 'dkim' as const, name, type: 'TXT' as const, expected };
  const found = await txt(resolver, name);
  if (!found) return { ...base, found: [], ok: false, problem: unreachable(name) };
  const keys = found.filter((r) => /v=DKIM1/i.test(r) || /(^|;)\s*p=/i.test(r));
  if (!keys.length) return { ...base, found, ok: false, problem: { ja: `${name} に DKIM の公開鍵がありません。`, en: `${name} has no DKIM public key.` } };
  if (!keys.some((r) => tag(r, 'p') === tag(expected, 'p'))) {
    return { ...base, found, ok: false, problem: { ja: `${name} の公開鍵が、署名に使っている秘密鍵と一致しません。`, en: `The public key at ${name} does not match the private key mail is signed with.` } };
  }
  const problem =
    dkim.domainName !== mailDomain && !mailDomain.endsWith(`.${dkim.domainName}`) && !dkim.domainName.endsWith(`.${mailDomain}`)
      ? { ja: `署名ドメイン ${dkim.domainName} が送信元 ${mailDomain} と異なるため、DMARC の条件を満たしません。`, en: `The signing domain ${dkim.domainName} is not aligned with the From domain ${mailDomain}, so it does not count for DMARC.` }
      : null;
  return { ...base, found, ok: !problem, problem };
}

async function dmarcCheck(resolver: TxtResolver, domain: string): Promise<DnsRecordCheck> {
  const name = `_dmarc.${domain}`;
  const base = { kind: 'dmarc' as const, name, type: 'TXT' as const, expected: `v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}` };
  const found = await txt(resolver, name);
  if (!found) return { ...base, found: [], ok: false, problem: unreachable(name) };
  const dmarc = found.filter((r) => /^v=DMARC1\s*(;|$)/i.test(r));
  if (dmarc.length !== 1) {
    return {
      ...base,
      found,
      ok: false,
      problem: dmarc.length ? { ja: `${name} に DMARC レコードが複数あります。1 つにしてください。`, en: `${name} has several DMARC records; keep one.` } : { ja: `${name} に DMARC レコードがありません（Gmail・Yahoo の一括送信者の要件です）。`, en: `${name} has no DMARC record (Gmail's and Yahoo's bulk-sender rules require one).` },
    };
  }
  const policy = tag(dmarc[0]!, 'p')?.toLowerCase();
  if (!policy || !['none', 'quarantine', 'reject'].includes(policy)) return { ...base, found, ok: false, problem: { ja: 'DMARC レコードに p=none・quarantine・reject のいずれかが必要です。', en: 'The DMARC record needs p=none, quarantine or reject.' } };
  return { ...base, found, ok: true, problem: null };
}

/** Checks each record the setup needs, all at once. */
export async function checkMailDns(resolver: TxtResolver, setup: MailDnsSetup): Promise<DnsRecordCheck[]> {
  const spfDomains = [setup.mailDomain, ...(setup.returnPathDomain && setup.returnPathDomain !== setup.mailDomain ? [setup.returnPathDomain] : [])];
  return Promise.all([...spfDomains.map((d) => spfCheck(resolver, d)), dkimCheck(resolver, setup.dkim, setup.mailDomain), dmarcCheck(resolver, setup.mailDomain)]);
}
