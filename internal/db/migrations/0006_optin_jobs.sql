-- Channel opt-in runs as a durable job: the job (one per channel) and each member's progress, so
-- a restart resumes where it stopped and welcomes nobody twice.
CREATE TABLE optin_jobs (
    channel_id     TEXT PRIMARY KEY,
    lead_user_id   TEXT NOT NULL,
    team_id        TEXT NOT NULL DEFAULT '',
    phase          TEXT NOT NULL,            -- 'members', 'profiles' or 'done'
    members_cursor TEXT NOT NULL DEFAULT '', -- conversations.members' next page
    users_cursor   TEXT NOT NULL DEFAULT '', -- users.list's next page
    report         INTEGER NOT NULL DEFAULT 0, -- 1: tell the lead what it did when it is done
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE TABLE optin_members (
    channel_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    state      TEXT NOT NULL,            -- 'pending' or 'done'
    outcome    TEXT NOT NULL DEFAULT '', -- once done: welcomed, enrolled, already, lead, stopped, bot, deleted, external, self
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX optin_members_pending ON optin_members (channel_id, state);
