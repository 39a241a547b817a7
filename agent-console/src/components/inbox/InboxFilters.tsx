import { useEffect, useId, useRef, useState } from 'react';
import { useMessages } from '../../i18n.ts';
import type { AgentView, InboxFilter, Membership } from '../../types.ts';

const statuses = ['open', 'pending', 'waiting_merchant', 'snoozed', 'resolved', 'closed'] as const;
const priorities = ['urgent', 'high', 'normal', 'low'] as const;

/** Typing pauses this long before the list is asked again. */
const SEARCH_DELAY_MS = 300;

interface Props {
  filter: InboxFilter;
  agents: AgentView[];
  onChange: (f: InboxFilter) => void;
  /** The person's shops; the shop choice shows when there is more than one. */
  shops?: Membership[];
  /** The shop shown, or null for all of them. */
  shopId?: string | null;
  onShop?: (shopId: string | null) => void;
}

/** Status, assignee, tag, priority, SLA and text; an empty choice drops the filter. */
export function InboxFilters({ filter, agents, onChange, shops = [], shopId = null, onShop }: Props) {
  const m = useMessages().chat;
  const id = useId();
  const [q, setQ] = useState(filter.q ?? '');
  const [tag, setTag] = useState(filter.tag ?? '');
  // The latest filter, for the delayed text change (a select may have changed meanwhile).
  const latest = useRef(filter);
  latest.current = filter;
  const set = (patch: Partial<InboxFilter>) => {
    const next = { ...latest.current, ...patch };
    for (const k of Object.keys(next) as (keyof InboxFilter)[]) if (next[k] === '' || next[k] === undefined) delete next[k];
    onChange(next);
  };

  // Text fields settle before asking the server; the selects apply at once.
  useEffect(() => {
    const t = window.setTimeout(() => {
      const f = latest.current;
      if ((f.q ?? '') !== q.trim() || (f.tag ?? '') !== tag.trim()) set({ q: q.trim(), tag: tag.trim() });
    }, SEARCH_DELAY_MS);
    return () => window.clearTimeout(t);
  }, [q, tag]);

  return (
    <form className="filters" role="search" aria-label={m.filters.label} onSubmit={(e) => e.preventDefault()} data-testid="inbox-filters">
      {shops.length > 1 && onShop && (
        <>
          <label htmlFor={`${id}-shop`}>{m.filters.shop}</label>
          <select id={`${id}-shop`} value={shopId ?? ''} onChange={(e) => onShop(e.target.value || null)} data-testid="filter-shop">
            <option value="">{m.filters.allShops}</option>
            {shops.map((s) => (
              <option key={s.shopId} value={s.shopId}>
                {s.shopName}
              </option>
            ))}
          </select>
        </>
      )}
      <label htmlFor={`${id}-status`}>{m.filters.status}</label>
      <select id={`${id}-status`} value={filter.status ?? ''} onChange={(e) => set({ status: e.target.value as InboxFilter['status'] })} data-testid="filter-status">
        <option value="">{m.filters.anyStatus}</option>
        <option value="active">{m.filters.active}</option>
        {statuses.map((s) => (
          <option key={s} value={s}>
            {m.status[s]}
          </option>
        ))}
      </select>

      <label htmlFor={`${id}-assignee`}>{m.filters.assignee}</label>
      <select id={`${id}-assignee`} value={filter.assignee ?? ''} onChange={(e) => set({ assignee: e.target.value })} data-testid="filter-assignee">
        <option value="">{m.filters.anyone}</option>
        <option value="me">{m.filters.me}</option>
        <option value="none">{m.filters.none}</option>
        {agents.map((a) => (
          <option key={a.userId} value={a.userId}>
            {a.name}
          </option>
        ))}
      </select>

      <label htmlFor={`${id}-priority`}>{m.filters.priority}</label>
      <select id={`${id}-priority`} value={filter.priority ?? ''} onChange={(e) => set({ priority: e.target.value as InboxFilter['priority'] })}>
        <option value="">{m.filters.anyPriority}</option>
        {priorities.map((p) => (
          <option key={p} value={p}>
            {m.priority[p]}
          </option>
        ))}
      </select>

      <label htmlFor={`${id}-sla`}>{m.filters.sla}</label>
      <select id={`${id}-sla`} value={filter.sla ?? ''} onChange={(e) => set({ sla: e.target.value as InboxFilter['sla'] })}>
        <option value="">{m.filters.anySla}</option>
        <option value="at_risk">{m.sla.at_risk}</option>
        <option value="breached">{m.sla.breached}</option>
      </select>

      <label htmlFor={`${id}-tag`}>{m.filters.tag}</label>
      <input id={`${id}-tag`} className="filter-tag" value={tag} maxLength={40} onChange={(e) => setTag(e.target.value)} />

      <label htmlFor={`${id}-q`}>{m.filters.search}</label>
      <input id={`${id}-q`} type="search" value={q} maxLength={100} placeholder={m.filters.searchHint} onChange={(e) => setQ(e.target.value)} data-testid="filter-q" />
    </form>
  );
}
