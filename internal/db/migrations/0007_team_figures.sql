-- Each opted-in channel's team figure of a month, worked out once, after the month is over, and
-- shown as stored ever after: two views of one month are always the same, so comparing them (say
-- before and after removing someone from the channel) cannot single anyone out. The figure holds
-- aggregates only, never a member's id or answer.
CREATE TABLE team_figures (
    channel_id  TEXT   NOT NULL,
    period      TEXT   NOT NULL CHECK (length(period) = 7),  -- 'YYYY-MM'
    figure      TEXT   NOT NULL,                             -- JSON, the report's TeamSummary
    computed_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, period)
);
