-- PostgreSQL's version of ../0014_mirror.sql: the same tables, without SQLite's WITHOUT ROWID.
-- The team mirror: once a month the members of an opted-in channel whose lead turned it on are
-- asked, by DM, a few one-tap questions about what their lead did that month.
--
-- Anonymity is kept here, not only on screen. mirror_answers holds counts per channel,
-- month, question and option, and nothing else: no member, no time, no row per answer (tables
-- and on SQLite without a rowid). mirror_marks records only that
-- a member was asked a month's mirror and which questions they answered or that they skipped it,
-- never what they chose, so a question is counted once per member and nobody is asked twice.

-- Channels whose lead turned the mirror on. Turning it off deletes the row; forgetting the lead,
-- or the channel's row going, removes it.
CREATE TABLE mirror_channels (
    channel_id   TEXT   PRIMARY KEY REFERENCES channels (channel_id) ON DELETE CASCADE,
    lead_user_id TEXT   NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    since        BIGINT NOT NULL
);

-- People who stopped the mirror for themselves: they are asked nothing, in any channel.
CREATE TABLE mirror_stops (
    user_id TEXT PRIMARY KEY REFERENCES people (user_id) ON DELETE CASCADE
);

-- item_id '' = the month's questions were queued to the member; '-' = they skipped the month;
-- '+' = they answered at least one question (counted once as a respondent); any other value =
-- they answered that question (not what they answered).
CREATE TABLE mirror_marks (
    user_id    TEXT NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL,
    period     TEXT NOT NULL CHECK (length(period) = 7),  -- 'YYYY-MM'
    item_id    TEXT NOT NULL,
    PRIMARY KEY (user_id, channel_id, period, item_id)
);

-- A month of a channel's mirror: the lead it is about and how many members answered at least one
-- question (counted once each, when they first answer).
CREATE TABLE mirror_months (
    channel_id   TEXT    NOT NULL,
    period       TEXT    NOT NULL CHECK (length(period) = 7),
    lead_user_id TEXT    NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    respondents  INTEGER NOT NULL DEFAULT 0 CHECK (respondents >= 0),
    PRIMARY KEY (channel_id, period)
);

-- How often each option of each question was chosen in a channel's month (mirror_months says
-- which lead it is about; forgetting the lead deletes both). choice is the option's
-- index in the catalogue, -1 for "not sure"; lean its lean when answered (NULL for "not sure"),
-- kept so a later catalogue change does not rewrite a past month.
CREATE TABLE mirror_answers (
    channel_id   TEXT    NOT NULL,
    period       TEXT    NOT NULL CHECK (length(period) = 7),
    item_id      TEXT    NOT NULL,
    dimension    TEXT    NOT NULL,
    choice       INTEGER NOT NULL,
    lean         INTEGER CHECK (lean BETWEEN -2 AND 2),
    answers      INTEGER NOT NULL DEFAULT 0 CHECK (answers >= 0),
    PRIMARY KEY (channel_id, period, item_id, choice)
);
