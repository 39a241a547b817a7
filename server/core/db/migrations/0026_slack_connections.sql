CREATE TABLE "slack_channels" (
	"shop_id" uuid NOT NULL,
	"channel_id" text NOT NULL,
	"name" text,
	"broken_reason" text,
	"broken_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "slack_channels_shop_id_channel_id_pk" PRIMARY KEY("shop_id","channel_id")
);
--> statement-breakpoint
CREATE TABLE "slack_connections" (
	"shop_id" uuid PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"team_name" text,
	"enterprise_id" text,
	"app_id" text,
	"bot_user_id" text NOT NULL,
	"bot_id" text,
	"via" text NOT NULL,
	"bot_token_sealed" text NOT NULL,
	"signing_secret_sealed" text,
	"scopes" text[] DEFAULT '{}'::text[] NOT NULL,
	"default_channel_id" text,
	"installed_by" uuid,
	"status" text DEFAULT 'ok' NOT NULL,
	"broken_reason" text,
	"broken_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "slack_connections_via_check" CHECK ("slack_connections"."via" in ('oauth', 'token')),
	CONSTRAINT "slack_connections_status_check" CHECK ("slack_connections"."status" in ('ok', 'broken'))
);
--> statement-breakpoint
CREATE TABLE "slack_incoming" (
	"key" text PRIMARY KEY NOT NULL,
	"team_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_routes" (
	"shop_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"channel_id" text,
	"muted" boolean DEFAULT false NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "slack_routes_shop_id_kind_pk" PRIMARY KEY("shop_id","kind")
);
--> statement-breakpoint
CREATE TABLE "slack_user_links" (
	"shop_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"team_id" text NOT NULL,
	"slack_user_id" text NOT NULL,
	"via" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "slack_user_links_shop_id_user_id_pk" PRIMARY KEY("shop_id","user_id"),
	CONSTRAINT "slack_user_links_via_check" CHECK ("slack_user_links"."via" in ('email', 'confirmed'))
);
--> statement-breakpoint
ALTER TABLE "slack_channels" ADD CONSTRAINT "slack_channels_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slack_connections" ADD CONSTRAINT "slack_connections_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slack_connections" ADD CONSTRAINT "slack_connections_installed_by_users_id_fk" FOREIGN KEY ("installed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slack_routes" ADD CONSTRAINT "slack_routes_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slack_routes" ADD CONSTRAINT "slack_routes_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slack_user_links" ADD CONSTRAINT "slack_user_links_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slack_user_links" ADD CONSTRAINT "slack_user_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "slack_connections_team_idx" ON "slack_connections" USING btree ("team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "slack_user_links_slack_key" ON "slack_user_links" USING btree ("shop_id","team_id","slack_user_id");