import { useId } from 'react';
import { returnReasons } from '../../../../server/domains/returns/returns.model.ts';
import { useLang, useMessages } from '../../i18n.ts';
import { formatNumber } from '../../metrics.time.ts';
import type { ReasonsReport } from '../../types.ts';
import { niceScale, useChartWidth } from '../metrics/chart.ts';

const BAR = 22;
const PAD = { top: 8, bottom: 26 };

/** Wide: reason, bar and count on one line. Narrow: the reason above a bar of the full width. */
function layout(W: number) {
  if (W >= 560) return { row: 36, trackX: 200, trackW: W - 200 - 70, barDy: 0, label: { x: 190, dy: BAR / 2, anchor: 'end' } } as const;
  return { row: 54, trackX: 4, trackW: W - 60, barDy: 20, label: { x: 4, dy: 8, anchor: 'start' } } as const;
}

/**
 * Quantity returned per reason over the period, as horizontal bars (the reasons' names are
 * long); one image with a name and a summary for screen readers, the numbers in the table.
 */
export function ReasonsChart({ report, range }: { report: ReasonsReport; range: [string, string] }) {
  const id = useId();
  const lang = useLang();
  const [box, W] = useChartWidth();
  const m = useMessages().returns;
  const r = m.report;
  const joiner = useMessages().metrics.joiner;
  const n = (v: number) => formatNumber(v, lang);
  const { row, trackX, trackW, barDy, label } = layout(W);
  const { top, ticks } = niceScale(Math.max(0, ...returnReasons.map((x) => report.byReason[x])));
  const H = PAD.top + row * returnReasons.length + PAD.bottom;
  const x = (v: number) => trackX + (v / top) * trackW;
  const total = returnReasons.reduce((s, k) => s + report.byReason[k], 0);
  const summary = `${returnReasons.map((k) => r.bar(m.reason[k], n(report.byReason[k]))).join(joiner)}${joiner}${r.total(n(total))}`;

  return (
    <figure className="chart" data-testid="reasons-chart" ref={box}>
      <svg className="chart-svg" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{r.chart(...range)}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {ticks.map((t) => (
          <g key={t} className="chart-grid">
            <line x1={x(t)} x2={x(t)} y1={PAD.top + barDy} y2={H - PAD.bottom} />
            <text x={x(t)} y={H - PAD.bottom + 16} textAnchor="middle">
              {n(t)}
            </text>
          </g>
        ))}
        {returnReasons.map((k, i) => {
          const v = report.byReason[k];
          const yTop = PAD.top + row * i + 6;
          const yBar = yTop + barDy;
          return (
            <g key={k} data-reason={k}>
              <text className="chart-label" x={label.x} y={yTop + label.dy} dy="0.35em" textAnchor={label.anchor}>
                {m.reason[k]}
              </text>
              {v > 0 && (
                <rect className="chart-opened" x={trackX} y={yBar} width={x(v) - trackX} height={BAR} rx={3}>
                  <title>{r.bar(m.reason[k], n(v))}</title>
                </rect>
              )}
              <text className="chart-value" x={x(v) + 6} y={yBar + BAR / 2} dy="0.35em" textAnchor="start">
                {n(v)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend">
        <span className="muted" data-testid="reasons-total">
          {r.total(n(total))}
        </span>
      </figcaption>
    </figure>
  );
}
