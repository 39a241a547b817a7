CREATE TABLE "notice_campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"template_version_id" uuid,
	"variables" jsonb NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"channels" jsonb NOT NULL,
	"target" jsonb NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"total" integer,
	"published_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notice_campaigns_status_check" CHECK ("notice_campaigns"."status" in ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled')),
	CONSTRAINT "notice_campaigns_window_check" CHECK ("notice_campaigns"."ends_at" is null or "notice_campaigns"."ends_at" > "notice_campaigns"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "notice_recipients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"email" text NOT NULL,
	"customer_name" text NOT NULL,
	"order_numbers" text[] NOT NULL,
	"chunk" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"reason" text,
	"message_id" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notice_recipients_campaign_email_key" UNIQUE("campaign_id","email"),
	CONSTRAINT "notice_recipients_status_check" CHECK ("notice_recipients"."status" in ('queued', 'sent', 'failed', 'suppressed', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "origin_prefecture" text;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "notice_mails_per_minute" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "origin_prefecture" text;--> statement-breakpoint
ALTER TABLE "notice_campaigns" ADD CONSTRAINT "notice_campaigns_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_recipients" ADD CONSTRAINT "notice_recipients_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_recipients" ADD CONSTRAINT "notice_recipients_campaign_id_notice_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."notice_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notice_campaigns_shop_created_idx" ON "notice_campaigns" USING btree ("shop_id","created_at");--> statement-breakpoint
CREATE INDEX "notice_campaigns_status_idx" ON "notice_campaigns" USING btree ("status");--> statement-breakpoint
CREATE INDEX "notice_recipients_campaign_status_chunk_idx" ON "notice_recipients" USING btree ("campaign_id","status","chunk");--> statement-breakpoint
CREATE INDEX "notice_recipients_shop_idx" ON "notice_recipients" USING btree ("shop_id");--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_notice_mails_per_minute_check" CHECK ("shops"."notice_mails_per_minute" >= 0);