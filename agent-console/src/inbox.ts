import type { ConversationActivity, ConversationDto, ConversationStatus, InboxFilter } from './types.ts';

/** What "active" means on the server (conversations.inbox.ts): someone still has to act. */
const activeStatuses: readonly ConversationStatus[] = ['open', 'pending', 'waiting_merchant'];

const fold = (s: string | null | undefined) => (s ?? '').toLocaleLowerCase('ja');

/**
 * Whether a conversation belongs in a list with these filters, the same test the server's
 * query makes (conversations.repository.ts listConversations), so live updates keep the list
 * as the server would answer it.
 */
export function matchesFilter(c: ConversationDto, f: InboxFilter, meId: string): boolean {
  if (c.mergedIntoId) return false;
  if (f.status === 'active' ? !activeStatuses.includes(c.status) : f.status && c.status !== f.status) return false;
  if (f.assignee === 'none' && c.assignee) return false;
  if (f.assignee === 'me' && c.assignee?.id !== meId) return false;
  if (f.assignee && f.assignee !== 'me' && f.assignee !== 'none' && c.assignee?.id !== f.assignee) return false;
  if (f.tag && !c.tags.includes(f.tag)) return false;
  if (f.priority && c.priority !== f.priority) return false;
  if (f.sla && c.sla.state !== f.sla) return false;
  const q = f.q?.trim();
  if (q) {
    const n = /^#?(\d{1,9})$/.exec(q);
    const text = fold(q);
    const hit = [c.subject, c.orderNumber, c.customer.name].some((s) => fold(s).includes(text)) || (n !== null && c.number === Number(n[1]));
    if (!hit) return false;
  }
  return true;
}

/** Newest activity first, as the server orders the list (updatedAt, then id, both descending). */
export function byActivity(a: ConversationDto, b: ConversationDto): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The list after a live change: inserted or moved when it matches, removed when it no
 * longer does. An older copy (a late event) never replaces a newer one.
 */
export function applyUpdate<C extends ConversationDto>(list: C[], c: C, f: InboxFilter, meId: string): C[] {
  const old = list.find((x) => x.id === c.id);
  if (old && old.updatedAt > c.updatedAt) return list;
  const rest = list.filter((x) => x.id !== c.id);
  if (!matchesFilter(c, f, meId)) return old ? rest : list;
  return [...rest, c].sort(byActivity);
}

/** A message moved a row the list holds (a row it does not hold stays out: its filter decided). */
export function applyActivity<C extends ConversationDto>(list: C[], a: ConversationActivity, f: InboxFilter, meId: string): C[] {
  const old = list.find((x) => x.id === a.id);
  return old ? applyUpdate(list, { ...old, ...a }, f, meId) : list;
}

export const isUnread = (c: ConversationDto) => c.lastSeq > c.agentReadSeq;

/** The filters each shop's inbox had, so coming back from a conversation keeps them. */
const remembered = new Map<string, InboxFilter>();
export const defaultFilter: InboxFilter = { status: 'active' };
export const rememberedFilter = (shopId: string): InboxFilter => remembered.get(shopId) ?? defaultFilter;
export const rememberFilter = (shopId: string, f: InboxFilter) => void remembered.set(shopId, f);
export const isDefaultFilter = (f: InboxFilter) => Object.entries(f).every(([k, v]) => v === undefined || v === '' || (defaultFilter as Record<string, unknown>)[k] === v) && f.status === defaultFilter.status;
