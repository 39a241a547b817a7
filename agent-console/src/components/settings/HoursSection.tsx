import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { hoursMessages } from '../../i18n.settings.hours.ts';
import { settingsHoursApi, type BusinessHours } from '../../settingsHoursApi.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { fieldErrors, type FieldErrors } from '../../fieldErrors.ts';
import { errorsUnder } from './errorsUnder.ts';
import { useUnsavedWarning } from './useUnsavedWarning.ts';
import '../../settings.hours.css';
import { SaveBar, type SaveStatus } from './SaveBar.tsx';

type Day = '0' | '1' | '2' | '3' | '4' | '5' | '6';
/** Monday first, as Japanese shop calendars are read; the API numbers Sunday 0. */
const WEEK: Day[] = ['1', '2', '3', '4', '5', '6', '0'];

interface Draft {
  weekly: Record<Day, Array<[string, string]>>;
  observeJpHolidays: boolean;
  closedDates: string[];
}

const toDraft = (h: BusinessHours): Draft => ({
  weekly: Object.fromEntries(WEEK.map((d) => [d, (h.weekly[d] ?? []).map(([a, b]) => [a, b] as [string, string])])) as Draft['weekly'],
  observeJpHolidays: h.observeJpHolidays,
  closedDates: [...h.closedDates],
});
const same = (a: Draft, b: Draft) => JSON.stringify(a) === JSON.stringify(b);

/** 12/29–1/3 of the coming year-end (still this one in its first days of January). */
function yearEnd(now = new Date()): string[] {
  const y = now.getMonth() === 0 && now.getDate() <= 3 ? now.getFullYear() - 1 : now.getFullYear();
  return [`${y}-12-29`, `${y}-12-30`, `${y}-12-31`, `${y + 1}-01-01`, `${y + 1}-01-02`, `${y + 1}-01-03`];
}

/**
 * The weekly hours SLA clocks count in, Japanese public holidays and the shop's own closed days.
 * Every member reads them (the widget shows them to customers too); owners change them.
 */
