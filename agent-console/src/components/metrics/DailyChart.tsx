import { useId } from 'react';
import { useLang, useMessages } from '../../i18n.ts';
import { formatDayLong, formatDayShort, formatNumber } from '../../metrics.time.ts';
import type { DailyCount } from '../../types.ts';
import { labelEvery, niceScale, useChartWidth } from './chart.ts';

const H = 240;
const PAD = { top: 12, right: 8, bottom: 28, left: 40 };

interface Props {
  daily: DailyCount[];
  /** The period's first and last day, already formatted, for the chart's name. */
  range: [string, string];
}

/**
 * Conversations opened and resolved per Tokyo day, as pairs of bars. The picture is one
 * image with a name and a summary for screen readers; the numbers themselves are in the
 * table under it, which anyone can open.
 */
export function DailyChart({ daily, range }: Props) {
  const id = useId();
  const lang = useLang();
  const [box, W] = useChartWidth();
  const all = useMessages().metrics;
  const m = all.daily;
  const n = (v: number) => formatNumber(v, lang);
  const opened = daily.reduce((s, d) => s + d.opened, 0);
  const resolved = daily.reduce((s, d) => s + d.resolved, 0);

  const { top, ticks } = niceScale(Math.max(0, ...daily.map((d) => Math.max(d.opened, d.resolved))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const band = plotW / Math.max(1, daily.length);
  const barW = Math.min(16, band * 0.36);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  // An "11/20" label needs about 44 px.
  const every = labelEvery(daily.length, Math.max(3, Math.floor(plotW / 44)));

  return (
    <figure className="chart" data-testid="daily-chart" ref={box}>
      <svg className="chart-svg" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{m.chart(...range)}</title>
        <desc id={`${id}-desc`}>{m.totals(n(opened), n(resolved))}</desc>
        {ticks.map((t) => (
          <g key={t} className="chart-grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 6} y={y(t)} dy="0.35em" textAnchor="end">
              {n(t)}
            </text>
          </g>
        ))}
        {daily.map((d, i) => {
          const mid = PAD.left + band * (i + 0.5);
          return (
            <g key={d.day}>
              {d.opened > 0 && (
                <rect className="chart-opened" x={mid - barW} y={y(d.opened)} width={barW} height={y(0) - y(d.opened)}>
                  <title>{m.bar(formatDayShort(d.day), m.opened, n(d.opened))}</title>
                </rect>
              )}
              {d.resolved > 0 && (
                <rect className="chart-resolved" x={mid} y={y(d.resolved)} width={barW} height={y(0) - y(d.resolved)}>
                  <title>{m.bar(formatDayShort(d.day), m.resolved, n(d.resolved))}</title>
                </rect>
              )}
              {(i % every === 0 || i === daily.length - 1) && (
                <text className="chart-axis" x={mid} y={H - PAD.bottom + 18} textAnchor="middle">
                  {formatDayShort(d.day)}
                </text>
              )}
            </g>
          );
        })}
        <line className="chart-baseline" x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} />
      </svg>
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch chart-opened" aria-hidden="true" />
          {m.opened}
        </span>
        <span className="legend-item">
          <span className="legend-swatch chart-resolved" aria-hidden="true" />
          {m.resolved}
        </span>
        <span className="muted" data-testid="daily-totals">
          {m.totals(n(opened), n(resolved))}
        </span>
      </figcaption>
      <details className="chart-data">
        <summary>{all.table}</summary>
        {/* 90 rows would push the rest of the page far down: the table scrolls in its own box. */}
        <div className="chart-table-scroll">
          <table className="data-table" data-testid="daily-table">
            <caption className="sr-only">{m.chart(...range)}</caption>
            <thead>
              <tr>
                <th scope="col">{m.day}</th>
                <th scope="col">{m.opened}</th>
                <th scope="col">{m.resolved}</th>
              </tr>
            </thead>
            <tbody>
              {daily.map((d) => (
                <tr key={d.day} data-day={d.day} data-testid="daily-row">
                  <th scope="row">{formatDayLong(d.day, lang)}</th>
                  <td data-testid="daily-opened">{n(d.opened)}</td>
                  <td data-testid="daily-resolved">{n(d.resolved)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
