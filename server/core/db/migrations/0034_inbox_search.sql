-- The inbox's text search (subject, order number, customer's name) through an index of
-- characters and pairs of characters, which works for Japanese on PostgreSQL and PGlite alike,
-- with no extension: see conversationSearch in conversations.tables.ts.
CREATE TABLE "conversation_search" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"shop_id" uuid NOT NULL,
	"text" text NOT NULL,
	"grams" text[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conversation_search" ADD CONSTRAINT "conversation_search_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_search_grams_idx" ON "conversation_search" USING gin ("grams") WITH (fastupdate=false);--> statement-breakpoint
-- How text is compared: NFKC (full-width Ａ and half-width ｶﾅ fold to A and カナ), lower case.
CREATE FUNCTION search_text(p text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(normalize(coalesce(p, ''), NFKC))
$$;--> statement-breakpoint
-- The LIKE pattern that finds `p` anywhere in a search_text, its wildcards taken literally
-- (chr(92) is the backslash, written so whatever standard_conforming_strings says).
CREATE FUNCTION search_pattern(p text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT '%' || replace(replace(replace(search_text(p), chr(92), chr(92) || chr(92)), '%', chr(92) || '%'), '_', chr(92) || '_') || '%'
$$;--> statement-breakpoint
-- A shop's key, the first 12 hex digits of its id (48 bits): every gram is prefixed with it, so
-- that one GIN index keeps each shop's words apart. Two shops with one key would only share
-- candidates; every search still checks the shop.
CREATE FUNCTION search_key(p_shop uuid) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT left(p_shop::text, 13)
$$;--> statement-breakpoint
-- What a text holds: every character and every pair of neighbouring characters, none with white space.
CREATE FUNCTION search_grams(p_shop uuid, p text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT search_key(p_shop) || g), '{}')
  FROM (SELECT search_text(p) AS s) x
  CROSS JOIN LATERAL generate_series(1, 2) AS n
  CROSS JOIN LATERAL generate_series(1, length(x.s) - n + 1) AS i
  CROSS JOIN LATERAL (SELECT substr(x.s, i, n) AS g) y
  WHERE g !~ '[[:space:]]'
$$;--> statement-breakpoint
-- What a text that contains `p` must hold, in as few grams as cover it: each word's pairs at
-- its 1st, 3rd, 5th… characters and its last pair; a word of one character, that character.
CREATE FUNCTION search_query_grams(p_shop uuid, p text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT search_key(p_shop) || g), '{}')
  FROM regexp_split_to_table(search_text(p), '[[:space:]]+') AS w
  CROSS JOIN LATERAL (
    SELECT substr(w, i, 2) AS g FROM generate_series(1, length(w) - 1, 2) AS i
    UNION SELECT substr(w, length(w) - 1, 2) WHERE length(w) >= 2
    UNION SELECT w WHERE length(w) = 1
  ) y
$$;--> statement-breakpoint
-- A conversation's searchable text: its subject, its order number, its customer's name.
CREATE FUNCTION conversation_search_text(p_subject text, p_order_number text, p_name text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT concat_ws(E'\n', p_subject, p_order_number, p_name)
$$;--> statement-breakpoint
-- The customer's name is read without a lock: locking it here deadlocked a ticket (which takes
-- the shop's number counter first) against a verified customer's upsert (which locks the
-- customer first). A rename racing a subject change can leave the old name or subject in the
-- search text until the conversation or the customer next changes.
CREATE FUNCTION conversation_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v text := conversation_search_text(NEW.subject, NEW.order_number, (SELECT name FROM customers WHERE id = NEW.customer_id));
BEGIN
  INSERT INTO conversation_search (conversation_id, shop_id, text, grams)
  VALUES (NEW.id, NEW.shop_id, search_text(v), search_grams(NEW.shop_id, v))
  ON CONFLICT (conversation_id) DO UPDATE SET shop_id = excluded.shop_id, text = excluded.text, grams = excluded.grams;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER conversation_search_sync AFTER INSERT OR UPDATE OF shop_id, customer_id, subject, order_number ON conversations
  FOR EACH ROW EXECUTE FUNCTION conversation_search_sync();--> statement-breakpoint
-- A customer's new name (or its erasure) reaches the search text of each of their conversations.
CREATE FUNCTION customer_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE conversation_search s
     SET text = search_text(conversation_search_text(c.subject, c.order_number, NEW.name)),
         grams = search_grams(c.shop_id, conversation_search_text(c.subject, c.order_number, NEW.name))
    FROM conversations c
   WHERE c.shop_id = NEW.shop_id AND c.customer_id = NEW.id AND s.conversation_id = c.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER customer_search_sync AFTER UPDATE OF name ON customers
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION customer_search_sync();--> statement-breakpoint
INSERT INTO conversation_search (conversation_id, shop_id, text, grams)
  SELECT c.id, c.shop_id, search_text(conversation_search_text(c.subject, c.order_number, cu.name)),
         search_grams(c.shop_id, conversation_search_text(c.subject, c.order_number, cu.name))
    FROM conversations c JOIN customers cu ON cu.id = c.customer_id;
