CREATE TABLE "slack_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "slack_alerts_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shop_id" uuid NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text NOT NULL,
	"event_name" text NOT NULL,
	"event_at" timestamp with time zone NOT NULL,
	"event" jsonb NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"root" boolean DEFAULT false NOT NULL,
	"ts" text,
	"thread_ts" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"sending_at" timestamp with time zone,
	"posted_at" timestamp with time zone,
	"updated_in_place_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "slack_alerts_status_check" CHECK ("slack_alerts"."status" in ('pending', 'posted', 'undelivered'))
);
--> statement-breakpoint
ALTER TABLE "slack_channels" ADD COLUMN "last_post_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "slack_alerts" ADD CONSTRAINT "slack_alerts_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "slack_alerts_dedupe_key" ON "slack_alerts" USING btree ("dedupe_key");--> statement-breakpoint
CREATE UNIQUE INDEX "slack_alerts_root_key" ON "slack_alerts" USING btree ("shop_id","object_type","object_id","channel_id") WHERE "slack_alerts"."root";--> statement-breakpoint
CREATE INDEX "slack_alerts_object_idx" ON "slack_alerts" USING btree ("shop_id","object_type","object_id","channel_id","event_at");--> statement-breakpoint
CREATE INDEX "slack_alerts_shop_status_idx" ON "slack_alerts" USING btree ("shop_id","status","created_at");