import { useState } from 'react';
import { LoadFailed, Loading } from './LoadNotes.tsx';
import { useLang, useMessages } from '../../i18n.ts';
import { metricsApi } from '../../metricsApi.ts';
import { dayRange, formatDate, formatTime, lastDays } from '../../metrics.time.ts';
import type { QueueMetrics } from '../../types.ts';
import { DailyChart } from './DailyChart.tsx';
import { CsatCard, FirstResponseCard, NowCards } from './QueueCards.tsx';
import { SlaChart } from './SlaChart.tsx';
import { useLoad } from './useLoad.ts';

const periods = [7, 30, 90] as const;
type Period = (typeof periods)[number];

interface Asked {
  days: Period;
  from: string;
  to: string;
  /** When it was asked: "refresh" asks again for the same days. */
  at: number;
}

const ask = (days: Period): Asked => ({ days, ...lastDays(days), at: Date.now() });

/** The queue now, and over the last 7, 30 or 90 Tokyo days. */
export function QueueSection({ shopId }: { shopId: string }) {
  const lang = useLang();
  const m = useMessages().metrics;
  const [asked, setAsked] = useState<Asked>(() => ask(7));
  const load = useLoad(
    (signal) => metricsApi.queue(shopId, asked.from, asked.to, signal).then((data) => ({ data, at: new Date() })),
    `${shopId} ${asked.from} ${asked.to} ${asked.at}`,
  );
  const range = dayRange(asked.from, asked.to).map((d) => formatDate(d, lang)) as [string, string];

  return (
    <section className="metrics-section" aria-labelledby="metrics-queue" aria-busy={load.state === 'loading'} data-testid="queue-metrics" data-state={load.state}>
      <div className="section-head">
        <h2 className="section-title" id="metrics-queue">
          {m.queue.title}
        </h2>
        <div className="segmented" role="group" aria-label={m.queue.period} data-testid="period-picker">
          {periods.map((d) => (
            <button key={d} type="button" aria-pressed={asked.days === d} onClick={() => setAsked(ask(d))} data-testid={`period-${d}`}>
              {m.queue.lastDays(d)}
            </button>
          ))}
        </div>
        <span className="muted" data-testid="period-range">
          {m.queue.range(...range)}
        </span>
        <span className="section-tools">
          {load.data && <span className="muted">{m.queue.asOf(formatTime(load.data.at, lang))}</span>}
          <button type="button" className="button button-quiet" onClick={() => setAsked(ask(asked.days))} data-testid="metrics-refresh">
            {m.queue.refresh}
          </button>
        </span>
      </div>
      {load.state === 'failed' && <LoadFailed text={m.queue.loadFailed} retry={load.retry} testId="metrics-error" retryTestId="metrics-retry" />}
      {load.data ? (
        <QueueBody q={load.data.data} range={range} />
      ) : (
        load.state === 'loading' && <Loading testId="metrics-loading" />
      )}
    </section>
  );
}

function QueueBody({ q, range }: { q: QueueMetrics; range: [string, string] }) {
  const m = useMessages().metrics;
  const quiet = q.daily.every((d) => d.opened === 0 && d.resolved === 0);
  const nothingDue = q.sla.every((s) => s.met + s.breached === 0);
  return (
    <>
      <h3 className="subsection-title">{m.now.title}</h3>
      <NowCards now={q.now} />
      <div className="metric-cards">
        <FirstResponseCard firstResponse={q.firstResponse} />
        <CsatCard csat={q.csat} />
      </div>
      <section className="panel" aria-labelledby="metrics-daily">
        <h3 className="panel-title" id="metrics-daily">
          {m.daily.title}
        </h3>
        {quiet ? (
          <p className="muted" data-testid="daily-empty">
            {m.daily.empty}
          </p>
        ) : (
          <DailyChart daily={q.daily} range={range} />
        )}
      </section>
      <section className="panel" aria-labelledby="metrics-sla">
        <h3 className="panel-title" id="metrics-sla">
          {m.sla.title}
        </h3>
        {nothingDue ? (
          <p className="muted" data-testid="sla-none">
            {m.sla.none}
          </p>
        ) : (
          <SlaChart sla={q.sla} range={range} />
        )}
      </section>
    </>
  );
}
