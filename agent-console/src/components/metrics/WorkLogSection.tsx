import { useState } from 'react';
import { LoadFailed, Loading } from './LoadNotes.tsx';
import { useLang, useMessages } from '../../i18n.ts';
import { metricsApi, workLogCsvUrl } from '../../metricsApi.ts';
import { formatMonth, formatNumber, hmm, isMonth, tokyoMonth } from '../../metrics.time.ts';
import type { AgentWork, Role } from '../../types.ts';
import { useLoad } from './useLoad.ts';

/**
 * The month's time per person, for the agency's billing, and its CSV exports. The server
 * decides who is in it: owners and staff see everyone, agents and contractors themselves.
 */
export function WorkLogSection({ shopId, role }: { shopId: string; role: Role }) {
  const lang = useLang();
  const m = useMessages().metrics;
  const w = m.workLog;
  const [month, setMonth] = useState(tokyoMonth);
  // What is in the field: a month input reports '' until the person has typed a whole month.
  const [draft, setDraft] = useState(month);
  const load = useLoad((signal) => metricsApi.workLog(shopId, month, signal), `${shopId} ${month}`);
  const onlyOwn = role === 'agent' || role === 'contractor';

  return (
    <section className="metrics-section" aria-labelledby="metrics-worklog" aria-busy={load.state === 'loading'} data-testid="work-log" data-state={load.state}>
      <div className="section-head">
        <h2 className="section-title" id="metrics-worklog">
          {w.title}
        </h2>
        <label className="month-field">
          <span className="muted">{w.month}</span>
          <input
            type="month"
            value={draft}
            max={tokyoMonth()}
            placeholder="YYYY-MM"
            pattern="\d{4}-\d{2}"
            onChange={(e) => {
              setDraft(e.target.value);
              if (isMonth(e.target.value)) setMonth(e.target.value);
            }}
            data-testid="work-month"
          />
        </label>
        <span className="section-tools csv-links" role="group" aria-label={w.csv}>
          <span className="muted">{w.csv}:</span>
          <a className="button" href={workLogCsvUrl(shopId, month, 'conversation')} download data-testid="csv-by-conversation">
            {w.csvByConversation}
          </a>
          <a className="button" href={workLogCsvUrl(shopId, month, 'agent')} download data-testid="csv-by-agent">
            {w.csvByAgent}
          </a>
        </span>
      </div>
      <p className="muted metric-note">
        {w.hint}
        {onlyOwn && <> {w.onlyOwn}</>}
      </p>
      {load.state === 'failed' && <LoadFailed text={w.loadFailed} retry={load.retry} testId="work-log-error" />}
      {!load.data ? (
        load.state === 'loading' && <Loading />
      ) : load.data.agents.length === 0 ? (
        <p className="empty-state worklog-empty" data-testid="work-log-empty">
          {w.empty}
        </p>
      ) : (
        <WorkLogTable agents={load.data.agents} caption={w.table(formatMonth(load.data.month, lang))} />
      )}
    </section>
  );
}

function WorkLogTable({ agents, caption }: { agents: AgentWork[]; caption: string }) {
  const lang = useLang();
  const all = useMessages().metrics;
  const w = all.workLog;
  const n = (v: number) => formatNumber(v, lang);
  const sum = (f: (a: AgentWork) => number) => agents.reduce((s, a) => s + f(a), 0);
  return (
    <table className="data-table worklog-table" data-testid="work-log-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{w.agent}</th>
          <th scope="col">{w.time}</th>
          <th scope="col">{w.conversations}</th>
          <th scope="col">{w.resolved}</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((a) => (
          <tr key={a.userId} data-user={a.userId} data-testid="work-log-row">
            <th scope="row" data-testid="work-agent">
              {a.name}
            </th>
            <td data-testid="work-time" title={all.duration(a.totalSeconds)}>
              {hmm(a.totalSeconds)}
            </td>
            <td data-testid="work-conversations">{n(a.conversations)}</td>
            <td data-testid="work-resolved">{n(a.resolved)}</td>
          </tr>
        ))}
      </tbody>
      {agents.length > 1 && (
        <tfoot>
          <tr data-testid="work-log-total">
            <th scope="row">{w.total}</th>
            <td>{hmm(sum((a) => a.totalSeconds))}</td>
            <td>{n(sum((a) => a.conversations))}</td>
            <td>{n(sum((a) => a.resolved))}</td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}
