import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { useNoticeProgress } from '../../notices.live.ts';
import { settled, windowText } from '../../notices.format.ts';
import { noticesApi, type Campaign, type CampaignDraft, type NoticeType, type NoticeTypeInfo } from '../../noticesApi.ts';
import { navigate } from '../../router.ts';
import type { Role } from '../../types.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { noticeTemplatesApi } from './templates/api.ts';
import { RouteLink } from '../RouteLink.tsx';
import { mayEdit, starterDraft, typeName } from './notices.draft.ts';
import '../../metrics.css';
import '../../returns.css';
import '../../notices.css';

/**
 * The shop's notice campaigns, newest first, with their progress (kept current by
 * `notice:progress`), the drafts prepared for the coming season, and a new draft.
 * Contractors read; the others create.
 */
export function NoticesPage({ shopId, role }: { shopId: string; role: Role }) {
  const lang = useLang();
  const m = noticesMessages[lang];
  const list = useLoad((signal) => noticesApi.list(shopId, signal), shopId);
  const types = useLoad((signal) => noticeTemplatesApi.types(signal), 'types');
  // Progress pushed since the list was read, by campaign.
  const [live, setLive] = useState<Record<string, Pick<Campaign, 'status' | 'counts'>>>({});
  useNoticeProgress(
    (p) => setLive((l) => ({ ...l, [p.campaignId]: { status: p.status, counts: p.counts } })),
    list.retry,
  );
  const campaigns = (list.data?.campaigns ?? []).map((c) => ({ ...c, ...live[c.id] }));
  const canEdit = mayEdit(role);

  return (
    <div className="notices-page" data-testid="notices-page">
      <h1 className="page-title">{m.title}</h1>
      <p className="muted">{m.list.lead}</p>
      {canEdit ? (
        <>
          <NewCampaign shopId={shopId} types={types.data?.types ?? []} />
          <SeasonOffers shopId={shopId} />
        </>
      ) : (
        <p className="muted" data-testid="notices-read-only">
          {m.list.readOnly}
        </p>
      )}
      {list.state === 'failed' && (
        <p role="alert" className="alert alert-error" data-testid="notices-error">
          {m.loadFailed}{' '}
          <button type="button" className="button button-quiet" onClick={list.retry}>
            {m.retry}
          </button>
        </p>
      )}
      {list.state === 'loading' && !list.data && (
        <p className="muted" role="status">
          …
        </p>
      )}
      {list.data && campaigns.length === 0 && (
        <section className="empty-state" data-testid="notices-empty">
          <p className="empty-title">{m.list.none}</p>
          <p className="muted">{m.list.noneHint}</p>
        </section>
      )}
      {campaigns.length > 0 && (
        <div className="table-scroll">
          <table className="data-table notices-table" aria-busy={list.state === 'loading'} data-testid="notices-table">
            <caption className="sr-only">{m.list.caption}</caption>
            <thead>
              <tr>
                <th scope="col" className="text-cell">{m.list.name}</th>
                <th scope="col" className="text-cell">{m.list.type}</th>
                <th scope="col" className="text-cell">{m.list.status}</th>
                <th scope="col" className="text-cell">{m.list.window}</th>
                <th scope="col" className="text-cell">{m.list.counts}</th>
                <th scope="col" className="text-cell">{m.list.progress}</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => (
                <tr key={c.id} data-testid="notice-row" data-id={c.id} data-status={c.status}>
                  <th scope="row" className="text-cell">
                    <RouteLink to={{ page: 'noticeCampaign', shopId, campaignId: c.id }} testId="notice-link">
                      {c.name}
                    </RouteLink>
                  </th>
                  <td className="text-cell">{typeName(types.data?.types, c.type, lang)}</td>
                  <td className="text-cell">
                    <StatusBadge status={c.status} />
                  </td>
                  <td className="text-cell">{windowText(c, lang)}</td>
                  <td className="text-cell campaign-counts">
                    {m.counts.sent} {c.counts.sent} · {m.counts.failed} {c.counts.failed} · {m.counts.suppressed} {c.counts.suppressed} / {c.counts.total}
                  </td>
                  <td className="text-cell">
                    {c.status !== 'draft' && c.counts.total > 0 && <progress className="campaign-progress-small" max={c.counts.total} value={settled(c.counts)} aria-label={`${m.list.progress}: ${c.name}`} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: Campaign['status'] }) {
  const m = noticesMessages[useLang()];
  return (
    <span className={`badge campaign-status campaign-status-${status}`} data-testid="notice-badge" data-status={status}>
      {m.status[status]}
    </span>
  );
}

/** Creates a draft of the chosen type with its example values, and opens it. */
function NewCampaign({ shopId, types }: { shopId: string; types: NoticeTypeInfo[] }) {
  const lang = useLang();
  const m = noticesMessages[lang];
  const id = useId();
  const [type, setType] = useState<NoticeType | ''>('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const chosen = types.find((t) => t.type === type) ?? types[0];

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !chosen) return;
    setBusy(true);
    setProblem(null);
    try {
      const c = await noticesApi.create(shopId, starterDraft(chosen, name.trim() || m.list.defaultName(chosen.name[lang])));
      navigate({ page: 'noticeCampaign', shopId, campaignId: c.id });
    } catch (err) {
      setProblem(problemText(err, lang));
      setBusy(false);
    }
  };

  return (
    <form className="notices-new" onSubmit={(e) => void create(e)} data-testid="notice-new">
      <label htmlFor={`${id}-type`}>{m.list.newType}</label>
      <select id={`${id}-type`} value={chosen?.type ?? ''} onChange={(e) => setType(e.target.value as NoticeType)} data-testid="notice-new-type">
        {types.map((t) => (
          <option key={t.type} value={t.type}>
            {t.name[lang]}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-name`}>{m.list.newName}</label>
      <input id={`${id}-name`} value={name} maxLength={200} placeholder={chosen ? m.list.defaultName(chosen.name[lang]) : ''} onChange={(e) => setName(e.target.value)} data-testid="notice-new-name" />
      <button type="submit" className="button button-primary" aria-disabled={busy || !chosen} data-testid="notice-create">
        {busy ? m.list.creating : m.list.create}
      </button>
      {problem && (
        <p role="alert" className="alert alert-error notices-new-problem">
          {problem}
        </p>
      )}
    </form>
  );
}

/** The seasons the server prepared drafts for (お中元, お歳暮, 年末年始), one click to a draft. */
function SeasonOffers({ shopId }: { shopId: string }) {
  const lang = useLang();
  const m = noticesMessages[lang];
  const seasons = useLoad((signal) => noticesApi.seasons(shopId, signal), shopId);
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const offers = seasons.data?.seasons ?? [];
  if (offers.length === 0) return null;

  const use = async (season: string, draft: Partial<CampaignDraft>) => {
    if (busy) return;
    setBusy(season);
    setProblem(null);
    try {
      const c = await noticesApi.create(shopId, draft);
      navigate({ page: 'noticeCampaign', shopId, campaignId: c.id });
    } catch (err) {
      setProblem(problemText(err, lang));
      setBusy(null);
    }
  };

  return (
    <section className="panel notices-seasons" aria-labelledby="notices-seasons" data-testid="notice-seasons">
      <h2 className="panel-title" id="notices-seasons">
        {m.seasons.title}
      </h2>
      <p className="muted">{m.seasons.lead}</p>
      <ul className="plain-list notices-season-list">
        {offers.map((s) => (
          <li key={s.season} data-testid="notice-season" data-season={s.season}>
            <strong>{s.name[lang]}</strong> <span className="muted">{m.seasons.period(s.from, s.to)}</span>{' '}
            <button type="button" className="button" aria-disabled={busy !== null} onClick={() => void use(s.season, s.draft)} data-testid="notice-season-use">
              {busy === s.season ? m.list.creating : m.seasons.use}
            </button>
          </li>
        ))}
      </ul>
      {problem && (
        <p role="alert" className="alert alert-error">
          {problem}
        </p>
      )}
    </section>
  );
}

/** A failed call in the reader's words: the server's own message for a refusal it explains. */
export function problemText(err: unknown, lang: 'ja' | 'en'): string {
  const m = noticesMessages[lang];
  if (!(err instanceof ApiError)) return m.failed;
  if (err.code === 'forbidden') return m.forbidden;
  if (err.code === 'network') return m.network;
  return m.failed;
}
