package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// MirrorPayload is a KindMirror post's payload: which channel's mirror of which month it asks.
// It holds nothing the member answered.
type MirrorPayload struct {
	ChannelID string `json:"channel_id"`
	Period    string `json:"period"` // YYYY-MM
}

// MirrorChannel is a channel whose lead turned the team mirror on.
type MirrorChannel struct {
	ChannelID  string
	LeadUserID string
	LeadTZ     string // the lead's zone
	Since      time.Time
}

// Marks of mirror_marks besides an answered question's id.
const (
	mirrorAsked     = ""  // the month's questions were queued to the member
	mirrorSkipped   = "-" // the member skipped the month
	mirrorResponded = "+" // the member answered at least one question (counted once as a respondent)
)

// MirrorState is what a member did with a month's mirror of a channel: whether they were asked,
// skipped it, and which questions they answered (never what they chose).
type MirrorState struct {
	Asked, Skipped bool
	Answered       map[string]bool // question id → answered
}

// MirrorOption is one option of a question of a month's mirror, as the store counts it.
type MirrorOption struct {
	ItemID    string
	Dimension string
	Choice    int  // the option's index, -1 for "not sure"
	Lean      *int // nil for "not sure"
}

// MirrorTally is how often one option was chosen in a channel's month.
type MirrorTally struct {
	ItemID    string
	Dimension string
	Choice    int
	Lean      *int
	Answers   int
}

func checkPeriod(op, period string) error {
	if _, err := time.Parse("2006-01", period); err != nil || len(period) != 7 {
		return fmt.Errorf("db: %s: period %q: want YYYY-MM", op, period)
	}
	return nil
}

