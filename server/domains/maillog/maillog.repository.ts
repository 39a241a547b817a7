import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, inArray, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations, customers } from '../conversations/conversations.tables.ts';
import { mailKeys, mailLog, mailSuppressionLifts, mailSuppressions, RAW_REPORT_MAX, type MailKind, type MailStatus, type SuppressionReason } from './maillog.tables.ts';

export type MailLogRow = typeof mailLog.$inferSelect;
export type SuppressionRow = typeof mailSuppressions.$inferSelect;

export interface NewLogRow {
  id: string;
  shopId: string;
  kind: MailKind;
  recipient: string;
  subject: string;
  messageId: string;
  bulk: boolean;
  conversationId?: string;
  orderNumber?: string;
  orderNumbers?: string[];
  returnId?: string;
  campaignId?: string;
  invitationId?: string;
}

/**
 * How long a claim holds a mail for the worker that made it: longer than a send can take
 * (nodemailer gives up on a connection after 10 s, on a silent server after 20 s), short
 * enough that the retry of a worker that died with the claim finds it lapsed.
 */
export const MAIL_LEASE_SECONDS = 60;

/** The statuses a claim may take a mail from: not sent yet, or its last attempt ended without it (a retry, "retry failed", a suppression lifted). */
const claimable = ['queued', 'deferred', 'failed', 'suppressed'] as const;

export interface Claim {
  row: MailLogRow;
  /** True: this caller holds the mail and sends it. False: it is sent, bounced, or another worker holds it. */
  mine: boolean;
  /** The claim's token, when mine: what records the attempt, renews or lets go must name. */
  token?: string;
}

/**
 * Claims the mail of this Message-ID in this shop for one sender, atomically: the row written
 * now (queued), or an unfinished one whose claim is free or lapsed, gets a lease of
 * `leaseSeconds`, and only the caller whose statement took it sends. Two workers sending the
 * same mail at once (a stalled job run again, a chunk handed over twice) send it once.
 */
export async function claimLogRow(db: Db, row: NewLogRow, leaseSeconds = MAIL_LEASE_SECONDS): Promise<Claim> {
  const until = sql`now() + make_interval(secs => ${leaseSeconds})`;
  const token = randomUUID();
  const [made] = await db
    .insert(mailLog)
    .values({ ...row, leaseUntil: until, leaseToken: token })
    .onConflictDoNothing({ target: [mailLog.shopId, mailLog.messageId] })
    .returning();
  if (made) return { row: made, mine: true, token };
  const [taken] = await db
    .update(mailLog)
    .set({ leaseUntil: until, leaseToken: token })
    .where(and(eq(mailLog.shopId, row.shopId), eq(mailLog.messageId, row.messageId), inArray(mailLog.status, [...claimable]), sql`(${mailLog.leaseUntil} is null or ${mailLog.leaseUntil} < now())`))
    .returning();
  if (taken) return { row: taken, mine: true, token };
  return { row: (await findByMessageId(db, row.shopId, row.messageId))!.row, mine: false };
}

/** The row of a Message-ID, and whether a sender's claim on it holds now (by the database's clock, as the claim was made). */
export async function findByMessageId(db: Db, shopId: string, messageId: string): Promise<{ row: MailLogRow; leased: boolean } | undefined> {
  const [r] = await db
    .select({ row: mailLog, leased: sql<boolean>`coalesce(${mailLog.leaseUntil} > now(), false)` })
    .from(mailLog)
    .where(and(eq(mailLog.shopId, shopId), eq(mailLog.messageId, messageId)));
  return r;
}

/**
 * A row may take an attempt's end: not bounced (a DSN said so meanwhile), not sent when the end
 * is not (a late answer never undoes a mail that went), and still the claim's named by `token`
 * (a holder whose lease lapsed and was taken by another records nothing).
 */
