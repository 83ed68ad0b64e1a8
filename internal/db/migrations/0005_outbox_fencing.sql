-- claim_token counts the claims of a post: each claim takes the next one, and a relay may record
-- a post's start (StartOutbox) or renew its lease only with the token of its own claim, so a relay
-- that outran its lease (paused, or stuck in a long call) cannot post what another now holds.
ALTER TABLE outbox ADD COLUMN claim_token BIGINT NOT NULL DEFAULT 0;
-- due_at is when a post was first meant to go out (available_at at enqueue; a retry moves only
-- available_at). A post that is not due yet (a reminder for tomorrow) holds up none of the
-- person's other posts; one that is due and being retried keeps its place in their order.
ALTER TABLE outbox ADD COLUMN due_at BIGINT NOT NULL DEFAULT 0;
UPDATE outbox SET due_at = available_at;
-- The in-turn check now reads due_at beside each person's open ids: keep it in the index, so the
-- check still reads the index alone.
DROP INDEX outbox_user_open;
CREATE INDEX outbox_user_open ON outbox (user_id, id, due_at) WHERE state IN ('pending', 'sending');
