import type { ReactNode } from 'react';
import { useLang } from '../../i18n.ts';
import { peopleSettingsMessages } from '../../i18n.settings.people.ts';
import { integrations } from './integrations.ts';
import { slackMessages } from '../../i18n.slack.ts';
import { storesMessages } from '../../i18n.stores.ts';
import { setupMessages } from '../../i18n.setup.ts';
import type { Role } from '../../types.ts';
import { RouteLink } from '../RouteLink.tsx';
import '../../settings.people.css';

/**
 * The settings of the integrations that have some, by id: the place a new capability plugs its
 * component in. Slack's has a section of its own on this page; its card leads there.
 */
const panels: Record<string, (props: { shopId: string; role: Role }) => ReactNode> = {
  stores: ({ shopId, role }) => <StoresCardLink shopId={shopId} role={role} />,
  slack: ({ shopId }) => <SlackCardLink shopId={shopId} />,
  'delay-notices': ({ shopId }) => <NoticesCardLink shopId={shopId} />,
};

/** The store connections are the owner's and staff's (the API answers 403 to others): the rest are told so. */
function StoresCardLink({ shopId, role }: { shopId: string; role: Role }) {
  const m = storesMessages[useLang()];
  if (role !== 'owner' && role !== 'staff') return <p className="muted">{m.notAllowed}</p>;
  return (
    <RouteLink to={{ page: 'stores', shopId }} className="button" testId="integration-stores-open">
      {m.settingsLink}
    </RouteLink>
  );
}

function NoticesCardLink({ shopId }: { shopId: string }) {
  const m = setupMessages[useLang()];
  return (
    <RouteLink to={{ page: 'notices', shopId }} className="button" testId="integration-notices-open">
      {m.steps.notices.action}
    </RouteLink>
  );
}

function SlackCardLink({ shopId }: { shopId: string }) {
  const m = slackMessages[useLang()];
  return (
    <RouteLink to={{ page: 'settings', shopId, section: 'settings-slack' }} className="button" testId="integration-slack-open">
      {m.openSettings}
    </RouteLink>
  );
}

/** "連携 / Integrations": one card per entry of the registry, with its state. */
export function IntegrationsSection({ shopId, role }: { shopId: string; role: Role }) {
  const lang = useLang();
  const m = peopleSettingsMessages[lang].integrations;
  return (
    <section className="settings-section" aria-labelledby="settings-integrations" data-testid="settings-integrations">
      <h2 id="settings-integrations">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      <ul className="settings-cards">
        {integrations.map((i) => {
          const Panel = panels[i.id];
          return (
            <li key={i.id} className="settings-card" aria-labelledby={`integration-${i.id}`} data-testid={`integration-${i.id}`}>
              <h3 id={`integration-${i.id}`}>{i.title[lang]}</h3>
              <span className={`settings-badge${i.status === 'coming' ? ' settings-badge-quiet' : ''}`}>{i.status === 'coming' ? m.coming : m.available}</span>
              <p className="muted">{i.description[lang]}</p>
              {i.status === 'available' && Panel && <Panel shopId={shopId} role={role} />}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
