import { z } from 'zod';
import { shopsMessages } from './shops.messages.ts';
import { roles } from './shops.tables.ts';
import { registerMessages } from '../../core/messages.ts';

registerMessages(shopsMessages);

/** A name or label shown to people and put into mail: one line, no control characters. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'one line of text, without control characters');

export const shopIdParams = z.strictObject({ shopId: z.uuid({ message: 'expected a shop id (UUID)' }) });

const origin = z
  .string()
  .max(200, shopsMessages.originLength.en)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v;
    } catch {
      return false;
    }
  }, shopsMessages.origin.en);

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Asia/Tokyo');

const settingsFields = {
  name: plainText(120),
  timezone,
  locale: z.enum(['ja', 'en']),
  allowedOrigins: z.array(origin).max(20, shopsMessages.tooManyOrigins.en),
};

/** Defaults only when a shop is opened; a change names just what changes. */
export const createShopBody = z.strictObject({
  ...settingsFields,
  timezone: timezone.default('Asia/Tokyo'),
  locale: settingsFields.locale.default('ja'),
  allowedOrigins: settingsFields.allowedOrigins.default([]),
});
export const updateShopBody = z.strictObject(settingsFields).partial();

export const shopView = z.object({
  id: z.uuid(),
  name: z.string(),
  timezone: z.string(),
  locale: z.enum(['ja', 'en']),
  allowedOrigins: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const password = z.string().min(12, 'at least 12 characters').max(200);
export const email = z.email({ message: 'expected an email address' }).max(254).transform((e) => e.toLowerCase());

export const memberParams = shopIdParams.extend({ userId: z.uuid({ message: 'expected a user id (UUID)' }) });
export const updateMemberBody = z.strictObject({ role: z.enum(roles) });

export const memberView = z.object({
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  since: z.string(),
});
