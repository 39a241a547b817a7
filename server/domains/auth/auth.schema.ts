import { z } from 'zod';
import { roles } from '../shops/shops.tables.ts';
import { password, plainText } from '../shops/shops.schema.ts';

export const signInBody = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
});

export const changePasswordBody = z.strictObject({ current: z.string().min(1).max(200), next: password });

export const sessionView = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string(), locale: z.string() }),
  memberships: z.array(z.object({ shopId: z.uuid(), shopName: z.string(), role: z.enum(roles) })),
  csrfToken: z.string().describe('echo in X-CSRF-Token on every write'),
  expiresAt: z.string(),
});

export const profileBody = z.strictObject({
  name: plainText(120).optional(),
  locale: z.enum(['ja', 'en']).optional(),
});
