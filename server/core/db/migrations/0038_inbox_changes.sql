-- What an inbox page shows, changed: a row per shop and writing transaction (its top-level
-- xid), so a page kept in the process (conversations.pagecache.ts) can be checked against the
-- changes its snapshot did not see, in one look-up, without reading the page again. A page
-- shows the conversation's row (its SLA badge included, since 0036), its customer, its
-- assignee's name and its last message up to the row's last_seq; a message added past
-- last_seq shows only once last_seq moves, which is an UPDATE of the conversation, so messages
-- count for UPDATE and DELETE only and the chat's INSERT of a message pays nothing here. A
-- person's name is shown in every shop they were assigned in, member or not any more: its
-- change, and a TRUNCATE of any of these tables, is written for every shop at once (the nil
-- UUID). Per statement, over the shops the statement touched (an UPDATE: before and after);
-- ON CONFLICT keeps one row per transaction and shop. No row is locked, so writers of one shop
-- never wait for each other here. inbox_changes_horizon holds the xid below which rows have
-- been removed, and the xid it moves to at the next removal, taken at least a minute before
-- (conversations.pagecache.repository.ts): a page whose snapshot is older than the horizon
-- cannot be checked and is read again.
CREATE TABLE "inbox_changes" (
	"shop_id" uuid NOT NULL,
	"xid" xid8 NOT NULL,
	CONSTRAINT "inbox_changes_pkey" PRIMARY KEY ("shop_id", "xid")
);--> statement-breakpoint
CREATE TABLE "inbox_changes_horizon" (
	"only" boolean PRIMARY KEY DEFAULT true NOT NULL CHECK ("only"),
	"xid" xid8 NOT NULL,
	"next_xid" xid8 NOT NULL,
	"next_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
INSERT INTO "inbox_changes_horizon" ("xid", "next_xid", "next_at") VALUES (pg_snapshot_xmin(pg_current_snapshot()), pg_snapshot_xmin(pg_current_snapshot()), now());--> statement-breakpoint
CREATE FUNCTION inbox_changed_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inbox_changes (shop_id, xid)
    SELECT DISTINCT r.shop_id, pg_current_xact_id() FROM changed_rows r WHERE r.shop_id IS NOT NULL
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION inbox_changed_rows_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inbox_changes (shop_id, xid)
    SELECT DISTINCT r.shop_id, pg_current_xact_id() FROM (SELECT shop_id FROM changed_rows UNION SELECT shop_id FROM old_rows) r WHERE r.shop_id IS NOT NULL
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION inbox_changed_everywhere() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inbox_changes (shop_id, xid) VALUES ('00000000-0000-0000-0000-000000000000', pg_current_xact_id())
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER inbox_changed_insert AFTER INSERT ON conversations
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_update AFTER UPDATE ON conversations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows_moved();--> statement-breakpoint
CREATE TRIGGER inbox_changed_delete AFTER DELETE ON conversations
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_update AFTER UPDATE ON customers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows_moved();--> statement-breakpoint
CREATE TRIGGER inbox_changed_delete AFTER DELETE ON customers
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_update AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows_moved();--> statement-breakpoint
CREATE TRIGGER inbox_changed_delete AFTER DELETE ON messages
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_name AFTER UPDATE OF name ON users
  FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();--> statement-breakpoint
CREATE TRIGGER inbox_changed_truncate AFTER TRUNCATE ON conversations FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();--> statement-breakpoint
CREATE TRIGGER inbox_changed_truncate AFTER TRUNCATE ON customers FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();--> statement-breakpoint
CREATE TRIGGER inbox_changed_truncate AFTER TRUNCATE ON messages FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();--> statement-breakpoint
CREATE TRIGGER inbox_changed_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();
