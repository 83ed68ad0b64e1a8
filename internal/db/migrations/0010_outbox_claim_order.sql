-- lane is the first key of the claim's order: 0 for a reply to what someone just did (it goes
-- before scheduled posts and waits for no earlier post of the person's), 1 for every other post.
-- The enqueuer sets it from the post's kind; posts queued before this version get it here.
ALTER TABLE outbox ADD COLUMN lane INTEGER NOT NULL DEFAULT 1;
UPDATE outbox SET lane = 0 WHERE kind IN ('message', 'help', 'apology');
-- The open posts in the claim's order (lane, then oldest first): a claim walks this index from
-- its start and stops once it has enough posts whose turn has come, so it costs the same however
-- many posts are queued behind them; no sort of the queue.
CREATE INDEX outbox_claim ON outbox (lane, created_at, id) WHERE state IN ('pending', 'sending');
