/** The mail log's closed lists: pure, so the console imports them without the tables. */
export const mailKinds = ['notice', 'portal_code', 'reply', 'return_update', 'invitation'] as const;
export type MailKind = (typeof mailKinds)[number];

export const mailStatuses = ['queued', 'sent', 'deferred', 'bounced', 'failed', 'suppressed'] as const;
export type MailStatus = (typeof mailStatuses)[number];

export const suppressionReasons = ['hard_bounce', 'soft_bounces', 'unsubscribed'] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];
