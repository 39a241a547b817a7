import { useMessages } from '../../i18n.ts';
import type { ConversationDto, ConversationStatus, Priority } from '../../types.ts';

export function StatusBadge({ status }: { status: ConversationStatus }) {
  const m = useMessages().chat;
  return (
    <span className="badge badge-status" data-status={status} data-testid="status-badge">
      {m.status[status]}
    </span>
  );
}

/** Normal priority is the usual case and shows nothing. */
export function PriorityBadge({ priority }: { priority: Priority }) {
  const m = useMessages().chat;
  if (priority === 'normal') return null;
  return (
    <span className="badge badge-priority" data-priority={priority}>
      {m.priority[priority]}
    </span>
  );
}

export function SlaBadge({ sla }: { sla: ConversationDto['sla'] }) {
  const m = useMessages().chat;
  if (sla.state !== 'at_risk' && sla.state !== 'breached') return null;
  return (
    <span className="badge badge-sla" data-sla={sla.state} title={sla.dueAt ? formatTokyo(sla.dueAt) : undefined} data-testid="sla-badge">
      {m.sla[sla.state]}
    </span>
  );
}

const tokyo = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });
const tokyoTime = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });

/** Dates are shown in Japan time, whatever the agent's computer says. */
export const formatTokyo = (iso: string) => tokyo.format(new Date(iso));

/** Today's times as 14:05, older ones with their date. */
export function formatWhen(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const day = (x: Date) => x.toLocaleDateString('ja-JP', { timeZone: 'Asia/Tokyo' });
  return day(d) === day(now) ? tokyoTime.format(d) : tokyo.format(d);
}
