import type { InboxFilter } from './conversations.list.repository.ts';

/*
 * The keys of the inbox page cache (conversations.pagecache.ts): everything a kept page's
 * answer depends on, besides what its check reads.
 */

/**
 * How each field of an inbox filter counts for the cache: part of the key, a view never kept,
 * or not part of the answer (`now` moves only the SLA badges, which bound a kept page's time).
 * Written for every field, so a field added to InboxFilter does not compile until it is placed.
 */
const FIELDS = {
  statuses: 'key',
  assigneeId: 'key',
  tag: 'key',
  priority: 'key',
  limit: 'key',
  // Pages after the first are rarely shared, and any date makes one: only first pages are kept.
  // (All my shops' route reads no check with its session for the query fields these come from:
  // q, before and sla, mineReadAt in conversations.routes.ts; change both together.)
  before: 'never',
  text: 'never',
  found: 'never',
  allIn: 'never',
  scan: 'never',
  window: 'never',
  ids: 'never',
  now: 'ignored',
} as const satisfies Record<keyof InboxFilter, 'key' | 'never' | 'ignored'>;

/** The cache's key of a view, or undefined for one that is never kept (a search, the SLA filter, a page after the first). */
export function keyOf(shopId: string, masked: boolean, f: InboxFilter): string | undefined {
  return keyWith([shopId.toLowerCase(), masked], f);
}

/**
 * The key of a view of a person's shops (all my shops, or `shopId` of them), or undefined for
 * one never kept: the person, the shop asked for, then the view's filters as for one shop.
 * Never equal to one shop's key (it starts with "mine").
 */
export function keyMine(userId: string, shopId: string | undefined, f: InboxFilter): string | undefined {
  return keyWith(['mine', userId.toLowerCase(), shopId === undefined ? 0 : [shopId.toLowerCase()]], f);
}

function keyWith(parts: unknown[], f: InboxFilter): string | undefined {
  return keyFrom(parts, FIELDS, f);
}

/**
 * A kept page's key: `parts`, then each field of `f` that `fields` says is part of the key, in
 * `fields`' order; undefined when a field it says is never kept is set. `fields` names every
 * field of the query (its type says so where it is written: `satisfies Record<keyof Q, …>`), so
 * a field added to the query does not compile until it is placed. Also the returns and orders
 * lists' keys (returns.queries.ts, orders.list.ts).
 */
export function keyFrom<Q extends object>(parts: unknown[], fields: Readonly<Record<keyof Q, 'key' | 'never' | 'ignored'>>, f: Q): string | undefined {
  for (const [field, use] of Object.entries(fields) as Array<[keyof Q, 'key' | 'never' | 'ignored']>) {
    if (use === 'never' && f[field] !== undefined) return undefined;
    // Not filtered (0) is no value a filter can have, as a value is always in an array of its
    // own: a tag '*' once keyed as "no tag", so one agent's empty `?tag=*` page was answered to
    // everyone's unfiltered view. null (assignee: nobody) is [null].
    if (use === 'key') parts.push(f[field] === undefined ? 0 : [f[field]]);
  }
  return JSON.stringify(parts);
}
