/** Every table, gathered for Drizzle's typed queries and for drizzle-kit. */
export * from '../../domains/shops/shops.tables.ts';
export * from '../../domains/auth/auth.tables.ts';
export * from '../../domains/apikeys/apikeys.tables.ts';
export * from '../../domains/orders/orders.tables.ts';
export * from '../../domains/audit/audit.tables.ts';
export * from '../../domains/invitations/invitations.tables.ts';
export * from '../outbox.tables.ts';
export * from '../../domains/conversations/conversations.tables.ts';
export * from '../../domains/attachments/attachments.tables.ts';
export * from '../../domains/sla/sla.tables.ts';
export * from '../../domains/canned/canned.tables.ts';
export * from '../../domains/worklog/worklog.tables.ts';
export * from '../../domains/returns/returns.tables.ts';
export * from '../../domains/notices/notices.campaigns.tables.ts';
export * from '../../domains/maillog/maillog.tables.ts';
export * from '../../domains/notices/notices.templates.tables.ts';
export * from '../../domains/slack/slack.tables.ts';
