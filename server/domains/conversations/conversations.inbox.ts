import { type Actor, requireKind } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { conflict, DomainError, invalidInput, notFound } from '../../core/errors.ts';
import { JsonText } from '../../core/json.ts';
import { transact } from '../../events/commit.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { masksContactData } from '../orders/orders.mask.ts';
import type { Role } from '../shops/shops.tables.ts';
import { assigneesGone, inboxMoved, lockAssignments, notAMember } from './conversations.assign.ts';
import type { ConversationDto, ConversationPatch, InboxPage } from './conversations.dto.ts';
import { chatHooks } from './conversations.hooks.ts';
import { activeStatuses, assertStatusTransition } from './conversations.machine.ts';
import { findConversation, lockConversation, moveMessages, updateConversation, type ConversationRow } from './conversations.repository.ts';
import { conversationDetails, type ConversationDetails, listConversationPageJson, type InboxFilter, type JsonPageRow } from './conversations.list.repository.ts';
import { chatSink, type ChatDeps } from './conversations.service.ts';
import type { ConversationStatus, Priority } from './conversations.tables.ts';
import { toConversationDto, toCustomerDto } from './conversations.view.ts';
import { recordStatusEvents } from './conversations.events.ts';
import { snoozePresetTime } from './conversations.snooze.ts';
import type { InboxChangesSeen } from './conversations.pagecache.repository.ts';
import type { InboxPageCache, ReadPage } from './conversations.pagecache.ts';

export const viewerRole = (a: Actor): Role | 'api_key' => (a.kind === 'user' ? a.role : 'api_key');

/** DTOs for rows, shaped for the viewer's role (contractors get masked contact data). */
export async function conversationDtos(db: Db, shopId: string, rows: ConversationRow[], viewer: Role | 'api_key'): Promise<ConversationDto[]> {
  return (await conversationDtosFor(db, shopId, rows, [viewer]))[0]!;
}

/** conversationDtos for several viewers at once (the inbox broadcast: full and masked), reading the details once. */
export async function conversationDtosFor(db: Db, shopId: string, rows: ConversationRow[], viewers: Array<Role | 'api_key'>): Promise<ConversationDto[][]> {
  const d = await conversationDetails(db, rows.filter((r) => r.shopId === shopId));
  return viewers.map((viewer) => rows.map((r) => toDto(r, d, viewer)));
}

const NO_SLA: ConversationDto['sla'] = { state: 'none', dueAt: null };

/** One row's DTO from the details of its page (conversationDetails). */
export function toDto(r: ConversationRow, d: ConversationDetails, viewer: Role | 'api_key'): ConversationDto {
  const sla = d.sla.get(r.id) ?? NO_SLA;
  return toConversationDto(r, { customer: d.customers.get(r.customerId)!, assigneeName: r.assigneeId ? (d.assignees.get(r.assigneeId) ?? null) : null, preview: d.previews.get(r.id) ?? null, sla }, viewer);
}

export async function getConversation(db: Db, actor: Actor, id: string): Promise<ConversationDto> {
  const c = await findConversation(db, actor.shopId, id);
  if (!c) throw notFound('conversation');
  return (await conversationDtos(db, actor.shopId, [c], viewerRole(actor)))[0]!;
}

export const cursorOf = (c: ConversationRow) => cursorFrom(`${c.updatedAt.toISOString()}|${c.id}`);
/** A cursor from its key, `updatedAt|id` (a JSON page's rows carry it: detailedJsonQuery). */
export const cursorFrom = (key: string) => Buffer.from(key).toString('base64url');

function parseCursor(s: string): InboxFilter['before'] {
  const [at, id] = Buffer.from(s, 'base64url').toString('utf8').split('|');
  const d = new Date(at ?? '');
  if (Number.isNaN(d.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? '')) throw invalidInput('query is not valid', [{ in: 'query', path: 'before', message: 'not a cursor from this list' }]);
  return { updatedAt: d, id: id! };
}

export interface InboxQuery {
  status?: ConversationStatus | 'active';
  assignee?: string;
  tag?: string;
  priority?: Priority;
  sla?: 'at_risk' | 'breached';
  q?: string;
  limit: number;
  before?: string;
}

