CREATE TABLE "mail_keys" (
	"shop_id" uuid PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"conversation_id" uuid,
	"order_number" text,
	"return_id" uuid,
	"campaign_id" uuid,
	"invitation_id" uuid,
	"recipient" text NOT NULL,
	"subject" text NOT NULL,
	"message_id" text NOT NULL,
	"bulk" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"smtp_response" text,
	"dsn_status" text,
	"dsn_diagnostic" text,
	"dsn_report" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"bounced_at" timestamp with time zone,
	CONSTRAINT "mail_log_kind_check" CHECK ("mail_log"."kind" in ('notice', 'portal_code', 'reply', 'return_update', 'invitation')),
	CONSTRAINT "mail_log_status_check" CHECK ("mail_log"."status" in ('queued', 'sent', 'deferred', 'bounced', 'failed', 'suppressed'))
);
--> statement-breakpoint
CREATE TABLE "mail_suppressions" (
	"shop_id" uuid NOT NULL,
	"address" text NOT NULL,
	"reason" text NOT NULL,
	"log_id" uuid,
	"detail" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_suppressions_shop_id_address_reason_pk" PRIMARY KEY("shop_id","address","reason"),
	CONSTRAINT "mail_suppressions_reason_check" CHECK ("mail_suppressions"."reason" in ('hard_bounce', 'soft_bounces', 'unsubscribed'))
);
--> statement-breakpoint
ALTER TABLE "mail_keys" ADD CONSTRAINT "mail_keys_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_log" ADD CONSTRAINT "mail_log_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_suppressions" ADD CONSTRAINT "mail_suppressions_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_suppressions" ADD CONSTRAINT "mail_suppressions_log_id_mail_log_id_fk" FOREIGN KEY ("log_id") REFERENCES "public"."mail_log"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "mail_log_message_key" ON "mail_log" USING btree ("shop_id","message_id");--> statement-breakpoint
CREATE INDEX "mail_log_shop_created_idx" ON "mail_log" USING btree ("shop_id","created_at","id");--> statement-breakpoint
CREATE INDEX "mail_log_recipient_idx" ON "mail_log" USING btree ("shop_id",lower("recipient"));--> statement-breakpoint
CREATE INDEX "mail_log_conversation_idx" ON "mail_log" USING btree ("shop_id","conversation_id") WHERE conversation_id is not null;--> statement-breakpoint
CREATE INDEX "mail_log_order_idx" ON "mail_log" USING btree ("shop_id","order_number") WHERE order_number is not null;--> statement-breakpoint
CREATE INDEX "mail_log_return_idx" ON "mail_log" USING btree ("shop_id","return_id") WHERE return_id is not null;--> statement-breakpoint
CREATE INDEX "mail_log_campaign_idx" ON "mail_log" USING btree ("shop_id","campaign_id") WHERE campaign_id is not null;