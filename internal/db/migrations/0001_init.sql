-- Reflect's first schema.
--
-- Conventions (see package db): times are integer milliseconds since the Unix epoch, UTC, in
-- BIGINT columns; booleans are INTEGER 0/1; optional identifiers are NULL, not ''.
-- Everything about a person hangs off people.user_id with ON DELETE CASCADE (or SET NULL where a
-- row is shared), so deleting the person row removes all of their data in one statement.

-- A person Reflect knows about. Schedule state lives here so that the due loop is one indexed
-- scan over next_due_at.
CREATE TABLE people (
    user_id           TEXT    PRIMARY KEY,             -- Slack user id
    team_id           TEXT    NOT NULL DEFAULT '',
    tz                TEXT    NOT NULL DEFAULT 'UTC',  -- IANA zone name from users.info
    dm_channel_id     TEXT,                            -- the app's DM with them, once known
    slot              TEXT,                            -- personal weekly slot such as 'tue 10:30'; NULL = default schedule
    paused_until      BIGINT,                          -- NULL = not paused; far future = until resumed
    next_due_at       BIGINT,                          -- next occurrence, UTC; NULL = not scheduled
    unanswered_streak INTEGER NOT NULL DEFAULT 0 CHECK (unanswered_streak >= 0),
    asked_to_continue INTEGER NOT NULL DEFAULT 0 CHECK (asked_to_continue IN (0, 1)),
    deleted           INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),  -- deleted in Slack
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX people_next_due ON people (next_due_at);

-- Why a person receives prompts: 'self' (/reflect start) or 'channel:<channel_id>' (opt-in).
-- A person with no rows here is not enrolled.
CREATE TABLE enrolments (
    user_id    TEXT   NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    source     TEXT   NOT NULL CHECK (source = 'self' OR source LIKE 'channel:_%'),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, source)
);
-- Opting a channel out removes its enrolments by source.
CREATE INDEX enrolments_source ON enrolments (source);

-- Channels a lead opted in. The row stays after opt-out (opted_out_at set) as a record; forgetting
-- the lead clears lead_user_id but keeps the members' opt-in.
CREATE TABLE channels (
    channel_id   TEXT   PRIMARY KEY,
    lead_user_id TEXT   REFERENCES people (user_id) ON DELETE SET NULL,
    opted_in_at  BIGINT NOT NULL,
    opted_out_at BIGINT                                -- NULL while opted in
);
CREATE INDEX channels_lead ON channels (lead_user_id);

-- One prompt owed to one person. The unique key is the exactly-once guarantee: the due loop
-- inserts with ON CONFLICT DO NOTHING in the transaction that advances next_due_at.
CREATE TABLE deliveries (
    id                  INTEGER PRIMARY KEY,
    user_id             TEXT    NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    occurrence          BIGINT  NOT NULL,              -- when it was due, UTC; the ask time for on-demand prompts
    kind                TEXT    NOT NULL CHECK (kind IN ('scheduled', 'on_demand')),
    prompt_id           TEXT    NOT NULL,
    wellbeing_prompt_id TEXT,
    state               TEXT    NOT NULL DEFAULT 'pending'
                                CHECK (state IN ('pending', 'sent', 'answered', 'skipped', 'expired')),
    channel_id          TEXT,                          -- where the prompt was posted, once sent
    ts                  TEXT,                          -- its Slack message ts, to update it after an answer
    reminded_at         BIGINT,
    created_at          BIGINT  NOT NULL,
    UNIQUE (user_id, occurrence, kind)
);
-- Reminders and expiry scan by state and age.
CREATE INDEX deliveries_state ON deliveries (state, occurrence);
-- Interactions arrive with the message's channel and ts.
CREATE INDEX deliveries_message ON deliveries (channel_id, ts);