/** Whom `assignee=me` means for an actor: a person, or nobody for an API key. */
export const meOf = (a: Actor): string | undefined => (a.kind === 'user' ? a.userId : undefined);

/**
 * The console's filters as a repository filter, for one shop or several (all my shops): nothing
 * in it depends on the shop or the role; `me` is whom `assignee=me` means (an API key is nobody).
 * One row more than a page, to tell whether another follows.
 */
export function inboxFilter(me: string | undefined, q: InboxQuery): InboxFilter {
  const statuses: ConversationStatus[] | undefined = q.status === 'active' ? [...activeStatuses] : q.status ? [q.status] : undefined;
  const assigneeId = q.assignee === 'me' ? me : q.assignee === 'none' ? null : q.assignee;
  const now = new Date();
  return {
    statuses,
    assigneeId,
    tag: q.tag,
    priority: q.priority,
    text: q.q,
    ids: q.sla ? chatHooks.slaFilter(q.sla, now) : undefined,
    before: q.before ? parseCursor(q.before) : undefined,
    limit: q.limit + 1,
    now,
  };
}

/**
 * The queue, newest activity first, with the console's filters: a page of the inbox
 * (InboxPage) as the JSON the route sends. PostgreSQL builds each row's
 * DTO (listConversationPageJson) and the process sends them on as they are: decoding a page's
 * rows and details, shaping them and encoding them again was most of a page's cost. For a
 * viewer whose contact data is masked, each row's customer is decoded and shaped by the same
 * rule as everywhere (toCustomerDto) before it leaves (dtoJsonFor). With `cache`, a view many agents read is
 * answered from one read while nothing it shows changes (conversations.pagecache.ts), judged by
 * `seen` (read with the session, InboxPageCache.along) when it can tell.
 */
export async function listInbox(db: Db, actor: Actor, q: InboxQuery, cache?: InboxPageCache, seen?: InboxChangesSeen): Promise<JsonText<InboxPage>> {
  const f = inboxFilter(meOf(actor), q);
  const viewer = viewerRole(actor);
  const read = () => readInboxPage(db, actor.shopId, f, q.limit, viewer);
  return new JsonText(cache ? await cache.page(db, actor.shopId, masksContactData(viewer), f, read, seen) : (await read()).json);
}

async function readInboxPage(db: Db, shopId: string, f: InboxFilter, limit: number, viewer: Role | 'api_key'): Promise<ReadPage> {
  return jsonPageText(await listConversationPageJson(db, shopId, f), limit, (r) => dtoJsonFor(r, viewer));
}

/**
 * A page's JSON rows (one more than the page, to tell whether another follows) as the answer's
 * text, `{"conversations":[…],"next":…}`, each row as `shape` writes it; and the soonest moment
 * a badge of the rows shown changes (a row fetched only to tell whether another page follows
 * is not shown).
 */
export function jsonPageText(rows: JsonPageRow[], limit: number, shape: (r: JsonPageRow) => string): ReadPage {
  const page = rows.slice(0, limit);
  const next = rows.length > limit ? cursorFrom(page.at(-1)!.key) : null;
  const moment = page.reduce<number | null>((soonest, r) => (r.moment === null ? soonest : Math.min(soonest ?? Infinity, Date.parse(r.moment))), null);
  return { json: `{"conversations":[${page.map(shape).join(',')}],"next":${JSON.stringify(next)}}`, moment };
}

/**
 * A JSON row's DTO for a viewer: as PostgreSQL wrote it, or, where contact data is masked, with
 * its customer shaped by the same rule as everywhere (toCustomerDto). Only the customer is
 * decoded: PostgreSQL wrote its text twice, in the DTO after `"customer":` and alone, and the
 * one in the DTO is replaced. A key's quotes cannot occur unescaped inside a JSON string, and
 * no field before it is an object with keys of its own to hold another `"customer":`; the
 * field after it (`lastSeq`, dtoColumns' order) is checked too, so a field added before it
 * one day makes the row decoded whole, not masked in the wrong place. Decoding and encoding the
 * whole DTO again cost a contractor's page of all my shops 0.4 ms.
 */
