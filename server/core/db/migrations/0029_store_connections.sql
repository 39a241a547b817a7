CREATE TABLE "store_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"platform" text NOT NULL,
	"account" text NOT NULL,
	"account_name" text,
	"via" text NOT NULL,
	"access_sealed" text NOT NULL,
	"refresh_sealed" text,
	"webhook_secret_sealed" text,
	"token_expires_at" timestamp with time zone,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'ok' NOT NULL,
	"broken_reason" text,
	"broken_at" timestamp with time zone,
	"backfill_days" integer DEFAULT 30 NOT NULL,
	"state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"next_sync_at" timestamp with time zone,
	"sync_started_at" timestamp with time zone,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_sync_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"orders_received" integer DEFAULT 0 NOT NULL,
	"last_error" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "store_connections_platform_check" CHECK ("store_connections"."platform" in ('shopify', 'base')),
	CONSTRAINT "store_connections_via_check" CHECK ("store_connections"."via" in ('token', 'oauth')),
	CONSTRAINT "store_connections_status_check" CHECK ("store_connections"."status" in ('ok', 'broken')),
	CONSTRAINT "store_connections_backfill_check" CHECK ("store_connections"."backfill_days" between 1 and 365)
);
--> statement-breakpoint
CREATE TABLE "store_sync_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connection_id" uuid NOT NULL,
	"shop_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"received" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"rejections" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" jsonb
);
--> statement-breakpoint
CREATE TABLE "store_webhooks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connection_id" uuid NOT NULL,
	"shop_id" uuid NOT NULL,
	"webhook_id" text NOT NULL,
	"topic" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "connection_id" uuid;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "external_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "store_connections" ADD CONSTRAINT "store_connections_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_connections" ADD CONSTRAINT "store_connections_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_sync_runs" ADD CONSTRAINT "store_sync_runs_connection_id_store_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."store_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_sync_runs" ADD CONSTRAINT "store_sync_runs_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_webhooks" ADD CONSTRAINT "store_webhooks_connection_id_store_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."store_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_webhooks" ADD CONSTRAINT "store_webhooks_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "store_connections_shop_platform_key" ON "store_connections" USING btree ("shop_id","platform");--> statement-breakpoint
CREATE INDEX "store_connections_due_idx" ON "store_connections" USING btree ("next_sync_at");--> statement-breakpoint
CREATE INDEX "store_sync_runs_connection_idx" ON "store_sync_runs" USING btree ("connection_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "store_webhooks_delivery_key" ON "store_webhooks" USING btree ("connection_id","webhook_id");--> statement-breakpoint
CREATE INDEX "store_webhooks_received_idx" ON "store_webhooks" USING btree ("received_at");--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_connection_id_store_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."store_connections"("id") ON DELETE set null ON UPDATE no action;