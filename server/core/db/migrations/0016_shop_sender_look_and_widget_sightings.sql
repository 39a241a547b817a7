CREATE TABLE "widget_sightings" (
	"shop_id" uuid NOT NULL,
	"origin" text NOT NULL,
	"allowed" boolean NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "widget_sightings_shop_id_origin_pk" PRIMARY KEY("shop_id","origin")
);
--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "mail_sender_name" text;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "widget_color" text;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "widget_greeting_ja" text;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "widget_greeting_en" text;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "privacy_url" text;--> statement-breakpoint
ALTER TABLE "shops" ADD COLUMN "reply_time" text;--> statement-breakpoint
ALTER TABLE "widget_sightings" ADD CONSTRAINT "widget_sightings_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_reply_time_check" CHECK ("shops"."reply_time" in ('minutes', 'hours', 'day'));