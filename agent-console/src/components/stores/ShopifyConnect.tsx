import { useId, useRef, useState, type FormEvent } from 'react';
import { useLang } from '../../i18n.ts';
import { storesMessages } from '../../i18n.stores.ts';
import { storesApi } from '../../storesApi.ts';
import { fieldsOf } from '../slack/said.ts';
import { problemText } from './said.ts';

const fields = ['shopDomain', 'accessToken', 'apiSecret', 'backfillDays'] as const;
type Field = (typeof fields)[number];
const secret: ReadonlySet<Field> = new Set(['accessToken', 'apiSecret']);

/**
 * Connecting Shopify (or again over a broken connection): a custom app's Admin API access token
 * and API secret key, with how many days of past orders to bring in; and, where the server has a
 * public app, its install on Shopify for the domain typed here. What the server says about a field
 * (a token Shopify refused is said at the token) is shown beside it in the reader's language; the
 * secrets leave the form once sent.
 */
export function ShopifyConnect({ shopId, oauth, reconnect, initialDomain, onConnected }: { shopId: string; oauth: boolean; reconnect: boolean; initialDomain: string; onConnected: () => void }) {
  const id = useId();
  const lang = useLang();
  const m = storesMessages[lang];
  const s = m.shopify;
  const [values, setValues] = useState<Record<Field, string>>({ shopDomain: initialDomain, accessToken: '', apiSecret: '', backfillDays: '30' });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refs = { shopDomain: useRef<HTMLInputElement>(null), accessToken: useRef<HTMLInputElement>(null), apiSecret: useRef<HTMLInputElement>(null), backfillDays: useRef<HTMLInputElement>(null) };
  const labels: Record<Field, { label: string; hint: string }> = {
    shopDomain: { label: s.shopDomain, hint: s.shopDomainHint },
    accessToken: { label: s.accessToken, hint: s.accessTokenHint },
    apiSecret: { label: s.apiSecret, hint: s.apiSecretHint },
    backfillDays: { label: s.backfillDays, hint: s.backfillHint },
  };

  const showErrors = (at: Partial<Record<Field, string>>) => {
    setErrors(at);
    const first = fields.find((f) => at[f]);
    if (first) refs[first].current?.focus();
    return first !== undefined;
  };

  const days = Number(values.backfillDays);
  const daysOk = /^\d+$/.test(values.backfillDays.trim()) && days >= 1 && days <= 365;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    // Empty fields and the days' range are said here; the domain's and token's shape are the server's to judge.
    const at: Partial<Record<Field, string>> = {};
    for (const f of fields) if (!values[f].trim()) at[f] = m.fixFields;
    if (!at.backfillDays && !daysOk) at.backfillDays = s.backfillRange;
    if (showErrors(at)) return;
    setBusy(true);
    setProblem(null);
    try {
      await storesApi.connectShopify(shopId, { shopDomain: values.shopDomain.trim(), accessToken: values.accessToken.trim(), apiSecret: values.apiSecret.trim(), backfillDays: days });
      setValues((v) => ({ ...v, accessToken: '', apiSecret: '' }));
      onConnected();
    } catch (err) {
      const said = fieldsOf(err, lang);
      const fromServer: Partial<Record<Field, string>> = {};
      for (const f of fields) {
        const ms = said.get(f);
        if (ms?.length) fromServer[f] = [...new Set(ms)].join(' ');
      }
      if (!showErrors(fromServer)) setProblem(problemText(err, m, lang));
    } finally {
      setBusy(false);
    }
  };

  const install = () => {
    if (!values.shopDomain.trim()) {
      showErrors({ shopDomain: m.fixFields });
      return;
    }
    window.location.assign(storesApi.shopifyInstallUrl(shopId, values.shopDomain.trim()));
  };

  return (
    <div className="store-connect" data-testid="shopify-connect">
      <p className="muted">{oauth ? s.installLead : s.lead}</p>
      <form className="settings-form" onSubmit={(e) => void submit(e)} noValidate data-testid="shopify-connect-form" aria-label={reconnect ? s.reconnect : s.submit}>
        {fields.map((f) => (
          <div className="settings-field" key={f} data-field={f}>
            <label htmlFor={`${id}-${f}`}>{labels[f].label}</label>
            <input
              id={`${id}-${f}`}
              ref={refs[f]}
              type={secret.has(f) ? 'password' : f === 'backfillDays' ? 'number' : 'text'}
              {...(f === 'backfillDays' ? { min: 1, max: 365, step: 1, inputMode: 'numeric' as const } : {})}
              autoComplete="off"
              spellCheck={false}
              value={values[f]}
              onChange={(e) => {
                const v = e.target.value;
                setValues((x) => ({ ...x, [f]: v }));
                setErrors((x) => ({ ...x, [f]: undefined }));
              }}
              aria-invalid={errors[f] ? true : undefined}
              aria-describedby={`${id}-${f}-hint${errors[f] ? ` ${id}-${f}-error` : ''}`}
              data-testid={`shopify-${f}`}
            />
            <span className="settings-hint muted" id={`${id}-${f}-hint`}>
              {labels[f].hint}
            </span>
            {errors[f] && (
              <span className="field-error" id={`${id}-${f}-error`} role="alert" data-testid={`shopify-error-${f}`}>
                {errors[f]}
              </span>
            )}
            {f === 'shopDomain' && oauth && (
              <div className="store-install">
                <button type="button" className="button" onClick={install} data-testid="shopify-install">
                  {s.install}
                </button>
                <p className="muted">{s.orPaste}</p>
              </div>
            )}
          </div>
        ))}
        <p className="muted">{s.secretKept}</p>
        {problem && (
          <p role="alert" className="alert alert-error" data-testid="shopify-connect-problem">
            {problem}
          </p>
        )}
        <div className="settings-actions">
          <button type="submit" className="button button-primary" aria-disabled={busy} data-testid="shopify-connect-submit">
            {busy ? s.submitting : reconnect ? s.reconnect : s.submit}
          </button>
        </div>
      </form>
    </div>
  );
}