export function dtoJsonFor(r: JsonPageRow, viewer: Role | 'api_key'): string {
  if (!masksContactData(viewer)) return r.dto;
  const field = `"customer":${r.customer}`;
  const at = r.dto.indexOf(field);
  // Never sent unmasked: a DTO whose customer is not where its text says is decoded whole.
  if (at < 0 || !r.dto.startsWith(',"lastSeq":', at + field.length)) {
    const d = JSON.parse(r.dto) as ConversationDto;
    return JSON.stringify({ ...d, customer: toCustomerDto(d.customer, viewer) });
  }
  const masked = JSON.stringify(toCustomerDto(JSON.parse(r.customer) as ConversationDto['customer'], viewer));
  return `${r.dto.slice(0, at)}"customer":${masked}${r.dto.slice(at + field.length)}`;
}

/**
 * Status, priority, tags, assignee and snooze, in one guarded write: the status moves only
 * along the machine, and `expectedStatus` turns a race between two agents into one 409.
 */
export async function updateConversationFields(deps: ChatDeps, actor: Actor, id: string, patch: ConversationPatch & BulkOnly, requestId?: string): Promise<ConversationDto> {
  const c = await updateConversationRow(deps, actor, id, patch, requestId);
  return (await conversationDtos(deps.db, actor.shopId, [c], viewerRole(actor)))[0]!;
}

/** What only some callers ask for: a tag added to the tags each conversation has (the bulk route); taking only what nobody has (Slack's Take). */
export interface BulkOnly {
  addTags?: string[];
  /** Refused (409, details.assigneeId) when someone else has it by the time the row is locked: two people taking at once get one success. */
  onlyIfUnassigned?: boolean;
}

