-- follows_id links a post to the one it goes with (a wellbeing check to its week's prompt): when
-- that one is given up, a post still waiting for it is given up too. The code that queues the
-- posts sets it; the queue itself knows no kinds.
ALTER TABLE outbox ADD COLUMN follows_id BIGINT;
CREATE INDEX outbox_follows ON outbox (follows_id);
-- Checks queued before this version named their prompt's delivery in their payload only
-- ({"delivery_id":N,…}); link those still waiting to their prompt.
UPDATE outbox SET follows_id = (
    SELECT MIN(p.id) FROM outbox p
    WHERE p.kind = 'prompt' AND p.user_id = outbox.user_id AND p.delivery_id IS NOT NULL
      AND outbox.payload LIKE '{"delivery_id":' || p.delivery_id || ',%')
WHERE kind = 'wellbeing' AND state = 'pending';
