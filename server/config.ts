import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { dkimFromConfig } from './core/mail.ts';
import { parseKeys } from './core/sealed.ts';

/**
 * The only place that reads process.env. Every variable is listed in the README's
 * configuration table; keep the two in step.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z
    .string()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535).default(3000),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[\w:.-]*$/, 'expected letters, digits, : . _ -').default('mdg:'),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('窓口 madoguchi <no-reply@madoguchi.localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number({ message: 'expected a number of hours' }).positive('expected a positive number of hours').max(24 * 30, 'expected at most 720 hours').default(12),
  COOKIE_SECURE: bool.optional(),
  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_KB: z.coerce.number({ message: 'expected a size in KiB' }).int().min(1).max(10240).default(256),
  IMPORT_LIMIT_MB: z.coerce.number({ message: 'expected a size in MiB' }).int().min(1).max(200).default(10),
  ATTACHMENT_LIMIT_MB: z.coerce.number({ message: 'expected a size in MiB' }).positive('expected a positive size in MiB').max(100).default(10),
  /** Default: on, except with NODE_ENV=production (demo people in production are a risk). */
  SEED_DEMO: bool.optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number({ message: 'expected milliseconds' }).int().min(0).default(10000),
  /** inline: this process also dispatches the outbox and runs jobs; off: API only, `npm run worker` processes run them. */
  JOBS: z.enum(['inline', 'off']).default('inline'),
  /**
   * inline: the jobs worker's process (JOBS=inline, or `npm run worker`) also runs the bulk notice
   * worker; off: it only hands notice chunks to the bulk queue, and `npm run worker:notices`
   * processes send them, so a campaign never shares an event loop with alerts and portal codes.
   */
  NOTICE_BULK: z.enum(['inline', 'off']).default('inline'),
  /** Events a second one socket may send, and the burst it may save up; beyond, refusals, then a disconnect. */
  SOCKET_RATE: z.coerce.number({ message: 'expected events per second' }).positive().max(100_000).default(20),
  SOCKET_BURST: z.coerce.number({ message: 'expected a number of events' }).int().min(1).max(100_000).default(40),
  /** Under load (once batches of chat messages hold several: GATHER_AFTER), how long from a batch's start the next gathers (0: each starts as soon as it can); unset: GATHER_MS (conversations.writer.ts). */
  CHAT_GATHER_MS: z.coerce.number({ message: 'expected milliseconds' }).min(0).max(100, 'expected at most 100 ms').optional(),
  /** Inbox pages kept in each server process, in MB, for the agents who read the same view (conversations.pagecache.ts); 0 keeps none. */
  INBOX_CACHE_MB: z.coerce.number({ message: 'expected megabytes' }).min(0).max(4096, 'expected at most 4096 MB').default(32),
  /** An agent's reply the customer has not read after this long goes out by mail. */
  REPLY_MAIL_DELAY_SECONDS: z.coerce.number({ message: 'expected seconds' }).int().min(0).max(86400).default(60),
  /** Replies by mail: the Bearer secret the mail server posts with, and the key that signs reply addresses. */
  INBOUND_EMAIL_SECRET: z.string().min(24, 'expected at least 24 characters').optional(),
  /** The mail domain routed to POST /api/inbound/email (reply+… and shop+… addresses). */
  INBOUND_EMAIL_DOMAIN: z
    .string()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'expected a domain name such as reply.example.jp')
    .optional(),
  /** Outbox rows whose work is done are deleted this many days later (a daily job). */
  OUTBOX_RETENTION_DAYS: z.coerce.number({ message: 'expected a number of days' }).int().min(1).max(3650).default(14),
  /** Outbox rows that failed for good are kept longer, for the operator to look into, then deleted. */
  OUTBOX_FAILED_RETENTION_DAYS: z.coerce.number({ message: 'expected a number of days' }).int().min(1).max(3650).default(90),
  /** A shop is told (the Slack alert `system_trouble`) once the mail server has deferred its mail this long with none going out. */
  TROUBLE_MAIL_AWAY_SECONDS: z.coerce.number({ message: 'expected seconds' }).int().min(0).max(86400).default(900),
  /** Mail log rows are deleted this many days after the mail (a daily job); their raw delivery reports go after 90 days. Suppressions stay. */
  MAIL_LOG_RETENTION_DAYS: z.coerce.number({ message: 'expected a number of days' }).int().min(1).max(3650).default(400),
  /** The embedded database backs itself up every night at this hour, Asia/Tokyo, into DATA_DIR/backups. */
  BACKUP_NIGHTLY: bool.default(true),
  BACKUP_HOUR: z.coerce.number({ message: 'expected an hour from 0 to 23' }).int().min(0, 'expected an hour from 0 to 23').max(23, 'expected an hour from 0 to 23').default(3),
  /** Backups kept: the newest of each of this many recent days, and of this many recent weeks. */
  BACKUP_KEEP_DAILY: z.coerce.number({ message: 'expected a number of days' }).int().min(1, 'expected at least 1').max(366).default(7),
  BACKUP_KEEP_WEEKLY: z.coerce.number({ message: 'expected a number of weeks' }).int().min(0).max(520).default(4),
  /** DKIM signing of every mail: the signing domain (d=), the selector (s=) and the private key (PEM, or a file holding it). */
  DKIM_DOMAIN: z
    .string()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'expected a domain name such as example.jp')
    .optional(),
  DKIM_SELECTOR: z.string().regex(/^[a-z0-9]([a-z0-9._-]{0,62})$/i, 'expected a selector such as madoguchi1').optional(),
  DKIM_PRIVATE_KEY: z.string().includes('PRIVATE KEY', { message: 'expected a PEM private key (-----BEGIN PRIVATE KEY-----…)' }).optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  /**
   * Keys that seal secrets madoguchi reads back (Slack tokens): `<id>:<base64 of 32 bytes>[,…]`,
   * the first sealing, all opening (rotation). Unset: one generated into DATA_DIR/secrets.key;
   * required in production (see core/sealed.ts).
   */
  SECRETS_KEYS: z.string().min(1).optional(),
  /** The Slack app's credentials, for "Add to Slack" (OAuth) and its signed requests; without them a shop pastes its own app's bot token and signing secret. */
  SLACK_CLIENT_ID: z.string().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'expected the app\'s signing secret').optional(),
  /** Slack's Web API (tests point it at a local stand-in). */
  SLACK_API_URL: z.url({ message: 'expected a URL such as https://slack.com/api/' }).default('https://slack.com/api/'),
  /** A Shopify public app's credentials, for "install from Shopify" (OAuth); without them a shop pastes its custom app's Admin API token and API secret. */
  SHOPIFY_CLIENT_ID: z.string().min(1).optional(),
  SHOPIFY_CLIENT_SECRET: z.string().min(1).optional(),
  /** Where a shop's Admin API lives: `{shop}` is replaced by its myshopify.com domain (tests point it at a local stand-in). */
  SHOPIFY_API_URL: z.string().regex(/^https?:\/\/.*\{shop\}/, 'expected a URL holding {shop}, such as https://{shop}').default('https://{shop}'),
  SHOPIFY_API_VERSION: z.string().regex(/^\d{4}-\d{2}$/, 'expected a version such as 2025-10').default('2025-10'),
  /** The BASE app's credentials, for connecting a BASE shop (OAuth); without them BASE cannot be connected. */
  BASE_CLIENT_ID: z.string().min(1).optional(),
  BASE_CLIENT_SECRET: z.string().min(1).optional(),
  /** BASE's API (tests point it at a local stand-in). */
  BASE_API_URL: z.url({ message: 'expected a URL such as https://api.thebase.in' }).default('https://api.thebase.in'),
  /** How often a BASE shop's orders are polled (BASE has no webhooks for orders). */
  STORE_POLL_MINUTES: z.coerce.number({ message: 'expected minutes' }).int().min(1).max(1440).default(10),
  /** How often a Shopify store is reconciled (the webhooks Shopify gave up on are caught then). */
  STORE_RECONCILE_MINUTES: z.coerce.number({ message: 'expected minutes' }).int().min(1).max(1440).default(60),
  INBOUND_EMAIL_LIMIT_MB: z.coerce.number({ message: 'expected a size in MiB' }).positive('expected a positive size in MiB').max(100).default(25),
});

