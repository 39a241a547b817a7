import { useLang, useMessages } from '../../i18n.ts';
import { formatNumber } from '../../metrics.time.ts';
import type { CsatSummary, NowCount, QueueMetrics } from '../../types.ts';

/** In the order a lead reads the queue: what is being worked, what waits on whom, what is stuck. */
const nowCounts: readonly NowCount[] = ['open', 'pending', 'waiting_merchant', 'snoozed', 'unassigned', 'awaiting_reply'];

/** What is in the queue right now, whatever the period. */
export function NowCards({ now }: { now: QueueMetrics['now'] }) {
  const lang = useLang();
  const m = useMessages().metrics.now;
  return (
    <dl className="stat-grid" aria-label={m.title} data-testid="now-cards">
      {nowCounts.map((k) => (
        <div key={k} className="stat" data-testid={`now-${k}`} data-count={k}>
          <dt className="stat-label">{m.labels[k]}</dt>
          <dd className="stat-value" data-testid="stat-value">
            {formatNumber(now[k] ?? 0, lang)}
          </dd>
          {m.hints[k] && <dd className="stat-hint">{m.hints[k]}</dd>}
        </div>
      ))}
    </dl>
  );
}

export function FirstResponseCard({ firstResponse: fr }: { firstResponse: QueueMetrics['firstResponse'] }) {
  const lang = useLang();
  const all = useMessages().metrics;
  const m = all.firstResponse;
  return (
    <section className="panel metric-card" aria-labelledby="metrics-frt" data-testid="first-response">
      <h3 className="panel-title" id="metrics-frt">
        {m.title}
      </h3>
      {fr.count > 0 && fr.medianSeconds !== null ? (
        <>
          <dl className="metric-pair">
            <div>
              <dt>{m.median}</dt>
              <dd className="metric-big" data-testid="frt-median">
                {all.duration(fr.medianSeconds)}
              </dd>
            </div>
            <div>
              <dt>{m.p90}</dt>
              <dd className="metric-big" data-testid="frt-p90">
                {fr.p90Seconds === null ? '—' : all.duration(fr.p90Seconds)}
              </dd>
            </div>
          </dl>
          <p className="muted metric-note" data-testid="frt-count">
            {m.count(formatNumber(fr.count, lang))}
          </p>
        </>
      ) : (
        <p className="muted" data-testid="frt-none">
          {m.none}
        </p>
      )}
    </section>
  );
}

const ratings = ['5', '4', '3', '2', '1'] as const;

export function CsatCard({ csat }: { csat: CsatSummary }) {
  const lang = useLang();
  const m = useMessages().metrics.csat;
  const most = Math.max(1, ...ratings.map((r) => csat.distribution[r]));
  return (
    <section className="panel metric-card" aria-labelledby="metrics-csat" data-testid="csat">
      <h3 className="panel-title" id="metrics-csat">
        {m.title}
      </h3>
      {csat.count > 0 && csat.average !== null ? (
        <>
          <p>
            <span className="sr-only">{m.average}: </span>
            <span className="metric-big" data-testid="csat-average">
              {csat.average.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}
            </span>{' '}
            <span className="muted">{m.outOf}</span>
          </p>
          <p className="muted metric-note" data-testid="csat-count">
            {m.count(formatNumber(csat.count, lang))}
          </p>
          <ul className="csat-bars" aria-label={m.distribution}>
            {ratings.map((r) => (
              <li key={r} data-testid={`csat-${r}`}>
                <span className="csat-rating">{m.rating(r)}</span>
                <span className="csat-track" aria-hidden="true">
                  <span className="csat-fill" style={{ width: `${(csat.distribution[r] / most) * 100}%` }} />
                </span>
                <span className="csat-n">{formatNumber(csat.distribution[r], lang)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted" data-testid="csat-none">
          {m.none}
        </p>
      )}
    </section>
  );
}
