import { useId } from 'react';
import { useLang } from '../../i18n.ts';
import { storesMessages } from '../../i18n.stores.ts';
import { storesApi } from '../../storesApi.ts';

/**
 * BASE connects through its OAuth only: the button leaves for BASE's page (through the server,
 * which signs the request) and the callback comes back to this page with ?connected=base or
 * ?error=…. Without a BASE app on this deployment the button stays, disabled, with why.
 */
export function BaseConnect({ shopId, configured, reconnect }: { shopId: string; configured: boolean; reconnect: boolean }) {
  const id = useId();
  const m = storesMessages[useLang()].base;
  const label = reconnect ? m.reconnect : m.connect;
  return (
    <div className="store-connect" data-testid="base-connect">
      <p className="muted">{m.lead}</p>
      {configured ? (
        <p>
          <a className="button button-primary" href={storesApi.baseInstallUrl(shopId)} data-testid="base-install">
            {label}
          </a>
        </p>
      ) : (
        <>
          <p>
            <button type="button" className="button button-primary" disabled aria-describedby={`${id}-why`} data-testid="base-install">
              {label}
            </button>
          </p>
          <p className="muted" id={`${id}-why`} data-testid="base-not-configured">
            {m.notConfigured}
          </p>
        </>
      )}
    </div>
  );
}
