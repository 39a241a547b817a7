import type { FieldErrors } from '../../fieldErrors.ts';
import type { OrderFilter } from '../../ordersApi.ts';

/**
 * Where the orders list was, so that back from an order lands on the same search and page.
 *
 * Kept in module memory, which outlives a sign-out (the console does not reload the page): on a
 * shop's shared PC the next person must not find the last one's search, which may be a
 * customer's email or phone. So a place belongs to one person in one shop, and every place is
 * forgotten when a session ends (App's `end`).
 */
export interface ListPlace {
  filter: Required<OrderFilter>;
  /** The cursor of each page seen so far; page 1's is null. */
  cursors: (string | null)[];
}

const places = new Map<string, ListPlace>();
const key = (userId: string, shopId: string) => JSON.stringify([userId, shopId]);

export const listPlaces = {
  get: (userId: string, shopId: string): ListPlace | undefined => places.get(key(userId, shopId)),
  set: (userId: string, shopId: string, place: ListPlace) => void places.set(key(userId, shopId), place),
  /** On every end of a session: sign-out, an expired session, signing out on the invitation page. */
  forget: () => places.clear(),
};

/**
 * A 400 on the list, split into what the filters show beside their fields and what no visible
 * field can show (a stale cursor, a detail for a field the form does not have): the latter is
 * said above the list, so the page never goes blank with the error shown nowhere.
 */
export function splitListErrors(errors: FieldErrors, shown: readonly string[]): { fields: FieldErrors; formLevel: string[] } {
  const fields: FieldErrors = new Map();
  const formLevel: string[] = [];
  for (const [path, messages] of errors) {
    if (shown.includes(path)) fields.set(path, messages);
    else formLevel.push(...messages);
  }
  return { fields, formLevel };
}
