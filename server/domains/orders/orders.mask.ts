import type { Role } from '../shops/shops.tables.ts';
import type { MaskableField } from './orders.schema.ts';

/**
 * Contractors see the customer's name but not their contact data (DESIGN.md, roles). The
 * masks keep just enough to match what a customer says on the phone ("ending in 5678").
 */
export const masksContactData = (role: Role | 'api_key') => role === 'contractor';

export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***${tld}`;
}

/** Addresses inside a mail server's words ("550 5.1.1 <taro@…>: user unknown") get the same mask as a recipient's. */
export const maskAddressesIn = (s: string | null) => s?.replace(/[^\s<>"'():;,[\]]+@[^\s<>"'():;,[\]]+/g, (a) => maskEmail(a)) ?? null;

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `***-****-${digits.slice(-4)}`;
}

export const maskPostcode = (postcode: string) => `${postcode.slice(0, 3)}-****`;

export const maskAddress = (_address: string) => '****';

export const maskers: Record<MaskableField, (v: string) => string> = {
  email: maskEmail,
  phone: maskPhone,
  postcode: maskPostcode,
  address: maskAddress,
};
