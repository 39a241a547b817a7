import { request } from './api.ts';
import type { Lang } from './i18n.ts';
import type { ExchangeItemInput, FileReturnInput, MoveReturnInput, OrderView, ReasonsReport, RefusedDeliveryInput, ReturnList, ReturnStatus, ReturnTermsInput, ReturnTermsView, ReturnView, RevealedBankAccount } from './types.ts';

const shop = (shopId: string) => `/api/shops/${encodeURIComponent(shopId)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

export interface ReturnListQuery {
  /** Empty: every status. */
  status: readonly ReturnStatus[];
  limit?: number;
  /** nextBefore of the previous page. */
  before?: number;
}

/** The returns pages' REST calls. */
export const returnsApi = {
  list: (shopId: string, q: ReturnListQuery, signal?: AbortSignal) => {
    const params = new URLSearchParams({ limit: String(q.limit ?? 25) });
    if (q.status.length) params.set('status', q.status.join(','));
    if (q.before !== undefined) params.set('before', String(q.before));
    return request<ReturnList>(`${shop(shopId)}/returns?${params}`, opt(signal));
  },
  get: (shopId: string, returnId: string, signal?: AbortSignal) => request<ReturnView>(`${shop(shopId)}/returns/${encodeURIComponent(returnId)}`, opt(signal)),
  /** 409 when the status is no longer `expectedStatus`; 403 above the agents' refund limit. */
  move: (shopId: string, returnId: string, body: MoveReturnInput) =>
    request<ReturnView>(`${shop(shopId)}/returns/${encodeURIComponent(returnId)}/transitions`, { method: 'POST', body }),
  /** A contractor's look at the whole bank details, with a written reason (5–500 characters; audited). Nothing is kept: a reload masks them again. */
  /** What an exchange sends out; the difference is computed again. 403 above the agents' limit (or for contractors), 409 when moved on. */
  setExchangeItems: (shopId: string, returnId: string, items: ExchangeItemInput[], expectedStatus: string) =>
    request<ReturnView>(`${shop(shopId)}/returns/${encodeURIComponent(returnId)}/exchange-items`, { method: 'PUT', body: { items, expectedStatus } }),
  revealBank: (shopId: string, returnId: string, reason: string) =>
    request<{ bankAccount: RevealedBankAccount }>(`${shop(shopId)}/returns/${encodeURIComponent(returnId)}/reveal-bank`, { method: 'POST', body: { reason } }),
  /** The order a person files for (its lines); reading it is audited, contact data masked for contractors. */
  order: (shopId: string, orderNumber: string, signal?: AbortSignal) => request<OrderView>(`${shop(shopId)}/orders/${encodeURIComponent(orderNumber)}`, opt(signal)),
  /** Files a return on the customer's behalf: 201 with the return; 400 with the failed checks or fields; 404 unknown order. */
  file: (shopId: string, body: FileReturnInput) => request<ReturnView>(`${shop(shopId)}/returns`, { method: 'POST', body }),
  /** A parcel the carrier brought back (受け取り拒否): 201 with the new return; 404 unknown order; 409 delivered or already returned. */
  recordRefusedDelivery: (shopId: string, body: RefusedDeliveryInput) =>
    request<ReturnView>(`${shop(shopId)}/returns/refused-deliveries`, { method: 'POST', body }),
  terms: (shopId: string, signal?: AbortSignal) => request<ReturnTermsView>(`${shop(shopId)}/return-terms`, opt(signal)),
  /** Owner only; answers the new current version (without the list of versions). */
  publishTerms: (shopId: string, terms: ReturnTermsInput) => request<Omit<ReturnTermsView, 'versions'>>(`${shop(shopId)}/return-terms`, { method: 'PUT', body: terms }),
  /** Owner only: the public page as the draft would render it; nothing is saved. */
  previewTerms: (shopId: string, terms: ReturnTermsInput, lang: Lang, signal?: AbortSignal) =>
    request<{ html: string }>(`${shop(shopId)}/return-terms/preview?${new URLSearchParams({ lang })}`, { method: 'POST', body: terms, ...opt(signal) }),
  /** Tokyo months YYYY-MM, both included. */
  reasons: (shopId: string, from: string, to: string, signal?: AbortSignal) =>
    request<ReasonsReport>(`${shop(shopId)}/returns/reasons?${new URLSearchParams({ from, to })}`, opt(signal)),
};

/** The report as CSV: a plain link, so the browser downloads it with the session cookie (the export is audited). */
export const reasonsCsvUrl = (shopId: string, from: string, to: string) => `${shop(shopId)}/returns/reasons.csv?${new URLSearchParams({ from, to })}`;

/** The terms page customers read, as published. */
export const publicTermsUrl = (shopId: string, lang: Lang) => `/shops/${encodeURIComponent(shopId)}/return-terms?${new URLSearchParams({ lang })}`;
