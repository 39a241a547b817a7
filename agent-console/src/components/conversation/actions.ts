import { useCallback, useState } from 'react';
import { ApiError } from '../../api.ts';
import { chatApi, type ConversationPatch } from '../../chatApi.ts';
import type { Messages } from '../../i18n.ts';
// A pure table of which status may follow which: the console offers exactly the server's moves.
import { statusTransitions } from '../../../../server/domains/conversations/conversations.machine.ts';
import type { ConversationDto, ConversationStatus } from '../../types.ts';

export type Problem = ((m: Messages) => string) | string;

/** The moves offered as buttons; snoozing has its own form (it needs a time). */
export const nextStatuses = (from: ConversationStatus): readonly ConversationStatus[] => statusTransitions[from].filter((s) => s !== 'snoozed');
export const canMove = (from: ConversationStatus, to: ConversationStatus) => statusTransitions[from].includes(to);

/** A datetime-local value (no zone) read as Japan time; Japan has no daylight saving. */
export const tokyoInputToIso = (local: string) => `${local.length === 16 ? `${local}:00` : local}+09:00`;

/**
 * Changes to the open conversation. A status change says which status it saw, so when another
 * agent moved it first the server answers 409 and the console shows the latest state.
 */
export function useConversationActions(shopId: string, conversation: ConversationDto | null, onChanged: (c: ConversationDto) => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  const run = useCallback(
    async (call: () => Promise<ConversationDto>): Promise<boolean> => {
      if (!conversation) return false;
      setBusy(true);
      setProblem(null);
      try {
        onChanged(await call());
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.code === 'conflict') {
          setProblem(() => (m: Messages) => m.chat.actions.conflict);
          await chatApi.conversation(shopId, conversation.id).then(onChanged, () => undefined);
        } else if (e instanceof ApiError && (e.code === 'invalid_input' || e.code === 'invalid_transition')) {
          setProblem(e.message);
        } else {
          setProblem(() => (m: Messages) => m.chat.actions.failed);
        }
        return false;
      } finally {
        setBusy(false);
      }
    },
    [shopId, conversation, onChanged],
  );

  const update = useCallback(
    (patch: ConversationPatch) => (conversation ? run(() => chatApi.update(shopId, conversation.id, patch)) : Promise.resolve(false)),
    [run, shopId, conversation],
  );

  const moveTo = useCallback(
    (status: ConversationStatus) => (conversation ? update({ status, expectedStatus: conversation.status }) : Promise.resolve(false)),
    [update, conversation],
  );

  return { busy, problem, setProblem, run, update, moveTo };
}
