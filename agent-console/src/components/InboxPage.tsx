import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import { chatApi } from '../chatApi.ts';
import { applyActivity, applyUpdate, isDefaultFilter, rememberedFilter, rememberFilter } from '../inbox.ts';
import { useMessages } from '../i18n.ts';
import { navigate, type Route } from '../router.ts';
import { useShortcuts } from '../shortcuts.ts';
import { useLive, useSocketEvent } from '../socket.ts';
import { useOtherShopUpdates } from '../socket.shops.ts';
import type { AgentView, ConversationActivity, ConversationDto, InboxFilter, Membership } from '../types.ts';
import { InboxFilters } from './inbox/InboxFilters.tsx';
import { InboxRow } from './inbox/InboxRow.tsx';
import { BulkBar } from './inbox/BulkBar.tsx';

type Load = { state: 'loading' } | { state: 'failed' } | { state: 'ready'; next: string | null };
/** In the all-shops inbox a row also names its shop. */
type Item = ConversationDto & { shopName?: string };

/** Where the filters of the all-shops inbox are remembered (shop ids are UUIDs, so no clash). */
const ALL_SHOPS = '*';

interface Props {
  /** The open shop; in the all-shops inbox, the one whose socket the shell holds. */
  shopId: string;
  meId: string;
  /** The person's shops, for the shop choice. */
  shops: Membership[];
  /** One queue over every shop in `shops`. */
  all?: boolean;
}

/**
 * The queue: the first page from the server, then kept current by `conversation:updated`.
 * With `all`, the queue over every shop of the person, live through one socket per shop.
 */
