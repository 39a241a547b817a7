CREATE TABLE "return_bank_accounts" (
	"return_id" uuid PRIMARY KEY NOT NULL,
	"shop_id" uuid NOT NULL,
	"bank_name" text NOT NULL,
	"branch_name" text NOT NULL,
	"account_type" text NOT NULL,
	"account_number" text NOT NULL,
	"holder_kana" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "return_counters" (
	"shop_id" uuid PRIMARY KEY NOT NULL,
	"last" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "return_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"return_id" uuid NOT NULL,
	"order_line_id" uuid NOT NULL,
	"line_no" integer NOT NULL,
	"quantity" integer NOT NULL,
	CONSTRAINT "return_items_line_key" UNIQUE("return_id","line_no"),
	CONSTRAINT "return_items_quantity_check" CHECK ("return_items"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "return_photos" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"return_id" uuid NOT NULL,
	"storage_key" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"filename" text NOT NULL,
	"position" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "return_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"order_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"legal_basis" text NOT NULL,
	"status" text NOT NULL,
	"terms_version" integer,
	"comment" text,
	"source" text NOT NULL,
	"refund_method" text NOT NULL,
	"return_label_by_shop" boolean NOT NULL,
	"keep_item" boolean DEFAULT false NOT NULL,
	"policy" jsonb NOT NULL,
	"review_reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"flags" text[] DEFAULT '{}'::text[] NOT NULL,
	"refund" jsonb NOT NULL,
	"refund_total" integer NOT NULL,
	"refund_limit" integer NOT NULL,
	"fees_included" boolean DEFAULT false NOT NULL,
	"exchange_items" jsonb,
	"rejection_code" text,
	"decision_note" text,
	"carrier" text,
	"tracking_number" text,
	"ship_by" timestamp with time zone,
	"shipped_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"refunded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "return_requests_shop_number_key" UNIQUE("shop_id","number"),
	CONSTRAINT "return_requests_refund_check" CHECK ("return_requests"."refund_total" >= 0),
	CONSTRAINT "return_requests_status_check" CHECK ("return_requests"."status" in ('requested', 'needs_review', 'approved', 'rejected', 'awaiting_shipment', 'in_transit', 'received', 'inspected', 'expired', 'refund_pending', 'refund_failed', 'exchange_pending', 'refunded', 'exchanged', 'closed', 'canceled')),
	CONSTRAINT "return_requests_kind_check" CHECK ("return_requests"."kind" in ('return', 'exchange', 'refused_delivery')),
	CONSTRAINT "return_requests_reason_check" CHECK ("return_requests"."reason" in ('size', 'not_as_expected', 'defective', 'wrong_item', 'changed_mind', 'late_delivery')),
	CONSTRAINT "return_requests_basis_check" CHECK ("return_requests"."legal_basis" in ('statutory', 'terms', 'defect', 'shop_error', 'goodwill')),
	CONSTRAINT "return_requests_rejection_check" CHECK ("return_requests"."rejection_code" is null or "return_requests"."rejection_code" in ('outside_window', 'non_returnable_item', 'condition_not_met', 'returns_not_accepted', 'no_defect_found', 'missing_evidence', 'suspected_abuse', 'other'))
);
--> statement-breakpoint
CREATE TABLE "return_terms_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"terms" jsonb NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" text NOT NULL,
	CONSTRAINT "return_terms_shop_version_key" UNIQUE("shop_id","version")
);
--> statement-breakpoint
CREATE TABLE "return_transitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"return_id" uuid NOT NULL,
	"event" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" text,
	"actor_name" text NOT NULL,
	"reason_code" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "return_bank_accounts" ADD CONSTRAINT "return_bank_accounts_return_id_return_requests_id_fk" FOREIGN KEY ("return_id") REFERENCES "public"."return_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_bank_accounts" ADD CONSTRAINT "return_bank_accounts_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_counters" ADD CONSTRAINT "return_counters_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_items" ADD CONSTRAINT "return_items_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_items" ADD CONSTRAINT "return_items_return_id_return_requests_id_fk" FOREIGN KEY ("return_id") REFERENCES "public"."return_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_items" ADD CONSTRAINT "return_items_order_line_id_order_lines_id_fk" FOREIGN KEY ("order_line_id") REFERENCES "public"."order_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_photos" ADD CONSTRAINT "return_photos_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_photos" ADD CONSTRAINT "return_photos_return_id_return_requests_id_fk" FOREIGN KEY ("return_id") REFERENCES "public"."return_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_requests" ADD CONSTRAINT "return_requests_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_requests" ADD CONSTRAINT "return_requests_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_terms_versions" ADD CONSTRAINT "return_terms_versions_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_transitions" ADD CONSTRAINT "return_transitions_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_transitions" ADD CONSTRAINT "return_transitions_return_id_return_requests_id_fk" FOREIGN KEY ("return_id") REFERENCES "public"."return_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "return_photos_return_idx" ON "return_photos" USING btree ("return_id");--> statement-breakpoint
CREATE INDEX "return_requests_shop_status_idx" ON "return_requests" USING btree ("shop_id","status","created_at");--> statement-breakpoint
CREATE INDEX "return_requests_order_idx" ON "return_requests" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "return_terms_shop_published_idx" ON "return_terms_versions" USING btree ("shop_id","published_at");--> statement-breakpoint
CREATE INDEX "return_transitions_return_idx" ON "return_transitions" USING btree ("return_id","created_at");--> statement-breakpoint
-- Published terms and a return's history are never edited: a return is judged by the version it records, and the history is evidence. (Deletes stay possible only through the shop's own removal.)
CREATE OR REPLACE FUNCTION returns_no_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (UPDATE refused)', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER return_terms_versions_no_update BEFORE UPDATE ON return_terms_versions
  FOR EACH ROW EXECUTE FUNCTION returns_no_update();
--> statement-breakpoint
CREATE TRIGGER return_transitions_no_update BEFORE UPDATE ON return_transitions
  FOR EACH ROW EXECUTE FUNCTION returns_no_update();
