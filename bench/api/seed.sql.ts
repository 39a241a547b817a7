/**
 * The seed's statements (bench/api/seed.ts runs them in order on one connection). Each shop's
 * plan is a row of the temp table `seed_shops`; every statement generates all shops' rows at
 * once. Rows are picked by arithmetic on their running numbers (customer n of order k, order of
 * conversation i) so that what refers to what stays consistent: a conversation's order number
 * is one of its own customer's orders.
 */

/** $1 family names, $2 their romaji, $3 given names, $4 their romaji, $5 mail domains. */
export const customersSql = `
CREATE TEMP TABLE seed_customers AS
SELECT s.idx AS shop_idx, s.id AS shop_id, c AS n, gen_random_uuid() AS id,
  CASE WHEN c % 3 = 0 THEN 'cus_' || lpad(c::text, 6, '0') END AS external_id,
  ($1::text[])[1 + c % cardinality($1::text[])] || ' ' || ($3::text[])[1 + (c / 30 + c * 7) % cardinality($3::text[])] AS name,
  ($4::text[])[1 + (c / 30 + c * 7) % cardinality($4::text[])] || '.' || ($2::text[])[1 + c % cardinality($2::text[])] || c
    || '@' || ($5::text[])[1 + (c * 7) % cardinality($5::text[])] AS email,
  c % 3 = 0 AS verified,
  now() - interval '400 days' * (1 - c::float8 / s.cust) - interval '1 day' AS created_at
FROM seed_shops s CROSS JOIN LATERAL generate_series(1, s.cust) AS c`;

export const ordersSql = {
  /** $1 unit prices, $2 payment methods, $3 carriers, $4 prefectures, $5 street addresses. Customer n places orders n, n + cust, n + 2·cust… */
  temp: `
CREATE TEMP TABLE seed_orders AS
SELECT s.idx AS shop_idx, s.id AS shop_id, k, gen_random_uuid() AS id, 'MDG-' || (100000 + k) AS order_number,
  c.name, c.email, x.i1, x.i2, x.q1, x.q2, x.two, x.payment,
  '0' || (ARRAY['90', '80', '70'])[1 + c.n % 3] || '-' || lpad(((c.n::bigint * 7919) % 10000)::text, 4, '0') || '-' || lpad(((c.n::bigint * 104729 + s.idx) % 10000)::text, 4, '0') AS phone,
  lpad(((c.n::bigint * 37) % 1000)::text, 3, '0') || '-' || lpad(((c.n::bigint * 7919) % 10000)::text, 4, '0') AS postcode,
  ($4::text[])[1 + c.n % cardinality($4::text[])] AS prefecture,
  ($5::text[])[1 + c.n % cardinality($5::text[])] AS address,
  x.ordered_at,
  CASE WHEN k <= s.ord * 0.98 THEN ($3::text[])[1 + k % cardinality($3::text[])] END AS carrier,
  CASE WHEN k <= s.ord * 0.98 THEN lpad(((k::bigint * 2654435761) % 1000000000000)::text, 12, '0') END AS tracking,
  CASE WHEN k <= s.ord * 0.98 THEN x.ordered_at + interval '1 day' END AS shipped_at,
  CASE WHEN k <= s.ord * 0.96 THEN x.ordered_at + interval '3 days' END AS delivered_at,
  CASE WHEN x.payment = 'cod' THEN 330 ELSE 0 END AS cod_fee,
  ($1::int[])[x.i1] * x.q1 + CASE WHEN x.two THEN ($1::int[])[x.i2] * x.q2 ELSE 0 END + 770 + CASE WHEN x.payment = 'cod' THEN 330 ELSE 0 END AS total
FROM seed_shops s CROSS JOIN LATERAL generate_series(1, s.ord) AS k
JOIN seed_customers c ON c.shop_idx = s.idx AND c.n = 1 + (k - 1) % s.cust
CROSS JOIN LATERAL (SELECT 1 + (k * 3) % cardinality($1::int[]) AS i1, 1 + ((k * 3) % cardinality($1::int[]) + 3) % cardinality($1::int[]) AS i2,
  1 + k % 3 AS q1, 1 + (k / 3) % 2 AS q2, k % 3 = 0 AS two, ($2::text[])[1 + k % cardinality($2::text[])] AS payment,
  now() - interval '400 days' * (1 - k::float8 / s.ord) - interval '3 days' AS ordered_at) AS x`,
  orders: `
INSERT INTO orders (id, shop_id, order_number, ordered_at, customer_name, customer_email, customer_phone, postcode, prefecture, address,
  shipping_fee, cod_fee, payment_method, carrier, tracking_number, shipped_at, delivered_at, total, source, created_at, updated_at)
SELECT id, shop_id, order_number, ordered_at, name, email, phone, postcode, prefecture, address,
  770, cod_fee, payment, carrier, tracking, shipped_at, delivered_at, total, 'csv', ordered_at, coalesce(delivered_at, shipped_at, ordered_at)
FROM seed_orders`,
  /** $1 skus, $2 product names, $3 unit prices, $4 tax rates. */
  lines: `
INSERT INTO order_lines (shop_id, order_id, line_no, sku, name, quantity, unit_price, tax_rate)
SELECT o.shop_id, o.id, l.no, ($1::text[])[l.i], ($2::text[])[l.i], l.q, ($3::int[])[l.i], ($4::int[])[l.i]
FROM seed_orders o CROSS JOIN LATERAL (VALUES (1, o.i1, o.q1), (2, o.i2, o.q2)) AS l(no, i, q)
WHERE l.no = 1 OR o.two`,
};

