import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../../../api.ts';
import { fieldErrors, type FieldErrors } from '../../../fieldErrors.ts';
import { useLang } from '../../../i18n.ts';
import { tokyoDateTime } from '../../../returns.format.ts';
import type { Role } from '../../../types.ts';
import { useLoad } from '../../metrics/useLoad.ts';
import { useUnsavedWarning } from '../../settings/useUnsavedWarning.ts';
import { noticeTemplatesApi, type NoticeText, type NoticeType, type Previewed, type TemplateDetail } from './api.ts';
import { noticeTemplateMessages } from './i18n.ts';
import { NoticePreview } from './NoticePreview.tsx';
import { VariablesForm } from './VariablesForm.tsx';
import { WordingEditor } from './WordingEditor.tsx';
import { toForm, tokyoLocal, toVariables, fromTokyoLocal, type FormValues } from './variables.ts';
import '../../../settings.css';
import './templates.css';

/** Stored wording comes back from jsonb with its keys in another order: compare part by part. */
const sameText = (a: NoticeText, b: NoticeText) => (['subject', 'body', 'banner', 'chat'] as const).every((p) => a[p].ja === b[p].ja && a[p].en === b[p].en);

type Selected = { kind: 'builtin'; type: NoticeType } | { kind: 'copy'; id: string };
type Notice = { kind: 'done' | 'problem'; text: string } | null;
/** Typing pauses this long before the preview is asked for again: one request per pause. */
const PAUSE_MS = 400;

/**
 * The notice template editor: the six types and the shop's copies; a copy's wording in both
 * languages with the server's errors at each box; variables with the sample values; the
 * preview in both languages, mail beside banner; save as a new version; the versions.
 */
