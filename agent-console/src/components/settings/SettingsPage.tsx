import { useEffect, useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { settingsMessages } from '../../i18n.settings.ts';
import type { Role, ShopView } from '../../types.ts';
import { ApiKeysSection } from './ApiKeysSection.tsx';
import { CannedSection } from './CannedSection.tsx';
import { HoursSection } from './HoursSection.tsx';
import { SlaPoliciesSection } from './SlaPoliciesSection.tsx';
import { WidgetSection } from './WidgetSection.tsx';
import '../../settings.css';

/**
 * The shop's settings, first slice: the widget (tag and allowed origins) for everyone to read
 * and owners to change, and the API keys for owners.
 */
export function SettingsPage({ shopId, role }: { shopId: string; role: Role }) {
  const lang = useLang();
  const m = settingsMessages[lang];
  const [shop, setShop] = useState<ShopView | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    api.shop(shopId, ctrl.signal).then(setShop, (e: unknown) => {
      if (!ctrl.signal.aborted && !(e instanceof ApiError && e.code === 'unauthenticated')) setFailed(true);
    });
    return () => ctrl.abort();
  }, [shopId]);

  const owner = role === 'owner';
  return (
    <div className="settings-page" data-testid="settings-page">
      <h1 className="page-title">{m.title}</h1>
      {failed && (
        <p role="alert" className="alert alert-error">
          {m.loadFailed}
        </p>
      )}
      {shop && <WidgetSection shop={shop} canEdit={owner} onSaved={setShop} />}
      <HoursSection shopId={shopId} canEdit={owner} />
      {owner && <SlaPoliciesSection shopId={shopId} />}
      <CannedSection shopId={shopId} canEdit={role !== 'contractor'} />
      {owner && <ApiKeysSection shopId={shopId} />}
    </div>
  );
}
