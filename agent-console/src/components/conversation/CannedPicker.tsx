import { useEffect, useId, useState } from 'react';
import { chatApi } from '../../chatApi.ts';
import { useMessages } from '../../i18n.ts';
import type { CannedReply } from '../../types.ts';

interface Props {
  shopId: string;
  conversationId: string;
  /** What was typed after `/`, to narrow the list. */
  initialQuery: string;
  onInsert: (body: string) => void;
  onClose: () => void;
}

type Preview = { id: string; state: 'loading' } | { id: string; state: 'ready'; body: string } | { id: string; state: 'failed' };

/** Canned replies: pick one, see it as the server renders it for this conversation, insert. */
export function CannedPicker({ shopId, conversationId, initialQuery, onInsert, onClose }: Props) {
  const m = useMessages().chat.canned;
  const id = useId();
  const [all, setAll] = useState<CannedReply[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState(initialQuery);
  const [preview, setPreview] = useState<Preview | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    chatApi.canned(shopId, ctrl.signal).then(setAll, () => !ctrl.signal.aborted && setFailed(true));
    return () => ctrl.abort();
  }, [shopId]);

  const q = query.trim().toLocaleLowerCase('ja');
  const shown = (all ?? []).filter((c) => !q || c.shortcut.includes(q) || c.title.toLocaleLowerCase('ja').includes(q));

  async function show(c: CannedReply) {
    setPreview({ id: c.id, state: 'loading' });
    try {
      const r = await chatApi.cannedPreview(shopId, c.id, conversationId);
      setPreview((p) => (p?.id === c.id ? { id: c.id, state: 'ready', body: r.body } : p));
    } catch {
      setPreview((p) => (p?.id === c.id ? { id: c.id, state: 'failed' } : p));
    }
  }

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
          if (e.key === 'Enter' && shown[0]) {
            e.preventDefault();
            void show(shown[0]);
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
