import { useEffect, useState } from 'react';
import type { Membership } from '../../types.ts';
import { settingsPeopleApi, type MemberView } from '../../settingsPeopleApi.ts';

/**
 * For each contractor of this shop, the owner's other shops they also work in. A contractor may
 * work for several shops; only the shops the signed-in owner owns are looked at (one members
 * list each, which an owner may read), never anyone else's. Empty until loaded, and for others.
 */
export function useContractorShops(shopId: string, members: MemberView[] | null, mine: Membership[] | undefined, isOwner: boolean): Map<string, string[]> {
  const [found, setFound] = useState<Map<string, string[]>>(new Map());
  const contractors = (members ?? []).filter((m) => m.role === 'contractor').map((m) => m.userId);
  const others = (mine ?? []).filter((s) => s.role === 'owner' && s.shopId !== shopId);
  const key = `${contractors.join(',')}|${others.map((s) => s.shopId).join(',')}`;

  useEffect(() => {
    if (!isOwner || contractors.length === 0 || others.length === 0) {
      setFound(new Map());
      return;
    }
    const ctrl = new AbortController();
    void Promise.all(
      others.map((s) =>
        settingsPeopleApi.members(s.shopId, ctrl.signal).then(
          (list) => ({ shop: s.shopName, ids: new Set(list.map((m) => m.userId)) }),
          // One shop that cannot be read leaves that shop out, not the list.
          () => ({ shop: s.shopName, ids: new Set<string>() }),
        ),
      ),
    ).then((lists) => {
      if (ctrl.signal.aborted) return;
      setFound(new Map(contractors.map((id) => [id, lists.filter((l) => l.ids.has(id)).map((l) => l.shop)])));
    });
    return () => ctrl.abort();
    // `key` names the contractors and the shops; the arrays are new each render.
  }, [key, isOwner]);

  return found;
}
