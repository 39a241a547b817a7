ALTER TABLE "mail_log" ADD COLUMN "order_numbers" text[];--> statement-breakpoint
CREATE INDEX "mail_log_order_numbers_idx" ON "mail_log" USING gin ("order_numbers") WHERE order_numbers is not null;