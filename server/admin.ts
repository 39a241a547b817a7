/**
 * Operator commands, run on the server:
 *
 *   npm run admin -- open-shop "<shop name>" <owner email>
 *
 * opens a shop and mails its first owner an invitation (to DATA_DIR/outbox without SMTP_URL).
 */

import { ConfigError, loadConfig, publicUrl } from './config.ts';
import { openConfiguredDatabase } from './core/db/client.ts';
import { createLogger } from './core/logger.ts';
import { MAIL_SEND, sendMailJob } from './core/mail.jobs.ts';
import { mailerFromConfig } from './core/mail.ts';
import { runPendingNow } from './core/outbox.dispatcher.ts';
import { invite } from './domains/invitations/invitations.service.ts';
import { createShopBody, email } from './domains/shops/shops.schema.ts';
import { openShopAsOperator } from './domains/shops/shops.service.ts';

const usage = 'usage: npm run admin -- open-shop "<shop name>" <owner email>';

function fail(message: string): never {
  process.stderr.write(`madoguchi admin: ${message}\n`);
  process.exit(1);
}

const [command, name, ownerEmail] = process.argv.slice(2);
if (command !== 'open-shop' || !name || !ownerEmail) fail(usage);
const settings = createShopBody.safeParse({ name });
if (!settings.success) fail(`the shop name is not valid: ${settings.error.issues[0]?.message}`);
const owner = email.safeParse(ownerEmail);
if (!owner.success) fail(`"${ownerEmail}" is not an email address`);

let config;
try {
  config = loadConfig();
} catch (e) {
  fail(e instanceof ConfigError ? e.message : String(e));
}
const logger = createLogger('warn');
const database = await openConfiguredDatabase(config).catch((e: Error) => fail(e.message));
const mailer = mailerFromConfig(config, logger);
try {
  const { shop, actor } = await openShopAsOperator(database.db, settings.data);
  await invite({ db: database.db, baseUrl: publicUrl(config) }, actor, { email: owner.data, role: 'owner' });
  // No worker here: send the new shop's mail from this process. A failure leaves it in the
  // outbox, where the server (or `npm run worker`) picks it up.
  const sent = await runPendingNow(database.db, { shopId: shop.id, topic: MAIL_SEND }, sendMailJob(mailer));
  process.stdout.write(
    `opened shop "${shop.name}" (${shop.id}); ${sent.failed ? 'the invitation mail could not be sent yet; it stays queued and the server sends it once it runs' : 'invitation mailed'} to its owner${config.SMTP_URL ? '' : ` (no SMTP_URL: see ${config.DATA_DIR}/outbox)`}\n`,
  );
} finally {
  mailer.close();
  await database.close();
}