const mayRecord = (status: MailStatus, token: string | undefined) =>
  and(sql`${mailLog.status} <> 'bounced'`, status === 'sent' ? undefined : sql`${mailLog.status} <> 'sent'`, token ? eq(mailLog.leaseToken, token) : undefined);

/** Records one attempt's end and lets go of its claim (see mayRecord). */
export async function markAttempt(db: Db, shopId: string, id: string, status: Extract<MailStatus, 'sent' | 'failed' | 'deferred' | 'suppressed'>, fields: { smtpResponse?: string; reason?: string | null; attempted: boolean; token?: string }): Promise<void> {
  const now = new Date();
  await db
    .update(mailLog)
    .set({
      status,
      updatedAt: now,
      ...(fields.smtpResponse !== undefined ? { smtpResponse: fields.smtpResponse.slice(0, 2000) } : {}),
      reason: fields.reason ?? null,
      // The attempt is over: a retry may claim the mail at once.
      leaseUntil: null,
      leaseToken: null,
      ...(fields.attempted ? { attempts: sql`${mailLog.attempts} + 1` } : {}),
      ...(status === 'sent' ? { sentAt: now } : {}),
    })
    .where(and(eq(mailLog.shopId, shopId), eq(mailLog.id, id), mayRecord(status, fields.token)));
}

/**
 * The batch form of claimLogRow, for a bulk chunk: the rows of these Message-IDs in one shop,
 * each with whether this caller holds it. One INSERT … ON CONFLICT DO NOTHING RETURNING writes
 * the new ones with a lease; one UPDATE … RETURNING takes the unfinished ones whose lease is
 * free or lapsed; one read answers the rest (sent, bounced, or held by another worker).
 */
export async function claimLogRows(db: Db, shopId: string, rows: NewLogRow[], leaseSeconds = MAIL_LEASE_SECONDS): Promise<Map<string, Claim>> {
  const byId = new Map<string, Claim>();
  if (!rows.length) return byId;
  if (rows.some((r) => r.shopId !== shopId)) throw new Error('claimLogRows: one shop per call');
  const until = sql`now() + make_interval(secs => ${leaseSeconds})`;
  const token = randomUUID();
  const made = await db
    .insert(mailLog)
    .values(rows.map((r) => ({ ...r, leaseUntil: until, leaseToken: token })))
    .onConflictDoNothing({ target: [mailLog.shopId, mailLog.messageId] })
    .returning();
  for (const r of made) byId.set(r.messageId, { row: r, mine: true, token });
  const known = rows.filter((r) => !byId.has(r.messageId)).map((r) => r.messageId);
  if (!known.length) return byId;
  const taken = await db
    .update(mailLog)
    .set({ leaseUntil: until, leaseToken: token })
    .where(and(eq(mailLog.shopId, shopId), inArray(mailLog.messageId, known), inArray(mailLog.status, [...claimable]), sql`(${mailLog.leaseUntil} is null or ${mailLog.leaseUntil} < now())`))
    .returning();
  for (const r of taken) byId.set(r.messageId, { row: r, mine: true, token });
  const rest = known.filter((m) => !byId.has(m));
  if (rest.length) for (const r of await db.select().from(mailLog).where(and(eq(mailLog.shopId, shopId), inArray(mailLog.messageId, rest)))) byId.set(r.messageId, { row: r, mine: false });
  return byId;
}

/** What one attempt came to, for the log's row. */
export interface AttemptRecord {
  id: string;
  status: Extract<MailStatus, 'sent' | 'failed' | 'deferred' | 'suppressed'>;
  smtpResponse?: string;
  reason?: string | null;
  /** Counted as an attempt (a mail handed to the server, or tried): not so for a suppressed one. */
  attempted: boolean;
  /** The claim it was made under: recorded only while that claim holds the row (see mayRecord). */
  token?: string;
}

/**
 * Records the ends of attempts of one shop's mails in one UPDATE … FROM (VALUES …), each
 * claim let go (as markAttempt does for one). Never touches a row a DSN has marked bounced meanwhile.
 */
