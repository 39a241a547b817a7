import { useEffect, useRef, useState, type FormEvent } from 'react';
import { apiKeyNameMax, isApiKeyName } from '../../../../server/domains/apikeys/apikeys.rules.ts';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { settingsMessages } from '../../i18n.settings.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { settingsApi, type ApiKeyView } from '../../settingsApi.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { fieldErrors } from '../../fieldErrors.ts';
import { CopyButton } from './CopyButton.tsx';

/**
 * The shop's API keys (owner only: the API answers 403 to anyone else). A new key is shown
 * once, here, with a copy button; revoking asks first, in place.
 */
export function ApiKeysSection({ shopId }: { shopId: string }) {
  const lang = useLang();
  const m = settingsMessages[lang].keys;
  const list = useLoad((signal) => settingsApi.apiKeys(shopId, signal), shopId);
  const keys: ApiKeyView[] | null = list.data ?? null;
  /** What a create or a revoke could not do; a failed load of the list is said by `list`. */
  const [problem, setProblem] = useState<string | null>(null);
  const shown = problem ?? (list.state === 'failed' ? m.loadFailed : null);
  const [name, setName] = useState('');
  /** 'rule': the form's own check; else what the server said about the name. Worded at render, in the current language. */
  const [nameProblem, setNameProblem] = useState<'rule' | string[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  /** Keyboard focus follows the work: into a new key's box, onto the confirm button, back to where the person was. */
  const newKeyRef = useRef<HTMLDivElement>(null);
  const createRef = useRef<HTMLButtonElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const [refocusRevoke, setRefocusRevoke] = useState<string | null>(null);
  useEffect(() => {
    if (created) newKeyRef.current?.focus();
  }, [created]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (!refocusRevoke) return;
    sectionRef.current?.querySelector<HTMLButtonElement>(`[data-revoke="${CSS.escape(refocusRevoke)}"]`)?.focus();
    setRefocusRevoke(null);
  }, [refocusRevoke]);


  const nameError = nameProblem === 'rule' ? m.nameRule(apiKeyNameMax) : nameProblem && nameProblem.join(' ');

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (creating) return;
    // The API's own rule, checked here first so the message can say what the name needs.
    if (!isApiKeyName(name)) {
      setNameProblem('rule');
      nameRef.current?.focus();
      return;
    }
    setCreating(true);
    setProblem(null);
    try {
      const made = await settingsApi.createApiKey(shopId, name);
      setCreated({ name: made.name, key: made.key });
      setName('');
      setNameProblem(null);
      list.retry();
    } catch (err) {
      const said = err instanceof ApiError && err.code === 'invalid_input' ? fieldErrors(err.details, lang).get('name') : undefined;
      if (said?.length) setNameProblem(said);
      else setProblem(m.createFailed);
    } finally {
      setCreating(false);
    }
  };

  const revoke = async (id: string) => {
    setProblem(null);
    try {
      await settingsApi.revokeApiKey(shopId, id);
      setConfirming(null);
      list.retry();
    } catch {
      setProblem(m.revokeFailed);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="settings-keys" data-testid="settings-api-keys" ref={sectionRef}>
      <h2 id="settings-keys">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      {shown && (
        <p role="alert" className="alert alert-error">
          {shown}
        </p>
      )}

      {created && (
        <div className="alert alert-warning settings-new-key" role="region" aria-label={m.newKey(created.name)} aria-live="polite" tabIndex={-1} ref={newKeyRef} data-testid="new-key">
          <p>
            <strong>{m.newKey(created.name)}</strong>
          </p>
          <p data-testid="new-key-warning">{m.shownOnce}</p>
          <div className="settings-snippet">
            <label htmlFor="new-key-value" className="sr-only">
              {m.newKey(created.name)}
            </label>
            <input id="new-key-value" readOnly value={created.key} onFocus={(e) => e.currentTarget.select()} data-testid="new-key-value" />
            <CopyButton text={created.key} label={settingsMessages[lang].widget.copy} copied={settingsMessages[lang].widget.copied} failed={settingsMessages[lang].widget.copyFailed} testId="copy-key" />
          </div>
          <button type="button" className="button" onClick={() => {
              setCreated(null);
              createRef.current?.focus();
            }}
            data-testid="new-key-done"
          >
            {m.done}
          </button>
        </div>
      )}

      <form className="settings-key-form" onSubmit={(e) => void create(e)} noValidate>
        <div className="field">
          <label htmlFor="api-key-name">{m.name}</label>
          <input
            id="api-key-name"
            ref={nameRef}
            value={name}
            maxLength={apiKeyNameMax}
            onChange={(e) => {
              setName(e.target.value);
              setNameProblem(null);
            }}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'api-key-name-error' : undefined}
            data-testid="api-key-name"
          />
          {nameError && (
            <span className="field-error" id="api-key-name-error" role="alert">
              {nameError}
            </span>
          )}
        </div>
        {/* aria-disabled while creating: a disabled button would drop the focus on it. */}
        <button type="submit" className="button button-primary" aria-disabled={creating} ref={createRef} data-testid="create-api-key">
          {creating ? m.creating : m.create}
        </button>
      </form>

      {keys && keys.length === 0 && <p className="muted">{m.none}</p>}
      {keys && keys.length > 0 && (
        <table className="settings-keys" data-testid="api-keys">
          <thead>
            <tr>
              <th scope="col">{m.colName}</th>
              <th scope="col">{m.colPrefix}</th>
              <th scope="col">{m.colCreated}</th>
              <th scope="col">{m.colLastUsed}</th>
              <th scope="col">{m.colStatus}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} data-testid="api-key-row">
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{tokyoDateTime(k.createdAt, lang)}</td>
                <td>{k.lastUsedAt ? tokyoDateTime(k.lastUsedAt, lang) : m.never}</td>
                <td>
                  {k.revokedAt ? (
                    <span className="muted">{m.revoked(tokyoDateTime(k.revokedAt, lang))}</span>
                  ) : confirming === k.id ? (
                    <span className="settings-confirm" role="group" aria-label={m.revokeLabel(k.name)}>
                      <span>{m.confirm(k.name)}</span>{' '}
                      <button type="button" className="button button-danger" onClick={() => void revoke(k.id)} ref={confirmRef} data-testid="confirm-revoke">
                        {m.confirmYes}
                      </button>{' '}
                      <button
                        type="button"
                        className="button button-quiet"
                        onClick={() => {
                          setConfirming(null);
                          setRefocusRevoke(k.id);
                        }}
                      >
                        {m.cancel}
                      </button>
                    </span>
                  ) : (
                    <>
                      {m.active}{' '}
                      <button type="button" className="button button-quiet" onClick={() => setConfirming(k.id)} aria-label={m.revokeLabel(k.name)} data-revoke={k.id} data-testid="revoke-api-key">
                        {m.revoke}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
