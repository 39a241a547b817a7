import { useMessages } from '../../i18n.ts';
import type { AgentView } from '../../types.ts';

/** The `@name` being typed just before the caret, or null. */
export function mentionQuery(text: string, caret: number): { query: string; start: number } | null {
  const m = /(^|\s)@([^\s@]{0,40})$/.exec(text.slice(0, caret));
  return m ? { query: m[2]!, start: caret - m[2]!.length - 1 } : null;
}

export function mentionMatches(agents: AgentView[], query: string): AgentView[] {
  const q = query.toLocaleLowerCase('ja');
  return agents.filter((a) => a.name.toLocaleLowerCase('ja').includes(q)).slice(0, 8);
}

interface Props {
  matches: AgentView[];
  active: number;
  onPick: (a: AgentView) => void;
}

/** Shop members to mention in a note; keyboard-driven from the composer (↑ ↓ Enter). */
export function MentionPicker({ matches, active, onPick }: Props) {
  const m = useMessages().chat.composer;
  if (!matches.length) return null;
  return (
    <ul className="picker" role="listbox" aria-label={m.mentions} data-testid="mention-picker">
      {matches.map((a, i) => (
        <li key={a.userId} role="option" aria-selected={i === active}>
          <button
            type="button"
            className="picker-item"
            // mousedown, so the textarea keeps its caret
            onMouseDown={(e) => {
              e.preventDefault();
              onPick(a);
            }}
          >
            {a.name} <span className={`presence-dot presence-${a.status}`} aria-hidden="true" />
          </button>
        </li>
      ))}
    </ul>
  );
}
