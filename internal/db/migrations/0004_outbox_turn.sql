-- A person's posts go out in turn (ClaimOutbox): only each person's first open post (pending or
-- in flight) may be claimed. This index finds those from the open rows alone, whatever the
-- planner knows of the table (PostgreSQL's statistics lag behind a fan-out that fills the outbox
-- at once).
CREATE INDEX outbox_user_open ON outbox (user_id, id) WHERE state IN ('pending', 'sending');
-- Which process last claimed a post ("host/pid"), so an operator running several replicas can
-- tell whose lease a stuck post waits on.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
