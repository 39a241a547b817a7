import type { CampaignCounts } from './notices.campaigns.model.ts';
import type { CampaignRow, RecipientRow } from './notices.campaigns.repository.ts';
import type { NoticeType } from './notices.types.ts';
import { maskAddressesIn, maskEmail } from '../orders/orders.mask.ts';

/** A campaign as the API answers it (CONTRACT13: Campaign JSON). */
export const toCampaignView = (c: CampaignRow, counts: CampaignCounts) => ({
  id: c.id,
  shopId: c.shopId,
  name: c.name,
  type: c.type as NoticeType,
  templateVersionId: c.templateVersionId,
  variables: c.variables,
  startsAt: c.startsAt.toISOString(),
  endsAt: c.endsAt?.toISOString() ?? null,
  channels: c.channels,
  target: c.target as Record<string, unknown>,
  status: c.status,
  counts,
  version: c.version,
  publishedAt: c.publishedAt?.toISOString() ?? null,
  startFailure: c.startFailure ?? null,
  finishedAt: c.finishedAt?.toISOString() ?? null,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});
export type CampaignView = ReturnType<typeof toCampaignView>;

/** A recipient as the failed-recipients list shows it; the address masked for contractors, in the mail server's answer too. */
export const toRecipientView = (r: RecipientRow, masked: boolean) => ({
  id: r.id,
  email: masked ? maskEmail(r.email) : r.email,
  customerName: r.customerName,
  orderNumbers: r.orderNumbers,
  status: r.status,
  reason: masked ? maskAddressesIn(r.reason) : r.reason,
  sentAt: r.sentAt?.toISOString() ?? null,
});
