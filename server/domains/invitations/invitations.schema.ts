import { z } from 'zod';
import { email, password, plainText, shopIdParams } from '../shops/shops.schema.ts';
import { roles } from '../shops/shops.tables.ts';

export const inviteBody = z.strictObject({ email, role: z.enum(roles) });

export const invitationView = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(roles),
  createdAt: z.string(),
  expiresAt: z.string(),
});

export const invitationCreated = invitationView.extend({
  mailed: z.boolean().describe('true: the mail is queued with the invitation; it is sent in the background and retried while the mail server is down'),
});

export const invitationParams = shopIdParams.extend({ invitationId: z.uuid() });

export const tokenParams = z.strictObject({ token: z.string().regex(/^[\w-]{43}$/, 'expected an invitation token') });

export const publicInvitationView = z.object({
  shopName: z.string(),
  role: z.enum(roles),
  email: z.string(),
  expiresAt: z.string(),
  hasAccount: z.boolean().describe('true: sign in as this email, then accept; false: accept with a name and a password'),
});

export const acceptBody = z.strictObject({
  name: plainText(120).optional(),
  password: password.optional(),
});