export type Config = Omit<z.infer<typeof configSchema>, 'SEED_DEMO'> & { SEED_DEMO: boolean };

/** Thrown with a message naming every bad variable and what it expects. */
export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(configSchema.shape);
  const picked = Object.fromEntries(known.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      return `${name}=${JSON.stringify(picked[name] ?? '')}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production') {
    // In production, mail must really go out, and its links must point where people are.
    const missing = (['PUBLIC_URL', 'SMTP_URL', 'SECRETS_KEYS'] as const).filter((k) => !c[k]);
    if (missing.length) throw new ConfigError(`invalid configuration: ${missing.map((k) => `${k} is required when NODE_ENV=production`).join('; ')}`);
  }
  if (!c.SHOPIFY_CLIENT_ID !== !c.SHOPIFY_CLIENT_SECRET) throw new ConfigError('invalid configuration: set SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET together, or neither');
  if (!c.BASE_CLIENT_ID !== !c.BASE_CLIENT_SECRET) throw new ConfigError('invalid configuration: set BASE_CLIENT_ID and BASE_CLIENT_SECRET together, or neither');
  if (!c.INBOUND_EMAIL_SECRET !== !c.INBOUND_EMAIL_DOMAIN) {
    // One without the other would either sign addresses nobody receives or receive unsigned mail.
    throw new ConfigError('invalid configuration: set INBOUND_EMAIL_SECRET and INBOUND_EMAIL_DOMAIN together, or neither');
  }
  if (c.SECRETS_KEYS) {
    try {
      parseKeys(c.SECRETS_KEYS);
    } catch (e) {
      throw new ConfigError(`invalid configuration: SECRETS_KEYS: ${(e as Error).message}`);
    }
  }
  const slackApp = [c.SLACK_CLIENT_ID, c.SLACK_CLIENT_SECRET, c.SLACK_SIGNING_SECRET];
  if (slackApp.some(Boolean) && !slackApp.every(Boolean)) {
    // "Add to Slack" needs all three: the install exchanges the code with the id and secret, and every request Slack sends is signed with the signing secret.
    throw new ConfigError('invalid configuration: set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET together, or none');
  }
  const dkim = [c.DKIM_DOMAIN, c.DKIM_SELECTOR, c.DKIM_PRIVATE_KEY ?? c.DKIM_PRIVATE_KEY_FILE];
  if (dkim.some(Boolean) && !dkim.every(Boolean)) {
    // Half a DKIM setting would send unsigned mail while the operator believes it is signed.
    throw new ConfigError('invalid configuration: set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE) together, or none');
  }
  if (c.DKIM_PRIVATE_KEY_FILE && !existsSync(c.DKIM_PRIVATE_KEY_FILE)) throw new ConfigError(`invalid configuration: DKIM_PRIVATE_KEY_FILE=${JSON.stringify(c.DKIM_PRIVATE_KEY_FILE)}: no such file`);
  if (dkim.every(Boolean)) dkimKeyProblem(dkimFromConfig(c)!.privateKey, c.DKIM_PRIVATE_KEY ? 'DKIM_PRIVATE_KEY' : 'DKIM_PRIVATE_KEY_FILE');
  return { ...c, SEED_DEMO: c.SEED_DEMO ?? c.NODE_ENV !== 'production' };
}

/**
 * The DKIM key must be one nodemailer signs with: an RSA private key. With anything else
 * (text that only looks like PEM, an ed25519 key) nodemailer sends every mail unsigned and
 * says nothing, while the settings page asks the shop to publish a record for it.
 */
function dkimKeyProblem(pem: string, where: string): void {
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch (e) {
    throw new ConfigError(`invalid configuration: ${where}: not a private key that can be read (${(e as Error).message})`);
  }
  if (type !== 'rsa') throw new ConfigError(`invalid configuration: ${where}: the key is ${type ?? 'of an unknown kind'}; DKIM signing needs an RSA key (openssl genrsa 2048)`);
}

/** Where people reach this deployment: for links in mail and printed sign-ins. */
export const publicUrl = (c: Config) => (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '');
