import { useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { mayAct, settled } from '../../notices.format.ts';
import { noticesApi, type Campaign, type CampaignAction } from '../../noticesApi.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { problemText } from './NoticesPage.tsx';

const shown = ['queued', 'sent', 'failed', 'suppressed', 'cancelled'] as const;

/**
 * The bar and the counts by status, as pushed by the server, with the actions the campaign's
 * state allows. A refused action (409: someone else moved it first) reads the campaign again.
 */
export function CampaignProgress({ shopId, campaign, canAct, onChanged, onReread }: { shopId: string; campaign: Campaign; canAct: boolean; onChanged: (c: Campaign) => void; onReread: () => Promise<Campaign> }) {
  const lang = useLang();
  const m = noticesMessages[lang];
  const p = m.progress;
  const [busy, setBusy] = useState<CampaignAction | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { counts, status } = campaign;
  const done = settled(counts);

  const act = async (action: CampaignAction) => {
    if (busy) return;
    if (action === 'cancel' && !window.confirm(p.cancelConfirm)) return;
    if (action === 'end' && !window.confirm(p.endConfirm)) return;
    setBusy(action);
    setProblem(null);
    try {
      onChanged(await noticesApi.act(shopId, campaign.id, action, campaign.version));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'conflict') {
        setProblem(p.conflict);
        await onReread().catch(() => undefined);
      } else setProblem(problemText(err, lang));
    } finally {
      setBusy(null);
    }
  };

  const button = (action: CampaignAction, label: string, enabled: boolean, danger = false) => (
    <button
      type="button"
      className={`button${danger ? ' button-danger' : ''}`}
      disabled={!enabled || busy !== null}
      onClick={() => void act(action)}
      data-testid={`notice-${action}`}
    >
      {busy === action ? p.working : label}
    </button>
  );

  return (
    <section className="panel campaign-progress" aria-labelledby="notice-progress-title" data-testid="notice-progress" data-status={status}>
      <h2 className="panel-title" id="notice-progress-title">
        {p.title}
      </h2>
      <div className="campaign-bar">
        <progress max={Math.max(counts.total, 1)} value={counts.total === 0 ? 0 : done} aria-label={p.bar} aria-valuetext={p.of(done, counts.total)} data-testid="notice-bar" data-done={done} data-total={counts.total} />
        <span aria-live="polite" data-testid="notice-bar-text">
          {p.of(done, counts.total)}
        </span>
      </div>
      <dl className="stat-grid campaign-counts-grid">
        {shown.map((k) => (
          <div key={k} className={`stat campaign-count-${k}`} data-testid={`notice-count-${k}`} data-count={counts[k]}>
            <dt className="stat-label">{m.counts[k]}</dt>
            <dd className="stat-value">{(counts[k] ?? 0).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-US')}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">
        {campaign.publishedAt && `${p.published}: ${tokyoDateTime(campaign.publishedAt, lang)}`}
        {campaign.finishedAt && ` · ${p.finished}: ${tokyoDateTime(campaign.finishedAt, lang)}`}
      </p>
      {canAct && (
        <div className="action-buttons campaign-actions">
          {button('pause', p.pause, mayAct.pause(status))}
          {button('resume', p.resume, mayAct.resume(status))}
          {button('retry-failed', p.retry, mayAct.retry(status, counts))}
          {button('cancel', p.cancel, mayAct.cancel(status), true)}
          {button('end', p.end, mayAct.end(status, campaign.endsAt), true)}
        </div>
      )}
      {problem && (
        <p role="alert" className="alert alert-error" data-testid="notice-action-problem">
          {problem}
        </p>
      )}
    </section>
  );
}
