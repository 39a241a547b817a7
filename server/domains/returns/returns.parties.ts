import type { Actor } from '../../core/actor.ts';
import type { ReturnActorRole } from './returns.model.ts';

/**
 * Who acts on a return: a person or key of the shop, madoguchi itself, or the customer from
 * the portal (verified against one order).
 */
export type ReturnParty = { kind: 'staff'; actor: Actor } | { kind: 'customer'; shopId: string; orderId: string; name: string };

export const shopOf = (p: ReturnParty) => (p.kind === 'staff' ? p.actor.shopId : p.shopId);

/** A shop's API key acts as its staff; `system` is madoguchi's own rules and timers. */
export function roleOf(p: ReturnParty): ReturnActorRole {
  if (p.kind === 'customer') return 'customer';
  const a = p.actor;
  if (a.kind === 'user') return a.role;
  return a.kind === 'api_key' ? 'staff' : 'system';
}

export const partyColumns = (p: ReturnParty) =>
  p.kind === 'customer'
    ? { actorKind: 'customer' as const, actorId: p.orderId, actorName: p.name }
    : { actorKind: p.actor.kind, actorId: p.actor.kind === 'user' ? p.actor.userId : p.actor.kind === 'api_key' ? p.actor.keyId : null, actorName: p.actor.name };

/** madoguchi's own rules and timers, as the party of the moves they make. */
export const systemParty = (shopId: string, name = 'madoguchi rules'): ReturnParty => ({ kind: 'staff', actor: { kind: 'system', shopId, name } });
