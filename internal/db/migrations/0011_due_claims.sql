-- A due person is claimed by one replica's due loop before it plans them (ClaimDue), so several
-- replicas share the people due instead of each planning all of them: due_claim is the claim's
-- token and due_claim_until when it lapses. Applying the plan clears both; a claim whose replica
-- died lapses, and the person is claimed again.
ALTER TABLE people ADD COLUMN due_claim BIGINT;
ALTER TABLE people ADD COLUMN due_claim_until BIGINT;
