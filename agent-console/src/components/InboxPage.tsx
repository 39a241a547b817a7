import { useMessages } from '../i18n.ts';

/** Conversations will come here; for now the inbox is always empty. */
export function InboxPage() {
  const m = useMessages();
  return (
    <>
      <h1 className="page-title">{m.inbox.title}</h1>
      <section className="empty-state" data-testid="inbox-empty">
        <svg className="empty-icon" viewBox="0 0 48 48" aria-hidden="true">
          <path d="M8 28 12 10h24l4 18v10H8z" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinejoin="round" />
          <path d="M8 28h10l2 4h8l2-4h10" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinejoin="round" />
        </svg>
        <p className="empty-title">{m.inbox.empty}</p>
        <p className="muted">{m.inbox.emptyHint}</p>
      </section>
    </>
  );
}
