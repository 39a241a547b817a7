import { useEffect, useState } from 'react';
import { useLang } from '../../i18n.ts';
import { oauthErrorText, storesMessages, type StoresMessages } from '../../i18n.stores.ts';
import { storesApi, type Platform, type StoresView } from '../../storesApi.ts';
import type { Role } from '../../types.ts';
import { LoadFailed, Loading } from '../metrics/LoadNotes.tsx';
import { useLoad } from '../metrics/useLoad.ts';
import { RouteLink } from '../RouteLink.tsx';
import { BaseConnect } from './BaseConnect.tsx';
import { ShopifyConnect } from './ShopifyConnect.tsx';
import { StoreStatus } from './StoreStatus.tsx';
import { takeStoresOutcome } from './storesOutcome.ts';
import '../../settings.css';
import '../../settings.people.css';
import '../../metrics.css';
import '../../returns.css';
import '../../stores.css';

/** A banner over the cards, worded at render so a change of language rewords it. */
export type Notice = { kind: 'info' | 'error'; text: (m: StoresMessages) => string } | null;

const platforms: readonly Platform[] = ['shopify', 'base'];

/**
 * Settings → ストア連携: one card per platform. Not connected, the way in (Shopify's token form
 * and its install where the server has a public app; BASE's OAuth where configured); connected,
 * how the sync goes, its recent runs, "sync now" and disconnect. Owners and staff only, as the API.
 */
export function StoresPage({ shopId, role }: { shopId: string; role: Role }) {
  const m = storesMessages[useLang()];
  if (role !== 'owner' && role !== 'staff') {
    return (
      <section className="empty-state" data-testid="stores-not-allowed">
        <h1 className="empty-title">{m.notAllowedTitle}</h1>
        <p className="muted">{m.notAllowed}</p>
      </section>
    );
  }
  return <StoresBody shopId={shopId} />;
}

function StoresBody({ shopId }: { shopId: string }) {
  const m = storesMessages[useLang()];
  const [notice, setNotice] = useState<Notice>(null);
  // Back from an OAuth install: said once, whatever the address still carries.
  useEffect(() => {
    const o = takeStoresOutcome();
    if (o) setNotice(o.ok ? { kind: 'info', text: (w) => w.connected(w.platforms[o.platform]) } : { kind: 'error', text: (w) => oauthErrorText(w, o.code) });
    // Once, on arrival.
  }, []);
  const list = useLoad((signal) => storesApi.list(shopId, signal), shopId);
  const view = list.data;
  return (
    <div className="settings-page stores-page" data-testid="stores-page">
      <p>
        <RouteLink to={{ page: 'settings', shopId }} testId="stores-back">
          {m.backToSettings}
        </RouteLink>
      </p>
      <h1 className="page-title">{m.title}</h1>
      <p className="muted">{m.lead}</p>
      {notice && (
        <p role={notice.kind === 'error' ? 'alert' : 'status'} className={`alert alert-${notice.kind}`} data-testid="stores-notice">
          {notice.text(m)}
        </p>
      )}
      {!view && list.state === 'loading' && <Loading />}
      {list.state === 'failed' && <LoadFailed text={m.loadFailed} retry={list.retry} testId="stores-load-failed" />}
      {view && platforms.map((p) => <PlatformCard key={p} platform={p} shopId={shopId} view={view} onChanged={list.retry} onNotice={setNotice} />)}
    </div>
  );
}

function PlatformCard({ platform, shopId, view, onChanged, onNotice }: { platform: Platform; shopId: string; view: StoresView; onChanged: () => void; onNotice: (n: Notice) => void }) {
  const m = storesMessages[useLang()];
  const store = view.stores.find((s) => s.platform === platform) ?? null;
  const name = m.platforms[platform];
  const reconnecting = store?.status === 'broken';
  return (
    <section className="settings-section store-card" aria-labelledby={`store-${platform}-title`} data-testid={`store-${platform}`} data-state={store ? store.status : 'none'}>
      <h2 id={`store-${platform}-title`}>{name}</h2>
      {store ? (
        <StoreStatus key={store.id} shopId={shopId} summary={store} onStale={onChanged} onNotice={onNotice} />
      ) : (
        <p className="muted" data-testid={`store-${platform}-none`}>
          {m.notConnected}
        </p>
      )}
      {(!store || reconnecting) &&
        (platform === 'shopify' ? (
          <ShopifyConnect
            shopId={shopId}
            oauth={view.available.shopify.oauth}
            reconnect={reconnecting}
            initialDomain={store?.account ?? ''}
            onConnected={() => {
              onNotice({ kind: 'info', text: (w) => w.connected(w.platforms[platform]) });
              onChanged();
            }}
          />
        ) : (
          <BaseConnect shopId={shopId} configured={view.available.base.oauth} reconnect={reconnecting} />
        ))}
    </section>
  );
}
