import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import { chatApi } from '../chatApi.ts';
import { applyUpdate, isDefaultFilter, rememberedFilter, rememberFilter } from '../inbox.ts';
import { useMessages } from '../i18n.ts';
import { navigate } from '../router.ts';
import { useShortcuts } from '../shortcuts.ts';
import { useLive, useSocketEvent } from '../socket.ts';
import type { AgentView, ConversationDto, InboxFilter } from '../types.ts';
import { InboxFilters } from './inbox/InboxFilters.tsx';
import { InboxRow } from './inbox/InboxRow.tsx';

type Load = { state: 'loading' } | { state: 'failed' } | { state: 'ready'; next: string | null };

/** The queue: the first page from the server, then kept current by `conversation:updated`. */
export function InboxPage({ shopId, meId }: { shopId: string; meId: string }) {
  const m = useMessages();
  const { socket, generation } = useLive();
  const [filter, setFilterState] = useState<InboxFilter>(() => rememberedFilter(shopId));
  const [list, setList] = useState<ConversationDto[]>([]);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [selected, setSelected] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const listRef = useRef<HTMLOListElement>(null);

  const setFilter = (f: InboxFilter) => {
    rememberFilter(shopId, f);
    setFilterState(f);
    setSelected(0);
  };

  // The first page again whenever the filter changes, and after a reconnect (events were missed).
  useEffect(() => {
    const ctrl = new AbortController();
    setLoad({ state: 'loading' });
    chatApi.inbox(shopId, filter, undefined, ctrl.signal).then(
      (page) => {
        setList(page.conversations);
        setLoad({ state: 'ready', next: page.next });
      },
      (e: unknown) => {
        if (!ctrl.signal.aborted && !(e instanceof ApiError && e.code === 'unauthenticated')) setLoad({ state: 'failed' });
      },
    );
    return () => ctrl.abort();
  }, [shopId, filter, generation, attempt]);

  useEffect(() => {
    const ctrl = new AbortController();
    chatApi.agents(shopId, ctrl.signal).then(setAgents, () => undefined);
    return () => ctrl.abort();
  }, [shopId]);

  useSocketEvent(socket, 'conversation:updated', (c) => {
    if (c.shopId === shopId) setList((l) => applyUpdate(l, c, filter, meId));
  });

  const more = useCallback(async () => {
    if (load.state !== 'ready' || !load.next) return;
    try {
      const page = await chatApi.inbox(shopId, filter, load.next);
      setList((l) => [...l, ...page.conversations.filter((c) => !l.some((x) => x.id === c.id))]);
      setLoad({ state: 'ready', next: page.next });
    } catch {
      setLoad({ state: 'failed' });
    }
  }, [load, shopId, filter]);

  const current = list[Math.min(selected, list.length - 1)];
  useShortcuts({
    j: () => setSelected((i) => Math.min(i + 1, list.length - 1)),
    k: () => setSelected((i) => Math.max(i - 1, 0)),
    Enter: () => current && navigate({ page: 'conversation', shopId, conversationId: current.id }),
  });
  useEffect(() => {
    listRef.current?.querySelector('[data-selected]')?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const nothingAtAll = load.state === 'ready' && list.length === 0 && isDefaultFilter(filter);
  return (
    <>
      <h1 className="page-title">{m.inbox.title}</h1>
      <InboxFilters filter={filter} agents={agents} onChange={setFilter} />
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
        <ol ref={listRef} className="inbox-list" aria-label={m.chat.list.label} aria-busy={load.state === 'loading'} data-testid="inbox-list">
          {list.map((c, i) => (
            <InboxRow key={c.id} c={c} selected={c.id === current?.id} onSelect={() => setSelected(i)} />
          ))}
        </ol>
      )}
      {load.state === 'ready' && load.next && (
        <button type="button" className="button" onClick={() => void more()}>
          {m.chat.list.more}
        </button>
      )}
    </>
  );
}
