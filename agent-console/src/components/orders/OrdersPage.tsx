import { useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { ordersMessages } from '../../i18n.orders.ts';
import { ordersApi, type OrderPage } from '../../ordersApi.ts';
import { tokyoDateTime, yen } from '../../returns.format.ts';
import type { Role } from '../../types.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { RouteLink } from '../RouteLink.tsx';
import { fieldErrors } from '../../fieldErrors.ts';
import { emptyFilter, OrderFilters } from './OrderFilters.tsx';
import { OrdersImport } from './OrdersImport.tsx';
import { listPlaces, splitListErrors, type ListPlace } from './orders.places.ts';
import '../../metrics.css';
import '../../returns.css';
import '../../orders.css';

/** Who may import (the service's rule: the merchant's own people; the API answers 403 to others). */
const mayImport = (role: Role) => role === 'owner' || role === 'staff';

/**
 * The shop's orders, newest first: search, filters, pages, and the CSV import for the
 * merchant's people. Contractors see contact data masked and cannot search by it.
 */
export function OrdersPage({ shopId, userId, role }: { shopId: string; userId: string; role: Role }) {
  const lang = useLang();
  const m = ordersMessages[lang];
  const [place, setPlaceState] = useState<ListPlace>(() => listPlaces.get(userId, shopId) ?? { filter: emptyFilter, cursors: [null] });
  const setPlace = (p: ListPlace) => {
    listPlaces.set(userId, shopId, p);
    setPlaceState(p);
  };
  const cursor = place.cursors[place.cursors.length - 1] ?? null;
  // useLoad says only that a load failed; the error itself is kept for a 400's field details.
  const [problem, setProblem] = useState<unknown>(null);
  const list = useLoad(
    (signal) =>
      ordersApi.list(shopId, place.filter, cursor, signal).catch((e: unknown) => {
        if (!signal.aborted) setProblem(e);
        throw e;
      }),
    JSON.stringify([shopId, place]),
  );
  // A 400 names the filter field at fault, shown beside the filters; what no filter shows is said above the list.
  const rejected = list.state === 'failed' && problem instanceof ApiError && problem.code === 'invalid_input' ? problem : null;
  const { fields: errors, formLevel } = splitListErrors(rejected ? fieldErrors(rejected.details, lang) : new Map(), Object.keys(emptyFilter));
  if (rejected && errors.size === 0 && formLevel.length === 0) formLevel.push(m.list.rejected);
  const filtered = Object.values(place.filter).some((v) => v !== '');
  const page: OrderPage | undefined = list.state === 'failed' ? undefined : list.data;

  return (
    <div className="orders-page" data-testid="orders-page">
      <h1 className="page-title">{m.title}</h1>
      {mayImport(role) && <OrdersImport shopId={shopId} onImported={list.retry} />}
      <OrderFilters applied={place.filter} onApply={(filter) => setPlace({ filter, cursors: [null] })} masked={role === 'contractor'} errors={errors} />
      {formLevel.length > 0 && (
        <p role="alert" className="alert alert-error" data-testid="orders-rejected">
          {formLevel.join(' ')}{' '}
          {place.cursors.length > 1 && (
            <button type="button" className="button button-quiet" onClick={() => setPlace({ ...place, cursors: [null] })}>
              {m.list.firstPage}
            </button>
          )}
        </p>
      )}
      {list.state === 'failed' && !rejected && (
        <p role="alert" className="alert alert-error" data-testid="orders-error">
          {m.list.loadFailed}{' '}
          <button type="button" className="button button-quiet" onClick={list.retry}>
            {m.list.retry}
          </button>
        </p>
      )}
      {list.state === 'loading' && !page && (
        <p className="muted" role="status">
          …
        </p>
      )}
      {page && page.orders.length === 0 && (
        <section className="empty-state" data-testid="orders-empty">
          <p className="empty-title">{filtered ? m.list.empty : m.list.none}</p>
          <p className="muted">{filtered ? m.list.emptyHint : m.list.noneHint}</p>
        </section>
      )}
      {page && page.orders.length > 0 && <OrdersTable shopId={shopId} page={page} busy={list.state === 'loading'} />}
      {page && (place.cursors.length > 1 || page.nextCursor) && (
        <nav className="orders-pager" aria-label={m.list.pages}>
          <button type="button" className="button" disabled={place.cursors.length <= 1} onClick={() => setPlace({ ...place, cursors: place.cursors.slice(0, -1) })} data-testid="orders-prev">
            {m.list.prev}
          </button>
          <span className="muted" aria-live="polite" data-testid="orders-page-number">
            {m.list.page(place.cursors.length)}
          </span>
          <button type="button" className="button" disabled={!page.nextCursor} onClick={() => setPlace({ ...place, cursors: [...place.cursors, page.nextCursor] })} data-testid="orders-next">
            {m.list.next}
          </button>
        </nav>
      )}
    </div>
  );
}

function OrdersTable({ shopId, page, busy }: { shopId: string; page: OrderPage; busy: boolean }) {
  const lang = useLang();
  const m = ordersMessages[lang];
  const l = m.list;
  return (
    <div className="table-scroll">
      <table className="data-table orders-table" aria-busy={busy} data-testid="orders-table">
        <caption className="sr-only">{l.caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="text-cell">{l.number}</th>
            <th scope="col" className="text-cell">{l.orderedAt}</th>
            <th scope="col" className="text-cell">{l.customer}</th>
            <th scope="col" className="text-cell">{l.prefecture}</th>
            <th scope="col" className="text-cell">{l.status}</th>
            <th scope="col" className="text-cell">{l.carrier}</th>
            <th scope="col">{l.total}</th>
          </tr>
        </thead>
        <tbody>
          {page.orders.map((o) => (
            <tr key={o.id} data-testid="order-row" data-number={o.orderNumber}>
              <th scope="row" className="text-cell">
                <RouteLink to={{ page: 'orderDetail', shopId, orderNumber: o.orderNumber }} testId="order-link">
                  {o.orderNumber}
                </RouteLink>
              </th>
              <td className="text-cell">{tokyoDateTime(o.orderedAt, lang)}</td>
              <td className="text-cell">{o.customer.name}</td>
              <td className="text-cell">{o.customer.prefecture ?? ''}</td>
              <td className="text-cell">
                <span className={`badge order-status order-status-${o.status}`}>{m.status[o.status]}</span>
              </td>
              <td className="text-cell">{o.carrier ?? ''}</td>
              <td>{yen(o.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
