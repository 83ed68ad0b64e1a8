-- The due loop claims the people due in the order (next_due_at, user_id), a batch at a time
-- (ClaimDue). With an index on next_due_at alone, everyone due at the same minute (a Monday
-- morning's whole workspace) ties, and each claim sorted all of them: a batch cost the same as
-- the whole fan-out. This index serves the order, so a claim reads its batch and stops.
CREATE INDEX people_due_order ON people (next_due_at, user_id);
DROP INDEX people_next_due;
