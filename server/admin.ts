/**
 * Operator commands, run on the server:
 *
 *   npm run admin -- open-shop "<shop name>" <owner email>
 *
 * opens a shop and mails its first owner an invitation (to DATA_DIR/outbox without SMTP_URL).
 *
 *   npm run admin -- outbox retry [--topic <topic>] [--since <ISO time>]
 *
 * hands the outbox rows that failed for good (of that topic, failed since then) over again: a
 * running server or `npm run worker` runs them. With the embedded database, run it while the
 * server is stopped (one process at a time opens the folder); the rows go when it starts.
 */

import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig, publicUrl, type Config } from './config.ts';
import { openConfiguredDatabase, type Database } from './core/db/client.ts';
import { createLogger } from './core/logger.ts';
import { MAIL_SEND } from './core/mail.jobs.ts';
import { sendMailJob } from './domains/maillog/maillog.jobs.ts';
import { mailLogDeps } from './domains/maillog/maillog.send.ts';
import { inboundEmailConfig } from './domains/conversations/conversations.email.ts';
import { mailerFromConfig } from './core/mail.ts';
import { runPendingNow } from './core/outbox.dispatcher.ts';
import { retryFailed } from './core/outbox.ts';
import { invite } from './domains/invitations/invitations.service.ts';
import { createShopBody, email } from './domains/shops/shops.schema.ts';
import { openShopAsOperator } from './domains/shops/shops.service.ts';

const usage = `usage:
  npm run admin -- open-shop "<shop name>" <owner email>
  npm run admin -- outbox retry [--topic <topic>] [--since <ISO time>]`;

function fail(message: string): never {
  process.stderr.write(`madoguchi admin: ${message}\n`);
  process.exit(1);
}

async function withDatabase(work: (config: Config, database: Database) => Promise<void>): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    fail(e instanceof ConfigError ? e.message : String(e));
  }
  const database = await openConfiguredDatabase(config).catch((e: Error) => fail(e.message));
  try {
    await work(config, database);
  } finally {
    await database.close();
  }
}

async function openShop(args: string[]): Promise<void> {
  const [name, ownerEmail] = args;
  if (!name || !ownerEmail || args.length > 2) fail(usage);
  const settings = createShopBody.safeParse({ name });
  if (!settings.success) fail(`the shop name is not valid: ${settings.error.issues[0]?.message}`);
  const owner = email.safeParse(ownerEmail);
  if (!owner.success) fail(`"${ownerEmail}" is not an email address`);
  await withDatabase(async (config, database) => {
    const mailer = mailerFromConfig(config, createLogger('warn'));
    try {
      const { shop, actor } = await openShopAsOperator(database.db, settings.data);
      await invite({ db: database.db, baseUrl: publicUrl(config) }, actor, { email: owner.data, role: 'owner' });
      // No worker here: send the new shop's mail from this process. A failure leaves it in the
      // outbox, where the server (or `npm run worker`) picks it up.
      const sent = await runPendingNow(database.db, { shopId: shop.id, topic: MAIL_SEND }, (data, tx) =>
        sendMailJob(mailLogDeps({ db: tx, mailer, baseUrl: publicUrl(config), inbound: inboundEmailConfig(config) }), 'invitation')(data),
      );
      process.stdout.write(
        `opened shop "${shop.name}" (${shop.id}); ${sent.failed ? 'the invitation mail could not be sent yet; it stays queued and the server sends it once it runs' : 'invitation mailed'} to its owner${config.SMTP_URL ? '' : ` (no SMTP_URL: see ${config.DATA_DIR}/outbox)`}\n`,
      );
    } finally {
      mailer.close();
    }
  });
}

/** With its offset: a bare date or time would be read in UTC, nine hours from what a Japanese operator means. */
const since = z.iso.datetime({ offset: true });

async function retryOutbox(args: string[]): Promise<void> {
  let values: { topic?: string; since?: string };
  try {
    ({ values } = parseArgs({ args, options: { topic: { type: 'string' }, since: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    fail(`${(e as Error).message}\n${usage}`);
  }
  if (values.since !== undefined && !since.safeParse(values.since).success) fail(`--since "${values.since}" is not an ISO time with its offset (2026-12-04T09:00:00+09:00)`);
  await withDatabase(async (_config, database) => {
    const { retried, dropped } = await retryFailed(database.db, { topic: values.topic, since: values.since ? new Date(values.since) : undefined });
    process.stdout.write(
      `outbox retry: ${retried} failed row${retried === 1 ? '' : 's'} handed over again (a running server or worker runs them)` +
        (dropped ? `; ${dropped} left as failed: their payload held secrets and was dropped when they failed` : '') +
        '\n',
    );
  });
}

const [command, ...args] = process.argv.slice(2);
if (command === 'open-shop') await openShop(args);
else if (command === 'outbox' && args[0] === 'retry') await retryOutbox(args.slice(1));
else fail(usage);
