import { useId, useState, type FormEvent } from 'react';
import { chatApi } from '../../chatApi.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { queueMessages } from '../../i18n.queue.ts';
import type { AgentView, ConversationDto, Priority } from '../../types.ts';
import { canMove, nextStatuses, tokyoInputToIso, type useConversationActions } from './actions.ts';

const priorities: Priority[] = ['urgent', 'high', 'normal', 'low'];

interface Props {
  c: ConversationDto;
  meId: string;
  agents: AgentView[];
  actions: ReturnType<typeof useConversationActions>;
  /** Resolve, then open the next conversation of the inbox (Shift+E). */
  onResolveNext: () => void;
}

/** Status moves, assignee, priority, tags, snooze and merge for the open conversation. */
export function ConversationActions({ c, meId, agents, actions, onResolveNext }: Props) {
  const m = useMessages();
  const q = queueMessages[useLang()];
  const a = m.chat.actions;
  const id = useId();
  const [tags, setTags] = useState(c.tags.join(' '));
  const [until, setUntil] = useState('');
  const [mergeNumber, setMergeNumber] = useState('');
  const { busy, update, moveTo, run, setProblem, problem } = actions;
  const closed = c.status === 'closed' || c.mergedIntoId !== null;

  const saveTags = (e: FormEvent) => {
    e.preventDefault();
    void update({ tags: tags.split(/[\s,、]+/).filter(Boolean) });
  };
  const snooze = (e: FormEvent) => {
    e.preventDefault();
    if (until) void update({ status: 'snoozed', expectedStatus: c.status, snoozedUntil: tokyoInputToIso(until) });
  };
  // The other conversation is found by its number, and must be the same customer's.
  const merge = async (e: FormEvent) => {
    e.preventDefault();
    const n = Number(mergeNumber.replace(/^#/, ''));
    if (!Number.isInteger(n) || n <= 0) return;
    try {
      const found = (await chatApi.inbox(c.shopId, { q: `#${n}` })).conversations.find((x) => x.number === n && x.id !== c.id);
      if (!found) return setProblem(() => m.chat.actions.mergeNotFound);
      if (found.customer.id !== c.customer.id) return setProblem(() => m.chat.actions.mergeOtherCustomer);
      if (await run(() => chatApi.merge(c.shopId, c.id, found.id))) setMergeNumber('');
    } catch {
      setProblem(() => m.chat.actions.failed);
    }
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="conversation-actions">
      <h2 id={`${id}-title`} className="panel-title">
        {a.label}
      </h2>
      {problem && (
        <p role="alert" className="alert alert-warning" data-testid="action-problem">
          {typeof problem === 'string' ? problem : problem(m)}
        </p>
      )}
      <div className="action-buttons" role="group" aria-label={a.status}>
        {nextStatuses(c.status).map((s) => (
          <button key={s} type="button" className="button" disabled={busy || !!c.mergedIntoId} onClick={() => void moveTo(s)} data-testid={`move-${s}`}>
            {m.chat.moveTo[s]}
          </button>
        ))}
        {canMove(c.status, 'resolved') && (
          <button type="button" className="button" disabled={busy || !!c.mergedIntoId} onClick={onResolveNext} aria-keyshortcuts="Shift+E" data-testid="resolve-next">
            {q.resolveNext}
          </button>
        )}
      </div>

      <div className="action-row">
        <label htmlFor={`${id}-assignee`}>{a.assignee}</label>
        <select
          id={`${id}-assignee`}
          value={c.assignee?.id ?? ''}
          disabled={busy || closed}
          onChange={(e) => void update({ assigneeId: e.target.value || null })}
          data-testid="assignee-select"
        >
          <option value="">{a.unassigned}</option>
          {agents.map((x) => (
            <option key={x.userId} value={x.userId}>
              {x.name}
            </option>
          ))}
        </select>
        {c.assignee?.id !== meId && (
          <button type="button" className="button button-quiet" disabled={busy || closed} onClick={() => void update({ assigneeId: meId })} data-testid="assign-me">
            {a.assignMe}
          </button>
        )}
      </div>

      <div className="action-row">
        <label htmlFor={`${id}-priority`}>{a.priority}</label>
        <select id={`${id}-priority`} value={c.priority} disabled={busy || closed} onChange={(e) => void update({ priority: e.target.value as Priority })}>
          {priorities.map((p) => (
            <option key={p} value={p}>
              {m.chat.priority[p]}
            </option>
          ))}
        </select>
      </div>

      <form className="action-row" onSubmit={saveTags}>
        <label htmlFor={`${id}-tags`}>{a.tags}</label>
        <input id={`${id}-tags`} value={tags} maxLength={400} disabled={closed} onChange={(e) => setTags(e.target.value)} />
        <button type="submit" className="button" disabled={busy || closed}>
          {a.save}
        </button>
      </form>

      {canMove(c.status, 'snoozed') && (
        <div className="action-buttons" role="group" aria-label={q.snooze.label}>
          {(['tomorrow', 'next_monday'] as const).map((preset) => (
            <button key={preset} type="button" className="button" disabled={busy} onClick={() => void update({ status: 'snoozed', expectedStatus: c.status, snooze: preset })} data-testid={`snooze-${preset}`}>
              {preset === 'tomorrow' ? q.snooze.tomorrow : q.snooze.nextMonday}
            </button>
          ))}
        </div>
      )}
      {canMove(c.status, 'snoozed') && (
        <form className="action-row" onSubmit={snooze} aria-label={q.snooze.custom}>
          <label htmlFor={`${id}-until`}>{a.snoozeUntil}</label>
          <input id={`${id}-until`} type="datetime-local" required value={until} onChange={(e) => setUntil(e.target.value)} />
          <button type="submit" className="button" disabled={busy}>
            {a.snooze}
          </button>
        </form>
      )}

      {!closed && (
        <form className="action-row" onSubmit={(e) => void merge(e)}>
          <label htmlFor={`${id}-merge`}>{a.mergeNumber}</label>
          <input id={`${id}-merge`} inputMode="numeric" pattern="#?[0-9]{1,9}" required value={mergeNumber} onChange={(e) => setMergeNumber(e.target.value)} />
          <button type="submit" className="button" disabled={busy}>
            {a.merge}
          </button>
        </form>
      )}
    </section>
  );
}
