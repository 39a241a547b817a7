import { useId, useState } from 'react';
import type { FieldErrors } from '../../fieldErrors.ts';
import { langs, useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { noticesApi, type NoticeType } from '../../noticesApi.ts';
import { useDebouncedCall } from '../../useDebouncedCall.ts';
import { LivePanel } from './LivePanel.tsx';
import { noticeErrors } from './notices.draft.ts';
import { NoticePreview } from './templates/NoticePreview.tsx';

/** Typing pauses this long before the notice is rendered again. */
const DELAY_MS = 400;

/**
 * The campaign's notice exactly as customers get it, rendered by the server from the unsaved
 * form with the chosen wording: the banner's line, then mail and HTML side by side in both
 * languages (the template pages' NoticePreview). With an order number, filled for that real
 * order. Its 400 names the fields at fault, shown by the editor at the fields.
 */
export function CampaignPreview({ shopId, type, templateVersionId, variables, onErrors }: { shopId: string; type: NoticeType; templateVersionId: string | null; variables: Record<string, unknown>; onErrors: (e: FieldErrors) => void }) {
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
    <LivePanel className="campaign-preview" testId="campaign-preview" state={state} title={m.title} updating={m.updating}>
      <div className="field campaign-field">
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
        <div aria-busy={state === 'updating'}>
          {/* The one line the banner shows on the shop's pages (the embed, the widget). */}
          <dl className="campaign-banners">
            {langs.map((l) => (
              <div key={l} lang={l}>
                <dt className="campaign-preview-label">
                  {m.banner} · {m[l]}
                </dt>
                <dd className="campaign-banner" data-testid={`preview-banner-${l}`}>
                  {preview[l].banner}
                </dd>
              </div>
            ))}
          </dl>
          <NoticePreview preview={preview} />
        </div>
      )}
    </LivePanel>
  );
}
