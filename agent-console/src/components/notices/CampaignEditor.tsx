import { useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import type { FieldErrors } from '../../fieldErrors.ts';
import { useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { mayAct } from '../../notices.format.ts';
import { noticesApi, type Campaign, type NoticeType, type NoticeTypeInfo } from '../../noticesApi.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { SaveBar, type SaveStatus } from '../settings/SaveBar.tsx';
import { useUnsavedWarning } from '../settings/useUnsavedWarning.ts';
import { AudiencePanel } from './AudiencePanel.tsx';
import { Field, TargetFields } from './NoticeFields.tsx';
import { CampaignPreview } from './CampaignPreview.tsx';
import { changes, draftOf, formOf, noticeErrors, type EditorForm } from './notices.draft.ts';
import { noticeTemplatesApi } from './templates/api.ts';
import { toForm } from './templates/variables.ts';
import { VariablesForm } from './templates/VariablesForm.tsx';
import './templates/templates.css';
import { problemText } from './NoticesPage.tsx';
import { PublishDialog } from './PublishDialog.tsx';

type Conflict = 'stale' | 'sending' | null;

/**
 * A campaign that can still change (draft, scheduled, paused): its form, with the preview and the
 * audience following every edit, saved with the version it was read at (409: someone else saved
 * first, or it began sending). A draft is published from here, after a confirmation with the
 * recipient counts. After a stale-version conflict nothing more is saved until the latest is
 * loaded: a patch against it would quietly undo the other person's change.
 */
export function CampaignEditor({ shopId, campaign, types, onChanged, onReread }: { shopId: string; campaign: Campaign; types: NoticeTypeInfo[]; onChanged: (c: Campaign) => void; onReread: () => Promise<Campaign> }) {
  const lang = useLang();
  const m = noticesMessages[lang];
  const e = m.editor;
  const [form, setForm] = useState<EditorForm>(() => formOf(campaign, types.find((t) => t.type === campaign.type)));
  const [status, setStatus] = useState<SaveStatus>('idle');
  const [conflict, setConflict] = useState<Conflict>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [saveErrors, setSaveErrors] = useState<FieldErrors>(new Map());
  const [previewErrors, setPreviewErrors] = useState<FieldErrors>(new Map());
  const [audienceErrors, setAudienceErrors] = useState<FieldErrors>(new Map());
  const [publishing, setPublishing] = useState(false);
  const templates = useLoad((signal) => noticeTemplatesApi.list(shopId, signal), shopId);

  const info = types.find((t) => t.type === form.type);
  const draft = useMemo(() => draftOf(form, info), [form, info]);
  const saved = useMemo(() => draftOf(formOf(campaign, types.find((t) => t.type === campaign.type)), types.find((t) => t.type === campaign.type)), [campaign, types]);
  const patch = changes(draft, saved);
  const dirty = Object.keys(patch).length > 0;
  useUnsavedWarning(dirty, e.leave);
  const errors: FieldErrors = new Map([...audienceErrors, ...previewErrors, ...saveErrors]);

  const edit = (next: Partial<EditorForm>) => {
    setForm((f) => ({ ...f, ...next }));
    setStatus('idle');
  };
  const changeType = (type: NoticeType) => {
    const next = types.find((t) => t.type === type);
    // Values of the same name and shape carry over; the new type's others start empty.
    const kept = toForm(next?.variables ?? [], {});
    for (const [k, v] of Object.entries(kept)) {
      const had = form.variables[k];
      if (had !== undefined && typeof had === typeof v && Array.isArray(had) === Array.isArray(v)) kept[k] = had;
    }
    edit({ type, templateVersionId: null, variables: kept });
  };

  /** Saves what changed; answers the campaign as saved, or null when it was refused. */
  const save = async (): Promise<Campaign | null> => {
    if (!dirty) return campaign;
    if (conflict) return null;
    const sent = form;
    setStatus('saving');
    setProblem(null);
    try {
      const c = await noticesApi.save(shopId, campaign.id, campaign.version, patch);
      setSaveErrors(new Map());
      setStatus('saved');
      // The server's own values (trimmed, normalised) if nothing was typed since; else what was typed stays.
      setForm((f) => (f === sent ? formOf(c, types.find((t) => t.type === c.type)) : f));
      onChanged(c);
      return c;
    } catch (err) {
      setStatus('idle');
      if (err instanceof ApiError && err.code === 'invalid_input') setSaveErrors(noticeErrors(err.details, lang));
      else if (err instanceof ApiError && err.code === 'conflict') {
        // Which conflict it was is read from the campaign as it now is, not from the message.
        const now = await onReread().catch(() => null);
        setConflict(now && !mayAct.edit(now.status) ? 'sending' : 'stale');
      } else setStatus(err instanceof ApiError && err.code === 'forbidden' ? 'forbidden' : 'failed');
      return null;
    }
  };
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    if (status !== 'saving') void save();
  };

  const templateOptions = (templates.data?.templates ?? []).filter((t) => t.type === form.type);
  const knownVersion = form.templateVersionId === null || templateOptions.some((t) => t.latestVersion.id === form.templateVersionId);

  return (
    <div className="campaign-editor" data-testid="notice-editor">
      <form className="campaign-form" onSubmit={submit} noValidate data-testid="notice-form">
        <fieldset className="campaign-fieldset">
          <legend>{e.basics}</legend>
          <Field label={e.name} path="name" errors={errors}>
            {(p) => <input {...p} value={form.name} maxLength={200} onChange={(ev) => edit({ name: ev.target.value })} data-testid="notice-name" />}
          </Field>
          <Field label={e.type} path="type" errors={errors}>
            {(p) => (
              <select {...p} value={form.type} onChange={(ev) => changeType(ev.target.value as NoticeType)} data-testid="notice-type">
                {types.map((t) => (
                  <option key={t.type} value={t.type}>
                    {t.name[lang]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={e.template} path="templateVersionId" errors={errors}>
            {(p) => (
              <select {...p} value={form.templateVersionId ?? ''} onChange={(ev) => edit({ templateVersionId: ev.target.value || null })} data-testid="notice-template">
                <option value="">{e.builtIn}</option>
                {templateOptions.map((t) => (
                  <option key={t.id} value={t.latestVersion.id}>
                    {e.shopCopy(t.name, t.latestVersion.version)}
                  </option>
                ))}
                {!knownVersion && form.templateVersionId && <option value={form.templateVersionId}>{form.templateVersionId}</option>}
              </select>
            )}
          </Field>
        </fieldset>
        {info && (
          <fieldset className="campaign-fieldset">
            <legend>{e.variables}</legend>
            <p className="muted">{e.variablesHint}</p>
            <VariablesForm specs={info.variables} values={form.variables} errors={errors} onChange={(variables) => edit({ variables })} />
            <button type="button" className="button button-quiet" onClick={() => edit({ variables: toForm(info.variables, info.sample) })} data-testid="notice-use-sample">
              {e.useSample}
            </button>
          </fieldset>
        )}
        <fieldset className="campaign-fieldset">
          <legend>{e.window}</legend>
          <div className="campaign-row">
            <Field label={e.startsAt} path="startsAt" errors={errors}>
              {(p) => <input {...p} type="datetime-local" value={form.startsAt} onChange={(ev) => edit({ startsAt: ev.target.value })} data-testid="notice-starts" />}
            </Field>
            <Field label={e.endsAt} path="endsAt" errors={errors}>
              {(p) => <input {...p} type="datetime-local" value={form.endsAt} onChange={(ev) => edit({ endsAt: ev.target.value })} data-testid="notice-ends" />}
            </Field>
          </div>
        </fieldset>
        <fieldset className="campaign-fieldset" data-testid="notice-channels">
          <legend>{e.channels}</legend>
          {(['banner', 'mail', 'chat'] as const).map((c) => (
            <label key={c} className="campaign-check">
              <input
                type="checkbox"
                checked={form.channels[c]}
                // A notice about customers' own orders never goes on the public banner (the server refuses it at channels.banner).
                disabled={c === 'banner' && info?.perOrder === true && !form.channels.banner}
                onChange={(ev) => edit({ channels: { ...form.channels, [c]: ev.target.checked } })}
                data-testid={`channel-${c}`}
              />{' '}
              {e[c]}
            </label>
          ))}
          {[...errors].filter(([p]) => p.startsWith('channels')).map(([p, ms]) => (
            <span key={p} className="field-error" role="alert">
              {ms.join(' ')}
            </span>
          ))}
        </fieldset>
        <TargetFields shopId={shopId} target={form.target} errors={errors} onChange={(target) => edit({ target })} />
        {saveErrors.size > 0 && (
          <p role="alert" className="alert alert-error" data-testid="notice-invalid">
            {e.invalid} {(saveErrors.get('') ?? []).join(' ')}
          </p>
        )}
        {conflict && (
          <div role="alert" className="alert alert-error" data-testid={`notice-conflict-${conflict}`}>
            <p>{conflict === 'stale' ? e.staleConflict : e.sendingConflict}</p>
            {conflict === 'stale' && (
              <button type="button" className="button" onClick={() =>
                  void onReread().then((c) => {
                    setForm(formOf(c, types.find((t) => t.type === c.type)));
                    setConflict(null);
                  })
                } data-testid="notice-reload">
                {e.reload}
              </button>
            )}
          </div>
        )}
        <SaveBar status={status} dirty={dirty} words={{ ...e, notAllowed: m.forbidden, saveFailed: m.failed }} testId="notice">
          {campaign.status === 'draft' && (
            <button type="button" className="button" onClick={() => setPublishing(true)} data-testid="notice-publish">
              {m.publish.button}
            </button>
          )}
        </SaveBar>
        {problem && (
          <p role="alert" className="alert alert-error">
            {problem}
          </p>
        )}
      </form>
      <div className="campaign-side">
        <CampaignPreview shopId={shopId} type={draft.type} templateVersionId={draft.templateVersionId} variables={draft.variables} onErrors={setPreviewErrors} />
        <AudiencePanel shopId={shopId} target={draft.target} onErrors={setAudienceErrors} />
      </div>
      {publishing && (
        <PublishDialog
          shopId={shopId}
          draft={draft}
          onClose={() => setPublishing(false)}
          onPublish={async () => {
            // What is on screen is what goes out: unsaved edits are saved first.
            const c = await save();
            if (!c) return null;
            try {
              const published = await noticesApi.act(shopId, c.id, 'publish', c.version);
              onChanged(published);
              return published;
            } catch (err) {
              if (err instanceof ApiError && err.code === 'invalid_input') setSaveErrors(noticeErrors(err.details, lang));
              else if (err instanceof ApiError && err.code === 'conflict') setConflict((await onReread().catch(() => null))?.status === 'draft' ? 'stale' : 'sending');
              else setProblem(problemText(err, lang));
              return null;
            }
          }}
        />
      )}
    </div>
  );
}
