-- A person's monthly experiments: one small practice they chose to try for a month, offered by
-- their summary. One a month (committing another for the same month replaces it). outcome is how
-- they said it went, latest first wins: '' (not said yet), well, mixed, not_yet or dropped; note
-- is their optional words about it; outcome_delivery is the weekly prompt whose message asked
-- (so that message shows the answer), NULL when they said it another way.
CREATE TABLE experiments (
    user_id          TEXT   NOT NULL REFERENCES people (user_id) ON DELETE CASCADE,
    month            TEXT   NOT NULL,
    experiment_id    TEXT   NOT NULL,
    need             TEXT   NOT NULL,
    committed_at     BIGINT NOT NULL,
    outcome          TEXT   NOT NULL DEFAULT '' CHECK (outcome IN ('', 'well', 'mixed', 'not_yet', 'dropped')),
    note             TEXT   NOT NULL DEFAULT '',
    outcome_at       BIGINT,
    outcome_delivery BIGINT,
    PRIMARY KEY (user_id, month)
);
-- Retention reads them by age.
CREATE INDEX experiments_committed ON experiments (committed_at);
