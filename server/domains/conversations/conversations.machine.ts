import { DomainError } from '../../core/errors.ts';
import type { ConversationStatus } from './conversations.tables.ts';

/**
 * Which status may follow which, for people moving a conversation by hand. Customer messages
 * reopen by their own rule (`reopensOnCustomerMessage`). `closed` is final: a customer who
 * writes again starts a new conversation.
 */
export const statusTransitions: Record<ConversationStatus, readonly ConversationStatus[]> = {
  open: ['pending', 'waiting_merchant', 'snoozed', 'resolved', 'closed'],
  pending: ['open', 'waiting_merchant', 'snoozed', 'resolved', 'closed'],
  waiting_merchant: ['open', 'pending', 'snoozed', 'resolved', 'closed'],
  snoozed: ['open', 'pending', 'waiting_merchant', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: [],
};

export function assertStatusTransition(from: ConversationStatus, to: ConversationStatus): void {
  if (from === to) return;
  if (!statusTransitions[from].includes(to)) {
    throw new DomainError('invalid_transition', `a conversation cannot go from ${from} to ${to}`, { from, to, allowed: statusTransitions[from] });
  }
}

/** A customer writing to a conversation that waits on them, sleeps or was resolved wakes it. */
export const reopensOnCustomerMessage = (s: ConversationStatus) => s === 'pending' || s === 'snoozed' || s === 'resolved';

/** Statuses in which a conversation counts against its assignee's capacity. */
export const activeStatuses: ConversationStatus[] = ['open', 'pending', 'waiting_merchant'];
