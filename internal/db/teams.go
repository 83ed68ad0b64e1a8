package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TeamPayload is the outbox payload of team posts.
type TeamPayload struct {
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel_name,omitempty"` // team_summary: the name when it was queued
	LeadUserID  string `json:"lead_user_id,omitempty"` // team_welcome: who opted the channel in
	Period      string `json:"period,omitempty"`       // team_summary: YYYY-MM
}

// TeamChannel is a channel a lead opted in.
type TeamChannel struct {
	ChannelID  string
	LeadUserID string // "" when the lead left the channel or was forgotten
	LeadTZ     string // the lead's zone, "" without a lead
	OptedInAt  time.Time
	OptedOutAt *time.Time // nil while opted in
}

// OptedIn reports whether the channel is opted in now.
func (c TeamChannel) OptedIn() bool { return c.OptedOutAt == nil }

// ChannelSource is the enrolment source of a channel's members: "channel:<channel_id>".
func ChannelSource(channelID string) string { return "channel:" + channelID }

// TeamJoin is what JoinTeam did.
type TeamJoin struct {
	Enrolled bool // the channel is a new reason for the person to receive prompts
	Welcomed bool // they had no other reason, so a welcome was queued
	Stopped  bool // they had said stop, so nothing changed
}

// TeamLeave is what LeaveTeam did.
type TeamLeave struct {
	Unenrolled bool // the channel was one of their reasons
	Stopped    bool // it was the last one: they are unscheduled
	LeadGone   bool // they were the channel's lead, and no longer are
}

// errNoChannel is returned when a channel id is empty.
var errNoChannel = errors.New("empty channel id")

// TeamChannel returns a channel's opt-in record, opted in or not, or an error wrapping ErrNotFound
// if it was never opted in.
func (s *Store) TeamChannel(ctx context.Context, channelID string) (TeamChannel, error) {
	c, err := scanTeamChannel(s.read.QueryRowContext(ctx, `
		SELECT c.channel_id, c.lead_user_id, p.tz, c.opted_in_at, c.opted_out_at
		FROM channels c LEFT JOIN people p ON p.user_id = c.lead_user_id
		WHERE c.channel_id = ?`, channelID))
	if errors.Is(err, sql.ErrNoRows) {
		return TeamChannel{}, fmt.Errorf("db: team channel %s: %w", channelID, ErrNotFound)
	}
	if err != nil {
		return TeamChannel{}, fmt.Errorf("db: team channel: %w", err)
	}
	return c, nil
}

func scanTeamChannel(sc interface{ Scan(...any) error }) (TeamChannel, error) {
	var (
		c        TeamChannel
		lead, tz sql.NullString
		in       int64
		out      sql.NullInt64
	)
	if err := sc.Scan(&c.ChannelID, &lead, &tz, &in, &out); err != nil {
		return TeamChannel{}, err
	}
	c.LeadUserID, c.LeadTZ, c.OptedInAt, c.OptedOutAt = lead.String, tz.String, fromMillis(in), timePtr(out)
	return c, nil
}

