CREATE TABLE "system_troubles" (
	"shop_id" uuid NOT NULL,
	"key" text NOT NULL,
	"alerted_at" timestamp with time zone NOT NULL,
	"noted_at" timestamp with time zone NOT NULL,
	"notes" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "system_troubles_shop_id_key_pk" PRIMARY KEY("shop_id","key")
);
--> statement-breakpoint
ALTER TABLE "system_troubles" ADD CONSTRAINT "system_troubles_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;