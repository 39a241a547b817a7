-- Order searches recorded before migration 0006 kept the searched text (often an email address,
-- a phone number or a name) in audit_events.summary.q. The trail keeps what kind of thing was
-- searched for, never the text: this rewrites those rows once. The trail is otherwise
-- append-only, so the guard is lifted for this one statement, inside the migration's
-- transaction, and put back at once.
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete;
--> statement-breakpoint
UPDATE audit_events
SET summary = (summary - 'q') || jsonb_build_object(
  'search',
  CASE
    WHEN jsonb_typeof(summary -> 'q') <> 'string' THEN 'null'::jsonb
    ELSE jsonb_build_object(
      'kind',
      CASE
        WHEN position('@' IN normalize(summary ->> 'q', NFKC)) > 0 THEN 'email'
        WHEN btrim(normalize(summary ->> 'q', NFKC)) ~ '^\+?[0-9[:space:]()‐ー−-]+$'
          AND length(regexp_replace(normalize(summary ->> 'q', NFKC), '[^0-9]', '', 'g')) >= 8 THEN 'phone'
        ELSE 'text'
      END,
      'digest', NULL,
      'redacted', true
    )
  END
)
WHERE action = 'orders.listed' AND summary ? 'q';
--> statement-breakpoint
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete;