export async function recordAttempts(db: Db, shopId: string, records: AttemptRecord[]): Promise<void> {
  if (!records.length) return;
  const values = sql.join(
    records.map((r) => sql`(${r.id}::uuid, ${r.status}::text, ${r.smtpResponse === undefined ? null : r.smtpResponse.slice(0, 2000)}::text, ${r.reason ?? null}::text, ${r.attempted}::boolean, ${r.token ?? null}::uuid)`),
    sql`, `,
  );
  await db.execute(sql`
    update ${mailLog} as m
       set status = v.status,
           updated_at = now(),
           smtp_response = coalesce(v.smtp_response, m.smtp_response),
           reason = v.reason,
           lease_until = null,
           lease_token = null,
           attempts = m.attempts + (case when v.attempted then 1 else 0 end),
           sent_at = case when v.status = 'sent' then now() else m.sent_at end
      from (values ${values}) as v(id, status, smtp_response, reason, attempted, token)
     where m.shop_id = ${shopId} and m.id = v.id and m.status <> 'bounced'
       and (m.status <> 'sent' or v.status = 'sent')
       and (v.token is null or m.lease_token = v.token)`);
}

/**
 * Takes back what a claim holds of mails never handed to the mail server (a chunk that stopped
 * for a pause, a cancel, the shop's rate or an error): rows it wrote (`drop`), still queued and
 * never attempted, are deleted; rows an earlier attempt left (`letGo`) keep their state, free
 * to be claimed at once. Only while `token`'s claim holds them: a row another worker took after
 * this claim lapsed is theirs.
 */
export async function releaseLogRows(db: Db, shopId: string, token: string, which: { drop: string[]; letGo: string[] }): Promise<void> {
  const ours = (ids: string[]) => and(eq(mailLog.shopId, shopId), inArray(mailLog.id, ids), eq(mailLog.leaseToken, token));
  if (which.drop.length) await db.delete(mailLog).where(and(ours(which.drop), eq(mailLog.status, 'queued'), eq(mailLog.attempts, 0)));
  if (which.letGo.length) await db.update(mailLog).set({ leaseUntil: null, leaseToken: null }).where(ours(which.letGo));
}

/**
 * Renews `token`'s claim on a mail right before it is sent: false when the claim lapsed and
 * another worker took the mail (or it went meanwhile), and this one must not send it.
 */
