import { useMessages } from '../../i18n.ts';
import type { ReturnStatus } from '../../types.ts';

export function ReturnStatusBadge({ status }: { status: ReturnStatus }) {
  const m = useMessages().returns;
  return (
    <span className="badge return-status" data-status={status} data-testid="return-status">
      {m.status[status]}
    </span>
  );
}

/** Why a person should look twice: high value, a customer who returns often, a refund above the agents' limit. */
export function FlagBadges({ flags, overLimit, overLimitTitle }: { flags: readonly string[]; overLimit: boolean; overLimitTitle?: string }) {
  const m = useMessages().returns;
  return (
    <>
      {flags.map((f) => (
        <span key={f} className="badge return-flag" data-flag={f} data-testid={`flag-${f}`}>
          {m.flag[f] ?? f}
        </span>
      ))}
      {overLimit && (
        <span className="badge return-flag" data-flag="over_limit" title={overLimitTitle} data-testid="flag-over-limit">
          {m.overLimit}
        </span>
      )}
    </>
  );
}
