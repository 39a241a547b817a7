import { useEffect, useRef } from 'react';
import { useLang, useMessages } from '../i18n.ts';
import { queueMessages } from '../i18n.queue.ts';

/** The `?` list; a native <dialog>, so Esc and focus trapping come from the browser. */
export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const m = useMessages().chat.shortcuts;
  const more = queueMessages[useLang()].shortcuts;
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="shortcuts-title" data-testid="shortcuts-help">
      <h2 id="shortcuts-title" className="dialog-title">
        {m.title}
      </h2>
      <dl className="shortcut-list">
        {[...m.list, ...more].map(([key, what]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog">
        <button type="submit" className="button" autoFocus>
          {m.close}
        </button>
      </form>
    </dialog>
  );
}
