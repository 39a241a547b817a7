-- Hand-written (not generated): rows handed to BullMQ before 0011 had their payload cleared at
-- dispatch, so they cannot be handed over again; they count as done. Only rows dispatched from
-- now on are re-armed after a Redis that lost its data.
UPDATE "outbox" SET "completed_at" = "dispatched_at" WHERE "dispatched_at" IS NOT NULL AND "completed_at" IS NULL AND "failed_at" IS NULL;
