import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { peopleSettingsMessages } from '../../i18n.settings.people.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { settingsPeopleApi } from '../../settingsPeopleApi.ts';
import type { Role } from '../../types.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { fieldErrors, readable, type FieldErrors } from '../../fieldErrors.ts';

const roleOrder: Role[] = ['agent', 'staff', 'contractor', 'owner'];

/**
 * Open invitations and a form to invite by email (owner only, as the API). The link goes only
 * to the invited mailbox (the API does not answer it), so the page says it was mailed. The
 * server's schema judges the form; its messages show beside the fields in the reader's language.
 */
export function InvitationsPanel({ shopId }: { shopId: string }) {
  const lang = useLang();
  const roles = useMessages().roles;
  const m = peopleSettingsMessages[lang].people;
  const list = useLoad((signal) => settingsPeopleApi.invitations(shopId, signal), shopId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [sending, setSending] = useState(false);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);

  const invite = async (e: FormEvent) => {
    e.preventDefault();
    if (sending) return;
    setSending(true);
    setSaid(null);
    try {
      const made = await settingsPeopleApi.invite(shopId, email, role);
      setErrors(new Map());
      setEmail('');
      setSaid({ ok: true, text: m.invited(made.email) });
      list.retry();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') {
        setErrors(fieldErrors(err.details));
        emailRef.current?.focus();
      } else setSaid({ ok: false, text: err instanceof ApiError && err.code === 'conflict' ? m.alreadyMember : m.inviteFailed });
    } finally {
      setSending(false);
    }
  };

  const withdraw = async (id: string) => {
    setSaid(null);
    try {
      await settingsPeopleApi.withdrawInvitation(shopId, id);
      list.retry();
    } catch {
      setSaid({ ok: false, text: m.withdrawFailed });
    }
  };

  /** In the reader's language at render: the messages follow the language toggle. */
  const errorOf = (path: string) => [...new Set((errors.get(path) ?? []).map((e) => readable(e, lang)))].join(' ');
  const invitations = list.data ?? null;
  return (
    <div className="settings-invitations" data-testid="invitations">
      <h3>{m.invitesTitle}</h3>
      <p className="muted">{m.inviteLead}</p>
      <form className="settings-key-form" onSubmit={(e) => void invite(e)} noValidate data-testid="invite-form">
        <div className="field">
          <label htmlFor="invite-email">{m.email}</label>
          <input
            id="invite-email"
            ref={emailRef}
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={errorOf('email') ? true : undefined}
            aria-describedby={errorOf('email') ? 'invite-email-error' : undefined}
            data-testid="invite-email"
          />
          {errorOf('email') && (
            <span className="field-error" id="invite-email-error" role="alert" data-testid="invite-error-email">
              {errorOf('email')}
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor="invite-role">{m.role}</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} aria-invalid={errorOf('role') ? true : undefined} data-testid="invite-role">
            {roleOrder.map((r) => (
              <option key={r} value={r}>
                {roles[r]}
              </option>
            ))}
          </select>
          {errorOf('role') && (
            <span className="field-error" role="alert">
              {errorOf('role')}
            </span>
          )}
        </div>
        {/* aria-disabled while sending: a disabled button would drop the focus on it. */}
        <button type="submit" className="button button-primary" aria-disabled={sending} data-testid="send-invite">
          {sending ? m.inviting : m.invite}
        </button>
      </form>
      <p role="status" className={said && !said.ok ? 'alert alert-error' : 'muted'} data-testid="invite-status">
        {said?.text}
      </p>

      {list.state === 'failed' && (
        <p role="alert" className="alert alert-error">
          {peopleSettingsMessages[lang].common.loadFailed}
        </p>
      )}
      {invitations && invitations.length === 0 && <p className="muted">{m.invitesNone}</p>}
      {invitations && invitations.length > 0 && (
        <table className="settings-keys" data-testid="invitation-list">
          <thead>
            <tr>
              <th scope="col">{m.colEmail}</th>
              <th scope="col">{m.colRole}</th>
              <th scope="col">{m.colExpires}</th>
              <th scope="col">{m.colActions}</th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => (
              <tr key={i.id} data-testid="invitation-row">
                <td>{i.email}</td>
                <td>{roles[i.role]}</td>
                <td>{tokyoDateTime(i.expiresAt, lang)}</td>
                <td>
                  <button type="button" className="button button-quiet" onClick={() => void withdraw(i.id)} aria-label={m.withdrawLabel(i.email)} data-testid="withdraw-invitation">
                    {m.withdraw}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
