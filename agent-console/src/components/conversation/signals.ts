import { useCallback, useEffect, useRef } from 'react';
import { useLive } from '../../socket.ts';

/** The work log counts time spent on a conversation from these beats. */
export const HEARTBEAT_MS = 30_000;
/** "Typing" is said again at most this often while keys keep coming… */
const TYPING_REPEAT_MS = 3000;
/** …and "stopped" after this long without a key. */
const TYPING_IDLE_MS = 4000;

/** `work:heartbeat` every 30 s while this conversation is open and the tab is in front. */
export function useHeartbeat(conversationId: string): void {
  const { socket } = useLive();
  useEffect(() => {
    if (!socket) return;
    const beat = () => {
      if (socket.connected && document.visibilityState === 'visible') socket.emit('work:heartbeat', { conversationId });
    };
    beat();
    const timer = window.setInterval(beat, HEARTBEAT_MS);
    return () => window.clearInterval(timer);
  }, [socket, conversationId]);
}

/**
 * Typing signals for the composer: `typing(note)` on every key, `stop()` on send. Notes say
 * `note: true`, so the server tells other agents but not the customer.
 */
export function useTypingSignal(conversationId: string) {
  const { socket } = useLive();
  const lastSent = useRef(0);
  const sentNote = useRef(false);
  const idle = useRef<number | undefined>(undefined);

  const emit = useCallback(
    (typing: boolean, note: boolean) => {
      // `note` is read by the server's handler (conversations.socket.ts) beyond the shared type.
      const payload = { conversationId, typing, note };
      socket?.emit('typing', payload);
    },
    [socket, conversationId],
  );

  const stop = useCallback(() => {
    window.clearTimeout(idle.current);
    if (lastSent.current === 0) return;
    lastSent.current = 0;
    emit(false, sentNote.current);
  }, [emit]);

  const typing = useCallback(
    (note: boolean) => {
      const now = Date.now();
      // Switching between reply and note starts over, so the customer hears "stopped".
      if (lastSent.current && sentNote.current !== note) stop();
      if (now - lastSent.current > TYPING_REPEAT_MS) {
        lastSent.current = now;
        sentNote.current = note;
        emit(true, note);
      }
      window.clearTimeout(idle.current);
      idle.current = window.setTimeout(stop, TYPING_IDLE_MS);
    },
    [emit, stop],
  );

  useEffect(() => stop, [stop]);
  return { typing, stop };
}
