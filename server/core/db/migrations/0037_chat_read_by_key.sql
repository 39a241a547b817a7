-- The chat's group commit reads each row by its key, whatever the statistics say. 0032 wrote
-- the reads as joins, and the planner chose their order: with statistics taken while a table
-- was nearly empty (autovacuum's first ANALYZE of a new database, PGlite's upkeep, a server
-- with autovacuum off), a join scanned that table's whole index as its outer side (sla_clocks,
-- business_hours: cheap for a row or none), and the plan, kept for the connection, read every
-- row of it at each batch once it had grown, until the next ANALYZE (conversations too, in the
-- write's UPDATE). Each read is now a LATERAL subquery that names the row it wants (OFFSET 0
-- keeps the planner from merging it into a join it may reorder), so the batch's own values
-- drive the index look-ups; the UPDATE names its rows with = ANY as well as by the join.
-- Same arguments and answers as 0032's; write.plans.test.ts checks the plans.
CREATE OR REPLACE FUNCTION chat_lock_and_read(p_shop_ids uuid[], p_conversation_ids uuid[], p_client_ids text[])
RETURNS TABLE (part text, "row" jsonb)
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
DECLARE
  v_locked uuid[];
BEGIN
  SELECT coalesce(array_agg(l.id), '{}') INTO v_locked
  FROM (SELECT DISTINCT q.shop_id, q.id FROM unnest(p_shop_ids, p_conversation_ids) AS q(shop_id, id) ORDER BY q.id) AS q
  CROSS JOIN LATERAL (SELECT c.id FROM conversations c WHERE c.id = q.id AND c.shop_id IS NOT DISTINCT FROM q.shop_id FOR UPDATE) AS l;
  -- Only the rows locked above: held by this transaction, so what this snapshot reads of them is their latest version.
  RETURN QUERY
  WITH locked AS (
    SELECT c.* FROM unnest(v_locked) AS l(id) CROSS JOIN LATERAL (SELECT c.* FROM conversations c WHERE c.id = l.id OFFSET 0) AS c
  )
  SELECT 'conversation', to_jsonb(c) FROM locked c
  UNION ALL
  SELECT 'message', to_jsonb(m)
  FROM unnest(p_shop_ids, p_conversation_ids, p_client_ids) AS q(shop_id, conversation_id, client_id)
  CROSS JOIN LATERAL (
    SELECT m.* FROM messages m
    WHERE m.conversation_id = q.conversation_id AND m.client_id = q.client_id AND m.shop_id IS NOT DISTINCT FROM q.shop_id OFFSET 0
  ) AS m
  UNION ALL
  SELECT 'clock', to_jsonb(k)
  FROM locked c
  CROSS JOIN LATERAL (SELECT k.* FROM sla_clocks k WHERE k.conversation_id = c.id AND k.shop_id IS NOT DISTINCT FROM c.shop_id OFFSET 0) AS k
  UNION ALL
  SELECT 'context', jsonb_build_object('shop_id', s.id, 'priority', q.priority, 'timezone', s.timezone, 'hours', to_jsonb(h), 'policy', to_jsonb(p))
  FROM (SELECT DISTINCT c.shop_id, c.priority FROM locked c) AS q
  CROSS JOIN LATERAL (SELECT s.* FROM shops s WHERE s.id = q.shop_id OFFSET 0) AS s
  LEFT JOIN LATERAL (SELECT h.* FROM business_hours h WHERE h.shop_id = s.id OFFSET 0) AS h ON true
  LEFT JOIN LATERAL sla_policy_for(s.id, q.priority) AS p ON true;
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION chat_write_batch(
  m_id uuid[], m_shop_id uuid[], m_conversation_id uuid[], m_seq int[], m_client_id text[], m_author_kind text[],
  m_author_id uuid[], m_author_name text[], m_kind text[], m_body text[],
  c_shop_id uuid[], c_id uuid[], c_last_seq int[], c_customer_read_seq int[], c_agent_read_seq int[], c_status text[],
  c_snoozed_until timestamptz[], c_last_message_at timestamptz[], c_last_customer_message_at timestamptz[],
  c_first_response_at timestamptz[], c_resolved_at timestamptz[], c_assignee_id uuid[], c_awaiting_assignment boolean[],
  p_now timestamptz)
RETURNS SETOF messages
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
BEGIN
  RETURN QUERY
  WITH moved AS (
    UPDATE conversations AS c
    SET last_seq = v.last_seq, customer_read_seq = v.customer_read_seq, agent_read_seq = v.agent_read_seq, status = v.status,
        snoozed_until = v.snoozed_until, last_message_at = v.last_message_at, last_customer_message_at = v.last_customer_message_at,
        first_response_at = v.first_response_at, resolved_at = v.resolved_at, assignee_id = v.assignee_id,
        awaiting_assignment = v.awaiting_assignment, updated_at = p_now
    FROM unnest(c_shop_id, c_id, c_last_seq, c_customer_read_seq, c_agent_read_seq, c_status, c_snoozed_until, c_last_message_at,
                c_last_customer_message_at, c_first_response_at, c_resolved_at, c_assignee_id, c_awaiting_assignment)
      AS v(shop_id, id, last_seq, customer_read_seq, agent_read_seq, status, snoozed_until, last_message_at, last_customer_message_at,
           first_response_at, resolved_at, assignee_id, awaiting_assignment)
    -- = ANY: whichever side of the join the planner puts it on, conversations is read by key.
    WHERE c.id = ANY (c_id) AND c.id = v.id AND c.shop_id IS NOT DISTINCT FROM v.shop_id
    RETURNING c.id
  )
  INSERT INTO messages AS m (id, shop_id, conversation_id, seq, client_id, author_kind, author_id, author_name, kind, body, created_at)
  SELECT v.*, p_now
  FROM unnest(m_id, m_shop_id, m_conversation_id, m_seq, m_client_id, m_author_kind, m_author_id, m_author_name, m_kind, m_body)
    AS v(id, shop_id, conversation_id, seq, client_id, author_kind, author_id, author_name, kind, body)
  RETURNING m.*;
END
$$;
