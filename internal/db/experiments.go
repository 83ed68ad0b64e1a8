package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Experiment is one month's experiment a person chose to try: a practice from the experiment
// feature's list (ExperimentID, with the Need it answers), for Month ("2026-04").
type Experiment struct {
	UserID       string
	Month        string
	ExperimentID string
	Need         string
	CommittedAt  time.Time
	// Outcome is how the person said it went: "" (not yet said), "well", "mixed", "not_yet" or
	// "dropped"; Note is their own words about it, if any.
	Outcome   string
	Note      string
	OutcomeAt *time.Time
	// OutcomeDelivery is the weekly prompt whose message the outcome was given in, 0 when it was
	// given another way.
	OutcomeDelivery int64
}

// Experiment outcomes.
const (
	OutcomeWell    = "well"
	OutcomeMixed   = "mixed"
	OutcomeNotYet  = "not_yet"
	OutcomeDropped = "dropped"
)

// CommitExperiment records that a person will try e.ExperimentID in e.Month. A second commitment
// for the same month replaces the first, and with it any outcome said about the first. A person
// Reflect does not know gives an error wrapping ErrNotFound.
func (s *Store) CommitExperiment(ctx context.Context, e Experiment) error {
	now := s.now()
	if e.UserID == "" || e.Month == "" || e.ExperimentID == "" {
		return errors.New("db: commit experiment: person, month and experiment are required")
	}
	_, err := transact(ctx, s.write, nil, "commit experiment", func(tx *sql.Tx) (struct{}, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE user_id = ?`, e.UserID).Scan(&n); err != nil {
			return struct{}{}, err
		}
		if n == 0 {
			return struct{}{}, fmt.Errorf("person %s: %w", e.UserID, ErrNotFound)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO experiments (user_id, month, experiment_id, need, committed_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id, month) DO UPDATE SET
				experiment_id = excluded.experiment_id, need = excluded.need, committed_at = excluded.committed_at,
				outcome = '', note = '', outcome_at = NULL, outcome_delivery = NULL`,
			e.UserID, e.Month, e.ExperimentID, e.Need, millis(now))
		return struct{}{}, err
	})
	return err
}

// Experiments returns a person's experiments, the latest month first.
func (s *Store) Experiments(ctx context.Context, userID string) ([]Experiment, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT user_id, month, experiment_id, need, committed_at, outcome, note, outcome_at, outcome_delivery
		FROM experiments WHERE user_id = ? ORDER BY month DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("db: experiments: %w", err)
	}
	defer rows.Close()
	var out []Experiment
	for rows.Next() {
		var (
			e        Experiment
			at       int64
			outAt    sql.NullInt64
			delivery sql.NullInt64
		)
		if err := rows.Scan(&e.UserID, &e.Month, &e.ExperimentID, &e.Need, &at, &e.Outcome, &e.Note, &outAt, &delivery); err != nil {
			return nil, fmt.Errorf("db: experiments: %w", err)
		}
		e.CommittedAt, e.OutcomeAt, e.OutcomeDelivery = fromMillis(at), timePtr(outAt), delivery.Int64
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: experiments: %w", err)
	}
	return out, nil
}

// RecordExperimentOutcome records how a person's experiment for month went, said in the message
// of weekly prompt deliveryID (0: said another way). An experiment not committed gives an error
// wrapping ErrNotFound.
func (s *Store) RecordExperimentOutcome(ctx context.Context, userID, month, outcome string, deliveryID int64) error {
	switch outcome {
	case OutcomeWell, OutcomeMixed, OutcomeNotYet, OutcomeDropped:
	default:
		return fmt.Errorf("db: record experiment outcome: unknown outcome %q", outcome)
	}
	var delivery any
	if deliveryID != 0 {
		delivery = deliveryID
	}
	return s.updateExperiment(ctx, "record experiment outcome", userID, month,
		`outcome = ?, outcome_at = ?, outcome_delivery = ?`, outcome, millis(s.now()), delivery)
}

// SetExperimentNote keeps a person's own words about their experiment for month ("" clears
// them). An experiment not committed gives an error wrapping ErrNotFound.
func (s *Store) SetExperimentNote(ctx context.Context, userID, month, note string) error {
	return s.updateExperiment(ctx, "set experiment note", userID, month, `note = ?`, note)
}

func (s *Store) updateExperiment(ctx context.Context, op, userID, month, set string, args ...any) error {
	args = append(args, userID, month)
	res, err := s.write.ExecContext(ctx, `UPDATE experiments SET `+set+` WHERE user_id = ? AND month = ?`, args...)
	if err != nil {
		return fmt.Errorf("db: %s: %w", op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("db: %s: %w", op, ErrNotFound)
	}
	return nil
}
