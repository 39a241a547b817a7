import type { z } from 'zod';
import type { ShipmentStatus } from '../../server/domains/orders/orders.model.ts';
import type { importReport, orderLinks } from '../../server/domains/orders/orders.schema.ts';
import { request, upload, type Upload } from './api.ts';
import type { MaskableField, OrderView } from './types.ts';

/** The list's search and filters as the form holds them: empty strings are "any" and are not sent. */
export type OrderFilter = Partial<Record<'q' | 'from' | 'to' | 'carrier' | 'prefecture', string>> & { status?: '' | ShipmentStatus };
export type OrderLinks = z.output<typeof orderLinks>;
export type ImportReport = z.output<typeof importReport>;
export interface OrderPage {
  orders: OrderView[];
  nextCursor: string | null;
}

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const order = (shopId: string, orderNumber: string) => `${shop(shopId)}/orders/${encodeURIComponent(orderNumber)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

/** The orders pages' calls. Every read of an order is audited by the server; contact data comes masked for contractors. */
export const ordersApi = {
  /** A page of orders, newest first; empty filter fields are left out. */
  list: (shopId: string, filter: OrderFilter, cursor: string | null, signal?: AbortSignal) => {
    const params = new URLSearchParams({ limit: '25' });
    for (const [k, v] of Object.entries(filter)) if (typeof v === 'string' && v.trim()) params.set(k, v.trim());
    if (cursor) params.set('cursor', cursor);
    return request<OrderPage>(`${shop(shopId)}/orders?${params}`, opt(signal));
  },
  get: (shopId: string, orderNumber: string, signal?: AbortSignal) => request<OrderView>(order(shopId, orderNumber), opt(signal)),
  links: (shopId: string, orderNumber: string, signal?: AbortSignal) => request<OrderLinks>(`${order(shopId, orderNumber)}/links`, opt(signal)),
  /** One masked field in full, with a written reason (5–500 characters; audited). */
  reveal: (shopId: string, orderNumber: string, field: MaskableField, reason: string) =>
    request<{ field: MaskableField; value: string }>(`${order(shopId, orderNumber)}/reveal`, { method: 'POST', body: { field, reason } }),
  /** The file as it is (the server tells UTF-8 from Shift_JIS); owners and staff only. */
  importCsv: (shopId: string, file: Blob, onProgress: (sent: number, total: number) => void, onSent: () => void): Upload<ImportReport> =>
    upload<ImportReport>(`${shop(shopId)}/orders/import`, file, 'text/csv', onProgress, onSent),
};
