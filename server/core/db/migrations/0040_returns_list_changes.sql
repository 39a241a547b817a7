-- The returns list's first page is kept like the inbox's (returns.queries.ts, listShopReturns,
-- in the same page cache: conversations.pagecache.ts), so what it shows, changed, is written to
-- inbox_changes as the inbox's own changes are (0038): per statement, for the shops it touched,
-- a row per shop and writing transaction, no row locked. The page shows a return request's row
-- and its order's number and customer's name. An order's INSERT shows in no return's row (a
-- return is filed after its order, an INSERT of return_requests of its own); its UPDATE
-- (an upsert's too) and DELETE count. A shop's kept inbox pages are read again after these
-- too, one read each: returns and orders change far less often than conversations do.
CREATE TRIGGER inbox_changed_insert AFTER INSERT ON return_requests
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_update AFTER UPDATE ON return_requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows_moved();--> statement-breakpoint
CREATE TRIGGER inbox_changed_delete AFTER DELETE ON return_requests
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_update AFTER UPDATE ON orders
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows_moved();--> statement-breakpoint
CREATE TRIGGER inbox_changed_delete AFTER DELETE ON orders
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_rows();--> statement-breakpoint
CREATE TRIGGER inbox_changed_truncate AFTER TRUNCATE ON return_requests FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();--> statement-breakpoint
CREATE TRIGGER inbox_changed_truncate AFTER TRUNCATE ON orders FOR EACH STATEMENT EXECUTE FUNCTION inbox_changed_everywhere();
