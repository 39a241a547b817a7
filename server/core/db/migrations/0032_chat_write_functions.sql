-- The chat's group commit (server/domains/conversations/conversations.write.repository.ts),
-- as two functions so that PostgreSQL plans their statements once per connection, not at every
-- batch: a prepared statement with array parameters is planned afresh at each execution
-- (PostgreSQL keeps preferring custom plans for them), and planning was most of a batch's cost.
-- Both run with generic plans forced and with sequential scans, hash and merge joins off, so the
-- plan kept is nested loops over index look-ups whatever the tables held when it was made:
-- cheap for a batch of one message or of 256, in a new shop's small tables or in a year's.
-- Those settings hold only while the function runs (the plans of the foreign-key checks that
-- the insert fires inside it are made under them too, and kept: primary-key look-ups). Each
-- row is found by its key (a conversation by id, a message by conversation and client id, a
-- clock by conversation); the shop is checked with IS NOT DISTINCT FROM (the same as = on these non-null columns) so that
-- it is no index's condition: on a table with no statistics yet, the planner otherwise picked
-- an index that leads with shop_id, which reads every row of the shop once the table is big.

-- The SLA policy that applies to a shop's conversations of a priority: the shop's own for that
-- priority, else its default one (no priority). Also read alone, for one SLA event
-- (sla.repository.ts, slaContext). A single SELECT in SQL, so PostgreSQL inlines it where it
-- is used.
CREATE FUNCTION sla_policy_for(p_shop_id uuid, p_priority text)
RETURNS SETOF sla_policies
LANGUAGE sql STABLE
AS $$
  SELECT * FROM sla_policies p WHERE p.shop_id = p_shop_id AND (p.priority = p_priority OR p.priority IS NULL)
  ORDER BY p.priority IS NULL LIMIT 1
$$;
--> statement-breakpoint

-- Locks the batch's conversations in id order (two batches never wait on each other in a
-- circle), then reads, with a snapshot taken after the lock (a volatile function's statements
-- each take their own), so it sees what a batch that held the lock before committed: the
-- locked rows, messages already stored under the batch's client ids, the SLA clocks of those
-- conversations, and each (shop, priority)'s calendar and policy. Each send is a
-- (shop id, conversation id, client id); rows are jsonb, tagged by part.
CREATE FUNCTION chat_lock_and_read(p_shop_ids uuid[], p_conversation_ids uuid[], p_client_ids text[])
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
  WITH locked AS (SELECT c.* FROM conversations c WHERE c.id = ANY (v_locked))
  SELECT 'conversation', to_jsonb(c) FROM locked c
  UNION ALL
  SELECT 'message', to_jsonb(m)
  FROM unnest(p_shop_ids, p_conversation_ids, p_client_ids) AS q(shop_id, conversation_id, client_id)
  JOIN messages m ON m.conversation_id = q.conversation_id AND m.client_id = q.client_id AND m.shop_id IS NOT DISTINCT FROM q.shop_id
  UNION ALL
  SELECT 'clock', to_jsonb(k) FROM locked c JOIN sla_clocks k ON k.conversation_id = c.id AND k.shop_id IS NOT DISTINCT FROM c.shop_id
  UNION ALL
  SELECT 'context', jsonb_build_object('shop_id', s.id, 'priority', q.priority, 'timezone', s.timezone, 'hours', to_jsonb(h), 'policy', to_jsonb(p))
  FROM (SELECT DISTINCT c.shop_id, c.priority FROM locked c) AS q
  JOIN shops s ON s.id = q.shop_id
  LEFT JOIN business_hours h ON h.shop_id = s.id
  LEFT JOIN LATERAL sla_policy_for(s.id, q.priority) AS p ON true;
END
$$;
--> statement-breakpoint

-- Inserts a batch's messages and moves their conversations (sequence, read marks, last message
-- times, first response, a reopened status and who it waits for), for many conversations at
-- once, in one statement: both parts see the same snapshot and touch different tables, so
-- neither waits on the other. Values travel as one array per column; answers the stored messages.
CREATE FUNCTION chat_write_batch(
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
    WHERE c.id = v.id AND c.shop_id IS NOT DISTINCT FROM v.shop_id
    RETURNING c.id
  )
  INSERT INTO messages AS m (id, shop_id, conversation_id, seq, client_id, author_kind, author_id, author_name, kind, body, created_at)
  SELECT v.*, p_now
  FROM unnest(m_id, m_shop_id, m_conversation_id, m_seq, m_client_id, m_author_kind, m_author_id, m_author_name, m_kind, m_body)
    AS v(id, shop_id, conversation_id, seq, client_id, author_kind, author_id, author_name, kind, body)
  RETURNING m.*;
END
$$;