export async function renewClaim(db: Db, shopId: string, id: string, token: string, leaseSeconds = MAIL_LEASE_SECONDS): Promise<boolean> {
  const held = await db
    .update(mailLog)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${leaseSeconds})` })
    .where(and(eq(mailLog.shopId, shopId), eq(mailLog.id, id), eq(mailLog.leaseToken, token), inArray(mailLog.status, [...claimable])))
    .returning({ id: mailLog.id });
  return held.length > 0;
}

/**
 * The job that sends a mail gave up (its last try was deferred too): the row says so, failed
 * with the last answer, instead of `deferred` (being retried) for ever. A row sent, bounced or
 * claimed by another sender meanwhile is left as it is.
 */
export async function markGaveUp(db: Db, shopId: string, id: string): Promise<boolean> {
  const done = await db
    .update(mailLog)
    .set({ status: 'failed', reason: sql`left('gave up after ' || ${mailLog.attempts} || ' tries: ' || coalesce(${mailLog.reason}, ${mailLog.smtpResponse}, 'no answer'), 2000)`, leaseUntil: null, leaseToken: null, updatedAt: new Date() })
    .where(and(eq(mailLog.shopId, shopId), eq(mailLog.id, id), inArray(mailLog.status, ['queued', 'deferred']), sql`(${mailLog.leaseUntil} is null or ${mailLog.leaseUntil} < now())`))
    .returning({ id: mailLog.id });
  return done.length > 0;
}

/** A log row by id alone: for a signed bounce address or unsubscribe link, which carry no shop (check the signature first). */
export async function findSignedLogRow(db: Db, id: string): Promise<MailLogRow | undefined> {
  const [r] = await db.select().from(mailLog).where(eq(mailLog.id, id));
  return r;
}

export async function findLogRow(db: Db, shopId: string, id: string): Promise<MailLogRow | undefined> {
  const [r] = await db
    .select()
    .from(mailLog)
    .where(and(eq(mailLog.shopId, shopId), eq(mailLog.id, id)));
  return r;
}

/**
 * Marks a mail bounced with what the DSN says, once: answers false when the row was already
 * bounced (a replayed report changes nothing).
 */
export async function markBounced(tx: Db, shopId: string, id: string, dsn: { status: string; diagnostic: string | null; report: string }, at: Date): Promise<boolean> {
  const done = await tx
    .update(mailLog)
    .set({ status: 'bounced', dsnStatus: dsn.status, dsnDiagnostic: dsn.diagnostic?.slice(0, 2000) ?? null, dsnReport: dsn.report.slice(0, RAW_REPORT_MAX), bouncedAt: at, updatedAt: at })
    .where(and(eq(mailLog.shopId, shopId), eq(mailLog.id, id), sql`${mailLog.status} <> 'bounced'`))
    .returning({ id: mailLog.id });
  return done.length > 0;
}

/**
 * Soft bounces of this address in this shop since `since`, and since its bounce suppression
 * was last lifted: DSN status 4.x.x, and the permanent statuses verdictOf calls soft (5.7.x,
 * 5.2.2).
 */
export async function softBouncesSince(db: Db, shopId: string, address: string, since: Date): Promise<number> {
  const lifted = db
    .select({ at: mailSuppressionLifts.liftedAt })
    .from(mailSuppressionLifts)
    .where(and(eq(mailSuppressionLifts.shopId, shopId), eq(mailSuppressionLifts.address, address.toLowerCase())));
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(mailLog)
    .where(
      and(
        eq(mailLog.shopId, shopId),
        sql`lower(${mailLog.recipient}) = ${address.toLowerCase()}`,
        eq(mailLog.status, 'bounced'),
        sql`(${mailLog.dsnStatus} like '4.%' or ${mailLog.dsnStatus} like '5.7.%' or ${mailLog.dsnStatus} = '5.2.2')`,
        gte(mailLog.bouncedAt, since),
        sql`${mailLog.bouncedAt} > coalesce((${lifted}), '-infinity'::timestamptz)`,
      ),
    );
  return r?.n ?? 0;
}

/** The reasons this address is suppressed in this shop (none: it is not). */
export async function suppressionsOf(db: Db, shopId: string, address: string): Promise<SuppressionRow[]> {
  return db
    .select()
    .from(mailSuppressions)
    .where(and(eq(mailSuppressions.shopId, shopId), eq(mailSuppressions.address, address.toLowerCase())));
}

/** Adds a suppression; one already there for the same reason stays as it was (its first cause). */
export async function suppress(db: Db, shopId: string, address: string, reason: SuppressionReason, logId: string | null, detail: string | null): Promise<boolean> {
  const made = await db
    .insert(mailSuppressions)
    .values({ shopId, address: address.toLowerCase(), reason, logId, detail: detail?.slice(0, 500) ?? null })
    .onConflictDoNothing()
    .returning({ address: mailSuppressions.address });
  return made.length > 0;
}

export async function listSuppressions(db: Db, shopId: string): Promise<SuppressionRow[]> {
  return db.select().from(mailSuppressions).where(eq(mailSuppressions.shopId, shopId)).orderBy(sql`${mailSuppressions.createdAt} desc`, mailSuppressions.address);
}

/** Removes the address's suppressions of these reasons; answers which went. The time of the lift is kept: bounces before it no longer count (softBouncesSince). */
export async function liftSuppressions(db: Db, shopId: string, address: string, reasons: SuppressionReason[]): Promise<SuppressionRow[]> {
  const lifted = await db
    .delete(mailSuppressions)
    .where(and(eq(mailSuppressions.shopId, shopId), eq(mailSuppressions.address, address.toLowerCase()), inArray(mailSuppressions.reason, reasons)))
    .returning();
  if (lifted.length) {
    await db
      .insert(mailSuppressionLifts)
      .values({ shopId, address: address.toLowerCase() })
      .onConflictDoUpdate({ target: [mailSuppressionLifts.shopId, mailSuppressionLifts.address], set: { liftedAt: sql`now()` } });
  }
  return lifted;
}

/** The shop's key that signs its unsubscribe links, made on first use. */
export async function mailKeyOf(db: Db, shopId: string, fresh: () => string): Promise<string> {
  const read = async () => (await db.select({ key: mailKeys.key }).from(mailKeys).where(eq(mailKeys.shopId, shopId)))[0]?.key;
  const known = await read();
  if (known) return known;
  const [made] = await db.insert(mailKeys).values({ shopId, key: fresh() }).onConflictDoNothing().returning({ key: mailKeys.key });
  return made?.key ?? (await read())!;
}

export interface LogFilter {
  kind?: MailKind;
  status?: MailStatus;
  recipient?: string;
  conversationId?: string;
  orderNumber?: string;
  returnId?: string;
  campaignId?: string;
  since?: Date;
  until?: Date;
  /** The last row of the previous page: rows after it in the order (newest first). */
  before?: { createdAt: Date; id: string };
  limit: number;
}

const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The shop's mail, newest first, narrowed by the filter. */
export async function listLog(db: Db, shopId: string, f: LogFilter): Promise<MailLogRow[]> {
  const where = [eq(mailLog.shopId, shopId)];
  if (f.kind) where.push(eq(mailLog.kind, f.kind));
  if (f.status) where.push(eq(mailLog.status, f.status));
  if (f.recipient) where.push(sql`lower(${mailLog.recipient}) like ${`%${likeEscaped(f.recipient.toLowerCase())}%`}`);
  // A conversation's history: the mail about it, and every other mail to its customer's address
  // (portal codes, notices: what a customer saying 「メールが届かない」 in the chat asks about).
  // The address is read here, in the shop, so a masked viewer never handles it.
  if (f.conversationId) {
    where.push(
      or(
        eq(mailLog.conversationId, f.conversationId),
        sql`lower(${mailLog.recipient}) = (select lower(${customers.email}) from ${conversations} join ${customers} on ${customers.id} = ${conversations.customerId} where ${conversations.id} = ${f.conversationId} and ${conversations.shopId} = ${shopId} and ${customers.shopId} = ${shopId})`,
      )!,
    );
  }
  // A notice lists each of the customer's orders: it is in the history of every one of them.
  if (f.orderNumber) where.push(or(eq(mailLog.orderNumber, f.orderNumber), sql`${mailLog.orderNumbers} @> array[${f.orderNumber}]::text[]`)!);
  if (f.returnId) where.push(eq(mailLog.returnId, f.returnId));
  if (f.campaignId) where.push(eq(mailLog.campaignId, f.campaignId));
  if (f.since) where.push(gte(mailLog.createdAt, f.since));
  if (f.until) where.push(sql`${mailLog.createdAt} < ${f.until.toISOString()}`);
  if (f.before) where.push(sql`(${mailLog.createdAt}, ${mailLog.id}) < (${f.before.createdAt.toISOString()}::timestamptz, ${f.before.id}::uuid)`);
  return db
    .select()
    .from(mailLog)
    .where(and(...where))
    .orderBy(sql`${mailLog.createdAt} desc`, sql`${mailLog.id} desc`)
    .limit(f.limit);
}

export interface MailLogPrune {
  /** Mails still queued or deferred, untouched since then and not held by a sender: their jobs have ended without a word (a crash, a lost job). */
  stuckBefore: Date;
  /** Delivery reports (they quote the customer's address and the mail) of bounces before then are cleared; the status and diagnostic stay. */
  reportsBefore: Date;
  /** Rows of mails before then are deleted. */
  rowsBefore: Date;
}

/**
 * The mail log's daily upkeep: mails stuck unfinished are marked failed, old delivery reports
 * cleared, rows past the retention deleted (in batches, so no statement runs long; a
 * suppression keeps its address and reason, its row link set null).
 */
export async function pruneMailLog(db: Db, p: MailLogPrune, batch = 1000): Promise<{ givenUp: number; reportsCleared: number; deleted: number }> {
  const givenUp = await db
    .update(mailLog)
    .set({ status: 'failed', reason: sql`left('gave up: no attempt ended after ' || ${mailLog.attempts} || ' tries' || coalesce(': ' || ${mailLog.reason}, ''), 2000)`, leaseUntil: null, updatedAt: new Date() })
    .where(and(inArray(mailLog.status, ['queued', 'deferred']), lt(mailLog.updatedAt, p.stuckBefore), sql`(${mailLog.leaseUntil} is null or ${mailLog.leaseUntil} < now())`))
    .returning({ id: mailLog.id });
  const cleared = await db
    .update(mailLog)
    .set({ dsnReport: null })
    .where(and(isNotNull(mailLog.dsnReport), lt(mailLog.bouncedAt, p.reportsBefore)))
    .returning({ id: mailLog.id });
  let deleted = 0;
  for (;;) {
    const ids = (await db.select({ id: mailLog.id }).from(mailLog).where(lt(mailLog.createdAt, p.rowsBefore)).orderBy(asc(mailLog.createdAt)).limit(batch)).map((r) => r.id);
    if (!ids.length) break;
    deleted += (await db.delete(mailLog).where(and(inArray(mailLog.id, ids), lt(mailLog.createdAt, p.rowsBefore))).returning({ id: mailLog.id })).length;
    if (ids.length < batch) break;
  }
  return { givenUp: givenUp.length, reportsCleared: cleared.length, deleted };
}

/** The suppressed among these addresses in this shop, each with its reasons (lower-cased address as key): one read for a chunk. */
export async function suppressionsOfMany(db: Db, shopId: string, addresses: string[]): Promise<Map<string, SuppressionRow[]>> {
  const out = new Map<string, SuppressionRow[]>();
  const wanted = [...new Set(addresses.map((a) => a.toLowerCase()))];
  if (!wanted.length) return out;
  for (const r of await db.select().from(mailSuppressions).where(and(eq(mailSuppressions.shopId, shopId), inArray(mailSuppressions.address, wanted)))) {
    out.set(r.address, [...(out.get(r.address) ?? []), r]);
  }
  return out;
}

/**
 * The shop's mail the mail server keeps deferring (status `deferred`, within the last two days:
 * older ones are given up by the daily upkeep): how many, the first tried of them, and whether
 * any mail of the shop was sent after that one was written (then the server takes mail, and
 * the deferrals are one recipient's server's, not ours).
 */
export async function deferredMailOf(db: Db, shopId: string, now = new Date()): Promise<{ count: number; oldest: Date | null; sentSince: boolean }> {
  const recent = gte(mailLog.createdAt, new Date(now.getTime() - 2 * 86_400_000));
  const [d] = await db
    .select({ count: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${mailLog.createdAt})` })
    .from(mailLog)
    .where(and(eq(mailLog.shopId, shopId), recent, eq(mailLog.status, 'deferred')));
  const oldest = d?.oldest ? new Date(d.oldest) : null;
  if (!oldest) return { count: 0, oldest: null, sentSince: false };
  const [sent] = await db
    .select({ id: mailLog.id })
    .from(mailLog)
    .where(and(eq(mailLog.shopId, shopId), recent, sql`${mailLog.sentAt} > ${oldest.toISOString()}::timestamptz`))
    .limit(1);
  return { count: Number(d!.count), oldest, sentSince: Boolean(sent) };
}
