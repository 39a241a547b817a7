import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import { chatApi } from '../../chatApi.ts';
import { useMessages } from '../../i18n.ts';
import { navigate, pathOf } from '../../router.ts';
import { useShortcuts } from '../../shortcuts.ts';
import type { AgentView, ConversationDto, Viewer } from '../../types.ts';
import { PriorityBadge, SlaBadge, StatusBadge } from '../inbox/Badges.tsx';
import { canMove, useConversationActions } from './actions.ts';
import { Composer, type ComposerHandle } from './Composer.tsx';
import { AskMerchant } from './AskMerchant.tsx';
import { ConversationActions } from './ConversationActions.tsx';
import { CustomerSidebar } from './CustomerSidebar.tsx';
import { MessageList } from './MessageList.tsx';
import { useHeartbeat } from './signals.ts';
import { useConversation } from './useConversation.ts';
import { nextInInbox } from './resolveNext.ts';

interface Props {
  shopId: string;
  conversationId: string;
  meId: string;
}

/** Other agents here: "○○さんが入力中" beats "○○さんも表示中", so two people do not answer at once. */
function Collision({ viewers, meId }: { viewers: Viewer[]; meId: string }) {
  const m = useMessages().chat.view;
  const others = viewers.filter((v, i) => v.userId !== meId && viewers.findIndex((x) => x.userId === v.userId) === i);
  if (!others.length) return null;
  const typing = others.filter((v) => viewers.some((x) => x.userId === v.userId && x.typing));
  const names = (list: Viewer[]) => list.map((v) => v.name).join(m.joiner);
  return (
    <p role="status" className="alert alert-warning collision" data-testid="collision">
      {typing.length ? m.alsoTyping(names(typing)) : m.alsoViewing(names(others))}
    </p>
  );
}

export function ConversationPage({ shopId, conversationId, meId }: Props) {
  const msgs = useMessages();
  const m = msgs.chat.view;
  const chat = useConversation(conversationId);
  const { conversation: c, setConversation } = chat;
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [merged, setMerged] = useState<ConversationDto | null>(null);
  const composer = useRef<ComposerHandle>(null);
  const onChanged = useCallback((next: ConversationDto) => setConversation(next), [setConversation]);
  const actions = useConversationActions(shopId, c, onChanged);
  useHeartbeat(conversationId);

  useEffect(() => {
    const ctrl = new AbortController();
    chatApi.agents(shopId, ctrl.signal).then(setAgents, () => undefined);
    return () => ctrl.abort();
  }, [shopId]);

  // A merged conversation points at where its messages went.
  useEffect(() => {
    setMerged(null);
    if (!c?.mergedIntoId) return;
    const ctrl = new AbortController();
    chatApi.conversation(shopId, c.mergedIntoId, ctrl.signal).then(setMerged, () => undefined);
    return () => ctrl.abort();
  }, [shopId, c?.mergedIntoId]);

  const inbox = { page: 'inbox', shopId } as const;
  // Resolved, then on to the next one of the inbox as the person filtered it; the inbox itself when none is left.
  const resolveNext = async () => {
    if (!c || !canMove(c.status, 'resolved') || !(await actions.moveTo('resolved'))) return;
    const next = await nextInInbox(shopId, c).catch(() => null);
    navigate(next ? { page: 'conversation', shopId, conversationId: next.id } : inbox);
  };
  useShortcuts({
    r: () => composer.current?.focus('text'),
    n: () => composer.current?.focus('note'),
    e: () => c && canMove(c.status, 'resolved') && void actions.moveTo('resolved'),
    E: () => void resolveNext(),
    Escape: () => navigate(inbox),
  });
  const back = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(inbox);
  };

  // The tab says which conversation it is; leaving gives the shell's title back.
  const title = c ? `#${c.number} ${c.customer.name} · 窓口 madoguchi` : null;
  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = title;
    return () => {
      document.title = before;
    };
  }, [title]);

  const backLink = (
    <a href={pathOf(inbox)} onClick={back} className="back-link" data-testid="back-to-inbox">
      ← {m.back}
    </a>
  );
  if (chat.error && !c) {
    return (
      <>
        {backLink}
        <p role="alert" className="alert alert-error" data-testid="conversation-error">
          {chat.error === 'not_found' ? m.notFound : m.loadFailed}
        </p>
      </>
    );
  }
  if (!c) return <p className="muted">{msgs.loading}</p>;

  return (
    <div className="conversation" data-testid="conversation" data-status={c.status}>
      <div className="conversation-main">
        {backLink}
        <header className="conversation-head">
          <h1 className="page-title">
            #{c.number} {c.customer.name}
            {c.subject && <span className="conversation-subject"> — {c.subject}</span>}
          </h1>
          <StatusBadge status={c.status} />
          <PriorityBadge priority={c.priority} />
          <SlaBadge sla={c.sla} />
        </header>
        {merged && (
          <p role="status" className="alert alert-info">
            {m.merged(merged.number)}{' '}
            <a href={pathOf({ page: 'conversation', shopId, conversationId: merged.id })} onClick={(e) => (e.preventDefault(), navigate({ page: 'conversation', shopId, conversationId: merged.id }))}>
              {m.openMerged}
            </a>
          </p>
        )}
        {chat.error === 'failed' && (
          <p role="alert" className="alert alert-error" data-testid="conversation-error">
            {m.loadFailed}
          </p>
        )}
        <Collision viewers={chat.viewers} meId={meId} />
        <MessageList messages={chat.messages} outgoing={chat.outgoing} customerReadSeq={c.customerReadSeq} onSeen={chat.markRead} onRetry={chat.retry} onDiscard={chat.discard} />
        <p className="typing" aria-live="polite" data-testid="customer-typing">
          {chat.customerTyping ? m.customerTyping(chat.customerTyping) : ''}
        </p>
        <Composer ref={composer} shopId={shopId} conversationId={c.id} agents={agents} disabled={c.status === 'closed' || !!c.mergedIntoId} onSend={chat.send} />
      </div>
      <div className="conversation-side">
        <ConversationActions key={c.id} c={c} meId={meId} agents={agents} actions={actions} onResolveNext={() => void resolveNext()} />
        {c.status !== 'closed' && !c.mergedIntoId && <AskMerchant key={`ask-${c.id}`} c={c} onChanged={onChanged} />}
        <CustomerSidebar c={c} />
      </div>
    </div>
  );
}
