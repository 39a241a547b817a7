import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { settingsMessages } from '../../i18n.settings.ts';
import { settingsApi } from '../../settingsApi.ts';
import type { ShopView } from '../../types.ts';
import { fieldErrors, readable, type FieldErrors } from '../../fieldErrors.ts';
import { CopyButton } from './CopyButton.tsx';
import { useUnsavedWarning } from './useUnsavedWarning.ts';
import { WidgetLook } from './WidgetLook.tsx';
import { WidgetSightings } from './WidgetSightings.tsx';
import { SaveBar, type SaveStatus } from './SaveBar.tsx';

/** The one tag a shop's pages carry: the widget from this server, with the shop's id. */
export const widgetSnippet = (origin: string, shopId: string) => `<script src="${origin}/widget.js" data-shop-id="${shopId}" async></script>`;

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

interface Row {
  key: number;
  value: string;
}

/**
 * The rows once a save has answered: the server's list (it may have tidied the values) if the rows
 * are still what was sent, else the rows as they are now, typed into while the save was on its way.
 * Rows keep their keys when they can, so the input that has focus keeps it.
 */
function afterSave(rows: Row[], sent: string[], saved: string[], newKey: () => number): Row[] {
  if (!same(rows.map((r) => r.value.trim()), sent)) return rows;
  if (saved.length === rows.length) return rows.map((r, i) => ({ key: r.key, value: saved[i]! }));
  return saved.map((value) => ({ key: newKey(), value }));
}

/**
 * The widget's tag to paste, and the origins allowed to show it. Owners edit the list; the
 * server's schema judges it and its messages show next to the rows they name, in the reader's
 * language. Others read the list.
 */
export function WidgetSection({ shop, canEdit, onSaved }: { shop: ShopView; canEdit: boolean; onSaved: (shop: ShopView) => void }) {
  const lang = useLang();
  const m = settingsMessages[lang].widget;
  const nextKey = useRef(shop.allowedOrigins.length);
  const [rows, setRows] = useState<Row[]>(() => shop.allowedOrigins.map((value, key) => ({ key, value })));
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [status, setStatus] = useState<SaveStatus>('idle');
  const listRef = useRef<HTMLUListElement>(null);
  /** The row just added, to move focus into once it is rendered. */
  const focusRow = useRef<number | null>(null);
  useEffect(() => {
    if (focusRow.current === null) return;
    listRef.current?.querySelector<HTMLInputElement>(`[data-row="${focusRow.current}"]`)?.focus();
    focusRow.current = null;
  }, [rows]);

  const draft = rows.map((r) => r.value.trim());
  const dirty = !same(draft, shop.allowedOrigins);
  const [lookDirty, setLookDirty] = useState(false);
  // One guard for the section: two hooks would clear each other's.
  useUnsavedWarning(canEdit && (dirty || lookDirty), m.leave);

  const errorsOf = (path: string) => [...new Set((errors.get(path) ?? []).map((message) => readable(message, lang)))];

  const edit = (key: number, value: string) => {
    setRows((rs) => rs.map((r) => (r.key === key ? { key, value } : r)));
    setStatus('idle');
  };
  const remove = (key: number) => {
    setRows((rs) => rs.filter((r) => r.key !== key));
    setErrors(new Map());
  };
  const add = () => {
    const key = nextKey.current++;
    focusRow.current = key;
    setRows((rs) => [...rs, { key, value: '' }]);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (status === 'saving' || !dirty) return;
    const sent = draft;
    setStatus('saving');
    try {
      const saved = await settingsApi.saveOrigins(shop.id, sent);
      setErrors(new Map());
      setRows((rs) => afterSave(rs, sent, saved.allowedOrigins, () => nextKey.current++));
      setStatus('saved');
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') {
        setErrors(fieldErrors(err.details));
        setStatus('idle');
      } else setStatus(err instanceof ApiError && err.code === 'forbidden' ? 'forbidden' : 'failed');
    }
  };

  /**
   * One click from the sightings warning: the saved list plus this origin, so rows being edited
   * are neither saved with it nor lost (the new row is added to them).
   */
  const allowSeen = async (origin: string) => {
    const saved = await settingsApi.saveOrigins(shop.id, [...shop.allowedOrigins, origin]);
    setRows((rs) => (rs.some((r) => r.value.trim() === origin) ? rs : [...rs, { key: nextKey.current++, value: origin }]));
    onSaved(saved);
  };

  const snippet = widgetSnippet(window.location.origin, shop.id);
  const listErrors = errorsOf('allowedOrigins');
  return (
    <section className="settings-section" aria-labelledby="settings-widget" data-testid="settings-widget">
      <h2 id="settings-widget">{m.title}</h2>
      <p className="muted">{m.snippetLead}</p>
      <label htmlFor="widget-snippet" className="settings-label">
        {m.snippetLabel}
      </label>
      <div className="settings-snippet">
        <input id="widget-snippet" readOnly value={snippet} onFocus={(e) => e.currentTarget.select()} data-testid="widget-snippet" />
        <CopyButton text={snippet} label={m.copy} copied={m.copied} failed={m.copyFailed} testId="copy-snippet" />
      </div>

      <h3>{m.originsTitle}</h3>
      <p className="muted">{m.originsLead}</p>
      {!canEdit ? (
        <>
          {shop.allowedOrigins.length ? (
            <ul className="settings-origins-read" data-testid="origins-read">
              {shop.allowedOrigins.map((o) => (
                <li key={o}>{o}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">{m.none}</p>
          )}
          <p className="muted" data-testid="origins-read-only">
            {m.readOnly}
          </p>
        </>
      ) : (
        <form onSubmit={(e) => void save(e)} noValidate data-testid="origins-form">
          {rows.length === 0 && <p className="muted">{m.none}</p>}
          <ul className="settings-origins" ref={listRef}>
            {rows.map((r, i) => {
              const said = errorsOf(`allowedOrigins.${i}`);
              const errorId = `origin-error-${r.key}`;
              return (
                <li key={r.key} className="settings-origin">
                  <label htmlFor={`origin-${r.key}`} className="sr-only">
                    {m.originLabel(i + 1)}
                  </label>
                  <input
                    id={`origin-${r.key}`}
                    data-row={r.key}
                    type="url"
                    inputMode="url"
                    value={r.value}
                    placeholder="https://shop.example.jp"
                    onChange={(e) => edit(r.key, e.target.value)}
                    aria-invalid={said.length > 0 || undefined}
                    aria-describedby={said.length ? errorId : undefined}
                    data-testid="origin-input"
                  />
                  <button type="button" className="button button-quiet" onClick={() => remove(r.key)} aria-label={m.removeLabel(r.value)}>
                    {m.remove}
                  </button>
                  {said.length > 0 && (
                    <span className="field-error" id={errorId} role="alert" data-testid={`error-allowedOrigins.${i}`}>
                      {said.join(' ')}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
          {listErrors.length > 0 && (
            <p className="field-error" role="alert" data-testid="error-allowedOrigins">
              {listErrors.join(' ')}
            </p>
          )}
          <SaveBar status={status} dirty={dirty} words={m} testId="origins">
            <button type="button" className="button button-quiet" onClick={add} data-testid="add-origin">
              {m.add}
            </button>
          </SaveBar>
        </form>
      )}
      <WidgetSightings shopId={shop.id} lang={lang} canEdit={canEdit} version={shop.allowedOrigins.join(' ')} allow={allowSeen} />
      <WidgetLook shop={shop} canEdit={canEdit} lang={lang} onSaved={onSaved} onDirty={setLookDirty} />
    </section>
  );
}
