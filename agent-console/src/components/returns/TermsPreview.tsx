import { useEffect, useId, useState } from 'react';
import { ApiError } from '../../api.ts';
import { langs, useMessages, type Lang } from '../../i18n.ts';
import { publicTermsUrl, returnsApi } from '../../returnsApi.ts';
import type { ReturnTermsInput } from '../../types.ts';
import { fieldErrors, type FieldErrors } from './terms.draft.ts';

/** Typing pauses this long before the page is rendered again. */
const PREVIEW_DELAY_MS = 400;

type State = 'updating' | 'ready' | 'invalid' | 'failed';

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
  const [html, setHtml] = useState<string | null>(null);
  const [state, setState] = useState<State>('updating');
  const key = body ? JSON.stringify(body) : null;

  useEffect(() => {
    if (!body) return;
    const ctrl = new AbortController();
    setState('updating');
    const timer = window.setTimeout(() => {
      returnsApi.previewTerms(shopId, body, lang, ctrl.signal).then(
        (r) => {
          setHtml(r.html);
          setState('ready');
          onErrors(new Map());
        },
        (e: unknown) => {
          if (ctrl.signal.aborted || (e instanceof ApiError && e.code === 'unauthenticated')) return;
          if (e instanceof ApiError && e.code === 'invalid_input') {
            setState('invalid');
            onErrors(fieldErrors(e.details));
          } else setState('failed');
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
    // `body` is a fresh object each render; `key` says when the draft really changed.
  }, [shopId, key, lang]);

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
