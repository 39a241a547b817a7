import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { slackMessages } from '../../i18n.slack.ts';
import { slackApi } from '../../slackApi.ts';
import type { ConversationDto } from '../../types.ts';
import { fieldsOf, problemText, serverSays } from '../slack/said.ts';
import '../../slack.css';

/** The server's bounds for a question (contract of issue 14). */
const QUESTION_MAX = 2000;

/**
 * 「店舗に確認 / Ask the merchant」: the question goes to the shop's Slack channel with the
 * ticket's summary (masked); the ticket waits on the merchant until a reply in the thread comes
 * back as an internal note. Refusals (Slack not connected, the alert muted or without a channel)
 * are the server's 409, said as it says them.
 */
export function AskMerchant({ c, onChanged }: { c: ConversationDto; onChanged: (c: ConversationDto) => void }) {
  const id = useId();
  const lang = useLang();
  const m = slackMessages[lang];
  const a = m.ask;
  const [question, setQuestion] = useState('');
  const [fieldError, setFieldError] = useState<'empty' | 'long' | string | null>(null);
  const [said, setSaid] = useState<{ kind: 'info' | 'warning'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);

  const ask = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const q = question.trim();
    const rule = !q ? 'empty' : q.length > QUESTION_MAX ? 'long' : null;
    if (rule) {
      setFieldError(rule);
      box.current?.focus();
      return;
    }
    setBusy(true);
    setSaid(null);
    setFieldError(null);
    try {
      onChanged(await slackApi.askMerchant(c.shopId, c.id, q));
      setQuestion('');
      setSaid({ kind: 'info', text: a.sent });
    } catch (err) {
      const atField = fieldsOf(err, lang).get('question');
      if (atField?.length) {
        setFieldError([...new Set(atField)].join(' '));
        box.current?.focus();
      } else if (err instanceof ApiError && err.code === 'conflict') {
        setSaid({ kind: 'warning', text: serverSays(err, lang) ?? a.notConnected });
      } else {
        setSaid({ kind: 'warning', text: problemText(err, m, lang) });
      }
    } finally {
      setBusy(false);
    }
  };

  const error = fieldError === 'empty' ? a.empty : fieldError === 'long' ? a.tooLong(QUESTION_MAX) : fieldError;
  return (
    <details className="panel ask-merchant" data-testid="ask-merchant">
      <summary className="panel-title">{a.title}</summary>
      <p className="muted">{a.lead}</p>
      {said && (
        <p role={said.kind === 'warning' ? 'alert' : 'status'} className={`alert alert-${said.kind}`} data-testid="ask-merchant-said">
          {said.text}
        </p>
      )}
      <form onSubmit={(e) => void ask(e)} noValidate>
        <label htmlFor={`${id}-q`}>{a.question}</label>
        <textarea
          id={`${id}-q`}
          ref={box}
          value={question}
          maxLength={QUESTION_MAX}
          onChange={(e) => {
            setQuestion(e.target.value);
            setFieldError(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          data-testid="ask-merchant-question"
        />
        {error && (
          <span className="field-error" id={`${id}-error`} role="alert">
            {error}
          </span>
        )}
        <button type="submit" className="button" aria-disabled={busy} data-testid="ask-merchant-submit">
          {busy ? a.sending : a.submit}
        </button>
      </form>
    </details>
  );
}
