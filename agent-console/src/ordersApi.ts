import type { z } from 'zod';
import type { ShipmentStatus } from '../../server/domains/orders/orders.model.ts';
import type { importMappingAnswer, importMappingInput, importPreview, importReport, orderLinks } from '../../server/domains/orders/orders.schema.ts';
import { request, upload, type Upload } from './api.ts';
import type { MaskableField, OrderView } from './types.ts';

/** The list's search and filters as the form holds them: empty strings are "any" and are not sent. */
export type OrderFilter = Partial<Record<'q' | 'from' | 'to' | 'carrier' | 'prefecture', string>> & { status?: '' | ShipmentStatus };
export type OrderLinks = z.output<typeof orderLinks>;
export type ImportReport = z.output<typeof importReport>;
export type ImportPreset = ImportReport['preset'];
export type ImportPreview = z.output<typeof importPreview>;
export type ImportMappingAnswer = z.output<typeof importMappingAnswer>;
export type ImportMappingInput = z.input<typeof importMappingInput>;
/** `auto`: madoguchi's columns, a platform's export, or the saved mapping; `saved`: the saved mapping, always. */
export type ImportMappingMode = 'auto' | 'saved';
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
  importCsv: (shopId: string, file: Blob, onProgress: (sent: number, total: number) => void, onSent: () => void, mapping: ImportMappingMode = 'auto'): Upload<ImportReport> =>
    upload<ImportReport>(`${shop(shopId)}/orders/import${mapping === 'auto' ? '' : `?${new URLSearchParams({ mapping })}`}`, file, 'text/csv', onProgress, onSent),
  /** The file's header row, the fields each column suggests, and its first rows masked; nothing is stored. */
  preview: (shopId: string, file: Blob, signal?: AbortSignal) =>
    request<ImportPreview>(`${shop(shopId)}/orders/import/preview`, { method: 'POST', body: new Blob([file], { type: 'text/csv' }), ...opt(signal) }),
  /** The shop's saved column mapping (null when none) and every field a mapping can fill. */
  mapping: (shopId: string, signal?: AbortSignal) => request<ImportMappingAnswer>(`${shop(shopId)}/orders/import/mapping`, opt(signal)),
  /** Replaces the shop's saved mapping. */
  saveMapping: (shopId: string, body: ImportMappingInput) => request<ImportMappingAnswer>(`${shop(shopId)}/orders/import/mapping`, { method: 'PUT', body }),
};
