import { useId, useState, type FormEvent } from 'react';
import { prefectures, shipmentStatuses } from '../../../../server/domains/orders/orders.model.ts';
import { useLang } from '../../i18n.ts';
import { ordersMessages } from '../../i18n.orders.ts';
import type { OrderFilter } from '../../ordersApi.ts';

/** Carriers most Japanese shops use; the field takes any name the orders carry. */
const commonCarriers = ['ヤマト運輸', '佐川急便', '日本郵便', '西濃運輸', '福山通運'];

/** The form's fields as typed; empty means "any". */
export type FilterDraft = Required<OrderFilter>;
export const emptyFilter: FilterDraft = { q: '', from: '', to: '', status: '', carrier: '', prefecture: '' };

interface Props {
  applied: FilterDraft;
  onApply: (f: FilterDraft) => void;
  /** Contractors do not search by contact data; the hint says what they can search by. */
  masked: boolean;
  /** The server's words about a field (already in the person's language), by field name. */
  errors: Map<string, string[]>;
}

/**
 * Search and filters. Choosing from a list or a calendar applies at once; the words apply
 * on Enter or the button, so typing does not send a search per key.
 */
export function OrderFilters({ applied, onApply, masked, errors }: Props) {
  const all = ordersMessages[useLang()];
  const m = all.list;
  const id = useId();
  const [draft, setDraft] = useState<FilterDraft>(applied);
  const set = <K extends keyof FilterDraft>(k: K, v: FilterDraft[K], now = false) => {
    const next = { ...draft, [k]: v };
    setDraft(next);
    if (now) onApply(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  const clear = () => {
    setDraft(emptyFilter);
    onApply(emptyFilter);
  };
  const err = (k: keyof FilterDraft) => errors.get(k);
  const invalid = (k: keyof FilterDraft) => (err(k) ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-${k}-error` } : {});

  return (
    <form className="filters order-filters" role="search" onSubmit={submit} data-testid="order-filters">
      <label htmlFor={`${id}-q`}>{m.search}</label>
      <input id={`${id}-q`} type="search" value={draft.q} maxLength={120} placeholder={masked ? m.searchHintMasked : m.searchHint} onChange={(e) => set('q', e.target.value)} data-testid="order-search" {...invalid('q')} />
      <label htmlFor={`${id}-from`}>{m.from}</label>
      <input id={`${id}-from`} type="date" value={draft.from} onChange={(e) => set('from', e.target.value, true)} data-testid="order-from" {...invalid('from')} />
      <label htmlFor={`${id}-to`}>{m.to}</label>
      <input id={`${id}-to`} type="date" value={draft.to} onChange={(e) => set('to', e.target.value, true)} data-testid="order-to" {...invalid('to')} />
      <label htmlFor={`${id}-status`}>{m.status}</label>
      <select id={`${id}-status`} value={draft.status} onChange={(e) => set('status', e.target.value as FilterDraft['status'], true)} data-testid="order-status">
        <option value="">{m.any}</option>
        {shipmentStatuses.map((s) => (
          <option key={s} value={s}>
            {all.status[s]}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-carrier`}>{m.carrier}</label>
      <input id={`${id}-carrier`} list={`${id}-carriers`} value={draft.carrier} maxLength={64} onChange={(e) => set('carrier', e.target.value)} className="order-carrier" data-testid="order-carrier" {...invalid('carrier')} />
      <datalist id={`${id}-carriers`}>
        {commonCarriers.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <label htmlFor={`${id}-pref`}>{m.prefecture}</label>
      <select id={`${id}-pref`} value={draft.prefecture} onChange={(e) => set('prefecture', e.target.value as FilterDraft['prefecture'], true)} data-testid="order-prefecture">
        <option value="">{m.any}</option>
        {prefectures.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <button type="submit" className="button" data-testid="order-apply">
        {m.apply}
      </button>
      <button type="button" className="button button-quiet" onClick={clear} data-testid="order-clear">
        {m.clear}
      </button>
      {(Object.keys(emptyFilter) as (keyof FilterDraft)[]).map((k) =>
        err(k) ? (
          <p key={k} id={`${id}-${k}-error`} className="field-error order-filter-error" role="alert" data-testid={`order-${k}-error`}>
            {err(k)!.join(' ')}
          </p>
        ) : null,
      )}
    </form>
  );
}