// SetMirror turns a channel's mirror on (for leadUserID, who must lead the opted-in channel) or
// off, and reports whether that changed anything. Turning it on for a channel that is not opted
// in, or by someone who does not lead it, gives an error wrapping ErrWrongState.
func (s *Store) SetMirror(ctx context.Context, channelID, leadUserID string, on bool) (bool, error) {
	now := s.now()
	return transact(ctx, s.write, nil, "set mirror", func(tx *sql.Tx) (bool, error) {
		if !on {
			res, err := tx.ExecContext(ctx, `DELETE FROM mirror_channels WHERE channel_id = ?`, channelID)
			if err != nil {
				return false, fmt.Errorf("db: mirror off: %w", err)
			}
			n, err := res.RowsAffected()
			return n > 0, err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `
			SELECT COUNT(*) FROM channels WHERE channel_id = ? AND lead_user_id = ? AND opted_out_at IS NULL`,
			channelID, leadUserID).Scan(&n); err != nil {
			return false, fmt.Errorf("db: mirror on: %w", err)
		}
		if n == 0 {
			return false, fmt.Errorf("db: mirror on: %s does not lead opted-in channel %s: %w", leadUserID, channelID, ErrWrongState)
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO mirror_channels (channel_id, lead_user_id, since) VALUES (?, ?, ?)
			ON CONFLICT (channel_id) DO UPDATE SET lead_user_id = excluded.lead_user_id, since = excluded.since
			WHERE mirror_channels.lead_user_id <> excluded.lead_user_id`, channelID, leadUserID, millis(now))
		if err != nil {
			return false, fmt.Errorf("db: mirror on: %w", err)
		}
		n64, err := res.RowsAffected()
		return n64 > 0, err
	})
}

// MirrorChannels lists the channels whose mirror is on and still opted in with the same lead, with
// the lead's zone, for the monthly job. leadUserID "" lists every one; else only that lead's.
func (s *Store) MirrorChannels(ctx context.Context, leadUserID string) ([]MirrorChannel, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT m.channel_id, m.lead_user_id, p.tz, m.since
		FROM mirror_channels m
		JOIN channels c ON c.channel_id = m.channel_id AND c.lead_user_id = m.lead_user_id AND c.opted_out_at IS NULL
		JOIN people p ON p.user_id = m.lead_user_id
		WHERE (? = '' OR m.lead_user_id = ?) ORDER BY m.channel_id`, leadUserID, leadUserID)
	if err != nil {
		return nil, fmt.Errorf("db: mirror channels: %w", err)
	}
	defer rows.Close()
	var out []MirrorChannel
	for rows.Next() {
		var c MirrorChannel
		var since int64
		if err := rows.Scan(&c.ChannelID, &c.LeadUserID, &c.LeadTZ, &since); err != nil {
			return nil, fmt.Errorf("db: mirror channels: %w", err)
		}
		c.Since = fromMillis(since)
		out = append(out, c)
	}
	return out, rows.Err()
}

// MirrorLedMonths lists the channels with a mirror month of period about leadUserID, whether or
// not the mirror is still on (a month already asked is still shown).
func (s *Store) MirrorLedMonths(ctx context.Context, leadUserID, period string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT channel_id FROM mirror_months WHERE lead_user_id = ? AND period = ? ORDER BY channel_id`, leadUserID, period)
	if err != nil {
		return nil, fmt.Errorf("db: mirror months: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// QueueMirror queues a channel's mirror of period to each of members who has not been asked it
// yet, has not stopped the mirror and is not leadUserID, once per member and month (a mark
// recorded in the transaction that queues the post), and readies the month's counts for options
// (every option of every question of the month, at zero) so that no row's place says when an
// answer came. It returns the members it queued it to.
func (s *Store) QueueMirror(ctx context.Context, channelID, leadUserID, period string, members []string, options []MirrorOption) ([]string, error) {
	if err := checkPeriod("queue mirror", period); err != nil {
		return nil, err
	}
	now := s.now()
	return transact(ctx, s.write, nil, "queue mirror", func(tx *sql.Tx) ([]string, error) {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO mirror_months (channel_id, period, lead_user_id, respondents) VALUES (?, ?, ?, 0)
			ON CONFLICT (channel_id, period) DO NOTHING`, channelID, period, leadUserID); err != nil {
			return nil, fmt.Errorf("db: queue mirror: month: %w", err)
		}
		var lead string
		if err := tx.QueryRowContext(ctx, `SELECT lead_user_id FROM mirror_months WHERE channel_id = ? AND period = ?`,
			channelID, period).Scan(&lead); err != nil {
			return nil, fmt.Errorf("db: queue mirror: month: %w", err)
		}
		if lead != leadUserID {
			return nil, nil // the month is about another lead: asked already
		}
		for _, o := range options {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO mirror_answers (channel_id, period, item_id, dimension, choice, lean, answers)
				VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT (channel_id, period, item_id, choice) DO NOTHING`,
				channelID, period, o.ItemID, o.Dimension, o.Choice, o.Lean); err != nil {
				return nil, fmt.Errorf("db: queue mirror: counts: %w", err)
			}
		}
		var queued []string
		payload, _ := json.Marshal(MirrorPayload{ChannelID: channelID, Period: period})
		for _, id := range members {
			if id == leadUserID {
				continue
			}
			var dm sql.NullString
			err := tx.QueryRowContext(ctx, `
				SELECT p.dm_channel_id FROM people p
				WHERE p.user_id = ? AND p.deleted = 0
				  AND NOT EXISTS (SELECT 1 FROM mirror_stops s WHERE s.user_id = p.user_id)`, id).Scan(&dm)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("db: queue mirror: %w", err)
			}
			res, err := tx.ExecContext(ctx, `
				INSERT INTO mirror_marks (user_id, channel_id, period, item_id) VALUES (?, ?, ?, ?)
				ON CONFLICT (user_id, channel_id, period, item_id) DO NOTHING`, id, channelID, period, mirrorAsked)
			if err != nil {
				return nil, fmt.Errorf("db: queue mirror: mark: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if _, err := enqueue(ctx, tx, now, OutboxMessage{UserID: id, ChannelID: dm.String, Kind: KindMirror, Payload: payload}); err != nil {
				return nil, fmt.Errorf("db: queue mirror: %w", err)
			}
			queued = append(queued, id)
		}
		return queued, nil
	})
}

// MirrorState reads what userID did with a channel's mirror of period.
func (s *Store) MirrorState(ctx context.Context, userID, channelID, period string) (MirrorState, error) {
	st := MirrorState{Answered: map[string]bool{}}
	rows, err := s.read.QueryContext(ctx, `
		SELECT item_id FROM mirror_marks WHERE user_id = ? AND channel_id = ? AND period = ?`, userID, channelID, period)
	if err != nil {
		return st, fmt.Errorf("db: mirror state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var item string
		if err := rows.Scan(&item); err != nil {
			return st, err
		}
		switch item {
		case mirrorAsked:
			st.Asked = true
		case mirrorSkipped:
			st.Skipped = true
		case mirrorResponded:
		default:
			st.Answered[item] = true
		}
	}
	return st, rows.Err()
}

// RecordMirrorAnswer counts one member's answer to one question of a channel's month: the count
// of the option goes up by one, and the member's mark records only that they answered the
// question. The first question a member answers in a month counts them as a respondent. It
// reports false, changing nothing, when the member was not asked that month, skipped it, or
// answered the question already.
func (s *Store) RecordMirrorAnswer(ctx context.Context, userID, channelID, period string, o MirrorOption) (bool, error) {
	if o.ItemID == mirrorAsked || o.ItemID == mirrorSkipped || o.ItemID == mirrorResponded {
		return false, fmt.Errorf("db: mirror answer: bad question id %q", o.ItemID)
	}
	// Each step claims its mark with an insert that does nothing when the mark exists: two taps
	// at once (on PostgreSQL, two transactions) count an answer, and a respondent, only once.
	mark := func(tx *sql.Tx, item string) (bool, error) {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO mirror_marks (user_id, channel_id, period, item_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, channel_id, period, item_id) DO NOTHING`, userID, channelID, period, item)
		if err != nil {
			return false, fmt.Errorf("db: mirror answer: mark: %w", err)
		}
		n, err := res.RowsAffected()
		return n > 0, err
	}
	return transact(ctx, s.write, nil, "mirror answer", func(tx *sql.Tx) (bool, error) {
		var asked, skipped int
		if err := tx.QueryRowContext(ctx, `
			SELECT COALESCE(SUM(CASE WHEN item_id = ? THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN item_id = ? THEN 1 ELSE 0 END), 0)
			FROM mirror_marks WHERE user_id = ? AND channel_id = ? AND period = ?`,
			mirrorAsked, mirrorSkipped, userID, channelID, period).Scan(&asked, &skipped); err != nil {
			return false, fmt.Errorf("db: mirror answer: %w", err)
		}
		if asked == 0 || skipped > 0 {
			return false, nil
		}
		if ok, err := mark(tx, o.ItemID); err != nil || !ok {
			return false, err // answered already
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE mirror_answers SET answers = answers + 1
			WHERE channel_id = ? AND period = ? AND item_id = ? AND choice = ?`, channelID, period, o.ItemID, o.Choice)
		if err != nil {
			return false, fmt.Errorf("db: mirror answer: count: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, fmt.Errorf("db: mirror answer: %s has no option %d in %s's mirror of %s: %w", o.ItemID, o.Choice, channelID, period, ErrWrongState)
		}
		first, err := mark(tx, mirrorResponded)
		if err != nil {
			return false, err
		}
		if first {
			if _, err := tx.ExecContext(ctx, `UPDATE mirror_months SET respondents = respondents + 1 WHERE channel_id = ? AND period = ?`,
				channelID, period); err != nil {
				return false, fmt.Errorf("db: mirror answer: respondents: %w", err)
			}
		}
		return true, nil
	})
}

// SkipMirror records that userID skipped a channel's mirror of period: they are asked nothing
// more that month. It reports false when they were not asked it or skipped it already.
func (s *Store) SkipMirror(ctx context.Context, userID, channelID, period string) (bool, error) {
	return transact(ctx, s.write, nil, "skip mirror", func(tx *sql.Tx) (bool, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `
			SELECT COUNT(*) FROM mirror_marks WHERE user_id = ? AND channel_id = ? AND period = ? AND item_id = ?`,
			userID, channelID, period, mirrorAsked).Scan(&n); err != nil {
			return false, fmt.Errorf("db: skip mirror: %w", err)
		}
		if n == 0 {
			return false, nil
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO mirror_marks (user_id, channel_id, period, item_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, channel_id, period, item_id) DO NOTHING`, userID, channelID, period, mirrorSkipped)
		if err != nil {
			return false, fmt.Errorf("db: skip mirror: %w", err)
		}
		n64, _ := res.RowsAffected()
		return n64 > 0, nil
	})
}

