-- The first pages of the returns list and of the orders list are kept like the inbox's
-- (returns.queries.ts, orders.list.ts, in the same page cache: conversations.pagecache.ts), so
-- what they show, changed, is written to inbox_changes as the inbox's own changes are (0038):
-- per statement, for the shops it touched, a row per shop and writing transaction, no row
-- locked. The returns list shows a return request's row and its order's number and customer's
-- name; the orders list, an order's row and its lines. An upsert of orders fires both the
-- INSERT and the UPDATE triggers. A shop's kept inbox pages are read again after these too,
-- one read each: orders and returns change far less often than conversations do.
CREATE TRIGGER inbox_changed_insert AFTER INSERT ON return_requests
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_update AFTER UPDATE ON return_requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows_moved();--> statement-breakpoint
CREATE TRIGGER inbox_changed_delete AFTER DELETE ON return_requests
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_insert AFTER INSERT ON orders
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_update AFTER UPDATE ON orders
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows_moved();--> statement-breakpoint
CREATE TRIGGER inbox_changed_delete AFTER DELETE ON orders
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_insert AFTER INSERT ON order_lines
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_update AFTER UPDATE ON order_lines
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows_moved();--> statement-breakpoint
CREATE TRIGGER inbox_changed_delete AFTER DELETE ON order_lines
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_truncate AFTER TRUNCATE ON return_requests FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();--> statement-breakpoint
CREATE TRIGGER inbox_changed_truncate AFTER TRUNCATE ON orders FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();--> statement-breakpoint
CREATE TRIGGER inbox_changed_truncate AFTER TRUNCATE ON order_lines FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();
