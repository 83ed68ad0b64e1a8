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

// personColumns are the people columns scanPerson reads, qualified by the alias p.
const personColumns = `p.user_id, p.team_id, p.tz, p.dm_channel_id, p.slot, p.paused_until, p.next_due_at,
	p.unanswered_streak, p.asked_to_continue, p.deleted, p.created_at, p.updated_at, p.chart_file_id`

// scanPerson reads personColumns, followed by the destinations in more.
func scanPerson(sc interface{ Scan(...any) error }, more ...any) (Person, error) {
	var (
		p                Person
		dm, slot         sql.NullString
		paused, due      sql.NullInt64
		asked, deleted   int
		created, updated int64
		chart            sql.NullString
	)
	dest := append([]any{&p.UserID, &p.TeamID, &p.TZ, &dm, &slot, &paused, &due,
		&p.UnansweredStreak, &asked, &deleted, &created, &updated, &chart}, more...)
	if err := sc.Scan(dest...); err != nil {
		return Person{}, err
	}
	p.DMChannelID, p.Slot, p.ChartFileID = dm.String, slot.String, chart.String
	p.PausedUntil, p.NextDueAt = timePtr(paused), timePtr(due)
	p.AskedToContinue, p.Deleted = asked != 0, deleted != 0
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return p, nil
}

// Person returns the person with userID, or an error wrapping ErrNotFound.
func (s *Store) Person(ctx context.Context, userID string) (Person, error) {
	p, err := scanPerson(s.read.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people p WHERE p.user_id = ?`, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, fmt.Errorf("db: person %s: %w", userID, ErrNotFound)
	}
	if err != nil {
		return Person{}, fmt.Errorf("db: person: %w", err)
	}
	return p, nil
}

// MarkPersonDeleted records that a person's Slack account was deleted: they are unenrolled,
// unscheduled, and their unsent posts are given up, all in one transaction. Their answers stay
// until retention or an explicit forget removes them.
func (s *Store) MarkPersonDeleted(ctx context.Context, userID string) error {
	now := millis(s.now())
	return s.inTx(ctx, "mark person deleted", func(tx *sql.Tx) error {
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
		return nil
	})
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
	return transact(ctx, s.write, nil, "enrol", func(tx *sql.Tx) (bool, error) {
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
		return added == 1, nil
	})
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

// Start enrols a person (creating or refreshing them from p) for source and, if they have no
// next occurrence yet, sets it to next. It reports whether the source is new.
func (s *Store) Start(ctx context.Context, p Person, source string, next time.Time) (bool, error) {
	if err := validSource(source); err != nil {
		return false, fmt.Errorf("db: start: %w", err)
	}
	if err := s.UpsertPerson(ctx, p); err != nil {
		return false, err
	}
	now := s.now()
	return transact(ctx, s.write, nil, "start", func(tx *sql.Tx) (bool, error) {
		if _, err := tx.ExecContext(ctx, `UPDATE people SET stopped_at = NULL WHERE user_id = ?`, p.UserID); err != nil {
			return false, fmt.Errorf("db: start: %w", err)
		}
		added, err := enrol(ctx, tx, now, p.UserID, source, next)
		if err != nil {
			return false, fmt.Errorf("db: start: %w", err)
		}
		return added, nil
	})
}

// enrol adds a reason for a person to receive prompts and schedules them at next unless they
// already have a next occurrence. It reports whether the source is new for them.
func enrol(ctx context.Context, tx *sql.Tx, now time.Time, userID, source string, next time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO enrolments (user_id, source, created_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id, source) DO NOTHING`, userID, source, millis(now))
	if err != nil {
		return false, fmt.Errorf("enrol: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `
		UPDATE people SET next_due_at = COALESCE(next_due_at, ?), deleted = 0, updated_at = ? WHERE user_id = ?`,
		millis(next), millis(now), userID); err != nil {
		return false, fmt.Errorf("schedule: %w", err)
	}
	return n == 1, nil
}

// Stop removes every reason a person receives prompts, unschedules them and gives up their
// queued prompts and reminders, and remembers that they said stop: a channel opt-in or join does
// not enrol them again, only their own Start. Their answers stay. It reports whether they were
// enrolled.
func (s *Store) Stop(ctx context.Context, userID string) (bool, error) {
	now := millis(s.now())
	return transact(ctx, s.write, nil, "stop", func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM enrolments WHERE user_id = ?`, userID)
		if err != nil {
			return false, fmt.Errorf("db: stop: %w", err)
		}
		n, _ := res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `
			UPDATE people SET next_due_at = NULL, unanswered_streak = 0, asked_to_continue = 0,
			                  stopped_at = ?, updated_at = ?
			WHERE user_id = ?`, now, now, userID); err != nil {
			return false, fmt.Errorf("db: stop: %w", err)
		}
		weekly, args := kindsIn(weeklyKinds()...)
		if _, err := tx.ExecContext(ctx, `
			UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = 'stopped'
			WHERE user_id = ? AND state = 'pending' AND kind IN (`+weekly+`)`,
			append([]any{userID}, args...)...); err != nil {
			return false, fmt.Errorf("db: stop: %w", err)
		}
		return n > 0, nil
	})
}

// SetSchedule sets a person's personal slot ("" = the default schedule) and their next
// occurrence.
func (s *Store) SetSchedule(ctx context.Context, userID, slot string, next time.Time) error {
	return s.updatePerson(ctx, "set schedule", userID,
		`slot = ?, next_due_at = CASE WHEN next_due_at IS NULL THEN NULL ELSE CAST(? AS BIGINT) END`, nullString(slot), millis(next))
}

// SetPause pauses a person until `until`, or resumes them when until is nil. Occurrences in a
// pause pass unsent; the unanswered streak starts again.
func (s *Store) SetPause(ctx context.Context, userID string, until *time.Time) error {
	return s.updatePerson(ctx, "set pause", userID,
		`paused_until = ?, unanswered_streak = 0, asked_to_continue = 0`, nullMillis(until))
}

func (s *Store) updatePerson(ctx context.Context, op, userID, set string, args ...any) error {
	args = append(args, millis(s.now()), userID)
	res, err := s.write.ExecContext(ctx, `UPDATE people SET `+set+`, updated_at = ? WHERE user_id = ?`, args...)
	if err != nil {
		return fmt.Errorf("db: %s: %w", op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("db: %s %s: %w", op, userID, ErrNotFound)
	}
	return nil
}
