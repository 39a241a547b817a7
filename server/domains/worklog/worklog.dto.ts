/** The work log's answers (worklog.routes.ts), named so the console imports them instead of inferring them from the service. */

/** One person's month: time on conversations, and how many they worked on and resolved. */
export interface AgentWork {
  userId: string;
  name: string;
  totalSeconds: number;
  /** Conversations worked on in the month: the count for per-ticket billing. */
  conversations: number;
  /** Of those, resolved or closed within the month. */
  resolved: number;
  rows: { conversationId: string; number: number; seconds: number; resolved: boolean }[];
}

/** The month's work per person (`month` as YYYY-MM, [from, to) its Tokyo bounds). */
export interface WorkLogReport {
  month: string;
  from: string;
  to: string;
  agents: AgentWork[];
}
