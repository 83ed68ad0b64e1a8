package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ClaimEvent records a Slack event_id and reports whether this is the first time it was seen. A
// retry of a claimed event gets false and is dropped; the unique key decides, so concurrent
// claims (even from several replicas) yield exactly one true.
func (s *Store) ClaimEvent(ctx context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return false, errors.New("db: claim event: empty event id")
	}
	res, err := s.write.ExecContext(ctx,
		`INSERT INTO seen_events (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING`,
		eventID, millis(s.now()))
	if err != nil {
		return false, fmt.Errorf("db: claim event: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("db: claim event: %w", err)
	}
	return n == 1, nil
}

// ReleaseEvent frees an event_id after its processing failed, so Slack's retry can succeed.
func (s *Store) ReleaseEvent(ctx context.Context, eventID string) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM seen_events WHERE event_id = ?`, eventID); err != nil {
		return fmt.Errorf("db: release event: %w", err)
	}
	return nil
}

// PurgeEvents deletes event ids seen before olderThan and returns how many went. Slack's last retry
// comes minutes after the first delivery, so keeping an hour or more is enough.
func (s *Store) PurgeEvents(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM seen_events WHERE seen_at < ?`, millis(olderThan))
	if err != nil {
		return 0, fmt.Errorf("db: purge events: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("db: purge events: %w", err)
	}
	return n, nil
}

// SetAppState sets a process-wide flag, such as "sending_stopped".
func (s *Store) SetAppState(ctx context.Context, key, value string) error {
	if key == "" {
		return errors.New("db: set app state: empty key")
	}
	_, err := s.write.ExecContext(ctx, `
		INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, value, millis(s.now()))
	if err != nil {
		return fmt.Errorf("db: set app state: %w", err)
	}
	return nil
}

// AppState returns a process-wide flag and whether it is set.
func (s *Store) AppState(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM app_state WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("db: app state: %w", err)
	}
	return v, true, nil
}
