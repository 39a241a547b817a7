/**
 * What bench/api.ts asks, each real request beside its twin: the routes and query parameters
 * of server/domains/*\/*.routes.ts and *.schema.ts, with values read back from the seed.
 */
import type { Seeded } from './seed.ts';

export type Size = 'big' | 'mid' | 'small';
/** list: p99 ≤ 50 ms and ≤ 2× its twin; queue: the contractor's queue over 100 shops, p99 ≤ 100 ms; floor: no target. */
export type Kind = 'list' | 'queue' | 'floor';

export interface Pair {
  name: string;
  size?: Size;
  kind: Kind;
  who: 'owner' | 'contractor';
  real: string;
  twin: string;
  /** Conversations of the shop changed a second while real and twin run (bench/api/server.ts, `churn`): a kept inbox page then lasts only until the next (a kept page of returns or orders, until their own next change). */
  churn?: number;
}

const query = (params: Record<string, string | undefined>) => {
  const s = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return s ? `?${s}` : '';
};

/** Every request, for the shops and people of `seeded`; `cursor` is the `next` of the big shop's first inbox page. */
export function pairs(seeded: Seeded, cursor: string | null): Pair[] {
  const { shops, owner, contractor, samples: s } = seeded;
  const inbox = (name: string, size: Size, params: Record<string, string | undefined>, kind: Kind = 'list', churn?: number): Pair => ({
    name,
    size,
    kind,
    ...(churn ? { churn } : {}),
    who: 'owner',
    real: `/api/shops/${shops[size].id}/conversations${query(params)}`,
    twin: `/twin/shops/${shops[size].id}/conversations${query({ ...params, user: owner.id })}`,
  });
  const big = shops.big.id;
  const out: Pair[] = [];
  for (const size of ['big', 'mid', 'small'] as const) {
    out.push(inbox('inbox', size, {}), inbox('inbox-active', size, { status: 'active' }));
  }
  out.push(
    // The big shop's first page while its newest conversations change, 10 and 100 times a second.
    inbox('inbox-churn10', 'big', {}, 'list', 10),
    inbox('inbox-churn100', 'big', {}, 'list', 100),
    inbox('inbox-resolved', 'big', { status: 'resolved' }),
    inbox('inbox-mine', 'big', { assignee: 'me' }),
    inbox('inbox-unassigned', 'big', { assignee: 'none' }),
    inbox('inbox-urgent', 'big', { priority: 'urgent' }),
    inbox('inbox-tag', 'big', { tag: s.tag }),
    ...(cursor ? [inbox('inbox-page2', 'big', { before: cursor })] : []),
    inbox('search-number', 'big', { q: `#${s.number}` }),
    inbox('search-name', 'big', { q: s.customerName }),
    inbox('search-subject', 'big', { q: s.subjectWord }),
    inbox('search-order', 'big', { q: s.orderNumber }),
    {
      name: 'related',
      size: 'big',
      kind: 'list',
      who: 'owner',
      real: `/api/shops/${big}/conversations/${s.relatedId}/related`,
      twin: `/twin/shops/${big}/conversations/${s.relatedId}/related`,
    },
    { name: 'orders', size: 'big', kind: 'list', who: 'owner', real: `/api/shops/${big}/orders`, twin: `/twin/shops/${big}/orders` },
    { name: 'orders-search', size: 'big', kind: 'list', who: 'owner', real: `/api/shops/${big}/orders${query({ q: s.familyName })}`, twin: `/twin/shops/${big}/orders${query({ q: s.familyName })}` },
    { name: 'returns', size: 'big', kind: 'list', who: 'owner', real: `/api/shops/${big}/returns`, twin: `/twin/shops/${big}/returns` },
    // Orders and returns while the shop's conversations change 10 times a second: their kept first pages are checked against their own changes (list_changes), not the conversations'.
    { name: 'orders-churn10', size: 'big', kind: 'list', churn: 10, who: 'owner', real: `/api/shops/${big}/orders`, twin: `/twin/shops/${big}/orders` },
    { name: 'returns-churn10', size: 'big', kind: 'list', churn: 10, who: 'owner', real: `/api/shops/${big}/returns`, twin: `/twin/shops/${big}/returns` },
    { name: 'audit', size: 'big', kind: 'list', who: 'owner', real: `/api/shops/${big}/audit`, twin: `/twin/shops/${big}/audit` },
    { name: 'my-queue', kind: 'queue', who: 'contractor', real: '/api/me/conversations', twin: `/twin/me/conversations${query({ user: contractor.id })}` },
    // The contractor's queue while one of their shops (the big one) changes 10 times a second: a kept page lasts until the next.
    { name: 'my-queue-churn10', size: 'big', kind: 'queue', churn: 10, who: 'contractor', real: '/api/me/conversations', twin: `/twin/me/conversations${query({ user: contractor.id })}` },
    { name: 'my-queue-active', kind: 'queue', who: 'contractor', real: '/api/me/conversations?status=active', twin: `/twin/me/conversations${query({ status: 'active', user: contractor.id })}` },
    { name: 'my-queue-search', kind: 'queue', who: 'contractor', real: `/api/me/conversations${query({ q: s.subjectWord })}`, twin: `/twin/me/conversations${query({ q: s.subjectWord, user: contractor.id })}` },
    { name: 'session', kind: 'floor', who: 'owner', real: '/api/auth/session', twin: `/twin/session${query({ user: owner.id })}` },
    { name: 'healthz', kind: 'floor', who: 'owner', real: '/healthz', twin: '/healthz' },
  );
  return out;
}

/** `--only inbox,search-*`: names, or prefixes ending in `*`. */
export function only(list: Pair[], filter: string | undefined): Pair[] {
  if (!filter) return list;
  const wanted = filter.split(',').map((w) => w.trim()).filter(Boolean);
  return list.filter((p) => wanted.some((w) => (w.endsWith('*') ? p.name.startsWith(w.slice(0, -1)) : p.name === w)));
}
