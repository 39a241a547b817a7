-- The first pages of the returns list and of the orders list are kept like the inbox's
-- (returns.queries.ts, orders.list.ts, in the same page cache: conversations.pagecache.ts), each
-- checked against its own changes: a row per shop, list and writing transaction (its top-level
-- xid), written as inbox_changes' are (0038), per statement, over the shops the statement
-- touched (an UPDATE: before and after), ON CONFLICT keeping one row, no row locked. Apart from
-- inbox_changes, so that a shop's conversations changing many times a second leave its kept
-- returns and orders pages standing, and an order import its inbox pages. The trigger's
-- arguments name the lists a table shows in: the returns list shows a return request's row and
-- its order's number and customer's name; the orders list, an order's row and its lines. An
-- upsert fires both the INSERT and the UPDATE triggers. A TRUNCATE counts for every shop (the
-- nil UUID). inbox_changes_horizon bounds these rows too (pruneInboxChanges removes both).
CREATE TABLE "list_changes" (
	"shop_id" uuid NOT NULL,
	"list" text NOT NULL CHECK ("list" in ('returns', 'orders')),
	"xid" xid8 NOT NULL,
	CONSTRAINT "list_changes_pkey" PRIMARY KEY ("shop_id", "list", "xid")
);--> statement-breakpoint
CREATE FUNCTION list_changed_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO list_changes (shop_id, list, xid)
    SELECT DISTINCT r.shop_id, l.list, pg_current_xact_id() FROM changed_rows r CROSS JOIN unnest(TG_ARGV) l(list) WHERE r.shop_id IS NOT NULL
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION list_changed_rows_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO list_changes (shop_id, list, xid)
    SELECT DISTINCT r.shop_id, l.list, pg_current_xact_id() FROM (SELECT shop_id FROM changed_rows UNION SELECT shop_id FROM old_rows) r CROSS JOIN unnest(TG_ARGV) l(list) WHERE r.shop_id IS NOT NULL
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION list_changed_everywhere() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO list_changes (shop_id, list, xid)
    SELECT '00000000-0000-0000-0000-000000000000', l.list, pg_current_xact_id() FROM unnest(TG_ARGV) l(list)
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER list_changed_insert AFTER INSERT ON return_requests
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION list_changed_rows('returns');--> statement-breakpoint
CREATE TRIGGER list_changed_update AFTER UPDATE ON return_requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION list_changed_rows_moved('returns');--> statement-breakpoint
CREATE TRIGGER list_changed_delete AFTER DELETE ON return_requests
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION list_changed_rows('returns');--> statement-breakpoint
CREATE TRIGGER list_changed_insert AFTER INSERT ON orders
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION list_changed_rows('orders');--> statement-breakpoint
CREATE TRIGGER list_changed_update AFTER UPDATE ON orders
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION list_changed_rows_moved('orders', 'returns');--> statement-breakpoint
CREATE TRIGGER list_changed_delete AFTER DELETE ON orders
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION list_changed_rows('orders', 'returns');--> statement-breakpoint
CREATE TRIGGER list_changed_insert AFTER INSERT ON order_lines
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION list_changed_rows('orders');--> statement-breakpoint
CREATE TRIGGER list_changed_update AFTER UPDATE ON order_lines
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION list_changed_rows_moved('orders');--> statement-breakpoint
CREATE TRIGGER list_changed_delete AFTER DELETE ON order_lines
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION list_changed_rows('orders');--> statement-breakpoint
CREATE TRIGGER list_changed_truncate AFTER TRUNCATE ON return_requests FOR EACH STATEMENT EXECUTE FUNCTION list_changed_everywhere('returns');--> statement-breakpoint
CREATE TRIGGER list_changed_truncate AFTER TRUNCATE ON orders FOR EACH STATEMENT EXECUTE FUNCTION list_changed_everywhere('orders', 'returns');--> statement-breakpoint
CREATE TRIGGER list_changed_truncate AFTER TRUNCATE ON order_lines FOR EACH STATEMENT EXECUTE FUNCTION list_changed_everywhere('orders');
