/** localStorage that never throws (private windows, storage turned off): a lost preference is fine. */
const prefix = 'madoguchi.';

export function load(key: string): string | null {
  try {
    return window.localStorage.getItem(prefix + key);
  } catch {
    return null;
  }
}

export function save(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(prefix + key);
    else window.localStorage.setItem(prefix + key, value);
  } catch {
    // not remembered; nothing else depends on it
  }
}

/** Per person, so two people sharing a computer keep their own shop and language. */
export const keys = {
  lang: (userId: string) => `lang.${userId}`,
  shop: (userId: string) => `shop.${userId}`,
  /** The owner hid the first-run checklist's panel in this shop's inbox. */
  setupHidden: (userId: string, shopId: string) => `setupHidden.${userId}.${shopId}`,
  /** Set while signed in: a 401 on the next visit then means the session expired. */
  hadSession: 'hadSession',
};
