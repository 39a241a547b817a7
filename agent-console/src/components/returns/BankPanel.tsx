import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useMessages, type Messages } from '../../i18n.ts';
import { returnsApi } from '../../returnsApi.ts';
import type { ReturnBankAccount, ReturnView, RevealedBankAccount } from '../../types.ts';
import { fieldErrors } from './terms.draft.ts';

type Problem = { lead: (m: Messages) => string; server: string[] };

/**
 * Where a refund by bank transfer goes (COD and transfer orders). Contractors get it masked
 * and may reveal it by writing why (the server keeps the reason in the audit trail); the
 * whole details then show here, in this page only: nothing is stored, a reload masks them again.
 */
export function BankPanel({ shopId, view }: { shopId: string; view: ReturnView & { bankAccount: ReturnBankAccount } }) {
  const id = useId();
  const all = useMessages();
  const m = all.returns.bank;
  const [revealed, setRevealed] = useState<RevealedBankAccount | null>(null);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const account = revealed ?? view.bankAccount;
  const masked = !revealed && view.bankAccount.masked;

  async function reveal(e: FormEvent) {
    e.preventDefault();
    if (!reason.trim() || busy) return;
    setBusy(true);
    setProblem(null);
    try {
      const answer = await returnsApi.revealBank(shopId, view.id, reason.trim());
      setRevealed(answer.bankAccount);
      setOpen(false);
      setReason('');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') {
        const said = [...fieldErrors(err.details, all.returns.lang).values()].flat();
        setProblem({ lead: (x) => x.returns.bank.invalid, server: said.length ? said : [err.message] });
      } else if (err instanceof ApiError && err.code === 'not_found') {
        setProblem({ lead: (x) => x.returns.bank.notFound, server: [] });
      } else if (err instanceof ApiError && err.code === 'forbidden') {
        setProblem({ lead: (x) => x.returns.bank.forbidden, server: [err.message] });
      } else if (!(err instanceof ApiError && err.code === 'unauthenticated')) {
        setProblem({ lead: (x) => x.returns.bank.failed, server: [] });
      }
    } finally {
      setBusy(false);
    }
  }

  const rows: Array<[string, string, string]> = [
    [m.bankName, account.bankName, 'bank-name'],
    [m.branchName, account.branchName, 'bank-branch'],
    [m.accountType, m.type[account.accountType], 'bank-type'],
    [m.accountNumber, account.accountNumber, 'bank-number'],
    [m.holderKana, account.holderKana, 'bank-holder'],
  ];
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="bank-panel" data-masked={String(masked)}>
      <h2 className="panel-title" id={`${id}-title`}>
        {m.title}
      </h2>
      <dl className="facts bank-facts" aria-live="polite">
        {rows.map(([k, v, testId]) => (
          <div key={testId} className="fact" data-testid={testId}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {masked && (
        <p className="muted metric-note" data-testid="bank-masked">
          {m.masked}
        </p>
      )}
      {revealed && (
        <p className="alert alert-info" role="status" data-testid="bank-revealed">
          {m.revealed}
        </p>
      )}
      {masked && !open && (
        <button type="button" className="button" aria-expanded={false} onClick={() => setOpen(true)} data-testid="bank-reveal">
          {m.reveal}
        </button>
      )}
      {masked && open && (
        <form className="move-form" onSubmit={(e) => void reveal(e)} data-testid="bank-reveal-form">
          <label htmlFor={`${id}-reason`}>{m.reason}</label>
          <textarea
            id={`${id}-reason`}
            rows={2}
            required
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${id}-hint${problem ? ` ${id}-problem` : ''}`}
            data-testid="bank-reason"
          />
          <span id={`${id}-hint`} className="muted">
            {m.reasonHint}
          </span>
          {problem && (
            <p id={`${id}-problem`} role="alert" className="alert alert-warning" data-testid="bank-problem">
              {problem.lead(all)}
              {problem.server.map((s) => (
                <span key={s} className="server-message" data-testid="bank-server-message">
                  {' '}
                  {s}
                </span>
              ))}
            </p>
          )}
          <span className="move-form-buttons">
            <button type="submit" className="button button-primary" disabled={busy || !reason.trim()} data-testid="bank-reveal-submit">
              {busy ? m.submitting : m.submit}
            </button>
            <button
              type="button"
              className="button button-quiet"
              onClick={() => {
                setOpen(false);
                setProblem(null);
              }}
            >
              {m.cancel}
            </button>
          </span>
        </form>
      )}
    </section>
  );
}
