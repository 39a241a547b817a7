import { useLang } from '../../i18n.ts';
import { storesMessages } from '../../i18n.stores.ts';
import { RouteLink } from '../RouteLink.tsx';

/** The settings page's way to the store connections, which have a page of their own. */
export function StoresLinkSection({ shopId }: { shopId: string }) {
  const m = storesMessages[useLang()];
  return (
    <section className="settings-section" id="settings-stores" aria-labelledby="settings-stores-title" data-testid="settings-stores">
      <h2 id="settings-stores-title">{m.title}</h2>
      <p className="muted">{m.lead}</p>
      <p>
        <RouteLink to={{ page: 'stores', shopId }} className="button" testId="settings-stores-open">
          {m.settingsLink}
        </RouteLink>
      </p>
    </section>
  );
}
