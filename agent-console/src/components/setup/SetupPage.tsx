import type { ReactNode } from 'react';
import { useLang } from '../../i18n.ts';
import { setupMessages, type SetupMessages } from '../../i18n.setup.ts';
import { storesMessages } from '../../i18n.stores.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import type { SetupView } from '../../setupApi.ts';
import type { Role } from '../../types.ts';
import { sampleOrderCurl } from '../../../../server/domains/orders/orders.sample.ts';
import { RouteLink } from '../RouteLink.tsx';
import { ApiKeysSection } from '../settings/ApiKeysSection.tsx';
import { CopyButton } from '../settings/CopyButton.tsx';
import { useShop } from '../settings/useShop.ts';
import { WidgetSection } from '../settings/WidgetSection.tsx';
import { useSetup } from './useSetup.ts';
import '../../settings.css';
import '../../setup.css';

type StepId = SetupView['steps'][number]['id'];

function Step({ id, view, m, children }: { id: StepId; view: SetupView; m: SetupMessages; children?: ReactNode }) {
  const step = view.steps.find((s) => s.id === id)!;
  const state = !step.available ? 'coming' : step.done ? 'done' : 'open';
  const label = state === 'coming' ? m.coming : state === 'done' ? m.done : m.notDone;
  return (
    <li className={`setup-step setup-${state}`} data-testid={`setup-step-${id}`} data-state={state}>
      <div className="setup-step-head">
        <span className="setup-mark" aria-hidden="true">
          {state === 'done' ? '✓' : state === 'coming' ? '…' : ''}
        </span>
        <h2 id={`setup-${id}`}>{m.steps[id].title}</h2>
        <span className="setup-state" data-testid={`setup-state-${id}`}>
          {label}
        </span>
      </div>
      <p className="muted">{m.steps[id].lead}</p>
      {state !== 'coming' && children}
    </li>
  );
}

/** Where the widget loaded, newest first; an origin not allowed is said plainly. */
function Sightings({ view, m }: { view: SetupView; m: SetupMessages }) {
  const lang = useLang();
  if (view.widget.seen.length === 0 && !view.widget.anyChat) return <p data-testid="setup-widget-seen">{m.notSeen}</p>;
  return (
    <ul className="setup-seen" data-testid="setup-widget-seen">
      {view.widget.seen.map((s) => (
        <li key={s.origin} className={s.allowed ? '' : 'setup-warning'}>
          {(s.allowed ? m.seenOn : m.seenNotAllowed)(s.origin, tokyoDateTime(s.lastSeenAt, lang))}
        </li>
      ))}
      {view.widget.anyChat && <li>{m.chatted}</li>}
    </ul>
  );
}

/**
 * The first-run checklist: from an empty shop to a customer chatting on it, with the steps done
 * or not by the shop's real state (the server judges; this page asks again every few seconds).
 * The widget's tag and origins and the API keys are done right here; the rest link to their
 * settings.
 */
export function SetupPage({ shopId, role }: { shopId: string; role: Role }) {
  const lang = useLang();
  const m = setupMessages[lang];
  const setup = useSetup(shopId, true);
  const { shop, saved: setShop } = useShop(shopId);

  const owner = role === 'owner';
  const view = setup.data;
  const curl = sampleOrderCurl(window.location.origin, shopId);
  return (
    <div className="settings-page setup-page" data-testid="setup-page">
      <h1 className="page-title">{m.title}</h1>
      <p>{m.lead}</p>
      {setup.state === 'failed' && !view && (
        <p role="alert" className="alert alert-error">
          {m.loadFailed}{' '}
          <button type="button" className="button button-quiet" onClick={setup.retry}>
            {m.retry}
          </button>
        </p>
      )}
      {view && (
        <>
          <p className="setup-progress" role="status" data-testid="setup-progress">
            <progress max={view.progress.of} value={view.progress.done} aria-label={m.title} /> {m.progress(view.progress.done, view.progress.of)}
            {view.progress.done === view.progress.of && <> — {m.allDone}</>}
          </p>
          <ol className="setup-steps">
            <Step id="widget" view={view} m={m}>
              <Sightings view={view} m={m} />
              {shop && <WidgetSection shop={shop} canEdit={owner} onSaved={(s) => (setShop(s), setup.retry())} />}
            </Step>
            <Step id="hours" view={view} m={m}>
              <RouteLink to={{ page: 'settings', shopId, section: 'settings-hours' }} className="button" testId="setup-go-hours">
                {m.steps.hours.action}
              </RouteLink>
            </Step>
            <Step id="terms" view={view} m={m}>
              <RouteLink to={{ page: 'returnTerms', shopId }} className="button" testId="setup-go-terms">
                {m.steps.terms.action}
              </RouteLink>
            </Step>
            <Step id="people" view={view} m={m}>
              <RouteLink to={{ page: 'settings', shopId, section: 'settings-people' }} className="button" testId="setup-go-people">
                {m.steps.people.action}
              </RouteLink>
            </Step>
            <Step id="platform" view={view} m={m}>
              <p data-testid="setup-platform-state">
                {view.platform.newestOrder
                  ? m.steps.platform.newest(tokyoDateTime(view.platform.newestOrder.orderedAt, lang), view.platform.newestOrder.source)
                  : view.platform.keyLastUsedAt
                    ? m.steps.platform.keyWorks(tokyoDateTime(view.platform.keyLastUsedAt, lang))
                    : m.steps.platform.waiting}
              </p>
              {view.platform.stores.length > 0 && (
                <ul className="setup-seen" data-testid="setup-stores">
                  {view.platform.stores.map((st) => (
                    <li key={st.platform} className={st.status === 'ok' ? '' : 'setup-warning'} data-platform={st.platform} data-status={st.status}>
                      {(st.status === 'ok' ? m.steps.platform.storeOk : m.steps.platform.storeBroken)(storesMessages[lang].platforms[st.platform])}
                    </li>
                  ))}
                </ul>
              )}
              {/* The easiest way in: the shop's store connected, its orders arrive by themselves. */}
              <div className="setup-actions">
                <RouteLink to={{ page: 'stores', shopId }} className="button button-primary" testId="setup-go-stores">
                  {m.steps.platform.storesAction}
                </RouteLink>
              </div>
              {owner && <ApiKeysSection shopId={shopId} />}
              <p>{m.steps.platform.curlLead}</p>
              <pre className="setup-code" data-testid="setup-curl">
                {curl}
              </pre>
              <div className="setup-actions">
                <CopyButton text={curl} label={m.steps.platform.copyCurl} copied={m.copied} failed={m.copyFailed} testId="setup-copy-curl" />
                {/* Or start from a file: the orders page imports CSV (UTF-8 or Shift_JIS). */}
                <RouteLink to={{ page: 'orders', shopId }} className="button" testId="setup-import-csv">
                  {m.steps.platform.importCsv}
                </RouteLink>
              </div>
            </Step>
            <Step id="notices" view={view} m={m}>
              <RouteLink to={{ page: 'notices', shopId }} className="button" testId="setup-go-notices">
                {m.steps.notices.action}
              </RouteLink>
            </Step>
            <Step id="slack" view={view} m={m}>
              <RouteLink to={{ page: 'settings', shopId, section: 'settings-slack' }} className="button" testId="setup-go-slack">
                {m.steps.slack.action}
              </RouteLink>
            </Step>
          </ol>
        </>
      )}
    </div>
  );
}
