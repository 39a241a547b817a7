import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api.ts';
import { messages } from '../i18n.ts';
import { navigate, pathOf, type Route } from '../router.ts';
import type { AcceptInvitationBody, InvitationView, SessionView } from '../types.ts';
import { Bilingual } from './Bilingual.tsx';
import { Brand } from './Brand.tsx';
import { SignInForm } from './SignInPage.tsx';
import { useSignOut } from '../useSignOut.ts';
import { ErrorAlert, problem, type Problem, type Text } from './invitation.shared.tsx';
import { NewAccountForm } from './NewAccountForm.tsx';


type Load = { status: 'loading' } | { status: 'ready'; invitation: InvitationView } | { status: 'failed'; error: Text };
/** What ends the page early: a link that no longer works, or a person already in the shop. */
type Ending = 'invalid' | 'member';

interface InvitationPageProps {
  token: string;
  /** The console's session, if someone is signed in. */
  session: SessionView | undefined;
  /** Takes over a session the server answered; `fresh` when someone new just signed in. */
  onSession: (session: SessionView, fresh: boolean) => void;
  onSignedOut: () => void;
  onRefresh: () => Promise<void>;
}

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();


/** The shop just joined: new since `before`, named as in the invitation. */
function joinedShop(before: SessionView | undefined, after: SessionView, shopName: string): string | undefined {
  const known = new Set(before?.memberships.map((x) => x.shopId));
  const named = after.memberships.filter((x) => x.shopName === shopName);
  return (named.find((x) => !known.has(x.shopId)) ?? named[0])?.shopId;
}

type Issue = { in?: unknown; path?: unknown; message?: unknown };
const issuesOf = (details: unknown): Issue[] => (Array.isArray(details) ? (details as Issue[]) : []);
/** A 400 about the path: the token in the link is not even well formed. */
const badLink = (details: unknown) => issuesOf(details).some((i) => i?.in === 'path');

/** 400 details `[{ in, path, message }]` (or `{ missing: [...] }`), told per field. */
function inputProblem(details: unknown): Problem {
  const out: Problem = { lines: [], fields: [] };
  const missing = (details as { missing?: unknown } | undefined)?.missing;
  const issues: Issue[] = [...issuesOf(details), ...(Array.isArray(missing) ? missing.map((path: unknown) => ({ path })) : [])];
  for (const issue of issues) {
    const field = issue?.path === 'name' || issue?.path === 'password' ? issue.path : null;
    if (field && !out.fields.includes(field)) {
      out.fields.push(field);
      out.lines.push(field === 'name' ? (m) => m.invitation.nameInvalid : (m) => m.invitation.passwordInvalid);
    } else if (!field && typeof issue?.message === 'string') {
      out.lines.push(issue.message);
    }
  }
  if (out.lines.length === 0) out.lines.push((m) => m.invitation.checkInput);
  return out;
}

/** Opens a console page without reloading, like a link (new tabs still work). */
function Link({ to, children }: { to: Route; children: ReactNode }) {
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={pathOf(to)} onClick={follow}>
      {children}
    </a>
  );
}

/** 「<店舗> に <役割> として招待されています / You are invited to <shop> as <role>」 */
function InvitedTitle({ invitation: { shopName, role } }: { invitation: InvitationView }) {
  const [ja0, ja1, ja2] = messages.ja.invitation.invited;
  const [en0, en1, en2] = messages.en.invitation.invited;
  return (
    <h2 className="invitation-title">
      <span lang="ja">
        {ja0}
        <strong data-testid="invitation-shop">{shopName}</strong>
        {ja1}
        <span data-testid="invitation-role" data-role={role}>
          {messages.ja.roles[role]}
        </span>
        {ja2}
      </span>
      <span className="bilingual-sep" aria-hidden="true">
        {' / '}
      </span>
      <span lang="en" className="bilingual-en">
        {en0}
        <strong>{shopName}</strong>
        {en1}
        {messages.en.roles[role]}
        {en2}
      </span>
    </h2>
  );
}

