CREATE TABLE "mail_suppression_lifts" (
	"shop_id" uuid NOT NULL,
	"address" text NOT NULL,
	"lifted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_suppression_lifts_shop_id_address_pk" PRIMARY KEY("shop_id","address")
);
--> statement-breakpoint
ALTER TABLE "mail_suppression_lifts" ADD CONSTRAINT "mail_suppression_lifts_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;