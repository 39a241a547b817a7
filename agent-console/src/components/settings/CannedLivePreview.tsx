import { useEffect, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang, type Lang } from '../../i18n.ts';
import { hoursMessages } from '../../i18n.settings.hours.ts';
import { settingsHoursApi } from '../../settingsHoursApi.ts';

/** How long typing must pause before the draft is rendered again: one request per pause, not per key. */
const PAUSE_MS = 350;

type Shown = { kind: 'text'; body: string } | { kind: 'line'; line: number } | { kind: 'failed' } | { kind: 'empty' };

/**
 * The draft rendered by the server as it is typed, in either language: the same variables,
 * masking and template checks as sending, so what is shown is what customers will get.
 */
export function CannedLivePreview({ shopId, bodyJa, bodyEn }: { shopId: string; bodyJa: string; bodyEn: string }) {
  const lang = useLang();
  const m = hoursMessages[lang].canned;
  const [locale, setLocale] = useState<Lang>(lang);
  const [shown, setShown] = useState<Shown>({ kind: 'empty' });

  useEffect(() => {
    if (!bodyJa.trim()) {
      setShown({ kind: 'empty' });
      return;
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      settingsHoursApi.previewDraft(shopId, { bodyJa, bodyEn }, locale, ctrl.signal).then(
        (r) => setShown({ kind: 'text', body: r.body }),
        (e: unknown) => {
          if (ctrl.signal.aborted) return;
          const line = e instanceof ApiError && Array.isArray(e.details) ? (e.details as Array<{ line?: unknown }>).find((d) => typeof d.line === 'number')?.line : undefined;
          setShown(typeof line === 'number' ? { kind: 'line', line } : { kind: 'failed' });
        },
      );
    }, PAUSE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [shopId, bodyJa, bodyEn, locale]);

  return (
    <div className="settings-field" data-testid="canned-live-preview">
      <span className="settings-label" id="canned-live-label">
        {m.livePreview}
      </span>
      <div className="settings-actions" role="group" aria-labelledby="canned-live-label">
        {(['ja', 'en'] as const).map((l) => (
          <button key={l} type="button" className="button button-quiet" aria-pressed={locale === l} onClick={() => setLocale(l)} data-testid={`canned-live-${l}`}>
            {m.previewLang[l]}
          </button>
        ))}
      </div>
      {shown.kind === 'text' ? (
        <pre className="canned-preview" lang={locale} data-testid="canned-live-body">
          {shown.body}
        </pre>
      ) : (
        <p className={shown.kind === 'empty' ? 'muted' : 'field-error'} data-testid="canned-live-note">
          {shown.kind === 'empty' ? m.liveEmpty : shown.kind === 'line' ? m.templateAt(shown.line) : m.previewFailed}
        </p>
      )}
    </div>
  );
}