export function InvitationPage({ token, session, onSession, onSignedOut, onRefresh }: InvitationPageProps) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [ending, setEnding] = useState<Ending | null>(null);
  /** Accepted: the shop to open once the console holds the new session. */
  const [joined, setJoined] = useState<{ shopId: string | undefined } | null>(null);

  useEffect(() => {
    document.title = '招待 / Invitation · 窓口 madoguchi';
  }, []);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoad({ status: 'loading' });
    api.invitation(token, ctrl.signal).then(
      (invitation) => setLoad({ status: 'ready', invitation }),
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        if (e instanceof ApiError && (e.code === 'not_found' || (e.code === 'invalid_input' && badLink(e.details)))) setEnding('invalid');
        setLoad({ status: 'failed', error: e instanceof ApiError && e.code === 'network' ? (m) => m.signIn.network : (m) => m.invitation.loadFailed });
      },
    );
    return () => ctrl.abort();
  }, [token, attempt]);

  // Waits for the App to hold the session with the new membership, so the inbox opens signed in.
  useEffect(() => {
    if (!joined || !session) return;
    const { shopId } = joined;
    if (shopId && session.memberships.some((x) => x.shopId === shopId)) navigate({ page: 'inbox', shopId }, { replace: true });
    else if (!shopId) navigate({ page: 'home' }, { replace: true });
  }, [joined, session]);

  /** Accepts; answers a problem to show by the form, or null when the page moves on. */
  async function accept(invitation: InvitationView, body: AcceptInvitationBody): Promise<Problem | null> {
    try {
      const next = await api.acceptInvitation(token, body);
      setJoined({ shopId: joinedShop(session, next, invitation.shopName) });
      onSession(next, !session);
      return null;
    } catch (e) {
      if (!(e instanceof ApiError)) return problem((m) => m.invitation.failed);
      switch (e.code) {
        case 'not_found':
          setEnding('invalid');
          return null;
        case 'conflict':
          setEnding('member');
          if (session) void onRefresh(); // so the link below finds the shop
          return null;
        case 'unauthenticated':
          // Not (or no longer) signed in: the App has let go of its session; ask to sign in.
          setLoad({ status: 'ready', invitation: { ...invitation, hasAccount: true } });
          return null;
        case 'forbidden':
          return problem((m) => m.invitation.forbidden);
        case 'invalid_input':
          if (!badLink(e.details)) return inputProblem(e.details);
          setEnding('invalid');
          return null;
        case 'network':
          return problem((m) => m.signIn.network);
        default:
          return problem((m) => m.invitation.failed);
      }
    }
  }

  let body: ReactNode;
  if (ending === 'invalid') {
    body = (
      <ErrorAlert lines={[(m) => m.invitation.invalid, (m) => m.invitation.invalidHint]}>
        <p>
          <Link to={{ page: 'home' }}>
            <Bilingual text={(m) => m.invitation.openConsole} />
          </Link>
        </p>
      </ErrorAlert>
    );
  } else if (load.status === 'loading') {
    body = (
      <p className="muted" role="status">
        <Bilingual text={(m) => m.loading} />
      </p>
    );
  } else if (load.status === 'failed') {
    body = (
      <>
        <ErrorAlert lines={[load.error]} />
        <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
          <Bilingual text={(m) => m.startup.retry} />
        </button>
      </>
    );
  } else {
    const { invitation } = load;
    let action: ReactNode;
    if (ending === 'member') {
      const shopId = session?.memberships.find((x) => x.shopName === invitation.shopName)?.shopId;
      action = (
        <ErrorAlert lines={[(m) => m.invitation.alreadyMember]}>
          <p>
            <Link to={shopId ? { page: 'inbox', shopId } : { page: 'home' }}>
              <Bilingual text={(m) => m.invitation.openInbox} />
            </Link>
          </p>
        </ErrorAlert>
      );
    } else if (joined) {
      action = (
        <p className="alert alert-info" role="status">
          <Bilingual text={(m) => m.invitation.accepted} />
        </p>
      );
    } else if (session && sameEmail(session.user.email, invitation.email)) {
      action = <AcceptPanel session={session} onAccept={() => accept(invitation, {})} onSignedOut={onSignedOut} />;
    } else if (session) {
      action = (
        <div className="invitation-actions">
          <div role="alert" className="alert alert-warning" data-testid="invitation-error">
            <Bilingual text={(m) => m.invitation.wrongAccount(session.user.email, invitation.email)} />
          </div>
          <SignOutButton primary onSignedOut={onSignedOut} text={(m) => m.invitation.signOut} />
        </div>
      );
    } else if (invitation.hasAccount) {
      action = (
        <div className="invitation-actions">
          <p role="status" className="alert alert-info" data-testid="invitation-sign-in-first">
            <Bilingual text={(m) => m.invitation.signInFirst} />
          </p>
          <SignInForm email={invitation.email} onSignedIn={(s) => onSession(s, true)} />
        </div>
      );
    } else {
      action = <NewAccountForm onAccept={(b) => accept(invitation, b)} />;
    }
    body = (
      <>
        <section className="invitation-summary" aria-label={`${messages.ja.invitation.title} / ${messages.en.invitation.title}`}>
          <InvitedTitle invitation={invitation} />
          <dl className="invitation-details">
            <dt>
              <Bilingual text={(m) => m.invitation.email} />
            </dt>
            <dd data-testid="invitation-email">{invitation.email}</dd>
          </dl>
        </section>
        {action}
      </>
    );
  }

  return (
    <main className="sign-in" data-testid="invitation" data-state={ending ?? (joined ? 'accepted' : load.status)}>
      <div className="sign-in-card">
        <header className="sign-in-header">
          <Brand as="h1" />
          <p className="muted">
            <Bilingual text={(m) => m.invitation.title} />
          </p>
        </header>
        {body}
      </div>
    </main>
  );
}

