import { useId, useRef, useState, type FormEvent } from 'react';
import type { AcceptInvitationBody } from '../types.ts';
import { Bilingual } from './Bilingual.tsx';
import { ErrorAlert, type Field, type Problem, type Text } from './invitation.shared.tsx';

/** Name, password and its confirmation, checked here before the server sees them. */
export function NewAccountForm({ onAccept }: { onAccept: (body: AcceptInvitationBody) => Promise<Problem | null> }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  const ids = { name: useId(), password: useId(), confirm: useId(), error: useId() };
  const refs = { name: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null), confirm: useRef<HTMLInputElement>(null) };

  function check(): Problem | null {
    const out: Problem = { lines: [], fields: [] };
    const add = (f: Field, text: Text) => {
      out.fields.push(f);
      out.lines.push(text);
    };
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 120) add('name', (m) => m.invitation.nameInvalid);
    if (password.length < 12 || password.length > 200) add('password', (m) => m.invitation.passwordInvalid);
    else if (confirm !== password) add('confirm', (m) => m.invitation.mismatch);
    return out.lines.length ? out : null;
  }

  function show(p: Problem) {
    setError(p);
    const first = (['name', 'password', 'confirm'] as const).find((f) => p.fields.includes(f));
    if (first) refs[first].current?.focus();
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const invalid = check();
    if (invalid) return show(invalid);
    setBusy(true);
    setError(null);
    const p = await onAccept({ name: name.trim(), password });
    if (p) {
      setBusy(false);
      show(p);
    }
  }

  const field = (f: Field) => ({
    'aria-invalid': error?.fields.includes(f) ?? false,
    'aria-describedby': error?.fields.includes(f) ? ids.error : undefined,
  });
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="invitation-form" aria-busy={busy}>
      <h2 className="form-title">
        <Bilingual text={(m) => m.invitation.newAccount} />
      </h2>
      <div className="field">
        <label htmlFor={ids.name}>
          <Bilingual text={(m) => m.invitation.name} />
        </label>
        <input
          id={ids.name}
          ref={refs.name}
          name="name"
          autoComplete="name"
          required
          maxLength={120}
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
          {...field('name')}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.password}>
          <Bilingual text={(m) => m.invitation.password} />
        </label>
        <input
          id={ids.password}
          ref={refs.password}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          {...field('password')}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.confirm}>
          <Bilingual text={(m) => m.invitation.confirm} />
        </label>
        <input
          id={ids.confirm}
          ref={refs.confirm}
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          {...field('confirm')}
        />
      </div>

      {error && <ErrorAlert id={ids.error} lines={error.lines} />}

      <button type="submit" className="button button-primary button-block" disabled={busy}>
        <Bilingual text={(m) => (busy ? m.invitation.creating : m.invitation.create)} />
      </button>
    </form>
  );
}
