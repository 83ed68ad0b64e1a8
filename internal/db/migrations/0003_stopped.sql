-- When a person last said stop. A channel opt-in or a join does not enrol them again; only their
-- own /reflect start does, which clears it.
ALTER TABLE people ADD COLUMN stopped_at BIGINT;
