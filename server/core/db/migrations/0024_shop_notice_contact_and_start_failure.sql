ALTER TABLE "shops" ADD COLUMN "notice_contact" text;--> statement-breakpoint
ALTER TABLE "notice_campaigns" ADD COLUMN "start_failure" jsonb;