export function HoursSection({ shopId, canEdit }: { shopId: string; canEdit: boolean }) {
  const lang = useLang();
  const m = hoursMessages[lang].hours;
  const c = hoursMessages[lang].common;
  const loaded = useLoad((signal) => settingsHoursApi.hours(shopId, signal), shopId);
  const [saved, setSaved] = useState<BusinessHours | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [newDate, setNewDate] = useState('');
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [status, setStatus] = useState<SaveStatus>('idle');

  // The first answer fills the form; later reloads do not overwrite what is being typed.
  useEffect(() => {
    if (loaded.data && !saved) {
      setSaved(loaded.data);
      setDraft(toDraft(loaded.data));
    }
  }, [loaded.data, saved]);

  const dirty = !!draft && !!saved && !same(draft, toDraft(saved));
  useUnsavedWarning(canEdit && dirty, c.leave);

  if (!draft || !saved) {
    return (
      <section className="settings-section" id="settings-hours" aria-labelledby="settings-hours-title" data-testid="settings-hours">
        <h2 id="settings-hours-title">{m.title}</h2>
        {loaded.state === 'failed' && (
          <p role="alert" className="alert alert-error">
            {c.loadFailed}
          </p>
        )}
      </section>
    );
  }

  const change = (next: Draft) => {
    setDraft(next);
    setStatus('idle');
  };
  const setDay = (d: Day, periods: Array<[string, string]>) => change({ ...draft, weekly: { ...draft.weekly, [d]: periods } });
  const setTime = (d: Day, i: number, end: 0 | 1, value: string) =>
    setDay(d, draft.weekly[d].map((p, j) => (j === i ? (end === 0 ? [value, p[1]] : [p[0], value]) : p)));
  const addDates = (dates: string[]) => change({ ...draft, closedDates: [...new Set([...draft.closedDates, ...dates])].sort() });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (status === 'saving' || !dirty) return;
    setStatus('saving');
    try {
      const next = await settingsHoursApi.saveHours(shopId, draft);
      setSaved(next);
      setDraft(toDraft(next));
      setErrors(new Map());
      setStatus('saved');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') {
        setErrors(fieldErrors(err.details, lang));
        setStatus('idle');
      } else setStatus(err instanceof ApiError && err.code === 'forbidden' ? 'forbidden' : 'failed');
    }
  };

  const weekErrors = errors.get('weekly') ?? [];
  return (
    <section className="settings-section" id="settings-hours" aria-labelledby="settings-hours-title" data-testid="settings-hours">
      <h2 id="settings-hours-title">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      <p data-testid="hours-timezone">{m.timeZone(saved.timeZone)}</p>
      {saved.isDefault && <p className="muted">{m.isDefault}</p>}
      {!canEdit && <p className="muted">{m.readOnly}</p>}
      <form onSubmit={(e) => void save(e)} noValidate data-testid="hours-form">
        <fieldset disabled={!canEdit} className="hours-fieldset">
          <legend className="settings-label">{m.weekly}</legend>
          <ul className="hours-week">
            {WEEK.map((d) => {
              const day = m.days[Number(d)]!;
              const periods = draft.weekly[d];
              const said = errorsUnder(errors, `weekly.${d}`);
              return (
                <li key={d} className="hours-day" data-testid={`hours-day-${d}`}>
                  <label className="hours-open">
                    <input
                      type="checkbox"
                      checked={periods.length > 0}
                      onChange={(e) => setDay(d, e.target.checked ? [['09:00', '18:00']] : [])}
                      data-testid={`hours-open-${d}`}
                    />
                    <span aria-hidden="true">{day}</span>
                    <span className="sr-only">{m.open(day)}</span>
                  </label>
                  {periods.length === 0 && <span className="muted">{m.closed}</span>}
                  {periods.map(([from, to], i) => (
                    <span key={i} className="hours-period">
                      <input type="time" aria-label={m.from(day, i + 1)} value={from} onChange={(e) => setTime(d, i, 0, e.target.value)} data-testid={`hours-from-${d}-${i}`} />
                      <span aria-hidden="true">〜</span>
                      <input type="time" aria-label={m.to(day, i + 1)} value={to} onChange={(e) => setTime(d, i, 1, e.target.value)} data-testid={`hours-to-${d}-${i}`} />
                      {i > 0 && (
                        <button type="button" className="button button-quiet" aria-label={m.removePeriod(day, i + 1)} onClick={() => setDay(d, periods.filter((_, j) => j !== i))}>
                          ×
                        </button>
                      )}
                    </span>
                  ))}
                  {periods.length > 0 && periods.length < 6 && (
                    <button type="button" className="button button-quiet" aria-label={m.addPeriodLabel(day)} onClick={() => setDay(d, [...periods, ['13:00', '18:00']])}>
                      {m.addPeriod}
                    </button>
                  )}
                  {said.length > 0 && (
                    <span className="field-error" role="alert" data-testid={`error-weekly.${d}`}>
                      {said.join(' ')}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
          {weekErrors.length > 0 && (
            <p className="field-error" role="alert" data-testid="error-weekly">
              {weekErrors.join(' ')}
            </p>
          )}

          <h3>{m.holidays}</h3>
          <label className="hours-check">
            <input type="checkbox" checked={draft.observeJpHolidays} onChange={(e) => change({ ...draft, observeJpHolidays: e.target.checked })} data-testid="hours-jp-holidays" />
            {m.observeJp}
          </label>
          {saved.upcomingJpHolidays.length > 0 && (
            <p className="muted" data-testid="hours-upcoming-holidays">
              {m.upcoming}{saved.upcomingJpHolidays.map((h) => `${h.date.slice(5).replace('-', '/')} ${h[lang]}`).join(lang === 'ja' ? '、' : ', ')}
            </p>
          )}
          <p className="settings-label">{m.closedDates}</p>
          {draft.closedDates.length === 0 ? (
            <p className="muted">{m.noDates}</p>
          ) : (
            <ul className="hours-dates" data-testid="hours-closed-dates">
              {draft.closedDates.map((date, i) => {
                const said = errorsUnder(errors, `closedDates.${i}`);
                return (
                  <li key={date}>
                    <span>{date}</span>
                    <button type="button" className="button button-quiet" aria-label={m.removeDate(date)} onClick={() => change({ ...draft, closedDates: draft.closedDates.filter((x) => x !== date) })}>
                      {c.remove}
                    </button>
                    {said.length > 0 && <span className="field-error" role="alert">{said.join(' ')}</span>}
                  </li>
                );
              })}
            </ul>
          )}
          {(errors.get('closedDates') ?? []).length > 0 && (
            <p className="field-error" role="alert" data-testid="error-closedDates">
              {[...new Set(errors.get('closedDates'))].join(' ')}
            </p>
          )}
          <div className="settings-actions">
            <label htmlFor="hours-new-date" className="sr-only">
              {m.closedDate}
            </label>
            <input id="hours-new-date" type="date" value={newDate} onChange={(e) => setNewDate(e.target.value)} data-testid="hours-new-date" />
            <button
              type="button"
              className="button button-quiet"
              aria-disabled={!newDate}
              onClick={() => {
                if (!newDate) return;
                addDates([newDate]);
                setNewDate('');
              }}
              data-testid="hours-add-date"
            >
              {m.addDate}
            </button>
            <button type="button" className="button button-quiet" onClick={() => addDates(yearEnd())} data-testid="hours-add-year-end">
              {m.addYearEnd(yearEnd()[0]!.slice(5).replace('-', '/'), yearEnd()[5]!.slice(5).replace('-', '/'))}
            </button>
          </div>
        </fieldset>
        {canEdit && <SaveBar status={status} dirty={dirty} words={c} testId="hours" />}
      </form>
    </section>
  );
}
