ALTER TABLE "outbox" ADD COLUMN "dispatched_to" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "outbox_unfinished_idx" ON "outbox" USING btree ("dispatched_to","id") WHERE "outbox"."dispatched_at" is not null and "outbox"."completed_at" is null and "outbox"."failed_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_unfinished_key_idx" ON "outbox" USING btree ("dedupe_key") WHERE "outbox"."dedupe_key" is not null and "outbox"."completed_at" is null and "outbox"."failed_at" is null;