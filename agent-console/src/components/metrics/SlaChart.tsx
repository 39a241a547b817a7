import { useId } from 'react';
import { useLang, useMessages } from '../../i18n.ts';
import { formatNumber, formatPercent } from '../../metrics.time.ts';
import type { SlaCompliance } from '../../types.ts';
import { useChartWidth } from './chart.ts';

const BAR = 24;
const PAD = { top: 8, bottom: 24 };

/**
 * Wide: name, bar and figures on one line. Narrow (a phone): name and figures above a bar
 * of the full width, so the bar keeps a length worth reading.
 */
function layout(W: number) {
  if (W >= 560) return { row: 40, trackX: 130, trackW: W - 130 - 210, barDy: 0, label: { x: 120, dy: BAR / 2, anchor: 'end' }, value: { x: W - 200, dy: BAR / 2, anchor: 'start' } } as const;
  return { row: 58, trackX: 4, trackW: W - 12, barDy: 22, label: { x: 4, dy: 10, anchor: 'start' }, value: { x: W - 8, dy: 10, anchor: 'end' } } as const;
}

/**
 * Per SLA target kind, the share of clocks that came due in the period and were met (green)
 * against those breached (red). A kind with nothing due shows an empty track, not 0%.
 */
export function SlaChart({ sla, range }: { sla: SlaCompliance[]; range: [string, string] }) {
  const id = useId();
  const lang = useLang();
  const [box, W] = useChartWidth();
  const { row, trackX, trackW, barDy, label, value } = layout(W);
  const all = useMessages().metrics;
  const m = all.sla;
  const n = (v: number) => formatNumber(v, lang);
  const H = PAD.top + row * sla.length + PAD.bottom;
  const summary = sla.map((s) => `${m.metrics[s.metric]} ${s.percentMet === null ? m.noData : formatPercent(s.percentMet, lang)}`).join(all.joiner);

  return (
    <figure className="chart" data-testid="sla-chart" ref={box}>
      <svg className="chart-svg" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{m.chart(...range)}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {[0, 25, 50, 75, 100].map((p) => {
          const x = trackX + (trackW * p) / 100;
          return (
            <g key={p} className="chart-grid">
              <line x1={x} x2={x} y1={PAD.top + barDy} y2={H - PAD.bottom} />
              <text x={x} y={H - PAD.bottom + 16} textAnchor="middle">
                {`${p}%`}
              </text>
            </g>
          );
        })}
        {sla.map((s, i) => {
          const total = s.met + s.breached;
          const yTop = PAD.top + row * i + 8;
          const yBar = yTop + barDy;
          const metW = total ? (trackW * s.met) / total : 0;
          return (
            <g key={s.metric}>
              <text className="chart-label" x={label.x} y={yTop + label.dy} dy="0.35em" textAnchor={label.anchor}>
                {m.metrics[s.metric]}
              </text>
              <rect className="chart-track" x={trackX} y={yBar} width={trackW} height={BAR} rx={4} />
              {metW > 0 && <rect className="chart-met" x={trackX} y={yBar} width={metW} height={BAR} rx={4} />}
              {total > s.met && <rect className="chart-breached" x={trackX + metW} y={yBar} width={trackW - metW} height={BAR} rx={4} />}
              <text className="chart-value" x={value.x} y={yTop + value.dy} dy="0.35em" textAnchor={value.anchor}>
                {s.percentMet === null ? m.noData : m.value(formatPercent(s.percentMet, lang), n(s.met), n(s.breached))}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch chart-met" aria-hidden="true" />
          {m.met}
        </span>
        <span className="legend-item">
          <span className="legend-swatch chart-breached" aria-hidden="true" />
          {m.breached}
        </span>
      </figcaption>
      <details className="chart-data">
        <summary>{all.table}</summary>
        <table className="data-table" data-testid="sla-table">
          <caption className="sr-only">{m.chart(...range)}</caption>
          <thead>
            <tr>
              <th scope="col">{m.target}</th>
              <th scope="col">{m.percentMet}</th>
              <th scope="col">{m.met}</th>
              <th scope="col">{m.breached}</th>
            </tr>
          </thead>
          <tbody>
            {sla.map((s) => (
              <tr key={s.metric} data-metric={s.metric} data-testid="sla-row">
                <th scope="row">{m.metrics[s.metric]}</th>
                <td data-testid="sla-percent">{s.percentMet === null ? m.noData : formatPercent(s.percentMet, lang)}</td>
                <td>{n(s.met)}</td>
                <td>{n(s.breached)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
