package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// jobRunsKept is how long a finished job run is remembered: long after its period has passed.
const jobRunsKept = 60 * 24 * time.Hour

// ClaimJob takes the run of the job name for period (a key the caller derives from the time,
// such as the period's start), for lease, and returns the claim's token; 0 means not taken: the
// job already ran for that period, or another replica holds it and its lease has not lapsed. A
// holder that died leaves a lease that lapses, and the next claim takes the run over. The claim
// is one statement, so of two replicas claiming at once only one gets the run.
func (s *Store) ClaimJob(ctx context.Context, name, period string, now time.Time, lease time.Duration) (int64, error) {
	if name == "" || period == "" || lease <= 0 {
		return 0, fmt.Errorf("db: claim job: name %q, period %q and lease %s must be set", name, period, lease)
	}
	token := newToken()
	var holder int64
	err := s.write.QueryRowContext(ctx, `
		INSERT INTO job_runs (name, period, holder, lease_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (name, period) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
		WHERE job_runs.done_at IS NULL AND job_runs.lease_until <= ?
		RETURNING holder`, name, period, token, millis(now.Add(lease)), millis(now)).Scan(&holder)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("db: claim job %s: %w", name, err)
	}
	return holder, nil
}

// FinishJob records that the job name ran for period under the claim token, so no replica runs
// it again for that period, and forgets runs finished long ago. A claim that was taken over (its
// lease lapsed) finishes nothing: the error wraps ErrWrongState.
func (s *Store) FinishJob(ctx context.Context, name, period string, token int64, now time.Time) error {
	return s.inTx(ctx, "finish job", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE job_runs SET done_at = ? WHERE name = ? AND period = ? AND holder = ? AND done_at IS NULL`,
			millis(now), name, period, token)
		if err != nil {
			return fmt.Errorf("db: finish job %s: %w", name, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("db: finish job %s: %w", name, err)
		} else if n == 0 {
			return fmt.Errorf("db: finish job %s for %s: the claim was taken over: %w", name, period, ErrWrongState)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM job_runs WHERE name = ? AND done_at < ?`,
			name, millis(now.Add(-jobRunsKept))); err != nil {
			return fmt.Errorf("db: finish job %s: forget old runs: %w", name, err)
		}
		return nil
	})
}

// ReleaseJob gives up the claim token on the job's period without finishing it (the run failed),
// so the next claim, on any replica, takes it at once. A claim no longer held releases nothing.
func (s *Store) ReleaseJob(ctx context.Context, name, period string, token int64) error {
	if _, err := s.write.ExecContext(ctx, `
		UPDATE job_runs SET lease_until = 0 WHERE name = ? AND period = ? AND holder = ? AND done_at IS NULL`,
		name, period, token); err != nil {
		return fmt.Errorf("db: release job %s: %w", name, err)
	}
	return nil
}
