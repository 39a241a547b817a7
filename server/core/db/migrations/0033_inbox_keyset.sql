-- The inbox orders and pages on conversations.updated_at itself, through an index per view,
-- instead of on date_trunc('milliseconds', updated_at), which no index served (a whole shop's
-- history sorted on every request). The column keeps milliseconds, the cursor's precision:
-- existing values are truncated (as the cursors already given out were), new ones rounded.
DROP INDEX "conversations_shop_status_idx";--> statement-breakpoint
ALTER TABLE "conversations" ALTER COLUMN "updated_at" SET DATA TYPE timestamp (3) with time zone USING date_trunc('milliseconds', "updated_at");--> statement-breakpoint
CREATE INDEX "conversations_shop_updated_idx" ON "conversations" USING btree ("shop_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "conversations_shop_assignee_updated_idx" ON "conversations" USING btree ("shop_id","assignee_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "conversations_shop_priority_idx" ON "conversations" USING btree ("shop_id","priority","updated_at","id");--> statement-breakpoint
CREATE INDEX "conversations_shop_status_idx" ON "conversations" USING btree ("shop_id","status","updated_at","id");