-- One answer to one prompt. NULLs are distinct in UNIQUE constraints in both SQLite and
-- PostgreSQL, so the two keys below only bind when delivery_id / message_ts are known.
CREATE TABLE answers (
    id           INTEGER PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    delivery_id  INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
    prompt_id    TEXT    NOT NULL,
    option_index INTEGER CHECK (option_index >= 0),  -- NULL for text answers
    text         TEXT,                              -- NULL for option answers
    lean         REAL    NOT NULL DEFAULT 0 CHECK (lean >= -1 AND lean <= 1),
    weight       REAL    NOT NULL DEFAULT 1 CHECK (weight >= 0),
    wellbeing    REAL    CHECK (wellbeing >= -2 AND wellbeing <= 2),
    explanation  TEXT    NOT NULL DEFAULT '',        -- how the answer was read, shown back to the person
    source       TEXT    NOT NULL CHECK (source IN ('button', 'modal', 'dm')),
    message_ts   TEXT,                              -- the DM's ts for typed answers, so edits and deletes find it
    answered_at  BIGINT  NOT NULL,
    UNIQUE (user_id, message_ts),
    UNIQUE (delivery_id, prompt_id)
);
-- History, summaries and retention read answers by person and time.
CREATE INDEX answers_user_time ON answers (user_id, answered_at);
CREATE INDEX answers_time ON answers (answered_at);

-- An on-demand assessment and its items.
CREATE TABLE assessments (
    id       INTEGER PRIMARY KEY,
    user_id  TEXT    NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    taken_at BIGINT  NOT NULL,
    lean     REAL    NOT NULL CHECK (lean >= -1 AND lean <= 1),
    label    TEXT    NOT NULL CHECK (label IN ('leadership', 'management', 'balanced'))
);
CREATE INDEX assessments_user_time ON assessments (user_id, taken_at);

CREATE TABLE assessment_items (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    prompt_id     TEXT    NOT NULL,
    option_index  INTEGER NOT NULL CHECK (option_index >= 0),
    lean          REAL    CHECK (lean >= -1 AND lean <= 1),
    wellbeing     REAL    CHECK (wellbeing >= -2 AND wellbeing <= 2),
    PRIMARY KEY (assessment_id, prompt_id)
);

-- Slack event ids already taken, so a retried event is dropped. Kept at least an hour.
CREATE TABLE seen_events (
    event_id TEXT   PRIMARY KEY,
    seen_at  BIGINT NOT NULL
);
CREATE INDEX seen_events_seen ON seen_events (seen_at);

-- Posts to Slack, written in the same transaction as the state change that calls for them and
-- sent by a relay: pending -> sending (leased) -> sent with Slack's ts, or failed.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    user_id      TEXT    REFERENCES people (user_id) ON DELETE CASCADE,  -- NULL for non-person posts
    channel_id   TEXT,                                                   -- filled once known
    kind         TEXT    NOT NULL CHECK (kind <> ''),
    delivery_id  INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
    payload      TEXT    NOT NULL,                                       -- opaque JSON from the caller
    state        TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    available_at BIGINT  NOT NULL,
    lease_until  BIGINT,
    ts           TEXT,
    last_error   TEXT,                                                   -- a short reason, never message text
    created_at   BIGINT  NOT NULL,
    sent_at      BIGINT
);
CREATE INDEX outbox_state_available ON outbox (state, available_at);
CREATE INDEX outbox_state_lease ON outbox (state, lease_until);
CREATE INDEX outbox_user ON outbox (user_id);
CREATE INDEX outbox_delivery ON outbox (delivery_id);

-- Monthly summaries already sent, so each goes out exactly once. kind is 'person' or
-- 'team:<channel_id>' (user_id is then the lead).
CREATE TABLE summaries_sent (
    user_id TEXT   NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    period  TEXT   NOT NULL CHECK (length(period) = 7),  -- 'YYYY-MM'
    kind    TEXT   NOT NULL CHECK (kind = 'person' OR kind LIKE 'team:_%'),
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, period, kind)
);

-- Small process-wide flags, such as 'sending_stopped' after app_uninstalled or tokens_revoked.
CREATE TABLE app_state (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
