/**
 * The API's shapes, taken from the server's own zod schemas (type-only imports: nothing of
 * the server ends up in the bundle).
 */
import type { z } from 'zod';
import type { sessionView } from '../../server/domains/auth/auth.schema.ts';
import type { shopView } from '../../server/domains/shops/shops.schema.ts';
import type { acceptBody, publicInvitationView } from '../../server/domains/invitations/invitations.schema.ts';
import type { ErrorBody } from '../../server/core/http.ts';

export type SessionView = z.infer<typeof sessionView>;
export type Membership = SessionView['memberships'][number];
export type Role = Membership['role'];
export type ShopView = z.infer<typeof shopView>;
export type ErrorCode = ErrorBody['error']['code'];
export type InvitationView = z.infer<typeof publicInvitationView>;
/** A new account's name and password, or {} when accepting signed in. */
export type AcceptInvitationBody = z.input<typeof acceptBody>;
