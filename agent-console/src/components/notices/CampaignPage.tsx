import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { useNoticeProgress } from '../../notices.live.ts';
import { listed, mayAct, windowText } from '../../notices.format.ts';
import { noticesApi, type Campaign } from '../../noticesApi.ts';
import type { Role } from '../../types.ts';
import { FactList } from '../FactList.tsx';
import { useLoad } from '../metrics/useLoad.ts';
import { noticeTemplatesApi } from './templates/api.ts';
import { RouteLink } from '../RouteLink.tsx';
import { tokyoDateTime } from '../../returns.format.ts';
import { CampaignEditor } from './CampaignEditor.tsx';
import { CampaignPreview } from './CampaignPreview.tsx';
import { CampaignProgress } from './CampaignProgress.tsx';
import { FailedRecipients } from './FailedRecipients.tsx';
import { mayEdit, typeName } from './notices.draft.ts';
import { StatusBadge } from './NoticesPage.tsx';
import '../../metrics.css';
import '../../returns.css';
import '../../notices.css';

/**
 * One campaign: while it can still change, its editor (preview, audience, save, publish);
 * once published, its progress, live over `notice:progress`, with pause, resume, cancel, end now and
 * the failed recipients to retry.
 */
export function CampaignPage({ shopId, campaignId, role }: { shopId: string; campaignId: string; role: Role }) {
  const lang = useLang();
  const m = noticesMessages[lang];
  const [missing, setMissing] = useState(false);
  const loaded = useLoad(
    (signal) =>
      noticesApi.get(shopId, campaignId, signal).catch((e: unknown) => {
        if (!signal.aborted) setMissing(e instanceof ApiError && (e.code === 'not_found' || e.code === 'invalid_input'));
        throw e;
      }),
    `${shopId}/${campaignId}`,
  );
  const types = useLoad((signal) => noticeTemplatesApi.types(signal), 'types');
  // The server's later answers (a save, an action, a push) over the first read.
  const [latest, setLatest] = useState<Campaign | null>(null);
  const campaign = latest && (!loaded.data || latest.version >= loaded.data.version) ? latest : (loaded.data ?? null);
  const changed = useCallback((c: Campaign) => setLatest(c), []);
  const reread = useCallback(async () => {
    const c = await noticesApi.get(shopId, campaignId);
    setLatest(c);
    return c;
  }, [shopId, campaignId]);

  useNoticeProgress(
    (p) => {
      if (p.campaignId !== campaignId) return;
      setLatest((l) => {
        const base = l ?? loaded.data;
        // The push carries the version the next action must name.
        return base && p.version >= base.version ? { ...base, status: p.status, counts: p.counts, version: p.version } : l;
      });
    },
    () => void reread().catch(() => undefined),
  );
  // Finishing stamps finishedAt (and the version): read it once the push says it is over.
  const status = campaign?.status;
  // Back to draft at its start (startFailure): the push says draft, the reasons come with a read.
  const backToDraft = status === 'draft' && !!campaign?.publishedAt;
  useEffect(() => {
    if (status === 'sent' || status === 'cancelled' || backToDraft) void reread().catch(() => undefined);
  }, [status, backToDraft, reread]);

  return (
    <div className="campaign-campaign" data-testid="notice-campaign">
      <p>
        <RouteLink to={{ page: 'notices', shopId }} testId="notices-back">
          ← {m.editor.back}
        </RouteLink>
      </p>
      {loaded.state === 'failed' && !campaign && (
        <p role="alert" className="alert alert-error" data-testid="notice-error">
          {missing ? m.editor.notFound : m.loadFailed}
        </p>
      )}
      {!campaign && loaded.state === 'loading' && (
        <p className="muted" role="status">
          …
        </p>
      )}
      {campaign && (
        <>
          <div className="campaign-head">
            <h1 className="page-title" data-testid="notice-title">
              {campaign.name}
            </h1>
            <StatusBadge status={campaign.status} />
          </div>
          <p className="muted">
            {typeName(types.data?.types, campaign.type, lang)} · {windowText(campaign, lang)}
          </p>
          {campaign.status === 'draft' && campaign.startFailure && (
            <div role="alert" className="alert alert-error" data-testid="notice-start-failure">
              <p>{m.editor.startFailed(tokyoDateTime(campaign.startFailure.at, lang))}</p>
              <ul>
                {campaign.startFailure.details.map((d, i) => (
                  <li key={i} data-path={d.path}>
                    {lang === 'ja' ? d.ja : d.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {campaign.status !== 'draft' && (
            <>
              <CampaignProgress shopId={shopId} campaign={campaign} canAct={mayEdit(role)} onChanged={changed} onReread={reread} />
              <FailedRecipients shopId={shopId} campaignId={campaign.id} failed={campaign.counts.failed} />
            </>
          )}
          {mayEdit(role) && mayAct.edit(campaign.status) && types.data ? (
            <CampaignEditor key={campaign.id} shopId={shopId} campaign={campaign} types={types.data.types} onChanged={changed} onReread={reread} />
          ) : (
            <CampaignSummary shopId={shopId} campaign={campaign} role={role} typesLoaded={!!types.data} />
          )}
        </>
      )}
    </div>
  );
}

/** What a campaign that can no longer change (or a contractor) reads: its settings, and the notice as it went out. */
function CampaignSummary({ shopId, campaign, role, typesLoaded }: { shopId: string; campaign: Campaign; role: Role; typesLoaded: boolean }) {
  const lang = useLang();
  const m = noticesMessages[lang];
  const e = m.editor;
  if (mayEdit(role) && mayAct.edit(campaign.status) && !typesLoaded) return null;
  const t = campaign.target;
  const channels = (['banner', 'mail', 'chat'] as const).filter((c) => campaign.channels[c]).map((c) => e[c]);
  return (
    <section className="panel" data-testid="notice-summary">
      <p className="muted">{mayEdit(role) ? e.readOnly : e.readOnlyRole}</p>
      <FactList
        facts={[
          [e.channels, listed(channels, lang) || '—'],
          [e.orderedFrom, t.orderedFrom ?? '—'],
          [e.orderedTo, t.orderedTo ?? '—'],
          [e.carriers, (t.carriers ? listed(t.carriers, lang) : '—')],
          [e.prefectures, (t.prefectures ? listed(t.prefectures, lang) : '—')],
          [e.postcodes, (t.postcodePrefixes ? listed(t.postcodePrefixes, lang) : '—')],
          [e.routes, (t.routes ? listed(t.routes.map((r) => `${r.from} → ${r.to}`), lang) : '—')],
          [e.shipment, e.shipmentOptions[t.shipment ?? 'any']],
          [e.orderNumbers, t.orderNumbers ? String(t.orderNumbers.length) : '—'],
        ]}
      />
      <CampaignPreview shopId={shopId} type={campaign.type} templateVersionId={campaign.templateVersionId} variables={campaign.variables} onErrors={ignore} />
    </section>
  );
}

const ignore = () => undefined;
