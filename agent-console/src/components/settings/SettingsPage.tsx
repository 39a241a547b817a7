import { useEffect } from 'react';
import { NAVIGATE } from '../../router.ts';
import { useLang } from '../../i18n.ts';
import { settingsMessages } from '../../i18n.settings.ts';
import type { Role } from '../../types.ts';
import { ApiKeysSection } from './ApiKeysSection.tsx';
import { CannedSection } from './CannedSection.tsx';
import { HoursSection } from './HoursSection.tsx';
import { IntegrationsSection } from './IntegrationsSection.tsx';
import { PeopleSection } from './PeopleSection.tsx';
import { ShopProfileSection } from './ShopProfileSection.tsx';
import { SlaPoliciesSection } from './SlaPoliciesSection.tsx';
import { WidgetSecretSection } from './WidgetSecretSection.tsx';
import { useShop } from './useShop.ts';
import { WidgetSection } from './WidgetSection.tsx';
import { MailSettingsSection } from '../maillog/MailSettingsSection.tsx';
import { SlackSection } from '../slack/SlackSection.tsx';
import { StoresLinkSection } from '../stores/StoresLinkSection.tsx';
import '../../settings.css';

/**
 * A link such as settings#settings-hours (from the first-run checklist) brings that section into
 * view once the page has drawn it, and again when the console moves between sections in place.
 */
function useSectionFromHash(ready: boolean) {
  useEffect(() => {
    if (!ready) return;
    const show = () => {
      const id = decodeURIComponent(window.location.hash.slice(1));
      const el = id ? document.getElementById(id) : null;
      if (!el) return;
      el.scrollIntoView({ block: 'start' });
      const heading = el.matches('h2, h3') ? el : el.querySelector<HTMLElement>('h2');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      }
    };
    const frame = requestAnimationFrame(show);
    window.addEventListener(NAVIGATE, show);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener(NAVIGATE, show);
    };
  }, [ready]);
}

/**
 * The shop's settings, first slice: the widget (tag and allowed origins) for everyone to read
 * and owners to change, and the API keys for owners.
 */
export function SettingsPage({ shopId, role, userId }: { shopId: string; role: Role; userId: string }) {
  const lang = useLang();
  const m = settingsMessages[lang];
  const { shop, failed, saved: setShop } = useShop(shopId);

  useSectionFromHash(shop !== null);

  const owner = role === 'owner';
  return (
    <div className="settings-page" data-testid="settings-page">
      <h1 className="page-title">{m.title}</h1>
      {failed && (
        <p role="alert" className="alert alert-error">
          {m.loadFailed}
        </p>
      )}
      {shop && <ShopProfileSection shop={shop} canEdit={owner} onSaved={setShop} />}
      {shop && <WidgetSection shop={shop} canEdit={owner} onSaved={setShop} />}
      {owner && <WidgetSecretSection shopId={shopId} />}
      {(owner || role === 'staff') && <StoresLinkSection shopId={shopId} />}
      <HoursSection shopId={shopId} canEdit={owner} />
      {owner && <SlaPoliciesSection shopId={shopId} />}
      {(owner || role === 'staff') && <PeopleSection shopId={shopId} role={role} />}
      <CannedSection shopId={shopId} canEdit={role !== 'contractor'} />
      {owner && <ApiKeysSection shopId={shopId} />}
      {(owner || role === 'staff') && <MailSettingsSection shopId={shopId} />}
      <SlackSection shopId={shopId} role={role} userId={userId} />
      <IntegrationsSection shopId={shopId} role={role} />
    </div>
  );
}
