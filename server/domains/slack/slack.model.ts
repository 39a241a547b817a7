/**
 * The Slack app's closed lists, shared by the connection, the alerts and the console: which
 * alerts there are (each routed to a channel or muted per shop), how a shop is connected, and
 * what a connection or channel can be.
 */
export const slackAlertKinds = [
  /** A return was filed. */
  'return_requested',
  /** A return needs someone to decide (Approve / Reject / Open). */
  'return_needs_review',
  /** A refund failed at the payment provider. */
  'refund_failed',
  /** An SLA clock will be due soon. */
  'sla_at_risk',
  /** An SLA clock passed its due time. */
  'sla_breached',
  /** A customer rated a conversation 1 or 2. */
  'csat_low',
  /** An agent asked the merchant about a ticket (the question thread). */
  'merchant_question',
  /** A delay notice finished sending (sent / failed / bounced counts). */
  'notice_finished',
  /** Jobs failing repeatedly, a dependency down. */
  'system_trouble',
] as const;
export type SlackAlertKind = (typeof slackAlertKinds)[number];

/** How a shop connected: Bolt's OAuth install ("Add to Slack"), or its own app's bot token pasted in settings. */
export const slackConnectionVias = ['oauth', 'token'] as const;
export type SlackConnectionVia = (typeof slackConnectionVias)[number];

/** `broken`: Slack refused the token (invalid_auth, account_inactive, token_revoked, …); the console offers to reconnect. */
export const slackConnectionStatuses = ['ok', 'broken'] as const;
export type SlackConnectionStatus = (typeof slackConnectionStatuses)[number];

/** How a madoguchi person was linked to a Slack person: the same verified email, or a link they confirmed in the console. */
export const slackLinkVias = ['email', 'confirmed'] as const;
export type SlackLinkVia = (typeof slackLinkVias)[number];

/** Slack's answers that mean the connection itself no longer works (the console shows it broken, with a reconnect action). */
export const connectionBrokenErrors = ['invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'not_authed', 'team_access_not_granted', 'missing_scope', 'app_uninstalled'] as const;
/** Slack's answers that mean one channel no longer works (archived, deleted, the bot removed). */
export const channelBrokenErrors = ['channel_not_found', 'not_in_channel', 'is_archived', 'restricted_action'] as const;
