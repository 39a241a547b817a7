import { useId, useRef, useState, type FormEvent } from 'react';
import { useLang } from '../../i18n.ts';
import { slackMessages } from '../../i18n.slack.ts';
import { slackApi, type SlackView } from '../../slackApi.ts';
import { fieldsOf, problemText } from './said.ts';

const fields = ['botToken', 'signingSecret'] as const;
type Field = (typeof fields)[number];

/**
 * Connecting (or reconnecting over a broken connection), owner only: "Add to Slack" when the
 * server has an app of its own, and always the shop's own app, created from the manifest, by its
 * bot token and signing secret. What the server says about either is shown at the field; the
 * secrets leave the form as soon as they are sent.
 */
export function SlackConnect({ shopId, installUrl, reconnect, onConnected }: { shopId: string; installUrl: string | null; reconnect: boolean; onConnected: (view: SlackView) => void }) {
  const id = useId();
  const lang = useLang();
  const m = slackMessages[lang];
  const [values, setValues] = useState<Record<Field, string>>({ botToken: '', signingSecret: '' });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refs = { botToken: useRef<HTMLInputElement>(null), signingSecret: useRef<HTMLInputElement>(null) };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    // Empty fields are said here; their shape is the server's to judge.
    const missing = fields.filter((f) => !values[f].trim());
    if (missing.length) {
      setErrors(Object.fromEntries(missing.map((f) => [f, m.connect.fixFields])));
      refs[missing[0]!].current?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    setErrors({});
    try {
      const view = await slackApi.connectWithToken(shopId, values.botToken.trim(), values.signingSecret.trim());
      setValues({ botToken: '', signingSecret: '' });
      onConnected(view);
    } catch (err) {
      const said = fieldsOf(err, lang);
      const at: Partial<Record<Field, string>> = {};
      for (const f of fields) {
        const ms = said.get(f);
        if (ms?.length) at[f] = [...new Set(ms)].join(' ');
      }
      setErrors(at);
      const first = fields.find((f) => at[f]);
      if (first) refs[first].current?.focus();
      else setProblem(problemText(err, m, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel slack-connect" data-testid="slack-connect">
      {installUrl && (
        <div className="slack-install">
          <a className="button button-primary" href={installUrl} data-testid="slack-add-to-slack">
            {m.connect.addToSlack}
          </a>
          <p className="muted">{m.connect.addToSlackLead}</p>
          <p className="muted">{m.connect.orPaste}</p>
        </div>
      )}
      <h3 className="subsection-title" id={`${id}-paste`}>
        {m.connect.pasteTitle}
      </h3>
      <ol className="slack-steps">
        {m.connect.steps.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      <form className="settings-form" aria-labelledby={`${id}-paste`} onSubmit={(e) => void submit(e)} noValidate data-testid="slack-connect-form">
        {fields.map((f) => (
          <div className="settings-field" key={f}>
            <label htmlFor={`${id}-${f}`}>{f === 'botToken' ? m.connect.botToken : m.connect.signingSecret}</label>
            <input
              id={`${id}-${f}`}
              ref={refs[f]}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={values[f]}
              onChange={(e) => {
                const v = e.target.value;
                setValues((x) => ({ ...x, [f]: v }));
                setErrors((x) => ({ ...x, [f]: undefined }));
              }}
              aria-invalid={errors[f] ? true : undefined}
              aria-describedby={[f === 'botToken' ? `${id}-hint` : '', errors[f] ? `${id}-${f}-error` : ''].filter(Boolean).join(' ') || undefined}
              data-testid={`slack-${f}`}
            />
            {f === 'botToken' && (
              <span className="settings-hint muted" id={`${id}-hint`}>
                {m.connect.botTokenHint}
              </span>
            )}
            {errors[f] && (
              <span className="field-error" id={`${id}-${f}-error`} role="alert" data-testid={`error-${f}`}>
                {errors[f]}
              </span>
            )}
          </div>
        ))}
        <p className="muted">{m.connect.secretKept}</p>
        {problem && (
          <p role="alert" className="alert alert-error" data-testid="slack-connect-problem">
            {problem}
          </p>
        )}
        <div className="settings-actions">
          <button type="submit" className="button button-primary" aria-disabled={busy} data-testid="slack-connect-submit">
            {busy ? m.connect.submitting : reconnect ? m.connect.reconnect : m.connect.submit}
          </button>
        </div>
      </form>
    </div>
  );
}
