ALTER TABLE "return_requests" ADD COLUMN "notice_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "return_requests" ADD COLUMN "notice_channel" text;--> statement-breakpoint
ALTER TABLE "return_requests" ADD CONSTRAINT "return_requests_notice_channel_check" CHECK ("return_requests"."notice_channel" is null or "return_requests"."notice_channel" in ('email', 'phone', 'chat', 'letter', 'other'));--> statement-breakpoint
-- Added by hand: a return filed before this column was judged at its filing time, which is its notice time.
UPDATE "return_requests" SET "notice_at" = "created_at";
