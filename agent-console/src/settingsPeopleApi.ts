/**
 * The settings page's profile, identity secret and people sections. Shapes come from the
 * server's zod schemas (type-only imports: nothing of the server is bundled).
 */
import type { z } from 'zod';
import type { invitationCreated, invitationView } from '../../server/domains/invitations/invitations.schema.ts';
import type { memberView, updateShopBody } from '../../server/domains/shops/shops.schema.ts';
import type { WidgetSecretDto } from '../../server/domains/conversations/conversations.dto.ts';
import { request } from './api.ts';
import type { Role, SessionView, ShopView } from './types.ts';

export type MemberView = z.infer<typeof memberView>;
export type InvitationView = z.infer<typeof invitationView>;
export type InvitationCreated = z.infer<typeof invitationCreated>;
export type ShopProfilePatch = Pick<z.input<typeof updateShopBody>, 'name' | 'timezone' | 'locale' | 'mailSenderName' | 'noticeContact'>;

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const opts = (signal?: AbortSignal) => (signal ? { signal } : {});

export const settingsPeopleApi = {
  saveProfile: (shopId: string, patch: ShopProfilePatch) => request<ShopView>(shop(shopId), { method: 'PATCH', body: patch }),
  /** The new secret, in this answer only. */
  rotateWidgetSecret: (shopId: string) => request<WidgetSecretDto>(`${shop(shopId)}/widget-secret`, { method: 'POST' }),
  /** Owner and staff; others get 403. */
  members: (shopId: string, signal?: AbortSignal) => request<MemberView[]>(`${shop(shopId)}/members`, opts(signal)),
  changeRole: (shopId: string, userId: string, role: Role) => request<MemberView>(`${shop(shopId)}/members/${encodeURIComponent(userId)}`, { method: 'PATCH', body: { role } }),
  removeMember: (shopId: string, userId: string) => request<void>(`${shop(shopId)}/members/${encodeURIComponent(userId)}`, { method: 'DELETE' }),
  /** Owner only. */
  invitations: (shopId: string, signal?: AbortSignal) => request<InvitationView[]>(`${shop(shopId)}/invitations`, opts(signal)),
  invite: (shopId: string, email: string, role: Role) => request<InvitationCreated>(`${shop(shopId)}/invitations`, { method: 'POST', body: { email, role } }),
  withdrawInvitation: (shopId: string, id: string) => request<void>(`${shop(shopId)}/invitations/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  /** Who is signed in and in which shops, with which role: whose other shops a contractor works in. */
  session: (signal?: AbortSignal) => request<SessionView>('/api/auth/session', opts(signal)),
};
