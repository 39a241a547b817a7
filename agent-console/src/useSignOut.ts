import { useState } from 'react';
import { api } from './api.ts';
import { mayLeave } from './router.ts';

/**
 * Signing out, with its busy and failed states; used by the header and the invitation page.
 * A page with unsaved changes is asked first: staying keeps the session and the page as they are.
 */
export function useSignOut(onSignedOut: () => void) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  async function signOut() {
    if (!mayLeave()) return;
    setBusy(true);
    setFailed(false);
    try {
      await api.signOut();
      onSignedOut();
    } catch {
      setFailed(true);
      setBusy(false);
    }
  }
  return { busy, failed, signOut };
}
