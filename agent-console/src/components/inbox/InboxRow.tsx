import type { MouseEvent } from 'react';
import { isUnread } from '../../inbox.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { queueMessages } from '../../i18n.queue.ts';
import { navigate, pathOf } from '../../router.ts';
import type { ConversationDto } from '../../types.ts';
import { formatWhen, PriorityBadge, SlaBadge, StatusBadge } from './Badges.tsx';

interface Props {
  c: ConversationDto;
  /** In the all-shops inbox: whose conversation this is. */
  shopName?: string;
  selected: boolean;
  onSelect: () => void;
  /** Ticked for a bulk action; undefined where rows cannot be ticked (the all-shops inbox). */
  checked?: boolean;
  onCheck?: (checked: boolean) => void;
}

/** One conversation in the list; a real link, so it opens in a new tab with a middle click. */
export function InboxRow({ c, shopName, selected, onSelect, checked, onCheck }: Props) {
  const m = useMessages().chat;
  const q = queueMessages[useLang()].bulk;
  const route = { page: 'conversation', shopId: c.shopId, conversationId: c.id } as const;
  const unread = isUnread(c);
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    onSelect();
    navigate(route);
  };
  return (
    <li
      className="inbox-row"
      data-selected={selected || undefined}
      data-unread={unread || undefined}
      data-testid="inbox-row"
      data-number={c.number}
      aria-current={selected || undefined}
      data-checked={checked || undefined}
    >
      {onCheck && (
        <input type="checkbox" className="inbox-check" checked={!!checked} onChange={(e) => onCheck(e.target.checked)} aria-label={q.select(c.number)} data-testid="inbox-check" />
      )}
      <a href={pathOf(route)} onClick={follow} className="inbox-link">
        <span className="inbox-line">
          {shopName !== undefined && (
            <span className="badge badge-shop" data-testid="inbox-shop">
              {shopName}
            </span>
          )}
          <span className="inbox-number">#{c.number}</span>
          <span className="inbox-customer" data-testid="inbox-customer">
            {c.customer.name}
          </span>
          {unread && (
            <span className="badge badge-unread" data-testid="unread-badge">
              {m.list.unread}
            </span>
          )}
          <span className="inbox-when">{c.lastMessageAt ? formatWhen(c.lastMessageAt) : formatWhen(c.createdAt)}</span>
        </span>
        <span className="inbox-preview" data-testid="inbox-preview">
          {c.subject ? <strong className="inbox-subject">{c.subject} </strong> : null}
          {c.lastMessagePreview ?? ''}
        </span>
        <span className="inbox-meta">
          <StatusBadge status={c.status} />
          <PriorityBadge priority={c.priority} />
          <SlaBadge sla={c.sla} />
          {c.tags.map((t) => (
            <span key={t} className="badge badge-tag">
              {t}
            </span>
          ))}
          <span className="inbox-assignee" data-testid="inbox-assignee">
            {c.assignee?.name ?? m.list.unassigned}
          </span>
        </span>
      </a>
    </li>
  );
}
