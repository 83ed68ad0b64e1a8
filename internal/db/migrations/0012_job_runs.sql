-- The periodic jobs of the due loop (monthly team summaries, retention) run once per period
-- across replicas: a replica takes a job's period by holding its lease (holder is the claim's
-- token, lease_until when it lapses) and marks it done when the job has run. A replica that died
-- mid-run leaves a lease that lapses, and another runs the job again for that period.
CREATE TABLE job_runs (
    name        TEXT   NOT NULL,
    period      TEXT   NOT NULL,
    holder      BIGINT NOT NULL,
    lease_until BIGINT NOT NULL,
    done_at     BIGINT,
    PRIMARY KEY (name, period)
);
