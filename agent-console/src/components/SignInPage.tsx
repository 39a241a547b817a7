import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import type { Messages } from '../i18n.ts';
import type { SessionView } from '../types.ts';
import { Bilingual } from './Bilingual.tsx';
import { Brand } from './Brand.tsx';

export type SignInNotice = 'expired' | 'signedOut';

type Text = (m: Messages) => string;

function describe(e: unknown): Text {
  if (!(e instanceof ApiError)) return (m) => m.signIn.failed;
  switch (e.code) {
    case 'unauthenticated':
      return (m) => m.signIn.wrongCredentials;
    case 'rate_limited':
      return (m) => m.signIn.rateLimited(e.retryAfterSeconds);
    case 'network':
      return (m) => m.signIn.network;
    default:
      return (m) => m.signIn.failed;
  }
}

export function SignInPage({ notice, onSignedIn }: { notice?: SignInNotice | undefined; onSignedIn: (session: SessionView) => void }) {
  const [showNotice, setShowNotice] = useState(true);

  useEffect(() => {
    document.title = 'サインイン / Sign in · 窓口 madoguchi';
  }, []);

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <header className="sign-in-header">
          <Brand as="h1" />
          <p className="muted">
            <Bilingual text={(m) => m.signIn.subtitle} />
          </p>
        </header>

        {notice && showNotice && (
          <p role="status" className={`alert ${notice === 'expired' ? 'alert-warning' : 'alert-info'}`} data-testid="sign-in-notice">
            <Bilingual text={(m) => (notice === 'expired' ? m.signIn.expired : m.signIn.signedOut)} />
          </p>
        )}

        <SignInForm onSubmit={() => setShowNotice(false)} onSignedIn={onSignedIn} />
      </div>
    </main>
  );
}

interface SignInFormProps {
  /** Filled in already, e.g. the invited email on the invitation page. */
  email?: string;
  onSubmit?: () => void;
  onSignedIn: (session: SessionView) => void;
}

/** The form alone, for the sign-in page and for pages that ask to sign in on the spot. */
export function SignInForm({ email: initialEmail = '', onSubmit, onSignedIn }: SignInFormProps) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Text | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const ids = { email: useId(), password: useId(), error: useId() };

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    onSubmit?.();
    try {
      onSignedIn(await api.signIn(email.trim(), password));
    } catch (err) {
      setError(() => describe(err));
      setPassword('');
      setBusy(false);
      passwordRef.current?.focus();
    }
  }

  const invalid = error !== null;
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="sign-in-form" aria-busy={busy}>
      <h2 className="form-title">
        <Bilingual text={(m) => m.signIn.title} />
      </h2>
      <div className="field">
        <label htmlFor={ids.email}>
          <Bilingual text={(m) => m.signIn.email} />
        </label>
        <input
          id={ids.email}
          name="email"
          type="email"
          autoComplete="username"
          inputMode="email"
          required
          autoFocus={!initialEmail}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={invalid}
          aria-describedby={invalid ? ids.error : undefined}
          data-testid="sign-in-email"
        />
      </div>
      <div className="field">
        <label htmlFor={ids.password}>
          <Bilingual text={(m) => m.signIn.password} />
        </label>
        <input
          id={ids.password}
          ref={passwordRef}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus={!!initialEmail}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={invalid}
          aria-describedby={invalid ? ids.error : undefined}
          data-testid="sign-in-password"
        />
      </div>

      {error && (
        <p id={ids.error} role="alert" className="alert alert-error" data-testid="sign-in-error">
          <Bilingual text={error} />
        </p>
      )}

      <button type="submit" className="button button-primary button-block" disabled={busy} data-testid="sign-in-submit">
        <Bilingual text={(m) => (busy ? m.signIn.submitting : m.signIn.submit)} />
      </button>
    </form>
  );
}
