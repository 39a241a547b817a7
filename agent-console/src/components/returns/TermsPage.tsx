import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useLang, useMessages, type Messages } from '../../i18n.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { publicTermsUrl, returnsApi } from '../../returnsApi.ts';
import type { ReturnTermsView, Role, TermsVersion } from '../../types.ts';
import { ErrorsContext, TermsFields } from './TermsFields.tsx';
import { TermsPreview } from './TermsPreview.tsx';
import { ReturnsTabs } from './ReturnsTabs.tsx';
import { errorsAt, fieldErrors, readable, toBody, toDraft, type FieldErrors, type TermsDraft } from './terms.draft.ts';
import '../../metrics.css';
import '../../returns.css';

type Load = { state: 'loading' } | { state: 'failed' } | { state: 'ready'; view: ReturnTermsView };
type Notice = { kind: 'done' | 'problem'; text: (m: Messages) => string };

/**
 * The shop's 返品特約: every field of the terms, a live preview of the public page, and the
 * versions published so far. Only the owner edits and publishes; everyone else reads.
 */
export function TermsPage({ shopId, role }: { shopId: string; role: Role }) {
  const m = useMessages().returns;
  const lang = useLang();
  const owner = role === 'owner';
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [draft, setDraft] = useState<TermsDraft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [publishing, setPublishing] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);

  const fetchTerms = useCallback(
    async (signal?: AbortSignal) => {
      const view = await returnsApi.terms(shopId, signal);
      setLoad({ state: 'ready', view });
      setDraft(toDraft(view.terms));
      setErrors(new Map());
    },
    [shopId],
  );

  useEffect(() => {
    const ctrl = new AbortController();
    setLoad({ state: 'loading' });
    fetchTerms(ctrl.signal).catch((e: unknown) => {
      if (!ctrl.signal.aborted && !(e instanceof ApiError && e.code === 'unauthenticated')) setLoad({ state: 'failed' });
    });
    return () => ctrl.abort();
  }, [fetchTerms]);

  const set = useCallback((patch: Partial<TermsDraft>) => setDraft((d) => (d ? { ...d, ...patch } : d)), []);
  const base = load.state === 'ready' ? load.view.terms : undefined;
  const body = useMemo(() => (draft ? toBody(draft, base) : null), [draft, base]);

  const publish = async (e: FormEvent) => {
    e.preventDefault();
    if (!body || !owner) return;
    setPublishing(true);
    setNotice(null);
    try {
      const published = await returnsApi.publishTerms(shopId, body);
      await fetchTerms().catch(() => undefined);
      setNotice({ kind: 'done', text: (x) => x.returns.terms.published(published.version ?? 0) });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') {
        setErrors(fieldErrors(err.details));
        setNotice({ kind: 'problem', text: (x) => x.returns.terms.invalid });
      } else if (err instanceof ApiError && err.code === 'conflict') {
        await fetchTerms().catch(() => undefined);
        setNotice({ kind: 'problem', text: (x) => x.returns.terms.conflict });
      } else if (!(err instanceof ApiError && err.code === 'unauthenticated')) {
        setNotice({ kind: 'problem', text: (x) => x.returns.terms.failed });
      }
    } finally {
      setPublishing(false);
    }
  };

  const all = useMessages();
  const formLevel = errorsAt(errors, '', true);
  return (
    <>
      <h1 className="page-title">{m.title}</h1>
      <ReturnsTabs shopId={shopId} current="returnTerms" />
      {load.state === 'loading' && (
        <p className="muted" role="status">
          {m.loading}
        </p>
      )}
      {load.state === 'failed' && (
        <p role="alert" className="alert alert-error" data-testid="terms-error">
          {m.terms.loadFailed}{' '}
          <button type="button" className="button button-quiet" onClick={() => void fetchTerms().catch(() => setLoad({ state: 'failed' }))}>
            {m.retry}
          </button>
        </p>
      )}
      {load.state === 'ready' && draft && (
        <div className="terms-page" data-testid="terms-page" data-version={load.view.version ?? ''}>
          <div className="section-head">
            <h2 className="section-title">{m.terms.title}</h2>
            <span className="muted" data-testid="terms-current">
              {load.view.version !== null && load.view.publishedAt ? m.terms.current(load.view.version, tokyoDateTime(load.view.publishedAt, lang)) : null}
            </span>
            <span className="section-tools">
              <a href={publicTermsUrl(shopId, lang)} target="_blank" rel="noopener">
                {m.terms.openPublic}
              </a>
            </span>
          </div>
          {load.view.statutory && (
            <p className="alert alert-info" data-testid="terms-statutory">
              {m.terms.statutory}
            </p>
          )}
          {!owner && (
            <p className="alert alert-info" data-testid="terms-read-only">
              {m.terms.readOnly}
            </p>
          )}
          <div className="terms-layout">
            <form className="terms-form" onSubmit={(e) => void publish(e)} noValidate data-testid="terms-form">
              {notice && (
                <p role={notice.kind === 'problem' ? 'alert' : 'status'} className={`alert ${notice.kind === 'problem' ? 'alert-warning' : 'alert-info'}`} data-testid={notice.kind === 'problem' ? 'terms-problem' : 'terms-done'}>
                  {notice.text(all)}
                </p>
              )}
              {formLevel.length > 0 && (
                <p role="alert" className="alert alert-warning">
                  {formLevel.map((x) => readable(x, lang)).join(' ')}
                </p>
              )}
              <ErrorsContext.Provider value={errors}>
                <fieldset className="terms-all" disabled={!owner || publishing}>
                  <TermsFields d={draft} set={set} />
                </fieldset>
              </ErrorsContext.Provider>
              {owner && (
                <div className="terms-publish">
                  <button type="submit" className="button button-primary" disabled={publishing} data-testid="terms-publish">
                    {publishing ? m.terms.publishing : m.terms.publish}
                  </button>
                  <span className="muted metric-note">{m.terms.publishHint}</span>
                </div>
              )}
            </form>
            <TermsPreview shopId={shopId} body={owner ? body : null} onErrors={setErrors} />
          </div>
          <Versions versions={load.view.versions} />
        </div>
      )}
    </>
  );
}

function Versions({ versions }: { versions: TermsVersion[] }) {
  const lang = useLang();
  const m = useMessages().returns.terms;
  return (
    <section className="panel" aria-labelledby="terms-versions">
      <h2 className="panel-title" id="terms-versions">
        {m.versions}
      </h2>
      {versions.length === 0 ? (
        <p className="muted">{m.noVersions}</p>
      ) : (
        <table className="data-table versions-table" data-testid="terms-versions">
          <thead>
            <tr>
              <th scope="col">{m.version}</th>
              <th scope="col" className="text-cell">{m.publishedAt}</th>
              <th scope="col" className="text-cell">{m.publishedBy}</th>
            </tr>
          </thead>
          <tbody>
            {[...versions]
              .sort((a, b) => b.version - a.version)
              .map((v) => (
                <tr key={v.version} data-testid="terms-version" data-version={v.version}>
                  <th scope="row">{m.versionN(v.version)}</th>
                  <td className="text-cell">{tokyoDateTime(v.publishedAt, lang)}</td>
                  <td className="text-cell">{v.publishedBy}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
