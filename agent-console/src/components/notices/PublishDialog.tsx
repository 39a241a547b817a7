import { useEffect, useRef, useState } from 'react';
import { useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { noticesApi, type Audience, type Campaign, type CampaignDraft } from '../../noticesApi.ts';
import { tokyoDateTime } from '../../returns.format.ts';

/**
 * The last look before publishing: how many orders and customers the notice reaches, counted
 * again now, and how many mails that makes. A native <dialog>, so Esc and focus stay with the browser.
 */
export function PublishDialog({ shopId, draft, onClose, onPublish }: { shopId: string; draft: CampaignDraft; onClose: () => void; onPublish: () => Promise<Campaign | null> }) {
  const lang = useLang();
  const m = noticesMessages[lang].publish;
  const ref = useRef<HTMLDialogElement>(null);
  const [audience, setAudience] = useState<Audience | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    ref.current?.showModal();
    const ctrl = new AbortController();
    noticesApi.audience(shopId, draft.target, ctrl.signal).then(setAudience, () => !ctrl.signal.aborted && setFailed(true));
    return () => ctrl.abort();
    // Counted once, when the dialog opens: the form cannot change behind a modal.
  }, []);

  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    // Refused or not, the dialog closes: why it was refused is shown at the form's fields.
    await onPublish();
    setBusy(false);
    ref.current?.close();
  };

  return (
    <dialog ref={ref} className="dialog campaign-publish" onClose={onClose} aria-labelledby="notice-publish-title" data-testid="notice-publish-dialog">
      <h2 id="notice-publish-title" className="dialog-title">
        {m.title}
      </h2>
      {!audience && !failed && <p className="muted">{m.counting}</p>}
      {failed && <p className="alert alert-error">{noticesMessages[lang].audience.failed}</p>}
      {audience && (
        <>
          <p data-testid="publish-recipients" data-orders={audience.orders} data-customers={audience.customers}>
            <strong>{m.recipients(audience.orders, audience.customers)}</strong>
          </p>
          <p>{draft.channels.mail ? m.mail(audience.customers) : m.noMail}</p>
          {audience.orders === 0 && <p className="alert alert-warning">{m.nothing}</p>}
        </>
      )}
      <p className="muted">{m.when(Number.isNaN(Date.parse(draft.startsAt)) ? draft.startsAt : tokyoDateTime(draft.startsAt, lang))}</p>
      <div className="action-buttons">
        <button type="button" className="button" onClick={() => ref.current?.close()} data-testid="publish-cancel">
          {m.cancel}
        </button>
        <button type="button" className="button button-primary" aria-disabled={busy || !audience} disabled={!audience} onClick={() => void confirm()} data-testid="publish-confirm">
          {busy ? m.publishing : m.confirm}
        </button>
      </div>
    </dialog>
  );
}
