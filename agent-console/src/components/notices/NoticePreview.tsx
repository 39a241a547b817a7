import { useId, useState } from 'react';
import type { FieldErrors } from '../../fieldErrors.ts';
import { langs, useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { noticesApi, type NoticeType } from '../../noticesApi.ts';
import { useDebouncedCall } from '../../useDebouncedCall.ts';
import { LivePanel } from './LivePanel.tsx';
import { noticeErrors } from './notices.draft.ts';

/** Typing pauses this long before the notice is rendered again. */
const DELAY_MS = 400;

/**
 * The notice exactly as customers get it, rendered by the server from the unsaved form: mail
 * subject and text, the banner's line, and the notice's HTML (its page) in a sandboxed frame (no scripts, no origin of its
 * own), Japanese and English side by side. With an order number, filled for that real order.
 * Its 400 names the fields at fault, shown by the editor at the fields.
 */
export function NoticePreview({ shopId, type, templateVersionId, variables, onErrors }: { shopId: string; type: NoticeType; templateVersionId: string | null; variables: Record<string, unknown>; onErrors: (e: FieldErrors) => void }) {
  const lang = useLang();
  const m = noticesMessages[lang].preview;
  const id = useId();
  const [orderNumber, setOrderNumber] = useState('');
  const [orderProblem, setOrderProblem] = useState<string | null>(null);
  const order = orderNumber.trim();
  // `variables` is a fresh object each render; the key says when what is previewed changed.
  const key = JSON.stringify([shopId, type, templateVersionId, variables, order, lang]);
  const { state, data: preview } = useDebouncedCall(key, DELAY_MS, (signal) => noticesApi.preview(shopId, { type, templateVersionId, variables, ...(order ? { orderNumber: order } : {}) }, signal), {
    onReady: () => {
      setOrderProblem(null);
      onErrors(new Map());
    },
    onRefused: (e) => {
      if (e.code === 'not_found') return setOrderProblem(m.orderNotFound);
      const errors = noticeErrors(e.details, lang);
      setOrderProblem((errors.get('orderNumber') ?? []).join(' ') || null);
      onErrors(errors);
    },
  });

  return (
    <LivePanel className="notice-preview" testId="notice-preview" state={state} title={m.title} updating={m.updating}>
      <div className="field notice-field">
        <label htmlFor={`${id}-order`}>{m.orderNumber}</label>
        <input id={`${id}-order`} value={orderNumber} placeholder={m.sample} onChange={(e) => setOrderNumber(e.target.value)} data-testid="preview-order" aria-invalid={orderProblem ? true : undefined} />
        {orderProblem && (
          <span className="field-error" role="alert">
            {orderProblem}
          </span>
        )}
      </div>
      {state === 'invalid' && (
        <p className="alert alert-warning" role="status" data-testid="preview-invalid">
          {m.invalid}
        </p>
      )}
      {state === 'failed' && (
        <p className="alert alert-error" role="alert" data-testid="preview-failed">
          {m.failed}
        </p>
      )}
      {preview && (
        <div className="notice-preview-langs" aria-busy={state === 'updating'}>
          {langs.map((l) => (
            <article key={l} className="notice-preview-lang" lang={l} data-testid={`preview-${l}`}>
              <h3 className="subsection-title">{m[l]}</h3>
              <p className="notice-preview-label">{m.subject}</p>
              <p className="notice-subject" data-testid="preview-subject">
                {preview[l].subject}
              </p>
              <p className="notice-preview-label">{m.body}</p>
              <pre className="notice-text" data-testid="preview-text">
                {preview[l].text}
              </pre>
              <p className="notice-preview-label">{m.banner}</p>
              <p className="notice-banner" data-testid="preview-banner">
                {preview[l].banner}
              </p>
              <p className="notice-preview-label">{m.page}</p>
              <iframe className="notice-frame" title={`${m.page} (${m[l]})`} sandbox="" srcDoc={preview[l].html} data-testid="preview-html" />
              <p className="notice-preview-label">{m.chat}</p>
              <p className="notice-chat" data-testid="preview-chat">
                {preview[l].chat}
              </p>
            </article>
          ))}
        </div>
      )}
    </LivePanel>
  );
}
