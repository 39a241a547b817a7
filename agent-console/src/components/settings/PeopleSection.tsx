import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { peopleSettingsMessages } from '../../i18n.settings.people.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { settingsPeopleApi, type MemberView } from '../../settingsPeopleApi.ts';
import type { Role } from '../../types.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { useContractorShops } from './contractorShops.ts';
import { InvitationsPanel } from './InvitationsPanel.tsx';
import '../../settings.people.css';

const roleOrder: Role[] = ['owner', 'staff', 'agent', 'contractor'];

/**
 * The shop's people and their roles, for owners and staff (the API answers 403 to others).
 * Owners change a role or remove a person (asked first, in place; the server cuts their
 * connections at once) and invite; staff read the list, without the controls they cannot use.
 * No controls on one's own row: an owner does not lock themselves out from here.
 */
export function PeopleSection({ shopId, role }: { shopId: string; role: Role }) {
  const lang = useLang();
  const roles = useMessages().roles;
  const m = peopleSettingsMessages[lang].people;
  const c = peopleSettingsMessages[lang].common;
  const owner = role === 'owner';
  const list = useLoad((signal) => settingsPeopleApi.members(shopId, signal), shopId);
  const session = useLoad((signal) => settingsPeopleApi.session(signal), 'me');
  const members = list.data ?? null;
  const meId = session.data?.user.id;
  const otherShops = useContractorShops(shopId, members, session.data?.memberships, owner);

  /** The role chosen in a row's select, until it is applied. */
  const [chosen, setChosen] = useState<Record<string, Role>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  /** After "cancel", the Remove button of that row takes the keyboard back, once it is rendered again. */
  const [refocus, setRefocus] = useState<string | null>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (!refocus) return;
    sectionRef.current?.querySelector<HTMLButtonElement>(`[data-remove="${CSS.escape(refocus)}"]`)?.focus();
    setRefocus(null);
  }, [refocus]);

  const problemOf = (err: unknown, fallback: string) => (err instanceof ApiError && err.code === 'conflict' ? m.lastOwner : err instanceof ApiError && err.code === 'forbidden' ? c.notAllowed : fallback);

  const applyRole = async (p: MemberView, to: Role) => {
    if (busy) return;
    setBusy(p.userId);
    setSaid(null);
    try {
      await settingsPeopleApi.changeRole(shopId, p.userId, to);
      setChosen(({ [p.userId]: _, ...rest }) => rest);
      setSaid({ ok: true, text: m.roleChanged(p.name, roles[to]) });
      list.retry();
    } catch (err) {
      setSaid({ ok: false, text: problemOf(err, m.roleFailed) });
    } finally {
      setBusy(null);
    }
  };

  const remove = async (p: MemberView) => {
    if (busy) return;
    setBusy(p.userId);
    setSaid(null);
    try {
      await settingsPeopleApi.removeMember(shopId, p.userId);
      setConfirming(null);
      setSaid({ ok: true, text: m.removed(p.name) });
      list.retry();
      // The row and its buttons are gone: the keyboard goes back to the section.
      sectionRef.current?.focus();
    } catch (err) {
      setSaid({ ok: false, text: problemOf(err, m.removeFailed) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="settings-people" data-testid="settings-people" ref={sectionRef} tabIndex={-1}>
      <h2 id="settings-people">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      {!owner && (
        <p className="muted" data-testid="people-read-only">
          {m.readOnly}
        </p>
      )}
      {list.state === 'failed' && (
        <p role="alert" className="alert alert-error">
          {m.loadFailed}
        </p>
      )}
      <p role="status" className={said && !said.ok ? 'alert alert-error' : 'muted'} data-testid="people-status">
        {said?.text}
      </p>

      {members && members.length === 0 && <p className="muted">{m.none}</p>}
      {members && members.length > 0 && (
        <table className="settings-keys settings-people" data-testid="members">
          <thead>
            <tr>
              <th scope="col">{m.colName}</th>
              <th scope="col">{m.colEmail}</th>
              <th scope="col">{m.colRole}</th>
              <th scope="col">{m.colSince}</th>
              {owner && <th scope="col">{m.colActions}</th>}
            </tr>
          </thead>
          <tbody>
            {members.map((p) => {
              const me = p.userId === meId;
              const pick = chosen[p.userId] ?? p.role;
              const shops = otherShops.get(p.userId) ?? [];
              return (
                <tr key={p.userId} data-testid="member-row" data-user-id={p.userId}>
                  <td>
                    {p.name} {me && <span className="muted">{m.you}</span>}
                  </td>
                  <td>{p.email}</td>
                  <td>
                    {owner && !me ? (
                      <span className="settings-role">
                        <label htmlFor={`role-${p.userId}`} className="sr-only">
                          {m.roleOf(p.name)}
                        </label>
                        <select id={`role-${p.userId}`} value={pick} onChange={(e) => setChosen((ch) => ({ ...ch, [p.userId]: e.target.value as Role }))} data-testid="member-role">
                          {roleOrder.map((r) => (
                            <option key={r} value={r}>
                              {roles[r]}
                            </option>
                          ))}
                        </select>
                        {pick !== p.role && (
                          <button type="button" className="button button-primary" aria-disabled={busy === p.userId} onClick={() => void applyRole(p, pick)} data-testid="apply-role">
                            {busy === p.userId ? c.saving : c.save}
                          </button>
                        )}
                      </span>
                    ) : (
                      <span data-testid="member-role-read">{roles[p.role]}</span>
                    )}
                    {p.role === 'contractor' && (
                      <span className="settings-badge" title={m.contractorNote} data-testid="masked-badge">
                        {m.masked}
                      </span>
                    )}
                    {shops.length > 0 && <span className="muted settings-hint">{m.contractorShops(shops.join('、'))}</span>}
                  </td>
                  <td>{tokyoDateTime(p.since, lang)}</td>
                  {owner && (
                    <td>
                      {me ? null : confirming === p.userId ? (
                        <span className="settings-confirm" role="group" aria-label={m.removeLabel(p.name)}>
                          <span>{m.removeConfirm(p.name)}</span>{' '}
                          <button type="button" className="button button-danger" aria-disabled={busy === p.userId} onClick={() => void remove(p)} ref={confirmRef} data-testid="confirm-remove-member">
                            {m.removeYes}
                          </button>{' '}
                          <button
                            type="button"
                            className="button button-quiet"
                            onClick={() => {
                              setConfirming(null);
                              setRefocus(p.userId);
                            }}
                          >
                            {c.cancel}
                          </button>
                        </span>
                      ) : (
                        <button type="button" className="button button-quiet" onClick={() => setConfirming(p.userId)} aria-label={m.removeLabel(p.name)} data-remove={p.userId} data-testid="remove-member">
                          {m.remove}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {members?.some((p) => p.role === 'contractor') && <p className="muted">{m.contractorNote}</p>}

      {owner && <InvitationsPanel shopId={shopId} />}
    </section>
  );
}