export const conversationsSql = {
  /**
   * $1 tags, $2 subjects naming an order ({o}), $3 other subjects. 96% resolved or closed,
   * spread over the year by number; the rest (open, pending, waiting on the merchant, snoozed)
   * active within the last 30 days, a third of those unassigned.
   */
  temp: `
CREATE TEMP TABLE seed_convs AS
WITH b AS (
  SELECT s.idx AS shop_idx, s.id AS shop_id, s.conv, s.cust, s.ord, s.assignees, s.assignee_names, i,
    1 + (i::bigint * 7919) % s.cust AS cust_n,
    random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() AS r7
  FROM seed_shops s CROSS JOIN LATERAL generate_series(1, s.conv) AS i
), st AS (
  SELECT b.*,
    CASE WHEN r1 < 0.02 THEN 'open' WHEN r1 < 0.03 THEN 'pending' WHEN r1 < 0.035 THEN 'waiting_merchant' WHEN r1 < 0.04 THEN 'snoozed'
         WHEN r1 < 0.64 THEN 'resolved' ELSE 'closed' END AS status,
    CASE WHEN r2 < 0.6 THEN 'MDG-' || (100000 + cust_n + cust * (i % greatest(1, ord / cust))) END AS order_number,
    CASE WHEN i % 20 < 12 THEN 'chat' WHEN i % 20 < 19 THEN 'email' ELSE 'api' END AS channel
  FROM b
), t AS (
  SELECT st.*, status IN ('open', 'pending', 'waiting_merchant', 'snoozed') AS active,
    CASE WHEN status IN ('resolved', 'closed') THEN now() - interval '365 days' * (1 - i::float8 / conv) - interval '3 days'
         ELSE now() - interval '30 days' * r3 - interval '1 hour' - interval '47 hours' * r4 END AS created_at
  FROM st
), u AS (
  SELECT t.*,
    CASE WHEN active THEN now() - interval '30 days' * r3 ELSE created_at + interval '1 hour' + interval '47 hours' * r3 END AS last_message_at,
    CASE WHEN r7 < CASE WHEN active THEN 0.3 ELSE 0.08 END THEN NULL ELSE 1 + i % cardinality(assignees) END AS ai
  FROM t
)
SELECT u.shop_idx, u.shop_id, u.i, gen_random_uuid() AS id, c.id AS customer_id, c.name AS customer_name,
  u.status, u.order_number, u.channel, u.created_at, u.last_message_at,
  CASE WHEN active THEN last_message_at ELSE last_message_at + interval '24 hours' * r4 END AS updated_at,
  assignees[ai] AS assignee_id, assignee_names[ai] AS assignee_name, assignees[1] AS fallback_id, assignee_names[1] AS fallback_name,
  CASE WHEN r5 < 0.1 THEN 'low' WHEN r5 < 0.85 THEN 'normal' WHEN r5 < 0.97 THEN 'high' ELSE 'urgent' END AS priority,
  CASE WHEN r6 < 0.2 THEN ARRAY[($1::text[])[1 + i % cardinality($1::text[])]]
       WHEN r6 < 0.25 THEN ARRAY[($1::text[])[1 + i % cardinality($1::text[])], ($1::text[])[1 + (i + 3) % cardinality($1::text[])]]
       ELSE '{}'::text[] END AS tags,
  CASE WHEN order_number IS NOT NULL THEN replace(($2::text[])[1 + i % cardinality($2::text[])], '{o}', order_number)
       WHEN channel = 'chat' AND i % 10 = 0 THEN NULL ELSE ($3::text[])[1 + i % cardinality($3::text[])] END AS subject,
  CASE WHEN status = 'snoozed' THEN now() + interval '1 day' + interval '6 days' * r4 END AS snoozed_until,
  i % 5 = 0 AS noted
FROM u JOIN seed_customers c ON c.shop_idx = u.shop_idx AND c.n = u.cust_n`,
  conversations: `
INSERT INTO conversations (id, shop_id, number, customer_id, channel, subject, order_number, status, priority, tags, assignee_id,
  last_seq, customer_read_seq, agent_read_seq, snoozed_until, last_message_at, last_customer_message_at, first_response_at, resolved_at, created_at, updated_at)
SELECT id, shop_id, i, customer_id, channel, subject, order_number, status, priority, tags, assignee_id,
  10, 10, 10, snoozed_until, last_message_at, created_at + (last_message_at - created_at) * 8 / 9, created_at + (last_message_at - created_at) / 9,
  CASE WHEN status IN ('resolved', 'closed') THEN updated_at END, created_at, updated_at
FROM seed_convs`,
  /** $1 customer lines, $2 agent lines, $3 internal notes. Ten per conversation, customer and agent in turn; every fifth conversation has a note as its 5th. */
  messages: `
INSERT INTO messages (shop_id, conversation_id, seq, client_id, author_kind, author_id, author_name, kind, body, created_at)
SELECT c.shop_id, c.id, q, 'seed-' || q,
  CASE WHEN m.customer THEN 'customer' ELSE 'agent' END,
  CASE WHEN m.customer THEN c.customer_id ELSE coalesce(c.assignee_id, c.fallback_id) END,
  CASE WHEN m.customer THEN c.customer_name ELSE coalesce(c.assignee_name, c.fallback_name) END,
  CASE WHEN m.note THEN 'note' ELSE 'text' END,
  CASE WHEN m.customer THEN ($1::text[])[1 + (c.i + q) % cardinality($1::text[])]
       WHEN m.note THEN ($3::text[])[1 + c.i % cardinality($3::text[])]
       ELSE ($2::text[])[1 + (c.i + q) % cardinality($2::text[])] END,
  c.created_at + (c.last_message_at - c.created_at) * (q - 1) / 9
FROM seed_convs c CROSS JOIN LATERAL generate_series(1, 10) AS q
CROSS JOIN LATERAL (SELECT q % 2 = 1 AND NOT (q = 5 AND c.noted) AS customer, q = 5 AND c.noted AS note) AS m`,
  counters: 'INSERT INTO conversation_counters (shop_id, last) SELECT id, conv FROM seed_shops',
  /**
   * SLA clocks, as a shop with an SLA policy has them: every conversation's first response
   * (met at its first reply), and its resolution, met when it was resolved and still running
   * for the active ones, one in six of which is past due and one in six at risk.
   */
  slaClocks: `
INSERT INTO sla_clocks (conversation_id, metric, shop_id, target_ms, at_risk_percent, elapsed_ms, started_at, running_since, at_risk_at, due_at, at_risk_fired_at, breached_at, met_at, version)
SELECT c.id, k.metric, c.shop_id, k.target_ms, 80, k.elapsed_ms, c.created_at, k.running_since, k.at_risk_at, k.due_at, k.at_risk_fired_at, k.breached_at, k.met_at, 1
FROM seed_convs c
CROSS JOIN LATERAL (VALUES
  ('first_response', 3600000::bigint, 0::bigint, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz,
   c.created_at + (c.last_message_at - c.created_at) / 9),
  ('resolution', 86400000,
   CASE WHEN c.status IN ('resolved', 'closed') THEN 3600000 ELSE 0 END,
   CASE WHEN c.status NOT IN ('resolved', 'closed') THEN c.created_at END,
   CASE WHEN c.status NOT IN ('resolved', 'closed') THEN now() + interval '20 hours' - interval '30 hours' * ((c.i % 6) / 5.0) END,
   CASE WHEN c.status NOT IN ('resolved', 'closed') THEN now() + interval '24 hours' - interval '30 hours' * ((c.i % 6) / 5.0) END,
   NULL, NULL,
   CASE WHEN c.status IN ('resolved', 'closed') THEN c.updated_at END)
) AS k(metric, target_ms, elapsed_ms, running_since, at_risk_at, due_at, at_risk_fired_at, breached_at, met_at)`,
};

