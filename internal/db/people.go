package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Person is someone Reflect knows, with their schedule state.
type Person struct {
	UserID           string
	TeamID           string
	TZ               string     // IANA zone name; "UTC" until Slack tells us better
	DMChannelID      string     // empty until the first DM is opened
	Slot             string     // personal weekly slot such as "tue 10:30"; empty = default schedule
	PausedUntil      *time.Time // nil = not paused
	NextDueAt        *time.Time // nil = not scheduled
	UnansweredStreak int
	AskedToContinue  bool
	Deleted          bool   // the Slack account was deleted
	ChartFileID      string // the latest trend chart shared in their DM, if any
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// UpsertPerson inserts a person or updates what Slack tells us about them: team, time zone and DM
// channel. Schedule state (slot, pause, next due, streak) is left alone, and an empty field keeps
// the stored value, so a partial profile never erases a known one.
func (s *Store) UpsertPerson(ctx context.Context, p Person) error {
	if p.UserID == "" {
		return errors.New("db: upsert person: empty user id")
	}
	tz := p.TZ
	if tz == "" {
		tz = "UTC"
	}
	if err := upsertPerson(ctx, s.write, millis(s.now()), p); err != nil {
		return fmt.Errorf("db: upsert person: %w", err)
	}
	return nil
}

// upsertPerson is UpsertPerson's statement, on the store or inside a transaction.
func upsertPerson(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, now int64, p Person) error {
	tz := p.TZ
	if tz == "" {
		tz = "UTC"
	}
	_, err := ex.ExecContext(ctx, `
		INSERT INTO people (user_id, team_id, tz, dm_channel_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET
			team_id       = CASE WHEN ? = '' THEN people.team_id ELSE excluded.team_id END,
			tz            = CASE WHEN ? = '' THEN people.tz ELSE excluded.tz END,
			dm_channel_id = COALESCE(excluded.dm_channel_id, people.dm_channel_id),
			updated_at    = excluded.updated_at`,
		p.UserID, p.TeamID, tz, nullString(p.DMChannelID), now, now,
		p.TeamID, p.TZ)
	return err
}

// Person returns the person with userID, or an error wrapping ErrNotFound.
func (s *Store) Person(ctx context.Context, userID string) (Person, error) {
	var (
		p                Person
		dm, slot         sql.NullString
		paused, due      sql.NullInt64
		asked, deleted   int
		created, updated int64
		chart            sql.NullString
	)
	err := s.read.QueryRowContext(ctx, `
		SELECT user_id, team_id, tz, dm_channel_id, slot, paused_until, next_due_at,
		       unanswered_streak, asked_to_continue, deleted, created_at, updated_at, chart_file_id
		FROM people WHERE user_id = ?`, userID).Scan(
		&p.UserID, &p.TeamID, &p.TZ, &dm, &slot, &paused, &due,
		&p.UnansweredStreak, &asked, &deleted, &created, &updated, &chart)
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, fmt.Errorf("db: person %s: %w", userID, ErrNotFound)
	}
	if err != nil {
		return Person{}, fmt.Errorf("db: person: %w", err)
	}
	p.DMChannelID, p.Slot, p.ChartFileID = dm.String, slot.String, chart.String
	p.PausedUntil, p.NextDueAt = timePtr(paused), timePtr(due)
	p.AskedToContinue, p.Deleted = asked != 0, deleted != 0
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return p, nil
}

// MarkPersonDeleted records that a person's Slack account was deleted: they are unenrolled,
// unscheduled, and their unsent posts are given up, all in one transaction. Their answers stay
// until retention or an explicit forget removes them.
func (s *Store) MarkPersonDeleted(ctx context.Context, userID string) error {
	now := millis(s.now())
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: mark person deleted: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `
		UPDATE people SET deleted = 1, next_due_at = NULL, updated_at = ? WHERE user_id = ?`, now, userID)
	if err != nil {
		return fmt.Errorf("db: mark person deleted: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("db: mark person deleted: %w", err)
	} else if n == 0 {
		return fmt.Errorf("db: mark person deleted %s: %w", userID, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM enrolments WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("db: mark person deleted: unenrol: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = 'user deleted'
		WHERE user_id = ? AND state = 'pending'`, userID); err != nil {
		return fmt.Errorf("db: mark person deleted: drop posts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: mark person deleted: %w", err)
	}
	return nil
}

// validSource checks an enrolment source: "self" or "channel:<channel_id>".
func validSource(source string) error {
	if source == "self" {
		return nil
	}
	if id, ok := strings.CutPrefix(source, "channel:"); ok && id != "" {
		return nil
	}
	return fmt.Errorf("source %q: want self or channel:<channel_id>", source)
}

// Enrol records why a person receives prompts and reports whether the source is new for them. The
// person must exist (UpsertPerson first), else the error wraps ErrNotFound.
func (s *Store) Enrol(ctx context.Context, userID, source string) (bool, error) {
	if err := validSource(source); err != nil {
		return false, fmt.Errorf("db: enrol: %w", err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("db: enrol: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("db: enrol: %w", err)
	}
	if n == 0 {
		return false, fmt.Errorf("db: enrol %s: %w", userID, ErrNotFound)
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO enrolments (user_id, source, created_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id, source) DO NOTHING`, userID, source, millis(s.now()))
	if err != nil {
		return false, fmt.Errorf("db: enrol: %w", err)
	}
	added, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("db: enrol: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("db: enrol: %w", err)
	}
	return added == 1, nil
}

// Unenrol removes one reason a person receives prompts and reports whether it was there. Other
// sources keep them enrolled.
func (s *Store) Unenrol(ctx context.Context, userID, source string) (bool, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM enrolments WHERE user_id = ? AND source = ?`, userID, source)
	if err != nil {
		return false, fmt.Errorf("db: unenrol: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("db: unenrol: %w", err)
	}
	return n == 1, nil
}

// Enrolments returns a person's enrolment sources, sorted; none means not enrolled.
func (s *Store) Enrolments(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT source FROM enrolments WHERE user_id = ? ORDER BY source`, userID)
	if err != nil {
		return nil, fmt.Errorf("db: enrolments: %w", err)
	}
	defer rows.Close()
	var sources []string
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			return nil, fmt.Errorf("db: enrolments: %w", err)
		}
		sources = append(sources, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: enrolments: %w", err)
	}
	return sources, nil
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
