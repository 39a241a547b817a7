ALTER TABLE "conversations" ADD COLUMN "sla_open" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "sla_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "sla_at_risk_from" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "sla_breached_from" timestamp with time zone;--> statement-breakpoint
-- A conversation's SLA badge, summed up on its own row (sla_open, sla_due_at, sla_at_risk_from,
-- sla_breached_from) whenever one of its clocks changes, so that a list reads it with the row:
-- looked up in sla_clocks for each row, it was a third of an inbox page's PostgreSQL time. The
-- rules of clockState (sla.machine.ts) over the open clocks (met_at null): a clock counts as
-- breached once its breach has fired in its cycle (breached_at >= started_at) or once it is due,
-- at risk once that alert has fired or once at_risk_at has come; minus infinity stands for "has
-- fired". The badge at a moment is then a comparison (slaBadgeJsonSql). Per statement, over the
-- clocks it changed: the chat saves a clock a statement; a backfill or a bulk insert pays one
-- UPDATE. A row is rewritten only when its summary changes. Every path that changes a clock
-- locks its conversation first (sla.service.ts): this UPDATE then never takes a lock out of
-- order, and two changes to one conversation's clocks run one after the other, each summing up
-- what the other committed (unlocked, each would sum up its own snapshot, and the last to write
-- would win). The clock's shop is compared with IS NOT DISTINCT FROM, which no index serves: the
-- plan, kept for the connection, finds the clocks by conversation (as in 0032). One function
-- (conversation_sla_refresh) holds these rules, for the trigger and the backfill alike.
CREATE FUNCTION conversation_sla_refresh(p_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE conversations c
     SET sla_open = s.open, sla_due_at = s.due_at, sla_at_risk_from = s.at_risk_from, sla_breached_from = s.breached_from
    FROM (
      SELECT t.id, count(k.conversation_id) > 0 AS open, min(k.due_at) AS due_at,
             min(CASE WHEN k.at_risk_fired_at IS NOT NULL THEN '-infinity'::timestamptz ELSE k.at_risk_at END) AS at_risk_from,
             min(CASE WHEN k.breached_at IS NOT NULL AND k.breached_at >= k.started_at THEN '-infinity'::timestamptz ELSE k.due_at END) AS breached_from
        FROM (SELECT DISTINCT id FROM unnest(p_ids) AS u(id)) t
        JOIN conversations o ON o.id = t.id
        LEFT JOIN sla_clocks k ON k.conversation_id = t.id AND k.shop_id IS NOT DISTINCT FROM o.shop_id AND k.met_at IS NULL
       GROUP BY t.id
    ) s
   WHERE c.id = s.id
     AND (c.sla_open, c.sla_due_at, c.sla_at_risk_from, c.sla_breached_from) IS DISTINCT FROM (s.open, s.due_at, s.at_risk_from, s.breached_from);
END
$$;--> statement-breakpoint
-- The trigger's side: the conversations of the clocks the statement changed.
CREATE FUNCTION conversation_sla_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM conversation_sla_refresh(ARRAY(SELECT conversation_id FROM changed_clocks));
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER conversation_sla_sync_insert AFTER INSERT ON sla_clocks
  REFERENCING NEW TABLE AS changed_clocks FOR EACH STATEMENT EXECUTE FUNCTION conversation_sla_sync();--> statement-breakpoint
CREATE TRIGGER conversation_sla_sync_update AFTER UPDATE ON sla_clocks
  REFERENCING NEW TABLE AS changed_clocks FOR EACH STATEMENT EXECUTE FUNCTION conversation_sla_sync();--> statement-breakpoint
CREATE TRIGGER conversation_sla_sync_delete AFTER DELETE ON sla_clocks
  REFERENCING OLD TABLE AS changed_clocks FOR EACH STATEMENT EXECUTE FUNCTION conversation_sla_sync();--> statement-breakpoint
-- The conversations that have open clocks already: their summary, once, by the same rules. The
-- others keep the defaults (no open clock).
SELECT conversation_sla_refresh(ARRAY(SELECT DISTINCT conversation_id FROM sla_clocks WHERE met_at IS NULL));
