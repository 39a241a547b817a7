import { useEffect, useId, useState } from 'react';
import { chatApi } from '../../chatApi.ts';
import { useMessages } from '../../i18n.ts';
import type { CannedReply } from '../../types.ts';

interface Props {
  shopId: string;
  conversationId: string;
  /** What was typed after `/`, to narrow the list; follows the composer while it changes. */
  initialQuery: string;
  /** Changes when `/shortcut` in the composer was sent (Enter, the send button): insert the one it names. */
  pick?: number;
  onInsert: (body: string) => void;
  onClose: () => void;
}

type Preview = { id: string; state: 'loading' } | { id: string; state: 'ready'; body: string } | { id: string; state: 'failed' };

/** The replies the list shows for what was typed: by shortcut or title. */
export function cannedShown(all: CannedReply[], query: string): CannedReply[] {
  const q = query.trim().toLocaleLowerCase('ja');
  return all.filter((c) => !q || c.shortcut.includes(q) || c.title.toLocaleLowerCase('ja').includes(q));
}

/** The reply Enter means: the exact shortcut, else the only one the list shows; none when it is a choice. */
export function cannedMatch(all: CannedReply[], query: string): CannedReply | null {
  const q = query.trim().toLocaleLowerCase('ja');
  if (!q) return null;
  const shown = cannedShown(all, q);
  return all.find((c) => c.shortcut === q) ?? (shown.length === 1 ? shown[0]! : null);
}

/** Canned replies: pick one, see it as the server renders it for this conversation, insert. */
export function CannedPicker({ shopId, conversationId, initialQuery, pick, onInsert, onClose }: Props) {
  const m = useMessages().chat.canned;
  const id = useId();
  const [all, setAll] = useState<CannedReply[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState(initialQuery);
  const [preview, setPreview] = useState<Preview | null>(null);
  /** What an Enter (in the search, or on `/shortcut` in the composer) asked for, acted on once the list is here. */
  const [entered, setEntered] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    chatApi.canned(shopId, ctrl.signal).then(setAll, () => !ctrl.signal.aborted && setFailed(true));
    return () => ctrl.abort();
  }, [shopId]);
  useEffect(() => setQuery(initialQuery), [initialQuery]);
  useEffect(() => {
    // What follows `/` in the composer; a bare `/` leaves the words to the search, where typing went on.
    if (pick !== undefined) setEntered(initialQuery || query);
    // Only a new send (a new `pick`) acts; the query it was for is read with it.
  }, [pick]);

  const shown = cannedShown(all ?? [], query);

  /** Fetches the server's rendering for this conversation; `insert` puts it straight in the composer. */
  async function show(c: CannedReply, insert = false) {
    setPreview({ id: c.id, state: 'loading' });
    try {
      const r = await chatApi.cannedPreview(shopId, c.id, conversationId);
      if (insert) return onInsert(r.body);
      setPreview((p) => (p?.id === c.id ? { id: c.id, state: 'ready', body: r.body } : p));
    } catch {
      setPreview((p) => (p?.id === c.id ? { id: c.id, state: 'failed' } : p));
    }
  }

  // Enter on what was typed: the reply it names goes in, filled in; with several, the first is shown.
  useEffect(() => {
    if (entered === null || !all) return;
    setEntered(null);
    const match = cannedMatch(all, entered);
    const first = cannedShown(all, entered)[0];
    if (match) void show(match, true);
    else if (first) void show(first);
    // Once per Enter, when the list is here (show reads the props as they are then).
  }, [entered, all]);

  return (
    <section className="canned" aria-labelledby={`${id}-title`} data-testid="canned-picker">
      <header className="canned-head">
        <h2 id={`${id}-title`} className="panel-title">
          {m.title}
        </h2>
        <button type="button" className="button button-quiet" onClick={onClose}>
          {m.close}
        </button>
      </header>
      <input
        type="search"
        aria-label={m.search}
        placeholder={m.search}
        value={query}
        autoFocus
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
            e.preventDefault();
            setEntered(query);
          }
        }}
      />
      {failed && <p className="alert alert-error">{m.failed}</p>}
      {all && !shown.length && <p className="muted">{m.empty}</p>}
      <ul className="canned-list">
        {shown.map((c) => (
          <li key={c.id}>
            <button type="button" className="picker-item" aria-pressed={preview?.id === c.id} onClick={() => void show(c)} data-testid="canned-item">
              <code>/{c.shortcut}</code> {c.title}
            </button>
          </li>
        ))}
      </ul>
      {preview && (
        <div className="canned-preview" aria-live="polite">
          <h3 className="panel-subtitle">{m.preview}</h3>
          {preview.state === 'loading' && <p className="muted">…</p>}
          {preview.state === 'failed' && <p className="alert alert-error">{m.failed}</p>}
          {preview.state === 'ready' && (
            <>
              <p className="message-body" data-testid="canned-preview">
                {preview.body}
              </p>
              <button type="button" className="button button-primary" onClick={() => onInsert(preview.body)} data-testid="canned-insert">
                {m.insert}
              </button>
            </>
          )}
        </div>
      )}
    </section>
  );
}