export const returnsSql = {
  /** $1 skus, $2 product names, $3 unit prices, $4 tax rates (the order snapshot's first line). */
  returns: `
INSERT INTO return_requests (shop_id, number, order_id, order_snapshot, kind, reason, legal_basis, status, notice_at, source, refund_method,
  return_label_by_shop, policy, review_reasons, refund, refund_total, refund_limit, created_at, updated_at)
SELECT o.shop_id, r, o.id,
  jsonb_build_object('orderedAt', o.ordered_at, 'shippedAt', o.shipped_at, 'deliveredAt', o.delivered_at, 'paymentMethod', o.payment,
    'shippingFee', 770, 'codFee', o.cod_fee, 'couponDiscount', 0,
    'lines', jsonb_build_array(jsonb_build_object('lineNo', 1, 'sku', ($1::text[])[o.i1], 'name', ($2::text[])[o.i1], 'quantity', o.q1,
      'unitPrice', ($3::int[])[o.i1], 'taxRate', ($4::int[])[o.i1], 'tags', '[]'::jsonb))),
  CASE WHEN r % 5 = 0 THEN 'exchange' ELSE 'return' END, x.reason, x.basis,
  CASE WHEN r % 5 = 0 AND x.st = 'refunded' THEN 'exchanged' ELSE x.st END,
  o.ordered_at + interval '5 days', 'portal', 'original_payment', false,
  '{"outcome":"approved","rules":[{"rule":"window","ok":true,"ja":"お届けから14日以内","en":"within 14 days of delivery"},{"rule":"final_sale","ok":true,"ja":"セール品ではありません","en":"not a final-sale item"}]}'::jsonb,
  CASE WHEN x.st = 'needs_review' THEN ARRAY['high_value'] ELSE '{}'::text[] END,
  jsonb_build_object('items', ($3::int[])[o.i1] * o.q1, 'deductions', jsonb_build_array(jsonb_build_object('kind', 'return_shipping', 'amount', 770)),
    'total', greatest(0, ($3::int[])[o.i1] * o.q1 - 770)),
  greatest(0, ($3::int[])[o.i1] * o.q1 - 770), 5000, o.ordered_at + interval '5 days', o.ordered_at + interval '8 days'
FROM seed_shops s CROSS JOIN LATERAL generate_series(1, s.ret) AS r
JOIN seed_orders o ON o.shop_idx = s.idx AND o.k = 1 + (r::bigint * 31) % s.ord
CROSS JOIN LATERAL (SELECT
  (ARRAY['size', 'not_as_expected', 'changed_mind', 'defective', 'wrong_item', 'not_as_described', 'late_delivery'])[1 + r % 7] AS reason,
  (ARRAY['terms', 'terms', 'terms', 'defect', 'shop_error', 'shop_error', 'late_delivery'])[1 + r % 7] AS basis,
  (ARRAY['requested', 'needs_review', 'approved', 'awaiting_shipment', 'in_transit', 'received', 'rejected', 'refund_pending', 'refunded', 'refunded',
    'refunded', 'refunded', 'refunded', 'refunded', 'closed', 'closed', 'canceled', 'inspected', 'expired', 'refunded'])[1 + (r / 7) % 20] AS st) AS x`,
  counters: 'INSERT INTO return_counters (shop_id, last) SELECT id, ret FROM seed_shops',
};

