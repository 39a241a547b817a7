import type { Role } from '../domains/shops/shops.tables.ts';
import { DomainError } from './errors.ts';

/** Who is acting, and in which shop. Services take one and check roles themselves. */
export type Actor =
  | { kind: 'user'; shopId: string; userId: string; name: string; role: Role }
  | { kind: 'api_key'; shopId: string; keyId: string; name: string }
  | { kind: 'system'; shopId: string; name: string };

export interface RequestMeta {
  requestId?: string;
}

/** Throws forbidden unless the actor is a user with one of the roles. */
export function requireRole(actor: Actor, ...roles: Role[]): asserts actor is Extract<Actor, { kind: 'user' }> {
  if (actor.kind !== 'user' || !roles.includes(actor.role)) {
    throw new DomainError('forbidden', `this needs the role ${roles.join(' or ')}`);
  }
}

export function requireKind<K extends Actor['kind']>(actor: Actor, ...kinds: K[]): asserts actor is Extract<Actor, { kind: K }> {
  if (!kinds.includes(actor.kind as K)) throw new DomainError('forbidden', `not allowed for ${actor.kind.replace('_', ' ')} callers`);
}

export const actorLabel = (a: Actor) => `${a.kind}:${a.name}`;
