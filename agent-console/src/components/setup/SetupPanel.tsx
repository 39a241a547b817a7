import { useState } from 'react';
import { useLang } from '../../i18n.ts';
import { setupMessages } from '../../i18n.setup.ts';
import { keys, load, save } from '../../storage.ts';
import { RouteLink } from '../RouteLink.tsx';
import { useSetup } from './useSetup.ts';
import '../../setup.css';

/**
 * The checklist's place at the top of an owner's inbox while steps are open: what a merchant
 * sees on the first sign-in, one click from the whole list. Hidden once every step is done, or
 * when the person hides it (on this device; the checklist stays in the side menu).
 */
export function SetupPanel({ shopId, userId }: { shopId: string; userId: string }) {
  const m = setupMessages[useLang()];
  const hiddenKey = keys.setupHidden(userId, shopId);
  const [hidden, setHidden] = useState(() => load(hiddenKey) === '1');
  const setup = useSetup(shopId, false);
  const view = setup.data;
  if (hidden || !view || view.progress.done >= view.progress.of) return null;
  return (
    <section className="setup-panel" aria-labelledby="setup-panel-title" data-testid="setup-panel">
      <p id="setup-panel-title">
        <strong>{m.panelTitle(view.progress.done, view.progress.of)}</strong>
      </p>
      <RouteLink to={{ page: 'setup', shopId }} className="button" testId="setup-panel-open">
        {m.open}
      </RouteLink>
      <button
        type="button"
        className="button button-quiet"
        onClick={() => {
          save(hiddenKey, '1');
          setHidden(true);
        }}
        data-testid="setup-panel-hide"
      >
        {m.hide}
      </button>
    </section>
  );
}