/** The trail, oldest first (ids rise with time as they do when written live): updates, order lists with their 25 numbers, reveals, approvals, merges. */
export const auditSql = `
INSERT INTO audit_events (shop_id, actor_type, actor_id, actor_label, action, object_type, object_id, summary, request_id, created_at)
SELECT s.id, 'user', s.assignees[1 + a % cardinality(s.assignees)]::text, 'user:' || s.assignee_names[1 + a % cardinality(s.assignees)],
  (ARRAY['conversation.updated', 'orders.listed', 'order.revealed', 'return.approved', 'conversation.merged', 'orders.listed'])[1 + a % 6],
  (ARRAY['conversation', 'order', 'order', 'return', 'conversation', 'order'])[1 + a % 6],
  CASE a % 6 WHEN 0 THEN md5(s.idx || ':c' || a)::uuid::text WHEN 2 THEN 'MDG-' || (100001 + a % s.ord)
    WHEN 3 THEN md5(s.idx || ':r' || a)::uuid::text WHEN 4 THEN md5(s.idx || ':c' || a)::uuid::text END,
  CASE a % 6
    WHEN 0 THEN jsonb_build_object('number', 1 + a % s.conv, 'from', 'open', 'status', 'resolved')
    WHEN 2 THEN jsonb_build_object('field', 'phone', 'reason', '配送業者からの問い合わせに回答するため')
    WHEN 3 THEN jsonb_build_object('number', 1 + a % s.ret, 'from', 'requested', 'to', 'approved')
    WHEN 4 THEN jsonb_build_object('target', 1 + a % s.conv, 'source', 2 + a % s.conv)
    ELSE jsonb_build_object('orderNumbers', (SELECT jsonb_agg('MDG-' || (100001 + (a + j) % s.ord)) FROM generate_series(0, 24) AS j), 'search', NULL)
  END,
  'seed-' || s.idx || '-' || a,
  now() - interval '365 days' * (1 - a::float8 / s.aud) AS at
FROM seed_shops s CROSS JOIN LATERAL generate_series(1, s.aud) AS a
ORDER BY at`;