/** updateConversationFields without the DTO: the stored row after the change (the bulk route answers per id). */
export async function updateConversationRow(deps: ChatDeps, actor: Actor, id: string, patch: ConversationPatch & BulkOnly, requestId?: string): Promise<ConversationRow> {
  requireKind(actor, 'user', 'api_key');
  const now = new Date();
  // A preset is a time in the shop's calendar, read before the transaction (it locks nothing).
  const snoozedUntil = patch.snooze ? (await snoozePresetTime(deps.db, actor.shopId, patch.snooze, now)).toISOString() : patch.snoozedUntil;
  return transact(deps.db, chatSink(deps), async (tx, out) => {
    // The assignee's lock before the row's, in the order every assigner and a removal take them.
    const members = patch.assigneeId ? await lockAssignments(tx, actor.shopId, patch.assigneeId) : undefined;
    const before = await lockConversation(tx, actor.shopId, id);
    if (!before) throw notFound('conversation');
    if (before.mergedIntoId) throw conflict('this conversation was merged into another', { mergedIntoId: before.mergedIntoId });
    if (patch.expectedStatus && patch.expectedStatus !== before.status) throw conflict(`the conversation is ${before.status} now, not ${patch.expectedStatus}`, { status: before.status });
    if (patch.onlyIfUnassigned && before.assigneeId && before.assigneeId !== patch.assigneeId) throw conflict('someone else has this conversation now', { assigneeId: before.assigneeId });
    const set: Partial<ConversationRow> = {};
    if (patch.status && patch.status !== before.status) {
      assertStatusTransition(before.status, patch.status);
      set.status = patch.status;
      set.snoozedUntil = null;
      if (patch.status === 'resolved') set.resolvedAt = now;
      if (patch.status === 'open') set.resolvedAt = null;
    }
    if (snoozedUntil) {
      const until = new Date(snoozedUntil);
      if (until <= now) throw invalidInput('body is not valid', [{ in: 'body', path: 'snoozedUntil', message: 'must be in the future', ja: '再開日時は今より後にしてください。' }]);
      set.snoozedUntil = until;
      out.enqueue({ shopId: actor.shopId, topic: 'conversation.unsnooze', payload: { conversationId: id, until: until.toISOString() }, runAt: until, dedupeKey: `unsnooze-${id}-${until.getTime()}` });
    }
    if (patch.priority) set.priority = patch.priority;
    if (patch.tags) set.tags = [...new Set(patch.tags)];
    if (patch.addTags) {
      const tags = [...new Set([...before.tags, ...patch.addTags])];
      // Refused, not cut: a tag silently dropped is a tag the agent believes is there.
      if (tags.length > 20) throw invalidInput('body is not valid', [{ in: 'body', path: 'addTags', message: 'a conversation has at most 20 tags', ja: '1件の会話に付けられるタグは20個までです。' }]);
      set.tags = tags;
    }
    if (patch.assigneeId !== undefined) {
      if (patch.assigneeId && !members?.has(patch.assigneeId)) throw notAMember();
      set.assigneeId = patch.assigneeId;
      set.awaitingAssignment = false;
    } else if (set.status && set.status !== 'closed' && before.status === 'resolved' && before.assigneeId && (await assigneesGone(tx, [before])).size) {
      // Reopened, but whoever answered it has left the shop since: it waits in the queue for someone who is here.
      set.assigneeId = null;
      set.awaitingAssignment = true;
    }
    const updated = await updateConversation(tx, actor.shopId, id, set);
    if (set.status) out.queued(await chatHooks.statusChanged(tx, updated, now));
    const after = await recordStatusEvents(tx, out, before, updated, actor);
    const changed = Object.fromEntries(Object.entries(set).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
    await recordAudit(tx, actor, { action: 'conversation.updated', objectType: 'conversation', objectId: id, summary: { number: before.number, from: before.status, ...changed } }, requestId);
    inboxMoved(out, deps, actor.shopId, [id]);
    return after;
  });
}

/** Wakes a snoozed conversation when its time comes, unless someone moved it since (the job's check). */
export async function unsnooze(deps: Pick<ChatDeps, 'db' | 'bus' | 'poke' | 'timing' | 'logger'>, shopId: string, conversationId: string, until: string): Promise<boolean> {
  return transact(deps.db, chatSink(deps), async (tx, out) => {
    const c = await lockConversation(tx, shopId, conversationId);
    if (!c || c.status !== 'snoozed' || c.snoozedUntil?.toISOString() !== until) return false;
    const woken = await updateConversation(tx, shopId, conversationId, { status: 'open', snoozedUntil: null });
    out.queued(await chatHooks.statusChanged(tx, woken, new Date()));
    await recordStatusEvents(tx, out, c, woken, null);
    out.live('conversation.changed', { shopId, conversationId });
    return true;
  });
}

/**
 * Merges `sourceId` into `targetId` (same customer): the source's messages move to the end of
 * the target in their order, the source is closed and points at the target.
 */
export async function mergeConversations(deps: ChatDeps, actor: Actor, targetId: string, sourceId: string, requestId?: string): Promise<ConversationDto> {
  if (targetId === sourceId) throw invalidInput('cannot merge a conversation into itself');
  const target = await transact(deps.db, chatSink(deps), async (tx, out) => {
    // Lock in id order so two opposite merges cannot deadlock.
    const [a, b] = [targetId, sourceId].sort();
    const first = await lockConversation(tx, actor.shopId, a!);
    const second = await lockConversation(tx, actor.shopId, b!);
    // Picked by id: when one of the two is missing (another shop's), neither may stand in for it.
    const t = [first, second].find((c) => c?.id === targetId);
    const s = [first, second].find((c) => c?.id === sourceId);
    if (!t || !s) throw notFound('conversation');
    if (t.customerId !== s.customerId) throw new DomainError('invalid_input', 'only conversations of the same customer can be merged');
    if (t.mergedIntoId || s.mergedIntoId) throw conflict('one of these conversations was already merged');
    const last = await moveMessages(tx, actor.shopId, s.id, t.id, t.lastSeq);
    const closed = await updateConversation(tx, actor.shopId, s.id, { status: 'closed', mergedIntoId: t.id, assigneeId: null, awaitingAssignment: false });
    // A closed source must stop its SLA clocks, or its timers would still alert on it.
    out.queued(await chatHooks.statusChanged(tx, closed, new Date()));
    const after = await updateConversation(tx, actor.shopId, t.id, { lastSeq: last, tags: [...new Set([...t.tags, ...s.tags])] });
    await recordAudit(tx, actor, { action: 'conversation.merged', objectType: 'conversation', objectId: t.id, summary: { target: t.number, source: s.number } }, requestId);
    // The source's assignee has room again.
    inboxMoved(out, deps, actor.shopId, [targetId, sourceId]);
    return after;
  });
  return (await conversationDtos(deps.db, actor.shopId, [target], viewerRole(actor)))[0]!;
}
