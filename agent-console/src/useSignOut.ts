import { useState } from 'react';
import { api } from './api.ts';

/** Signing out, with its busy and failed states; used by the header and the invitation page. */
export function useSignOut(onSignedOut: () => void) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  async function signOut() {
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