export function InboxPage({ shopId, meId, shops, all = false }: Props) {
  const m = useMessages();
  const live = useLive();
  const { socket } = live;
  const scope = all ? ALL_SHOPS : shopId;
  const names = useMemo(() => new Map(shops.map((s) => [s.shopId, s.shopName])), [shops]);
  const [filter, setFilterState] = useState<InboxFilter>(() => rememberedFilter(scope));
  const [list, setList] = useState<Item[]>([]);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [selected, setSelected] = useState(0);
  const [attempt, setAttempt] = useState(0);
  // Ticked rows for a bulk action (one shop's inbox only: the bulk route is per shop).
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const toggle = (id: string, on: boolean) =>
    setChecked((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const listRef = useRef<HTMLOListElement>(null);

  const setFilter = (f: InboxFilter) => {
    rememberFilter(scope, f);
    setFilterState(f);
    setSelected(0);
    setChecked(new Set());
  };

  /** Another shop, or all of them, with the filters kept (but a person of this shop means nothing there). */
  const chooseShop = (next: string | null) => {
    const { assignee, ...rest } = filter;
    const kept = assignee === 'me' || assignee === 'none' ? { ...rest, assignee } : rest;
    rememberFilter(next ?? ALL_SHOPS, kept);
    navigate(next ? ({ page: 'inbox', shopId: next } satisfies Route) : { page: 'allInbox' });
  };

  const onUpdate = (c: ConversationDto) => {
    if (!all) {
      if (c.shopId === shopId) setList((l) => applyUpdate(l, c, filter, meId));
      return;
    }
    const shopName = names.get(c.shopId);
    if (shopName !== undefined) setList((l) => applyUpdate<Item>(l, { ...c, shopName }, filter, meId));
  };
  useSocketEvent(socket, 'conversation:updated', onUpdate);
  const onActivity = (rows: ConversationActivity[]) => {
    const mine = rows.filter((a) => (all ? names.has(a.shopId) : a.shopId === shopId));
    if (mine.length) setList((l) => mine.reduce((acc, a) => applyActivity(acc, a, filter, meId), l));
  };
  useSocketEvent(socket, 'conversation:activity', onActivity);
  const others = useMemo(() => (all ? shops.map((s) => s.shopId).filter((id) => id !== shopId) : []), [all, shops, shopId]);
  const otherGeneration = useOtherShopUpdates(others, live, onUpdate, onActivity);
  const generation = live.generation + otherGeneration;

  const fetchPage = useCallback(
    (before?: string, signal?: AbortSignal): Promise<{ conversations: Item[]; next: string | null }> =>
      all ? chatApi.myInbox(filter, before, signal) : chatApi.inbox(shopId, filter, before, signal),
    [all, shopId, filter],
  );

  // The first page again whenever the filter changes, and after a reconnect (events were missed).
  useEffect(() => {
    const ctrl = new AbortController();
    setLoad({ state: 'loading' });
    fetchPage(undefined, ctrl.signal).then(
      (page) => {
        if (ctrl.signal.aborted) return;
        setList(page.conversations);
        setLoad({ state: 'ready', next: page.next });
      },
      (e: unknown) => {
        if (!ctrl.signal.aborted && !(e instanceof ApiError && e.code === 'unauthenticated')) setLoad({ state: 'failed' });
      },
    );
    return () => ctrl.abort();
  }, [fetchPage, generation, attempt]);

  // People are per shop: across shops the assignee choice is "me", "unassigned" or anyone.
  useEffect(() => {
    if (all) return;
    const ctrl = new AbortController();
    chatApi.agents(shopId, ctrl.signal).then(setAgents, () => undefined);
    return () => ctrl.abort();
  }, [shopId, all]);

  const more = useCallback(async () => {
    if (load.state !== 'ready' || !load.next) return;
    try {
      const page = await fetchPage(load.next);
      setList((l) => [...l, ...page.conversations.filter((c) => !l.some((x) => x.id === c.id))]);
      setLoad({ state: 'ready', next: page.next });
    } catch {
      setLoad({ state: 'failed' });
    }
  }, [load, fetchPage]);

  const current = list[Math.min(selected, list.length - 1)];
  useShortcuts({
    j: () => setSelected((i) => Math.min(i + 1, list.length - 1)),
    k: () => setSelected((i) => Math.max(i - 1, 0)),
    Enter: () => current && navigate({ page: 'conversation', shopId: current.shopId, conversationId: current.id }),
    x: () => !all && current && toggle(current.id, !checked.has(current.id)),
  });
  useEffect(() => {
    listRef.current?.querySelector('[data-selected]')?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const nothingAtAll = load.state === 'ready' && list.length === 0 && isDefaultFilter(filter);
  return (
    <>
      <h1 className="page-title">{m.inbox.title}</h1>
      <InboxFilters filter={filter} agents={agents} onChange={setFilter} shops={shops} shopId={all ? null : shopId} onShop={chooseShop} />
      {load.state === 'failed' && (
        <p role="alert" className="alert alert-error">
          {m.chat.list.loadFailed}{' '}
          <button type="button" className="button button-quiet" onClick={() => setAttempt((a) => a + 1)}>
            {m.chat.list.retry}
          </button>
        </p>
      )}
      {nothingAtAll ? (
        <section className="empty-state" data-testid="inbox-empty">
          <svg className="empty-icon" viewBox="0 0 48 48" aria-hidden="true">
            <path d="M8 28 12 10h24l4 18v10H8z" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinejoin="round" />
            <path d="M8 28h10l2 4h8l2-4h10" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinejoin="round" />
          </svg>
          <p className="empty-title">{m.inbox.empty}</p>
          <p className="muted">{m.inbox.emptyHint}</p>
        </section>
      ) : load.state === 'ready' && list.length === 0 ? (
        <p className="muted" data-testid="inbox-no-match">
          {m.chat.list.noMatch}
        </p>
      ) : (
        <>
          {!all && (
            <BulkBar
              shopId={shopId}
              shown={list}
              selected={checked}
              onSelect={setChecked}
              agents={agents}
              onChanged={(rows) => setList((l) => rows.reduce((acc, c) => applyUpdate(acc, c, filter, meId), l))}
            />
          )}
          <ol ref={listRef} className="inbox-list" aria-label={m.chat.list.label} aria-busy={load.state === 'loading'} data-selectable={!all || undefined} data-testid="inbox-list">
            {list.map((c, i) => (
              <InboxRow
                key={c.id}
                c={c}
                shopName={all ? (c.shopName ?? names.get(c.shopId) ?? '') : undefined}
                selected={c.id === current?.id}
                onSelect={() => setSelected(i)}
                {...(all ? {} : { checked: checked.has(c.id), onCheck: (on: boolean) => toggle(c.id, on) })}
              />
            ))}
          </ol>
        </>
      )}
      {load.state === 'ready' && load.next && (
        <button type="button" className="button" onClick={() => void more()}>
          {m.chat.list.more}
        </button>
      )}
    </>
  );
}