// TeamChannels returns the channels opted in now that have a lead, by channel id.
func (s *Store) TeamChannels(ctx context.Context) ([]TeamChannel, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT c.channel_id, c.lead_user_id, p.tz, c.opted_in_at, c.opted_out_at
		FROM channels c JOIN people p ON p.user_id = c.lead_user_id
		WHERE c.opted_out_at IS NULL AND p.deleted = 0
		ORDER BY c.channel_id`)
	if err != nil {
		return nil, fmt.Errorf("db: team channels: %w", err)
	}
	defer rows.Close()
	var out []TeamChannel
	for rows.Next() {
		c, err := scanTeamChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("db: team channels: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: team channels: %w", err)
	}
	return out, nil
}

// OptInChannel records that leadUserID opted channelID in, or took over as lead of a channel
// that is opted in already (its opt-in date then stays). The lead must exist (UpsertPerson
// first), else the error wraps ErrNotFound.
func (s *Store) OptInChannel(ctx context.Context, channelID, leadUserID string) error {
	if channelID == "" {
		return fmt.Errorf("db: opt in channel: %w", errNoChannel)
	}
	now := millis(s.now())
	return s.inTx(ctx, "opt in channel", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE user_id = ?`, leadUserID).Scan(&n); err != nil {
			return fmt.Errorf("db: opt in channel: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("db: opt in channel: lead %s: %w", leadUserID, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO channels (channel_id, lead_user_id, opted_in_at, opted_out_at) VALUES (?, ?, ?, NULL)
			ON CONFLICT (channel_id) DO UPDATE SET
				lead_user_id = excluded.lead_user_id,
				opted_in_at  = CASE WHEN channels.opted_out_at IS NULL THEN channels.opted_in_at ELSE excluded.opted_in_at END,
				opted_out_at = NULL`, channelID, leadUserID, now); err != nil {
			return fmt.Errorf("db: opt in channel: %w", err)
		}
		return nil
	})
}

// JoinTeam enrols a member of channelID (creating or refreshing them from p, as Start does),
// unless they said stop (Stop) and have not started again since, and,
// if they had no next occurrence yet, sets it to next. A welcome naming lead is queued in the same
// transaction when welcome is set and the channel is the person's only reason to receive prompts:
// someone enrolled another way already knows Reflect and gets no second welcome.
func (s *Store) JoinTeam(ctx context.Context, p Person, channelID, lead string, next time.Time, welcome bool) (TeamJoin, error) {
	if channelID == "" {
		return TeamJoin{}, fmt.Errorf("db: join team: %w", errNoChannel)
	}
	if err := s.UpsertPerson(ctx, p); err != nil {
		return TeamJoin{}, err
	}
	return transact(ctx, s.write, nil, "join team", func(tx *sql.Tx) (TeamJoin, error) {
		j, err := joinTeamTx(ctx, tx, s.now(), p.UserID, channelID, lead, next, welcome)
		if err != nil {
			return TeamJoin{}, fmt.Errorf("db: join team: %w", err)
		}
		return j, nil
	})
}

// joinTeamTx is JoinTeam's work inside tx, for a person who exists already.
func joinTeamTx(ctx context.Context, tx *sql.Tx, now time.Time, userID, channelID, lead string, next time.Time, welcome bool) (TeamJoin, error) {
	var before int
	var dm sql.NullString
	var stopped sql.NullInt64
	if err := tx.QueryRowContext(ctx, `
		SELECT (SELECT COUNT(*) FROM enrolments WHERE user_id = ?1), dm_channel_id, stopped_at FROM people WHERE user_id = ?1`,
		userID).Scan(&before, &dm, &stopped); err != nil {
		return TeamJoin{}, err
	}
	if stopped.Valid {
		// They said stop: a channel does not sign them up again; /reflect start does.
		return TeamJoin{Stopped: true}, nil
	}
	added, err := enrol(ctx, tx, now, userID, ChannelSource(channelID), next)
	if err != nil {
		return TeamJoin{}, err
	}
	j := TeamJoin{Enrolled: added}
	if j.Enrolled && before == 0 && welcome {
		payload, _ := json.Marshal(TeamPayload{ChannelID: channelID, LeadUserID: lead})
		if _, err := enqueue(ctx, tx, now, OutboxMessage{UserID: userID, ChannelID: dm.String, Kind: KindTeamWelcome,
			Payload: payload}); err != nil {
			return TeamJoin{}, fmt.Errorf("queue welcome: %w", err)
		}
		j.Welcomed = true
	}
	return j, nil
}

// LeaveTeam is a member leaving channelID: the channel stops being a reason for their prompts and,
// if it was the last one, they are unscheduled and their queued prompts given up, as Stop does.
// A lead who leaves stops being the lead: the channel stays opted in, without summaries, until
// someone opts it in again. All in one transaction; answers stay.
func (s *Store) LeaveTeam(ctx context.Context, userID, channelID string) (TeamLeave, error) {
	now := millis(s.now())
	return transact(ctx, s.write, nil, "leave team", func(tx *sql.Tx) (TeamLeave, error) {
		var err error
		var l TeamLeave
		res, err := tx.ExecContext(ctx, `DELETE FROM enrolments WHERE user_id = ? AND source = ?`,
			userID, ChannelSource(channelID))
		if err != nil {
			return TeamLeave{}, fmt.Errorf("db: leave team: %w", err)
		}
		n, _ := res.RowsAffected()
		l.Unenrolled = n == 1
		if l.Unenrolled {
			if l.Stopped, err = stopIfUnenrolled(ctx, tx, now, userID); err != nil {
				return TeamLeave{}, fmt.Errorf("db: leave team: %w", err)
			}
		}
		res, err = tx.ExecContext(ctx, `UPDATE channels SET lead_user_id = NULL WHERE channel_id = ? AND lead_user_id = ?`,
			channelID, userID)
		if err != nil {
			return TeamLeave{}, fmt.Errorf("db: leave team: %w", err)
		}
		n, _ = res.RowsAffected()
		l.LeadGone = n == 1
		return l, nil
	})
}

// OptOutChannel opts a channel out (/reflect optout, an archived channel): it is marked opted out,
// it stops being a reason for anyone's prompts, and the people it was the last reason for are
// unscheduled. It returns those whose enrolment it removed and those it stopped, by user id.
// Everyone keeps their answers. A channel that was never opted in changes nothing.
func (s *Store) OptOutChannel(ctx context.Context, channelID string) (unenrolled, stopped []string, err error) {
	now := millis(s.now())
	if err := s.inTx(ctx, "opt out channel", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE channels SET opted_out_at = ? WHERE channel_id = ? AND opted_out_at IS NULL`,
			now, channelID); err != nil {
			return fmt.Errorf("db: opt out channel: %w", err)
		}
		// An opt-in still running stops with it: nobody more is enrolled or welcomed through it.
		if err := cancelOptInTx(ctx, tx, channelID); err != nil {
			return fmt.Errorf("db: opt out channel: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `DELETE FROM enrolments WHERE source = ? RETURNING user_id`, ChannelSource(channelID))
		if err != nil {
			return fmt.Errorf("db: opt out channel: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("db: opt out channel: %w", err)
			}
			unenrolled = append(unenrolled, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("db: opt out channel: %w", err)
		}
		for _, id := range unenrolled {
			done, err := stopIfUnenrolled(ctx, tx, now, id)
			if err != nil {
				return fmt.Errorf("db: opt out channel: %w", err)
			}
			if done {
				stopped = append(stopped, id)
			}
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	return unenrolled, stopped, nil
}

// stopIfUnenrolled unschedules a person with no enrolment left and gives up their queued prompts,
// reminders and welcomes, as Stop does, and reports whether it did.
func stopIfUnenrolled(ctx context.Context, tx *sql.Tx, now int64, userID string) (bool, error) {
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM enrolments WHERE user_id = ?`, userID).Scan(&left); err != nil {
		return false, fmt.Errorf("count enrolments: %w", err)
	}
	if left > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE people SET next_due_at = NULL, unanswered_streak = 0, asked_to_continue = 0, updated_at = ?
		WHERE user_id = ?`, now, userID); err != nil {
		return false, fmt.Errorf("unschedule: %w", err)
	}
	dropped, args := kindsIn(append(weeklyKinds(), KindTeamWelcome)...)
	if _, err := tx.ExecContext(ctx, `
		UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = 'stopped'
		WHERE user_id = ? AND state = 'pending' AND kind IN (`+dropped+`)`,
		append([]any{userID}, args...)...); err != nil {
		return false, fmt.Errorf("drop posts: %w", err)
	}
	return true, nil
}

// TeamMembers returns the people enrolled through channelID, by user id.
func (s *Store) TeamMembers(ctx context.Context, channelID string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT e.user_id FROM enrolments e JOIN people p ON p.user_id = e.user_id
		WHERE e.source = ? AND p.deleted = 0 ORDER BY e.user_id`, ChannelSource(channelID))
	if err != nil {
		return nil, fmt.Errorf("db: team members: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: team members: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: team members: %w", err)
	}
	return out, nil
}

// teamKind is the summaries_sent kind of a channel's team summary.
func teamKind(channelID string) string { return "team:" + channelID }

// TeamSummarySent reports whether a channel's summary of period was already queued for lead.
func (s *Store) TeamSummarySent(ctx context.Context, channelID, leadUserID, period string) (bool, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `
		SELECT COUNT(*) FROM summaries_sent WHERE user_id = ? AND period = ? AND kind = ?`,
		leadUserID, period, teamKind(channelID)).Scan(&n); err != nil {
		return false, fmt.Errorf("db: team summary sent: %w", err)
	}
	return n > 0, nil
}

// QueueTeamSummary queues a channel's summary of period (YYYY-MM) for its lead, once: it records
// the month in summaries_sent (kind team:<channel_id>) and queues the post in one transaction,
// and does nothing if the month was recorded already, if the channel is no longer opted in or if
// leadUserID no longer leads it. It reports whether it queued the post.
func (s *Store) QueueTeamSummary(ctx context.Context, channelID, leadUserID, channelName, period string) (bool, error) {
	if channelID == "" {
		return false, fmt.Errorf("db: queue team summary: %w", errNoChannel)
	}
	if len(period) != 7 || strings.Count(period, "-") != 1 {
		return false, fmt.Errorf("db: queue team summary: period %q: want YYYY-MM", period)
	}
	now := s.now()
	return transact(ctx, s.write, nil, "queue team summary", func(tx *sql.Tx) (bool, error) {
		var err error
		var dm sql.NullString
		err = tx.QueryRowContext(ctx, `
			SELECT p.dm_channel_id FROM channels c JOIN people p ON p.user_id = c.lead_user_id
			WHERE c.channel_id = ? AND c.lead_user_id = ? AND c.opted_out_at IS NULL AND p.deleted = 0`,
			channelID, leadUserID).Scan(&dm)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("db: queue team summary: %w", err)
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO summaries_sent (user_id, period, kind, sent_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, period, kind) DO NOTHING`, leadUserID, period, teamKind(channelID), millis(now))
		if err != nil {
			return false, fmt.Errorf("db: queue team summary: record: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, nil
		}
		payload, _ := json.Marshal(TeamPayload{ChannelID: channelID, ChannelName: channelName, Period: period})
		if _, err := enqueue(ctx, tx, now, OutboxMessage{UserID: leadUserID, ChannelID: dm.String, Kind: KindTeamSummary,
			Payload: payload}); err != nil {
			return false, fmt.Errorf("db: queue team summary: %w", err)
		}
		return true, nil
	})
}

// TeamFigure returns the stored team figure of a channel's month (period YYYY-MM), as
// SaveTeamFigure kept it, and whether there is one.
func (s *Store) TeamFigure(ctx context.Context, channelID, period string) ([]byte, bool, error) {
	var fig string
	err := s.read.QueryRowContext(ctx, `SELECT figure FROM team_figures WHERE channel_id = ? AND period = ?`,
		channelID, period).Scan(&fig)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("db: team figure: %w", err)
	}
	return []byte(fig), true, nil
}

// SaveTeamFigure keeps figure as the channel's team figure of period, unless one is kept already,
// and returns the one kept: the first figure of a month is the only one, ever, so two views of it
// never differ (two processes racing agree on the first).
func (s *Store) SaveTeamFigure(ctx context.Context, channelID, period string, figure []byte) ([]byte, error) {
	if channelID == "" {
		return nil, fmt.Errorf("db: save team figure: %w", errNoChannel)
	}
	if len(period) != 7 || strings.Count(period, "-") != 1 {
		return nil, fmt.Errorf("db: save team figure: period %q: want YYYY-MM", period)
	}
	return transact(ctx, s.write, nil, "save team figure", func(tx *sql.Tx) ([]byte, error) {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO team_figures (channel_id, period, figure, computed_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (channel_id, period) DO NOTHING`, channelID, period, string(figure), millis(s.now())); err != nil {
			return nil, fmt.Errorf("db: save team figure: %w", err)
		}
		var kept string
		if err := tx.QueryRowContext(ctx, `SELECT figure FROM team_figures WHERE channel_id = ? AND period = ?`,
			channelID, period).Scan(&kept); err != nil {
			return nil, fmt.Errorf("db: save team figure: %w", err)
		}
		return []byte(kept), nil
	})
}
