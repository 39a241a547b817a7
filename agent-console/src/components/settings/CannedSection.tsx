import { useState } from 'react';
import type { Lang } from '../../i18n.ts';
import { useLang } from '../../i18n.ts';
import { hoursMessages } from '../../i18n.settings.hours.ts';
import { settingsHoursApi } from '../../settingsHoursApi.ts';
import type { CannedReply } from '../../types.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { CannedEditor } from './CannedEditor.tsx';
import '../../settings.hours.css';

/** A saved reply rendered by the server (its own variables and masking), in one language. */
function CannedPreview({ shopId, reply, onClose }: { shopId: string; reply: CannedReply; onClose: () => void }) {
  const lang = useLang();
  const m = hoursMessages[lang].canned;
  const [locale, setLocale] = useState<Lang>(lang);
  const shown = useLoad((signal) => settingsHoursApi.previewCanned(shopId, reply.id, locale, signal), `${reply.id}:${reply.updatedAt}:${locale}`);
  return (
    <section className="settings-editor" aria-labelledby="canned-preview-title" data-testid="canned-preview">
      <h3 id="canned-preview-title">{m.previewOf(reply.shortcut)}</h3>
      <p className="muted">{m.previewLead}</p>
      <div className="settings-actions" role="group" aria-label={m.preview}>
        {(['ja', 'en'] as const).map((l) => (
          <button key={l} type="button" className="button button-quiet" aria-pressed={locale === l} onClick={() => setLocale(l)} data-testid={`canned-preview-${l}`}>
            {m.previewLang[l]}
          </button>
        ))}
      </div>
      {shown.state === 'failed' ? (
        <p role="alert" className="alert alert-error">
          {m.previewFailed}
        </p>
      ) : (
        <pre className="canned-preview" lang={locale} aria-live="polite" data-testid="canned-preview-body">
          {shown.data?.body ?? ''}
        </pre>
      )}
      <div className="settings-actions">
        <button type="button" className="button button-quiet" onClick={onClose}>
          {m.close}
        </button>
      </div>
    </section>
  );
}

/**
 * The shop's canned replies. Everyone in the shop reads them; owners, staff and in-house agents
 * change them (canned.service.ts): contractors see no editing controls.
 */
export function CannedSection({ shopId, canEdit }: { shopId: string; canEdit: boolean }) {
  const lang = useLang();
  const m = hoursMessages[lang].canned;
  const c = hoursMessages[lang].common;
  const list = useLoad((signal) => settingsHoursApi.canned(shopId, signal), shopId);
  /** 'new', a reply being edited, or nothing. */
  const [editing, setEditing] = useState<CannedReply | 'new' | null>(null);
  const [previewing, setPreviewing] = useState<CannedReply | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const remove = async (id: string) => {
    setProblem(null);
    try {
      await settingsHoursApi.deleteCanned(shopId, id);
      setConfirming(null);
      // A deleted reply is no longer there to render.
      setPreviewing((p) => (p?.id === id ? null : p));
      list.retry();
    } catch {
      setProblem(c.removeFailed);
    }
  };

  const replies = list.data;
  return (
    <section className="settings-section" id="settings-canned" aria-labelledby="settings-canned-title" data-testid="settings-canned">
      <h2 id="settings-canned-title">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      {!canEdit && <p className="muted">{m.readOnly}</p>}
      {(problem ?? (list.state === 'failed' ? c.loadFailed : null)) && (
        <p role="alert" className="alert alert-error">
          {problem ?? c.loadFailed}
        </p>
      )}
      {replies && replies.length === 0 && <p className="muted">{m.none}</p>}
      {replies && replies.length > 0 && (
        <table className="settings-table" data-testid="canned-replies">
          <thead>
            <tr>
              <th scope="col">{m.colShortcut}</th>
              <th scope="col">{m.colTitle}</th>
              <th scope="col">
                <span className="sr-only">{m.preview}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {replies.map((r) => (
              <tr key={r.id} data-testid="canned-row">
                <td>
                  <code>/{r.shortcut}</code>
                </td>
                <td>{r.title}</td>
                <td>
                  {confirming === r.id ? (
                    <span role="group" aria-label={m.removeLabel(r.shortcut)}>
                      <span>{m.confirm(r.shortcut)}</span>{' '}
                      <button type="button" className="button button-danger" onClick={() => void remove(r.id)} autoFocus>
                        {c.confirmYes}
                      </button>{' '}
                      <button type="button" className="button button-quiet" onClick={() => setConfirming(null)}>
                        {c.cancel}
                      </button>
                    </span>
                  ) : (
                    <>
                      <button type="button" className="button button-quiet" aria-label={m.previewLabel(r.shortcut)} onClick={() => setPreviewing(r)}>
                        {m.preview}
                      </button>
                      {canEdit && (
                        <>
                          {' '}
                          <button type="button" className="button button-quiet" aria-label={m.editLabel(r.shortcut)} onClick={() => setEditing(r)}>
                            {c.edit}
                          </button>{' '}
                          <button type="button" className="button button-quiet" aria-label={m.removeLabel(r.shortcut)} onClick={() => setConfirming(r.id)}>
                            {c.remove}
                          </button>
                        </>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {canEdit && editing && (
        <CannedEditor
          key={editing === 'new' ? 'new' : editing.id}
          shopId={shopId}
          reply={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setPreviewing(saved);
            list.retry();
          }}
        />
      )}
      {canEdit && !editing && (
        <div className="settings-actions">
          <button type="button" className="button" onClick={() => setEditing('new')} data-testid="add-canned">
            {m.add}
          </button>
        </div>
      )}
      {previewing && <CannedPreview shopId={shopId} reply={previewing} onClose={() => setPreviewing(null)} />}
    </section>
  );
}
