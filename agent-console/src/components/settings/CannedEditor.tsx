import { useEffect, useRef, useState, type FormEvent } from 'react';
import { cannedVariables } from '../../../../server/domains/canned/canned.variables.ts';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { hoursMessages } from '../../i18n.settings.hours.ts';
import { settingsHoursApi } from '../../settingsHoursApi.ts';
import type { CannedReply } from '../../types.ts';
import { fieldErrors, type FieldErrors } from '../../fieldErrors.ts';
import { CannedLivePreview } from './CannedLivePreview.tsx';
import { errorsUnder } from './errorsUnder.ts';
import { useUnsavedWarning } from './useUnsavedWarning.ts';

type Body = 'bodyJa' | 'bodyEn';
interface Draft {
  shortcut: string;
  title: string;
  bodyJa: string;
  bodyEn: string;
}

/**
 * A template error names its line (canned.template.ts); said as "check line n" in the reader's
 * language, since Handlebars' own wording is English only.
 */
function templateLines(details: unknown, errors: FieldErrors, say: (line: number) => string): FieldErrors {
  if (!Array.isArray(details)) return errors;
  const out = new Map(errors);
  for (const d of details as Array<{ path?: unknown; line?: unknown }>) {
    if ((d.path === 'bodyJa' || d.path === 'bodyEn') && typeof d.line === 'number') out.set(d.path, [say(d.line)]);
  }
  return out;
}

/** Creates or edits one canned reply; variables are inserted where the cursor was in the last text box used. */
export function CannedEditor({ shopId, reply, onSaved, onCancel }: { shopId: string; reply: CannedReply | null; onSaved: (r: CannedReply) => void; onCancel: () => void }) {
  const lang = useLang();
  const m = hoursMessages[lang].canned;
  const c = hoursMessages[lang].common;
  const initial: Draft = { shortcut: reply?.shortcut ?? '', title: reply?.title ?? '', bodyJa: reply?.bodyJa ?? '', bodyEn: reply?.bodyEn ?? '' };
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const boxes = { bodyJa: useRef<HTMLTextAreaElement>(null), bodyEn: useRef<HTMLTextAreaElement>(null) };
  const lastBox = useRef<Body>('bodyJa');
  const caret = useRef<{ box: Body; at: number } | null>(null);
  const shortcutRef = useRef<HTMLInputElement>(null);
  useEffect(() => shortcutRef.current?.focus(), []);
  // After an insert, the cursor goes back to just after the variable.
  useEffect(() => {
    const at = caret.current;
    if (!at) return;
    const box = boxes[at.box].current;
    box?.focus();
    box?.setSelectionRange(at.at, at.at);
    caret.current = null;
  });

  const dirty = (Object.keys(initial) as Array<keyof Draft>).some((k) => initial[k] !== draft[k]);
  useUnsavedWarning(dirty, c.leave);

  const set = (k: keyof Draft, v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const insert = (variable: string) => {
    const which = lastBox.current;
    const box = boxes[which].current;
    const text = draft[which];
    const start = box?.selectionStart ?? text.length;
    const end = box?.selectionEnd ?? text.length;
    const token = `{{${variable}}}`;
    set(which, text.slice(0, start) + token + text.slice(end));
    caret.current = { box: which, at: start + token.length };
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setProblem(null);
    try {
      // An edit sends only what changed; the server refuses an empty change, so nothing changed is just "done".
      const changed = Object.fromEntries((Object.keys(draft) as Array<keyof Draft>).filter((k) => draft[k] !== initial[k]).map((k) => [k, draft[k]]));
      const saved = !reply
        ? await settingsHoursApi.createCanned(shopId, draft)
        : Object.keys(changed).length
          ? await settingsHoursApi.updateCanned(shopId, reply.id, changed)
          : reply;
      setErrors(new Map());
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') setErrors(templateLines(err.details, fieldErrors(err.details, lang), m.templateAt));
      else if (err instanceof ApiError && err.code === 'conflict') setErrors(new Map([['shortcut', [m.conflict]]]));
      else setProblem(err instanceof ApiError && err.code === 'forbidden' ? c.notAllowed : c.saveFailed);
    } finally {
      setBusy(false);
    }
  };

  const errorOf = (path: keyof Draft) => errorsUnder(errors, path);
  const aria = (path: keyof Draft) => (errorOf(path).length ? { 'aria-invalid': true, 'aria-describedby': `canned-error-${path}` } : {});
  const said = (path: keyof Draft) =>
    errorOf(path).length > 0 && (
      <span className="field-error" id={`canned-error-${path}`} role="alert" data-testid={`error-${path}`}>
        {errorOf(path).join(' ')}
      </span>
    );

  return (
    <form className="settings-editor" onSubmit={(e) => void save(e)} noValidate data-testid="canned-form">
      <h3>{reply ? m.editTitle(reply.shortcut) : m.newTitle}</h3>
      <div className="settings-grid">
        <div className="settings-field">
          <label htmlFor="canned-shortcut">{m.shortcut}</label>
          <input id="canned-shortcut" type="text" ref={shortcutRef} value={draft.shortcut} autoComplete="off" onChange={(e) => set('shortcut', e.target.value)} {...aria('shortcut')} data-testid="canned-shortcut" />
          {said('shortcut')}
        </div>
        <div className="settings-field">
          <label htmlFor="canned-title">{m.titleLabel}</label>
          <input id="canned-title" type="text" value={draft.title} onChange={(e) => set('title', e.target.value)} {...aria('title')} data-testid="canned-title" />
          {said('title')}
        </div>
      </div>
      <div className="settings-field" role="group" aria-labelledby="canned-vars-label">
        <span className="settings-label" id="canned-vars-label">
          {m.variables}
        </span>
        <span className="canned-vars">
          {cannedVariables.map((v) => (
            <button
              key={v}
              type="button"
              className="button button-quiet"
              aria-label={m.insert(m.variableNames[v] ?? v)}
              // Keep the text box's cursor: a mouse press on the button would otherwise take the focus first.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => insert(v)}
              data-testid={`canned-var-${v}`}
            >
              {m.variableNames[v] ?? v} <code>{`{{${v}}}`}</code>
            </button>
          ))}
        </span>
      </div>
      {(['bodyJa', 'bodyEn'] as const).map((k) => (
        <div className="settings-field" key={k}>
          <label htmlFor={`canned-${k}`}>{k === 'bodyJa' ? m.bodyJa : m.bodyEn}</label>
          <textarea
            id={`canned-${k}`}
            ref={boxes[k]}
            value={draft[k]}
            lang={k === 'bodyJa' ? 'ja' : 'en'}
            onFocus={() => (lastBox.current = k)}
            onChange={(e) => set(k, e.target.value)}
            {...aria(k)}
            data-testid={`canned-${k}`}
          />
          {said(k)}
        </div>
      ))}
      <CannedLivePreview shopId={shopId} bodyJa={draft.bodyJa} bodyEn={draft.bodyEn} />
      {problem && (
        <p role="alert" className="alert alert-error">
          {problem}
        </p>
      )}
      <div className="settings-actions">
        <button type="submit" className="button button-primary" aria-disabled={busy} data-testid="save-canned">
          {busy ? c.saving : c.save}
        </button>
        <button type="button" className="button button-quiet" onClick={() => (!dirty || window.confirm(c.leave)) && onCancel()}>
          {c.cancel}
        </button>
        <span role="status" className="muted">
          {dirty ? c.unsaved : ''}
        </span>
      </div>
    </form>
  );
}