export function NoticeTemplatesPage({ shopId, role }: { shopId: string; role: Role }) {
  const lang = useLang();
  const m = noticeTemplateMessages[lang];
  const editor = role === 'owner' || role === 'staff';
  const types = useLoad((s) => noticeTemplatesApi.types(s), 'types');
  const [listKey, setListKey] = useState(0);
  const copies = useLoad((s) => noticeTemplatesApi.list(shopId, s), `${shopId}:${listKey}`);
  const [selected, setSelected] = useState<Selected>({ kind: 'builtin', type: 'seasonal' });
  const [detail, setDetail] = useState<TemplateDetail | null>(null);
  const [wording, setWording] = useState<NoticeText | null>(null);
  const [form, setForm] = useState<FormValues>({});
  const [asOf, setAsOf] = useState('');
  const [orderNumber, setOrderNumber] = useState('');
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [preview, setPreview] = useState<Previewed | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [copyName, setCopyName] = useState('');

  const type: NoticeType | undefined = selected.kind === 'builtin' ? selected.type : detail?.type;
  const info = types.data?.types.find((t) => t.type === type);

  const choose = (s: Selected) => {
    if (dirty && !window.confirm(m.leave)) return;
    setNotice(null);
    setSelected(s);
  };

  const resetSamples = () => {
    if (!info || !types.data) return;
    setForm(toForm(info.variables, info.sample));
    setAsOf(tokyoLocal(types.data.sampleAsOf));
  };

  // A new selection: its wording (the built-in one, or the copy's latest version) and the samples.
  useEffect(() => {
    setErrors(new Map());
    if (selected.kind === 'builtin') {
      setDetail(null);
      if (info) setWording(info.wording);
      return;
    }
    const ctrl = new AbortController();
    noticeTemplatesApi.get(shopId, selected.id, ctrl.signal).then(
      (d) => {
        setDetail(d);
        setWording(d.wording);
      },
      () => !ctrl.signal.aborted && setNotice({ kind: 'problem', text: m.loadFailed }),
    );
    return () => ctrl.abort();
  }, [shopId, selected, types.state]);
  useEffect(resetSamples, [type, types.state]);

  const variables = useMemo(() => (info ? toVariables(info.variables, form) : {}), [info, form]);
  useEffect(() => {
    if (!type || !wording) return;
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      const body = { type, wording, variables, ...(orderNumber.trim() ? { orderNumber: orderNumber.trim() } : {}), ...(asOf ? { asOf: fromTokyoLocal(asOf) } : {}) };
      noticeTemplatesApi.preview(shopId, body, ctrl.signal).then(
        (p) => {
          setPreview(p);
          setErrors(new Map());
        },
        (e: unknown) => {
          if (ctrl.signal.aborted) return;
          setPreview(null);
          setErrors(e instanceof ApiError && e.code === 'invalid_input' ? fieldErrors(e.details, lang) : new Map());
        },
      );
    }, PAUSE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [shopId, type, wording, variables, orderNumber, asOf, lang]);

  const latest = detail?.versions[0];
  const dirty = editor && selected.kind === 'copy' && !!detail && !!wording && !sameText(wording, detail.wording);
  useUnsavedWarning(dirty, m.leave);
  const save = async () => {
    if (!detail || !wording || !latest) return;
    setBusy(true);
    setNotice(null);
    try {
      const v = await noticeTemplatesApi.saveVersion(shopId, detail.id, { wording, baseVersion: latest.version });
      setDetail(await noticeTemplatesApi.get(shopId, detail.id));
      setListKey((k) => k + 1);
      setNotice({ kind: 'done', text: m.saved(v.version) });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'invalid_input') {
        setErrors(fieldErrors(e.details, lang));
        setNotice({ kind: 'problem', text: m.invalid });
      } else if (e instanceof ApiError && e.code === 'conflict') {
        const fresh = await noticeTemplatesApi.get(shopId, detail.id).catch(() => null);
        if (fresh) {
          setDetail(fresh);
          setWording(fresh.wording);
        }
        setNotice({ kind: 'problem', text: m.conflict });
      } else if (!(e instanceof ApiError && e.code === 'unauthenticated')) setNotice({ kind: 'problem', text: m.failed });
    } finally {
      setBusy(false);
    }
  };

  const copy = async (e: FormEvent, copyOf?: string) => {
    e.preventDefault();
    if (!type) return;
    setBusy(true);
    setNotice(null);
    try {
      const made = await noticeTemplatesApi.create(shopId, { type, name: copyName.trim(), ...(copyOf ? { copyOf } : {}) });
      setCopyName('');
      setListKey((k) => k + 1);
      setSelected({ kind: 'copy', id: made.id });
      setNotice({ kind: 'done', text: m.copied });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'invalid_input' || err.code === 'conflict')) setErrors(fieldErrors(err.details, lang));
      setNotice({ kind: 'problem', text: err instanceof ApiError && err.code === 'conflict' ? (fieldErrors(err.details, lang).get('name')?.join(' ') ?? m.failed) : m.invalid });
    } finally {
      setBusy(false);
    }
  };

  if (types.state !== 'ready' && !types.data)
    return (
      <>
        <h1 className="page-title">{m.title}</h1>
        <p className={types.state === 'failed' ? 'alert alert-error' : 'muted'} role={types.state === 'failed' ? 'alert' : 'status'}>
          {types.state === 'failed' ? m.loadFailed : m.loading}
        </p>
      </>
    );

  const readOnly = !editor || selected.kind === 'builtin';
  const nameErrors = errors.get('name') ?? [];
  return (
    <>
      <h1 className="page-title">{m.title}</h1>
      <p className="muted">{m.intro}</p>
      <div className="notice-templates" data-testid="notice-templates">
        <nav aria-label={m.title}>
          <ul className="notice-type-list">
            {types.data!.types.map((t) => (
              <li key={t.type}>
                <button type="button" className="button button-quiet" aria-current={selected.kind === 'builtin' && selected.type === t.type} onClick={() => choose({ kind: 'builtin', type: t.type })} data-testid={`notice-type-${t.type}`}>
                  {t.name[lang]}
                </button>
                <ul>
                  {copies.data?.templates
                    .filter((c) => c.type === t.type)
                    .map((c) => (
                      <li key={c.id}>
                        <button type="button" className="button button-quiet" aria-current={selected.kind === 'copy' && selected.id === c.id} onClick={() => choose({ kind: 'copy', id: c.id })} data-testid="notice-copy">
                          {c.name} <span className="muted">{m.version(c.latestVersion.version)}</span>
                        </button>
                      </li>
                    ))}
                </ul>
              </li>
            ))}
          </ul>
        </nav>
        <div className="notice-editor">
          <div className="section-head">
            <h2 className="section-title" data-testid="notice-editing">
              {info?.name[lang]} · {selected.kind === 'builtin' ? m.builtIn : detail ? `${detail.name}（${m.version(latest?.version ?? 1)}）` : m.loading}
            </h2>
          </div>
          {notice && (
            <p role={notice.kind === 'problem' ? 'alert' : 'status'} className={`alert ${notice.kind === 'problem' ? 'alert-warning' : 'alert-info'}`} data-testid={notice.kind === 'problem' ? 'notice-problem' : 'notice-done'}>
              {notice.text}
            </p>
          )}
          {readOnly && <p className="alert alert-info">{editor ? m.readOnlyBuiltIn : m.readOnlyRole}</p>}
          {editor && (
            <form className="settings-actions" onSubmit={(e) => void copy(e)} data-testid="notice-copy-form">
              <label className="settings-field">
                <span className="settings-label">{m.copyName}</span>
                <input value={copyName} onChange={(e) => setCopyName(e.target.value)} required maxLength={80} data-testid="notice-copy-name" aria-invalid={nameErrors.length > 0 || undefined} />
                {nameErrors.length > 0 && <span className="field-error">{nameErrors.join(' ')}</span>}
              </label>
              <button type="submit" className="button" disabled={busy || !copyName.trim()} data-testid="notice-copy-submit">
                {m.copy}
              </button>
            </form>
          )}
          {wording && info && <WordingEditor wording={wording} variables={info.variables} errors={errors} readOnly={readOnly} onChange={setWording} />}
          {editor && selected.kind === 'copy' && (
            <p>
              <button type="button" className="button button-primary" disabled={busy || !detail} onClick={() => void save()} data-testid="notice-save">
                {busy ? m.saving : m.save}
              </button>
            </p>
          )}
          {detail && (
            <section>
              <h3 className="section-title">{m.versions}</h3>
              <ul className="notice-versions" data-testid="notice-versions">
                {detail.versions.map((v) => (
                  <li key={v.id}>
                    <strong>{m.version(v.version)}</strong>
                    <span className="muted">
                      {tokyoDateTime(v.createdAt, lang)} · {m.by(v.createdBy)}
                    </span>
                    {editor && copyName.trim() && (
                      <button type="button" className="button button-quiet" disabled={busy} onClick={(e) => void copy(e, v.id)}>
                        {m.copyThisVersion}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section>
            <div className="section-head">
              <h3 className="section-title">{m.variables}</h3>
              <button type="button" className="button button-quiet" onClick={resetSamples} data-testid="notice-reset-samples">
                {m.resetSamples}
              </button>
            </div>
            {info && <VariablesForm specs={info.variables} values={form} errors={errors} onChange={setForm} />}
            <label className="settings-field">
              <span className="settings-label">{m.asOf}</span>
              <input type="datetime-local" value={asOf} onChange={(e) => setAsOf(e.target.value)} data-testid="notice-as-of" />
            </label>
            <label className="settings-field">
              <span className="settings-label">{m.orderNumber}</span>
              <input value={orderNumber} onChange={(e) => setOrderNumber(e.target.value)} maxLength={64} data-testid="notice-order-number" />
              <span className="muted">{m.orderHint}</span>
              {(errors.get('orderNumber') ?? []).map((x) => (
                <span key={x} className="field-error" data-testid="notice-order-number-error">
                  {x}
                </span>
              ))}
            </label>
          </section>
          <section aria-live="polite">
            <h3 className="section-title">{m.preview}</h3>
            {preview ? <NoticePreview preview={preview} /> : <p className={errors.size ? 'field-error' : 'muted'}>{errors.size ? m.previewFailed : m.previewing}</p>}
          </section>
        </div>
      </div>
    </>
  );
}
