import { useId } from 'react';
import { useMessages } from '../i18n.ts';
import { navigate } from '../router.ts';
import type { Membership } from '../types.ts';

/** For people in more than one shop (owners of several shops, contractors). */
export function ShopSwitcher({ memberships, current }: { memberships: Membership[]; current: string }) {
  const m = useMessages();
  const id = useId();
  return (
    <div className="shop-switcher">
      <label htmlFor={id} className="shop-switcher-label">
        {m.shell.switchShop}
      </label>
      <select id={id} value={current} onChange={(e) => navigate({ page: 'inbox', shopId: e.target.value })} data-testid="shop-switcher">
        {memberships.map((x) => (
          <option key={x.shopId} value={x.shopId}>
            {x.shopName}
          </option>
        ))}
      </select>
    </div>
  );
}
