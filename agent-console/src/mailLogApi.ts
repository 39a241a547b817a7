import type { z } from 'zod';
import type { dnsCheck, mailLogDetail, mailLogPage, suppressionView } from '../../server/domains/maillog/maillog.schema.ts';
import type { MailKind, MailStatus } from '../../server/domains/maillog/maillog.model.ts';
import { request } from './api.ts';

export type { MailKind, MailStatus };
export type MailLogPage = z.output<typeof mailLogPage>;
export type MailLogEntry = MailLogPage['entries'][number];
export type MailLogDetail = z.output<typeof mailLogDetail>;
export type Suppression = z.output<typeof suppressionView>;
export type DnsCheck = z.output<typeof dnsCheck>;

/** The log's filters as the form holds them: empty strings are "any" and are not sent. */
export type MailLogFilter = Partial<Record<'kind' | 'status' | 'recipient' | 'from' | 'to' | 'conversationId' | 'orderNumber' | 'returnId' | 'campaignId', string>>;

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

/** The mail log's calls. Reads are audited by the server; addresses come masked for contractors. */
export const mailLogApi = {
  list: (shopId: string, filter: MailLogFilter, cursor: string | null, signal?: AbortSignal, limit = 50) => {
    const params = new URLSearchParams({ limit: String(limit) });
    for (const [k, v] of Object.entries(filter)) if (typeof v === 'string' && v.trim()) params.set(k, v.trim());
    if (cursor) params.set('cursor', cursor);
    return request<MailLogPage>(`${shop(shopId)}/mail-log?${params}`, opt(signal));
  },
  get: (shopId: string, id: string, signal?: AbortSignal) => request<MailLogDetail>(`${shop(shopId)}/mail-log/${encodeURIComponent(id)}`, opt(signal)),
  suppressions: (shopId: string, signal?: AbortSignal) => request<{ suppressions: Suppression[] }>(`${shop(shopId)}/mail-suppressions`, opt(signal)),
  lift: (shopId: string, address: string) => request<{ lifted: string[]; remaining: string[] }>(`${shop(shopId)}/mail-suppressions/${encodeURIComponent(address)}`, { method: 'DELETE' }),
  dns: (shopId: string, signal?: AbortSignal) => request<DnsCheck>(`${shop(shopId)}/mail-settings/dns`, opt(signal)),
};
