import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { fieldErrors } from '../../fieldErrors.ts';
import { useLang } from '../../i18n.ts';
import { queueMessages } from '../../i18n.queue.ts';
import { queueApi, type BulkAction, type BulkResult } from '../../queueApi.ts';
import type { AgentView, ConversationDto } from '../../types.ts';

/** What one bulk call takes (conversations.bulk.ts). */
const BULK_MAX = 100;

interface Props {
  shopId: string;
  /** The rows shown, for "select all" and to name the ones that failed. */
  shown: ConversationDto[];
  selected: Set<string>;
  onSelect: (ids: Set<string>) => void;
  agents: AgentView[];
  /** The rows as the server answered them (the live update follows too). */
  onChanged: (rows: ConversationDto[]) => void;
}

/** Assign, tag or resolve the selected rows; each row's result is said, none fails silently. */
export function BulkBar({ shopId, shown, selected, onSelect, agents, onChanged }: Props) {
  const lang = useLang();
  const m = queueMessages[lang].bulk;
  const id = useId();
  const [assignee, setAssignee] = useState('');
  const [tag, setTag] = useState('');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<{ text: string; failures: string[]; error: boolean } | null>(null);
  const allShown = shown.length > 0 && shown.every((c) => selected.has(c.id));
  // Only rows still shown: one that left the list (resolved by someone else) is not acted on unseen.
  const chosen = shown.filter((c) => selected.has(c.id)).map((c) => c.id);

  const run = async (action: BulkAction) => {
    setBusy(true);
    setReport(null);
    try {
      // The server takes 100 at a time; a longer selection goes in turns, each turn's results kept.
      const results: BulkResult[] = [];
      for (let i = 0; i < chosen.length; i += BULK_MAX) results.push(...(await queueApi.bulk(shopId, chosen.slice(i, i + BULK_MAX), action)).results);
      const ok = results.filter((r): r is Extract<BulkResult, { result: 'ok' }> => r.result === 'ok');
      const failed = results.filter((r): r is Exclude<BulkResult, { result: 'ok' }> => r.result !== 'ok');
      onChanged(ok.map((r) => r.conversation));
      const numberOf = (cid: string) => shown.find((c) => c.id === cid)?.number ?? cid;
      setReport({ text: m.done(ok.length, failed.length), failures: failed.map((f) => m.failedItem(numberOf(f.id), m.reasons[f.result] ?? f.message)), error: false });
      // The ones that failed stay selected, to try again or look at.
      onSelect(new Set(failed.map((f) => f.id)));
    } catch (e) {
      // A refusal of the whole call says why in the reader's language, never the server's English.
      const said = e instanceof ApiError && e.code === 'invalid_input' ? [...fieldErrors(e.details, lang).values()].flat() : [];
      setReport({ text: [m.failed, ...said].join(' '), failures: [], error: true });
    } finally {
      setBusy(false);
    }
  };
  const addTag = (e: FormEvent) => {
    e.preventDefault();
    if (tag.trim()) void run({ type: 'tag', tag: tag.trim() });
  };

  return (
    <div className="bulk-bar" role="region" aria-label={m.selected(chosen.length)} data-testid="bulk-bar">
      <label>
        <input type="checkbox" checked={allShown} onChange={() => onSelect(allShown ? new Set() : new Set(shown.map((c) => c.id)))} data-testid="select-all" /> {m.selectAll}
      </label>
      {chosen.length > 0 && (
        <>
          <span data-testid="bulk-count">{m.selected(chosen.length)}</span>
          <button type="button" className="button" disabled={busy} onClick={() => void run({ type: 'resolve' })} data-testid="bulk-resolve">
            {m.resolve}
          </button>
          <label htmlFor={`${id}-assignee`}>{m.assign}</label>
          <select id={`${id}-assignee`} value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            <option value="">{m.unassigned}</option>
            {agents.map((a) => (
              <option key={a.userId} value={a.userId}>
                {a.name}
              </option>
            ))}
          </select>
          <button type="button" className="button" disabled={busy} onClick={() => void run({ type: 'assign', assigneeId: assignee || null })} data-testid="bulk-assign">
            {m.assignTo}
          </button>
          <form onSubmit={addTag} className="bulk-bar">
            <label htmlFor={`${id}-tag`}>{m.tag}</label>
            <input id={`${id}-tag`} value={tag} maxLength={40} onChange={(e) => setTag(e.target.value)} />
            <button type="submit" className="button" disabled={busy || !tag.trim()}>
              {m.addTag}
            </button>
          </form>
          <button type="button" className="button button-quiet" onClick={() => onSelect(new Set())}>
            {m.clear}
          </button>
        </>
      )}
      {report && (
        <div role={report.error || report.failures.length ? 'alert' : 'status'} className={`alert ${report.error || report.failures.length ? 'alert-warning' : 'alert-info'}`} data-testid="bulk-report">
          {report.text}
          {report.failures.length > 0 && (
            <ul>
              {report.failures.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
