import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { mailKeys, mailLog, mailSuppressions, RAW_REPORT_MAX, type MailKind, type MailStatus, type SuppressionReason } from './maillog.tables.ts';

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
  returnId?: string;
  campaignId?: string;
  invitationId?: string;
}

/**
 * The rows of these Message-IDs in one shop: written now (queued), or the ones a first attempt
 * wrote. One INSERT … ON CONFLICT DO NOTHING RETURNING for all, and one read of those that were
 * there already; answered by Message-ID.
 */
export async function claimLogRows(db: Db, shopId: string, rows: NewLogRow[]): Promise<Map<string, MailLogRow>> {
  const byId = new Map<string, MailLogRow>();
  if (!rows.length) return byId;
  if (rows.some((r) => r.shopId !== shopId)) throw new Error('claimLogRows: one shop per call');
  const made = await db.insert(mailLog).values(rows).onConflictDoNothing({ target: [mailLog.shopId, mailLog.messageId] }).returning();
  for (const r of made) byId.set(r.messageId, r);
  const known = rows.filter((r) => !byId.has(r.messageId)).map((r) => r.messageId);
  if (known.length) {
    for (const r of await db.select().from(mailLog).where(and(eq(mailLog.shopId, shopId), inArray(mailLog.messageId, known)))) byId.set(r.messageId, r);
  }
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
}

/**
 * Records the ends of attempts of one shop's mails in one UPDATE … FROM (VALUES …). Never
 * touches a row a DSN has marked bounced meanwhile.
 */
export async function recordAttempts(db: Db, shopId: string, records: AttemptRecord[]): Promise<void> {
  if (!records.length) return;
  const values = sql.join(
    records.map((r) => sql`(${r.id}::uuid, ${r.status}::text, ${r.smtpResponse === undefined ? null : r.smtpResponse.slice(0, 2000)}::text, ${r.reason ?? null}::text, ${r.attempted}::boolean)`),
    sql`, `,
  );
  await db.execute(sql`
    update ${mailLog} as m
       set status = v.status,
           updated_at = now(),
           smtp_response = coalesce(v.smtp_response, m.smtp_response),
           reason = v.reason,
           attempts = m.attempts + (case when v.attempted then 1 else 0 end),
           sent_at = case when v.status = 'sent' then now() else m.sent_at end
      from (values ${values}) as v(id, status, smtp_response, reason, attempted)
     where m.shop_id = ${shopId} and m.id = v.id and m.status <> 'bounced'`);
}

/**
 * Takes back rows claimed for mails that were never handed to the mail server (a chunk that
 * stopped for a pause, a cancel or the shop's rate): only rows still queued and never attempted.
 */
export async function releaseLogRows(db: Db, shopId: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db.delete(mailLog).where(and(eq(mailLog.shopId, shopId), inArray(mailLog.id, ids), eq(mailLog.status, 'queued'), eq(mailLog.attempts, 0)));
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

/** Soft bounces (DSN status 4.x.x) of this address in this shop since `since`. */
export async function softBouncesSince(db: Db, shopId: string, address: string, since: Date): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(mailLog)
    .where(and(eq(mailLog.shopId, shopId), sql`lower(${mailLog.recipient}) = ${address.toLowerCase()}`, eq(mailLog.status, 'bounced'), sql`${mailLog.dsnStatus} like '4.%'`, gte(mailLog.bouncedAt, since)));
  return r?.n ?? 0;
}

/** The reasons this address is suppressed in this shop (none: it is not). */
export async function suppressionsOf(db: Db, shopId: string, address: string): Promise<SuppressionRow[]> {
  return db
    .select()
    .from(mailSuppressions)
    .where(and(eq(mailSuppressions.shopId, shopId), eq(mailSuppressions.address, address.toLowerCase())));
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

/** Removes the address's suppressions of these reasons; answers how many went. */
export async function liftSuppressions(db: Db, shopId: string, address: string, reasons: SuppressionReason[]): Promise<SuppressionRow[]> {
  return db
    .delete(mailSuppressions)
    .where(and(eq(mailSuppressions.shopId, shopId), eq(mailSuppressions.address, address.toLowerCase()), inArray(mailSuppressions.reason, reasons)))
    .returning();
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
  if (f.conversationId) where.push(eq(mailLog.conversationId, f.conversationId));
  if (f.orderNumber) where.push(eq(mailLog.orderNumber, f.orderNumber));
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