// StopMirror stops (stop true) or restarts the mirror for userID, in every channel, and reports
// whether that changed anything.
func (s *Store) StopMirror(ctx context.Context, userID string, stop bool) (bool, error) {
	q := `INSERT INTO mirror_stops (user_id) SELECT user_id FROM people WHERE user_id = ? ON CONFLICT (user_id) DO NOTHING`
	if !stop {
		q = `DELETE FROM mirror_stops WHERE user_id = ?`
	}
	res, err := s.write.ExecContext(ctx, q, userID)
	if err != nil {
		return false, fmt.Errorf("db: stop mirror: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// MirrorStopped reports whether userID stopped the mirror for themselves.
func (s *Store) MirrorStopped(ctx context.Context, userID string) (bool, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM mirror_stops WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("db: mirror stopped: %w", err)
	}
	return n > 0, nil
}

// MirrorMonth reads a channel's mirror of period: the lead it is about, how many members answered
// and the counts per option. A month never asked gives ErrNotFound.
func (s *Store) MirrorMonth(ctx context.Context, channelID, period string) (lead string, respondents int, tallies []MirrorTally, err error) {
	err = s.inReadTx(ctx, "mirror month", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT lead_user_id, respondents FROM mirror_months WHERE channel_id = ? AND period = ?`,
			channelID, period).Scan(&lead, &respondents)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("mirror of %s in %s: %w", channelID, period, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return eachRow(ctx, tx, `
			SELECT item_id, dimension, choice, lean, answers FROM mirror_answers
			WHERE channel_id = ? AND period = ? ORDER BY item_id, choice`, []any{channelID, period}, func(r *sql.Rows) error {
			var t MirrorTally
			var lean sql.NullInt64
			if err := r.Scan(&t.ItemID, &t.Dimension, &t.Choice, &lean, &t.Answers); err != nil {
				return err
			}
			if lean.Valid {
				l := int(lean.Int64)
				t.Lean = &l
			}
			tallies = append(tallies, t)
			return nil
		})
	})
	return lead, respondents, tallies, err
}
