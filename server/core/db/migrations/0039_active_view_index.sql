-- The active view (open, pending, waiting for the merchant) in its order, for one shop's inbox
-- and for all my shops: through conversations_shop_status_idx, a shop's active rows were all
-- read and sorted for each page (3,479 in the bench's big shop), and all my shops did so in
-- each of a contractor's shops. Its predicate is the active view's filter as the inbox sends it
-- (conversations.inbox.ts, inboxFilter; the repository's inboxConditions), so the planner can
-- prove the view's rows are all in it. Rows leave it when they stop being active or are merged.
CREATE INDEX "conversations_shop_active_idx" ON "conversations" USING btree ("shop_id","updated_at","id") WHERE "conversations"."status" in ('open', 'pending', 'waiting_merchant') and "conversations"."merged_into_id" is null;