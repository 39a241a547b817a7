import type { FieldErrors } from '../../fieldErrors.ts';
import { useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { noticesApi, type Target } from '../../noticesApi.ts';
import { useDebouncedCall } from '../../useDebouncedCall.ts';
import { LivePanel } from './LivePanel.tsx';
import { TextTable } from './TextTable.tsx';
import { tokyoDateTime } from '../../returns.format.ts';
import { noticeErrors } from './notices.draft.ts';

const DELAY_MS = 500;

/**
 * How many orders and distinct customers the target matches now, by prefecture and carrier,
 * some of them (masked for contractors by the server), and the pasted numbers the shop has no
 * order for, by line. Counted again as the target is edited.
 */
export function AudiencePanel({ shopId, target, onErrors }: { shopId: string; target: Target; onErrors: (e: FieldErrors) => void }) {
  const lang = useLang();
  const m = noticesMessages[lang].audience;
  const n = (x: number) => x.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-US');
  // `target` is a fresh object each render; its JSON says when it changed.
  const { state, data: audience } = useDebouncedCall(JSON.stringify([shopId, target, lang]), DELAY_MS, (signal) => noticesApi.audience(shopId, target, signal), {
    onReady: () => onErrors(new Map()),
    onRefused: (e) => onErrors(noticeErrors(e.details, lang)),
  });

  return (
    <LivePanel className="campaign-audience" testId="notice-audience" state={state} title={m.title} updating={m.updating}>
      {state === 'failed' && (
        <p className="alert alert-error" role="alert">
          {m.failed}
        </p>
      )}
      {audience && state !== 'invalid' && (
        <div aria-busy={state === 'updating'}>
          <dl className="stat-grid">
            <div className="stat" data-testid="audience-orders" data-count={audience.orders}>
              <dt className="stat-label">{m.orders}</dt>
              <dd className="stat-value">{n(audience.orders)}</dd>
            </div>
            <div className="stat" data-testid="audience-customers" data-count={audience.customers}>
              <dt className="stat-label">{m.customers}</dt>
              <dd className="stat-value">{n(audience.customers)}</dd>
            </div>
          </dl>
          {audience.orders === 0 && <p className="alert alert-warning">{m.none}</p>}
          {audience.unknownOrderNumbers.length > 0 && (
            <div className="alert alert-warning" data-testid="audience-unknown">
              <p>{m.unknown}</p>
              <ul className="plain-list">
                {audience.unknownOrderNumbers.map((u) => (
                  <li key={`${u.line}-${u.value}`}>
                    {m.line(u.line)}: {u.value}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div className="campaign-breakdowns">
            <Breakdown title={m.byPrefecture} rows={audience.byPrefecture.map((r) => [r.prefecture ?? '', r.orders])} testId="audience-prefectures" />
            <Breakdown title={m.byCarrier} rows={audience.byCarrier.map((r) => [r.carrier ?? '', r.orders])} testId="audience-carriers" />
          </div>
          {audience.sample.length > 0 && (
            <TextTable
              caption={m.sample}
              columns={[m.orderNumber, m.orderedAt, m.customer, m.email, m.prefecture, m.carrier]}
              rows={audience.sample.map((s) => ({ key: s.orderNumber, cells: [s.orderNumber, tokyoDateTime(s.orderedAt, lang), s.customerName, s.email, s.prefecture ?? '', s.carrier ?? ''] }))}
              testId="audience-sample"
            />
          )}
        </div>
      )}
    </LivePanel>
  );
}

function Breakdown({ title, rows, testId }: { title: string; rows: [string, number][]; testId: string }) {
  if (rows.length === 0) return null;
  return (
    <table className="data-table campaign-breakdown" data-testid={testId}>
      <caption className="campaign-caption">{title}</caption>
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row" className="text-cell">
              {k || '—'}
            </th>
            <td>{v.toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