function SignOutButton({ primary = false, text, onSignedOut }: { primary?: boolean; text: Text; onSignedOut: () => void }) {
  const { busy, failed, signOut } = useSignOut(onSignedOut);
  return (
    <>
      <button
        type="button"
        className={primary ? 'button button-primary button-block' : 'button button-quiet'}
        onClick={() => void signOut()}
        disabled={busy}
        data-testid="invitation-sign-out"
      >
        <Bilingual text={text} />
      </button>
      {failed && (
        <p role="alert" className="alert alert-error">
          <Bilingual text={(m) => m.shell.signOutFailed} />
        </p>
      )}
    </>
  );
}

/** Signed in as the invited email: one button. */
function AcceptPanel({ session, onAccept, onSignedOut }: { session: SessionView; onAccept: () => Promise<Problem | null>; onSignedOut: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Problem | null>(null);
  async function submit() {
    if (busy) return;
    setBusy(true);
    setError(null);
    const p = await onAccept();
    if (p) {
      setError(p);
      setBusy(false);
    }
  }
  return (
    <div className="invitation-actions">
      <p className="muted">
        <Bilingual text={(m) => m.invitation.signedInAs(session.user.email)} />
      </p>
      {error && <ErrorAlert lines={error.lines} />}
      <button type="button" className="button button-primary button-block" onClick={() => void submit()} disabled={busy} data-testid="invitation-accept">
        <Bilingual text={(m) => (busy ? m.invitation.accepting : m.invitation.accept)} />
      </button>
      <SignOutButton text={(m) => m.invitation.useOtherAccount} onSignedOut={onSignedOut} />
    </div>
  );
}

/** No account yet for the invited email: name and password make one, signed in and in the shop. */
