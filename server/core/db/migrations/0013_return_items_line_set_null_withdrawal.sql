ALTER TABLE "return_items" DROP CONSTRAINT "return_items_order_line_id_order_lines_id_fk";
--> statement-breakpoint
ALTER TABLE "return_items" ALTER COLUMN "order_line_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "return_requests" ADD COLUMN "withdrawal_received_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "return_requests" ADD COLUMN "withdrawal_channel" text;--> statement-breakpoint
ALTER TABLE "return_items" ADD CONSTRAINT "return_items_order_line_id_order_lines_id_fk" FOREIGN KEY ("order_line_id") REFERENCES "public"."order_lines"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_requests" ADD CONSTRAINT "return_requests_withdrawal_check" CHECK (("return_requests"."withdrawal_channel" is null) = ("return_requests"."withdrawal_received_at" is null) and ("return_requests"."withdrawal_channel" is null or "return_requests"."withdrawal_channel" in ('email', 'phone', 'chat', 'letter', 'other')));