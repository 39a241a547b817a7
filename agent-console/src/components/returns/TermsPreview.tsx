import { useId, useState } from 'react';
import { langs, useMessages, type Lang } from '../../i18n.ts';
import { publicTermsUrl, returnsApi } from '../../returnsApi.ts';
import type { ReturnTermsInput } from '../../types.ts';
import { useDebouncedCall } from '../../useDebouncedCall.ts';
import { fieldErrors, type FieldErrors } from './terms.draft.ts';

/** Typing pauses this long before the page is rendered again. */
const PREVIEW_DELAY_MS = 400;

interface Props {
  shopId: string;
  /** The draft for an owner's live preview; null shows the published page (everyone else). */
  body: ReturnTermsInput | null;
  /** The schema's answer for the draft, so the form can show it at the fields while typing. */
  onErrors: (errors: FieldErrors) => void;
}

/**
 * The public page as customers will read it, in a sandboxed frame (no scripts, no origin of
 * its own): for an owner rendered by the server from the draft, for others the page as published.
 */
export function TermsPreview({ shopId, body, onErrors }: Props) {
  const m = useMessages().returns.terms;
  const id = useId();
  const [lang, setLang] = useState<Lang>('ja');
  const { state, data: html } = useDebouncedCall(
    // `body` is a fresh object each render; its JSON says when the draft really changed.
    body ? JSON.stringify([shopId, body, lang]) : null,
    PREVIEW_DELAY_MS,
    (signal) => returnsApi.previewTerms(shopId, body!, lang, signal).then((r) => r.html),
    { onReady: () => onErrors(new Map()), onRefused: (e) => onErrors(fieldErrors(e.details)) },
  );

  return (
    <section className="panel terms-preview" aria-labelledby={`${id}-title`} data-testid="terms-preview" data-state={body ? state : 'published'}>
      <div className="section-head">
        <h2 className="panel-title" id={`${id}-title`}>
          {m.preview}
        </h2>
        <div className="segmented" role="group" aria-label={m.previewLang}>
          {langs.map((l) => (
            <button key={l} type="button" aria-pressed={lang === l} onClick={() => setLang(l)} data-testid={`preview-${l}`}>
              {m[l]}
            </button>
          ))}
        </div>
        {body && state === 'updating' && <span className="muted metric-note">{m.previewUpdating}</span>}
      </div>
      {body && state === 'invalid' && (
        <p className="alert alert-warning" role="status" data-testid="preview-invalid">
          {m.previewInvalid}
        </p>
      )}
      {body && state === 'failed' && (
        <p className="alert alert-error" role="alert">
          {m.previewFailed}
        </p>
      )}
      {body ? (
        html !== null && <iframe className="terms-frame" title={m.preview} sandbox="" srcDoc={html} data-testid="preview-frame" />
      ) : (
        <iframe className="terms-frame" title={m.preview} sandbox="" src={publicTermsUrl(shopId, lang)} data-testid="preview-frame" />
      )}
    </section>
  );
}
