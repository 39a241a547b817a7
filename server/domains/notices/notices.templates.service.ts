import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { sqlState } from '../../core/db/errors.ts';
import { conflict, invalidInput, notFound } from '../../core/errors.ts';
import { said } from '../../core/messages.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { Role } from '../shops/shops.tables.ts';
import { builtinWording, checkWording } from './notices.render.ts';
import { findTemplate, findVersion, insertTemplate, insertVersion, latestVersions, listTemplates, listVersions } from './notices.templates.repository.ts';
import { addDays, tokyoDay } from './notices.format.ts';
import { atField, defaultChannels, isPerOrderType, noticeSampleAsOf, noticeSamples, noticeTypeNames, noticeTypes, noticeVariableSpecs, type NoticeText, type NoticeType, type NoticeWording } from './notices.types.ts';

/**
 * The shop's own people keep the wording that speaks for the shop to every customer; agents
 * and contractors read it and preview it (as with canned replies, but stricter: a notice
 * reaches thousands at once).
 */
export const EDITORS: Role[] = ['owner', 'staff'];
export const READERS: Role[] = ['owner', 'staff', 'agent', 'contractor'];

const msg = {
  noVersion: said('このショップにその版のテンプレートはありません。', 'no template version with this id in this shop'),
  otherType: said('このテンプレートは別の種類のお知らせのものです。', 'this template version is of another notice type'),
  stale: said('このテンプレートは他の人が先に保存しました。最新の版を読み込んでから、もう一度保存してください。', 'someone saved a newer version first; load the latest version and save again'),
  nameTaken: said('この名前のテンプレートはすでにあります。', 'a template of this name already exists in this shop'),
};

/**
 * The wording a campaign renders: the built-in one (versionId null) or a shop copy's version,
 * which never changes once saved. 404 for a version of another shop; 400 at `templateVersionId`
 * for a version of another type.
 *
 * @example
 * const wording = await loadWording(db, shopId, campaign.type, campaign.templateVersionId);
 */
export async function loadWording(db: Db, shopId: string, type: NoticeType, versionId: string | null): Promise<NoticeWording> {
  if (versionId === null) return { type, ...builtinWording(type) };
  const row = await findVersion(db, shopId, versionId);
  // A field of the request that names nothing of this shop (another shop's, or gone): a 400 at it, as any bad field is.
  if (!row) throw invalidInput(msg.noVersion, [atField('templateVersionId', msg.noVersion)]);
  if (row.type !== type) throw invalidInput(msg.otherType, [atField('templateVersionId', msg.otherType)]);
  return { type, ...row.wording };
}

/**
 * The sample values as a new draft starts with them on `now`'s day: every date and time of each
 * type's sample moved by the whole days (in Tokyo) from noticeSampleAsOf to that day, never
 * back. Fixed, the samples' reply-by date and next update passed one by one, and a draft made
 * from them was refused ("this date has already passed") before anyone had typed a thing.
 * The samples' times are written in Tokyo time (+09:00), so their day is their first ten
 * characters. Saved wordings are still checked against the fixed samples (checkWording).
 */
export function samplesOn(now: Date): { asOf: Date; samples: Record<NoticeType, Record<string, unknown>> } {
  const days = Math.max(0, Math.round((Date.parse(tokyoDay(now)) - Date.parse(tokyoDay(noticeSampleAsOf))) / DAY_MS));
  const samples = Object.fromEntries(
    noticeTypes.map((type) => {
      const sample = { ...noticeSamples[type] };
      for (const spec of noticeVariableSpecs[type]) {
        const value = sample[spec.name];
        if (typeof value !== 'string' || (spec.kind !== 'date' && spec.kind !== 'datetime')) continue;
        sample[spec.name] = addDays(value.slice(0, 10), days) + value.slice(10);
      }
      return [type, sample];
    }),
  ) as Record<NoticeType, Record<string, unknown>>;
  return { asOf: new Date(noticeSampleAsOf.getTime() + days * DAY_MS), samples };
}

const DAY_MS = 86_400_000;

/** The six types with their variables (for the variables form) and sample values (samplesOn `now`); the same for every shop. */
export function noticeTypeList(now = new Date()) {
  const { asOf, samples } = samplesOn(now);
  return {
    sampleAsOf: asOf.toISOString(),
    types: noticeTypes.map((type) => ({
      type,
      name: noticeTypeNames[type],
      /** About customers' own orders: mail and chat only, never a banner. */
      perOrder: isPerOrderType(type),
      channels: defaultChannels(type),
      variables: noticeVariableSpecs[type].map((s) => ({
        name: s.name,
        kind: s.kind,
        required: s.required,
        label: s.label,
        ...(s.choices ? { choices: s.choices } : {}),
        ...(s.lines ? { lines: true } : {}),
      })),
      sample: samples[type],
      wording: builtinWording(type),
    })),
  };
}
/** The list as noticeTypeList builds it (GET /api/notice-types); noticeTypesView in notices.templates.schema.ts is tied to it. */
export type NoticeTypeList = Awaited<ReturnType<typeof noticeTypeList>>;

