import { useEffect, useRef, useState } from 'react';
import { useLang } from '../../i18n.ts';
import { peopleSettingsMessages } from '../../i18n.settings.people.ts';
import { settingsPeopleApi } from '../../settingsPeopleApi.ts';
import { CopyButton } from './CopyButton.tsx';
import { useUnsavedWarning } from './useUnsavedWarning.ts';
import { identityTag, signingExample } from './identityExample.ts';
import '../../settings.people.css';

/**
 * The key the shop's server signs customer identity tokens with (owner only: the API answers
 * 403 to anyone else). Issuing a new one asks first, since the old one stops at once; the new
 * one is shown once, with a copy button, beside the code that uses it.
 */
export function WidgetSecretSection({ shopId }: { shopId: string }) {
  const lang = useLang();
  const m = peopleSettingsMessages[lang].secret;
  const c = peopleSettingsMessages[lang].common;
  const [confirming, setConfirming] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [failed, setFailed] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  // Shown once, and the old secret already stopped working: leaving before it is stored asks first.
  useUnsavedWarning(secret !== null, m.leave);
  const rotateRef = useRef<HTMLButtonElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const secretRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (secret) secretRef.current?.focus();
  }, [secret]);

  const rotate = async () => {
    if (rotating) return;
    setRotating(true);
    setFailed(false);
    try {
      const made = await settingsPeopleApi.rotateWidgetSecret(shopId);
      setConfirming(false);
      setSecret(made.secret);
    } catch {
      setFailed(true);
    } finally {
      setRotating(false);
    }
  };
  const back = () => {
    setConfirming(false);
    setSecret(null);
    // The button is rendered again only after this; focus it once it is there.
    requestAnimationFrame(() => rotateRef.current?.focus());
  };

  const tag = identityTag(window.location.origin, shopId);
  return (
    <section className="settings-section" aria-labelledby="settings-secret" data-testid="settings-widget-secret">
      <h2 id="settings-secret">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      {failed && (
        <p role="alert" className="alert alert-error">
          {m.rotateFailed}
        </p>
      )}

      {secret ? (
        <div className="alert alert-warning settings-new-key" role="region" aria-label={m.newSecret} tabIndex={-1} ref={secretRef} data-testid="new-widget-secret">
          <p>
            <strong>{m.newSecret}</strong>
          </p>
          <p>{m.shownOnce}</p>
          <div className="settings-snippet">
            <label htmlFor="new-widget-secret" className="sr-only">
              {m.newSecret}
            </label>
            <input id="new-widget-secret" readOnly value={secret} onFocus={(e) => e.currentTarget.select()} data-testid="new-widget-secret-value" />
            <CopyButton text={secret} label={c.copy} copied={c.copied} failed={c.copyFailed} testId="copy-widget-secret" />
          </div>
          <button type="button" className="button" onClick={back} data-testid="widget-secret-done">
            {m.done}
          </button>
        </div>
      ) : confirming ? (
        <div className="settings-confirm" role="group" aria-label={m.rotate}>
          <p>{m.confirm}</p>
          <div className="settings-actions">
            {/* aria-disabled while issuing: a disabled button would drop the focus on it. */}
            <button type="button" className="button button-danger" onClick={() => void rotate()} aria-disabled={rotating} ref={confirmRef} data-testid="confirm-rotate-secret">
              {rotating ? m.rotating : m.confirmYes}
            </button>
            <button type="button" className="button button-quiet" onClick={back}>
              {c.cancel}
            </button>
          </div>
        </div>
      ) : (
        <div className="settings-actions">
          <button type="button" className="button" onClick={() => setConfirming(true)} ref={rotateRef} data-testid="rotate-widget-secret">
            {m.rotate}
          </button>
        </div>
      )}

      <h3>{m.exampleTitle}</h3>
      <p className="muted">{m.exampleLead}</p>
      <div className="settings-code">
        <pre tabIndex={0} aria-label={m.exampleTitle} data-testid="signing-example">
          <code>{signingExample}</code>
        </pre>
        <CopyButton text={signingExample} label={c.copy} copied={c.copied} failed={c.copyFailed} testId="copy-signing-example" />
      </div>
      <h3>{m.tagTitle}</h3>
      <div className="settings-code">
        <pre tabIndex={0} aria-label={m.tagTitle}>
          <code>{tag}</code>
        </pre>
      </div>
    </section>
  );
}