const versionView = (v: { id: string; version: number; createdAt: Date }) => ({ id: v.id, version: v.version, createdAt: v.createdAt.toISOString() });

export async function listNoticeTemplates(db: Db, actor: Actor) {
  requireRole(actor, ...READERS);
  const rows = await listTemplates(db, actor.shopId);
  const latest = await latestVersions(db, actor.shopId, rows.map((r) => r.id));
  return { templates: rows.map((r) => ({ id: r.id, type: r.type, name: r.name, latestVersion: versionView(latest.get(r.id)!) })) };
}

export async function getNoticeTemplate(db: Db, actor: Actor, id: string) {
  requireRole(actor, ...READERS);
  const t = await findTemplate(db, actor.shopId, id);
  if (!t) throw notFound('notice template');
  const versions = await listVersions(db, actor.shopId, id);
  return {
    id: t.id,
    type: t.type,
    name: t.name,
    versions: versions.map((v) => ({ ...versionView(v), createdBy: v.createdBy })),
    wording: versions[0]!.wording,
  };
}

const stale = (latest?: number) => conflict(msg.stale, [atField('baseVersion', msg.stale, latest ? { latest } : {})]);

/** A unique key is the judge of a race: the loser of two saves gets 409, nothing half-written. */
async function unique<T>(what: 'name' | 'version', write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (sqlState(e) !== '23505') throw e;
    if (what === 'name') throw conflict(msg.nameTaken, [atField('name', msg.nameTaken)]);
    throw stale();
  }
}

/**
 * Copies a type into the shop (owner, staff): version 1 is the built-in wording, or the wording
 * of `copyOf` (a version of one of the shop's copies of the same type).
 */
export async function createNoticeTemplate(db: Db, actor: Actor, input: { type: NoticeType; name: string; copyOf?: string | undefined }, requestId?: string) {
  requireRole(actor, ...EDITORS);
  const wording: NoticeText = input.copyOf ? (({ type: _t, ...w }) => w)(await loadWordingAt(db, actor.shopId, input.type, input.copyOf, 'copyOf')) : builtinWording(input.type);
  const id = await unique('name', () =>
    db.transaction(async (tx) => {
      const t = await insertTemplate(tx, { shopId: actor.shopId, type: input.type, name: input.name, createdBy: actor.userId });
      const v = await insertVersion(tx, { shopId: actor.shopId, templateId: t.id, version: 1, wording, createdBy: actor.userId });
      await recordAudit(tx, actor, { action: 'notice_template.created', objectType: 'notice_template', objectId: t.id, summary: { type: t.type, name: t.name, copyOf: input.copyOf ?? null, versionId: v.id } }, requestId);
      return t.id;
    }),
  );
  return getNoticeTemplate(db, actor, id);
}

async function loadWordingAt(db: Db, shopId: string, type: NoticeType, versionId: string, field: string): Promise<NoticeWording> {
  try {
    return await loadWording(db, shopId, type, versionId);
  } catch (e) {
    const err = e as { code?: string; details?: { path: string }[] };
    if (err.code === 'invalid_input') for (const d of err.details ?? []) d.path = field;
    throw e;
  }
}

/**
 * Saves a new version (owner, staff) from `baseVersion`, which must be the latest: someone who
 * edited an older version would silently undo another's change, so that is 409. The wording
 * must render with the type's samples in both languages (400 at `wording.<part>.<lang>`).
 */
export async function saveNoticeVersion(db: Db, actor: Actor, id: string, input: { wording: NoticeText; baseVersion: number }, requestId?: string) {
  requireRole(actor, ...EDITORS);
  const t = await findTemplate(db, actor.shopId, id);
  if (!t) throw notFound('notice template');
  checkWording(t.type, input.wording);
  const latest = (await latestVersions(db, actor.shopId, [id])).get(id)!;
  if (latest.version !== input.baseVersion)
    throw stale(latest.version);
  const v = await unique('version', () =>
    db.transaction(async (tx) => {
      const row = await insertVersion(tx, { shopId: actor.shopId, templateId: id, version: input.baseVersion + 1, wording: input.wording, createdBy: actor.userId });
      await recordAudit(tx, actor, { action: 'notice_template.version_saved', objectType: 'notice_template', objectId: id, summary: { version: row.version, versionId: row.id } }, requestId);
      return row;
    }),
  );
  return { ...versionView(v), createdBy: actor.name };
}
