package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"
)

// Phases of an opt-in job.
const (
	OptInListing  = "members"  // reading the channel's members from conversations.members
	OptInProfiles = "profiles" // looking members up and enrolling them
	OptInDone     = "done"
)

// Outcomes of an opt-in job's member, once handled.
const (
	OutcomeWelcomed = "welcomed" // enrolled through the channel and welcomed
	OutcomeEnrolled = "enrolled" // enrolled through the channel; prompted another way already, so no welcome
	OutcomeAlready  = "already"  // enrolled through the channel before
	OutcomeLead     = "lead"     // the lead, enrolled as a member without a welcome
	OutcomeStopped  = "stopped"  // said stop before: not enrolled again
	OutcomeBot      = "bot"      // a bot or app
	OutcomeDeleted  = "deleted"  // a deactivated account, or one Slack no longer knows
	OutcomeExternal = "external" // someone from another organisation (Slack Connect)
	OutcomeSelf     = "self"     // this app, or Slackbot: not a person, and not worth counting
	OutcomeLeft     = "left"     // left the channel before the job reached them
)

// OptInJob is a channel's opt-in (or late joins) being worked through.
type OptInJob struct {
	ChannelID, LeadUserID, TeamID string
	Phase                         string
	MembersCursor, UsersCursor    string
	Report                        bool // tell the lead when done
}

// OptInReport is what an opt-in did, by outcome; it is also the payload of KindTeamOptInDone.
type OptInReport struct {
	ChannelID string `json:"channel_id"`
	Welcomed  int    `json:"welcomed"`
	Enrolled  int    `json:"enrolled"` // enrolled without a welcome (prompted another way already)
	Already   int    `json:"already"`
	Lead      bool   `json:"lead"`
	Stopped   int    `json:"stopped"`
	Bots      int    `json:"bots"`
	Deleted   int    `json:"deleted"`
	External  int    `json:"external"`
}

// errJobGone is returned when an opt-in job was cancelled (the channel opted out) under a caller.
var errJobGone = errors.New("opt-in job no longer exists")

// ErrOptInCancelled reports that a channel's opt-in job was cancelled meanwhile (it was opted out,
// archived or the app removed): stop working on it.
var ErrOptInCancelled = fmt.Errorf("db: %w", errJobGone)

// StartOptIn records a channel's opt-in job, to list its members from the start, with the lead
// told when it is done if report is set. A job that is running already keeps going as it is
// (started reports false); a finished one starts over.
func (s *Store) StartOptIn(ctx context.Context, channelID, leadUserID, teamID string, report bool) (started bool, err error) {
	if channelID == "" {
		return false, fmt.Errorf("db: start opt-in: %w", errNoChannel)
	}
	now := millis(s.now())
	res, err := s.write.ExecContext(ctx, `
		INSERT INTO optin_jobs (channel_id, lead_user_id, team_id, phase, report, created_at, updated_at)
		VALUES (?, ?, ?, 'members', ?, ?, ?)
		ON CONFLICT (channel_id) DO UPDATE SET
			lead_user_id = excluded.lead_user_id, team_id = excluded.team_id, phase = 'members',
			members_cursor = '', users_cursor = '', report = excluded.report, created_at = excluded.created_at,
			updated_at = excluded.updated_at
		WHERE optin_jobs.phase = 'done'`, channelID, leadUserID, teamID, boolInt(report), now, now)
	if err != nil {
		return false, fmt.Errorf("db: start opt-in: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// AddLateJoin puts someone who joined an opted-in channel on its job, to be looked up and
// enrolled like the members found at opt-in; a finished job goes on again, without telling the
// lead. It reports false (and changes nothing) when the channel has no job.
func (s *Store) AddLateJoin(ctx context.Context, channelID, userID string) (bool, error) {
	now := millis(s.now())
	return transact(ctx, s.write, nil, "add late join", func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `
			UPDATE optin_jobs SET phase = CASE WHEN phase = 'done' THEN 'profiles' ELSE phase END,
				users_cursor = CASE WHEN phase = 'done' THEN '' ELSE users_cursor END, updated_at = ?
			WHERE channel_id = ?`, now, channelID)
		if err != nil {
			return false, fmt.Errorf("db: add late join: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, nil
		}
		// Someone who left and came back is handled again; the welcome stays once per enrolment.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO optin_members (channel_id, user_id, state) VALUES (?, ?, 'pending')
			ON CONFLICT (channel_id, user_id) DO UPDATE SET state = 'pending', outcome = ''`, channelID, userID); err != nil {
			return false, fmt.Errorf("db: add late join: %w", err)
		}
		return true, nil
	})
}

func scanOptInJob(sc interface{ Scan(...any) error }) (OptInJob, error) {
	var j OptInJob
	var report int
	err := sc.Scan(&j.ChannelID, &j.LeadUserID, &j.TeamID, &j.Phase, &j.MembersCursor, &j.UsersCursor, &report)
	j.Report = report != 0
	return j, err
}

const optInJobColumns = `channel_id, lead_user_id, team_id, phase, members_cursor, users_cursor, report`

// OptInJob returns a channel's job, or an error wrapping ErrNotFound.
func (s *Store) OptInJob(ctx context.Context, channelID string) (OptInJob, error) {
	j, err := scanOptInJob(s.read.QueryRowContext(ctx, `SELECT `+optInJobColumns+` FROM optin_jobs WHERE channel_id = ?`, channelID))
	if errors.Is(err, sql.ErrNoRows) {
		return OptInJob{}, fmt.Errorf("db: opt-in job %s: %w", channelID, ErrNotFound)
	}
	if err != nil {
		return OptInJob{}, fmt.Errorf("db: opt-in job: %w", err)
	}
	return j, nil
}

// UnfinishedOptIns returns the jobs not done yet, oldest first.
func (s *Store) UnfinishedOptIns(ctx context.Context) ([]OptInJob, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+optInJobColumns+` FROM optin_jobs WHERE phase <> 'done' ORDER BY created_at, channel_id`)
	if err != nil {
		return nil, fmt.Errorf("db: unfinished opt-ins: %w", err)
	}
	defer rows.Close()
	var out []OptInJob
	for rows.Next() {
		j, err := scanOptInJob(rows)
		if err != nil {
			return nil, fmt.Errorf("db: unfinished opt-ins: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: unfinished opt-ins: %w", err)
	}
	return out, nil
}

// AddOptInMembers records one page of a channel's members as pending and where the next page
// starts, in one transaction; an empty next ends the listing. A page read again after a restart
// adds nobody twice. It returns ErrOptInCancelled if the job is gone.
func (s *Store) AddOptInMembers(ctx context.Context, channelID string, ids []string, next string) error {
	now := millis(s.now())
	return s.inTx(ctx, "add opt-in members", func(tx *sql.Tx) error {
		phase := OptInListing
		if next == "" {
			phase = OptInProfiles
		}
		res, err := tx.ExecContext(ctx, `UPDATE optin_jobs SET members_cursor = ?, phase = ?, updated_at = ? WHERE channel_id = ? AND phase = 'members'`,
			next, phase, now, channelID)
		if err != nil {
			return fmt.Errorf("db: add opt-in members: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrOptInCancelled
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO optin_members (channel_id, user_id, state) VALUES (?, ?, 'pending')
				ON CONFLICT (channel_id, user_id) DO NOTHING`, channelID, id); err != nil {
				return fmt.Errorf("db: add opt-in members: %w", err)
			}
		}
		return nil
	})
}

// PendingOptInMembers returns the members of a channel's job not handled yet, by user id.
func (s *Store) PendingOptInMembers(ctx context.Context, channelID string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT user_id FROM optin_members WHERE channel_id = ? AND state = 'pending' ORDER BY user_id`, channelID)
	if err != nil {
		return nil, fmt.Errorf("db: pending opt-in members: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: pending opt-in members: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: pending opt-in members: %w", err)
	}
	return out, nil
}

// SetOptInUsersCursor records where the job's users.list reading goes on.
func (s *Store) SetOptInUsersCursor(ctx context.Context, channelID, cursor string) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE optin_jobs SET users_cursor = ?, updated_at = ? WHERE channel_id = ?`,
		cursor, millis(s.now()), channelID); err != nil {
		return fmt.Errorf("db: set opt-in cursor: %w", err)
	}
	return nil
}

// SkipOptInMember marks a pending member handled without enrolling them, with outcome saying why
// (OutcomeBot, OutcomeDeleted, OutcomeExternal, OutcomeSelf, OutcomeLeft). It returns ErrOptInCancelled if the
// job is gone.
func (s *Store) SkipOptInMember(ctx context.Context, channelID, userID, outcome string) error {
	res, err := s.write.ExecContext(ctx, `
		UPDATE optin_members SET state = 'done', outcome = ? WHERE channel_id = ? AND user_id = ? AND state = 'pending'`,
		outcome, channelID, userID)
	if err != nil {
		return fmt.Errorf("db: skip opt-in member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.jobGone(ctx, channelID)
	}
	return nil
}

// jobGone tells a member already handled (nil) from a job cancelled (ErrOptInCancelled).
func (s *Store) jobGone(ctx context.Context, channelID string) error {
	if _, err := s.OptInJob(ctx, channelID); errors.Is(err, ErrNotFound) {
		return ErrOptInCancelled
	} else if err != nil {
		return err
	}
	return nil
}

// OptInEnrolment is one member an opt-in job handles: enrolled (with Next, their first prompt if
// they have none) unless Skip says why not (OutcomeBot, OutcomeDeleted, OutcomeExternal,
// OutcomeSelf, OutcomeLeft).
type OptInEnrolment struct {
	Person Person
	Next   time.Time
	Skip   string
}

// EnrolOptInMembers handles a batch of a channel's pending members in one transaction: each is
// enrolled as JoinTeam does (welcomed unless they are the lead or prompted another way already;
// not enrolled if they said stop) or skipped, and marked handled with the outcome. A crash before
// the commit leaves them all pending; after it, each welcome is queued exactly once. Members
// handled already are left alone (their outcome is ""). A cancelled job gives ErrOptInCancelled.
func (s *Store) EnrolOptInMembers(ctx context.Context, channelID, lead string, batch []OptInEnrolment) (outcomes []string, welcomed int, err error) {
	now := s.now()
	if err := s.inTx(ctx, "enrol opt-in members", func(tx *sql.Tx) error {
		outcomes = make([]string, len(batch))
		for i, e := range batch {
			// Claiming the row first takes its lock, so an opt-out that deletes it either came
			// before (nothing to claim) or waits for this to commit.
			res, err := tx.ExecContext(ctx, `
				UPDATE optin_members SET state = 'done', outcome = ? WHERE channel_id = ? AND user_id = ? AND state = 'pending'`,
				e.Skip, channelID, e.Person.UserID)
			if err != nil {
				return fmt.Errorf("db: enrol opt-in members: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 || e.Skip != "" {
				outcomes[i] = e.Skip
				if n == 0 {
					outcomes[i] = ""
				}
				continue
			}
			if err := upsertPerson(ctx, tx, millis(now), e.Person); err != nil {
				return fmt.Errorf("db: enrol opt-in members: %w", err)
			}
			isLead := e.Person.UserID == lead
			j, err := joinTeamTx(ctx, tx, now, e.Person.UserID, channelID, lead, e.Next, !isLead)
			if err != nil {
				return fmt.Errorf("db: enrol opt-in members: %w", err)
			}
			outcome := OutcomeAlready
			switch {
			case j.Stopped:
				outcome = OutcomeStopped
			case isLead:
				outcome = OutcomeLead
			case j.Welcomed:
				outcome = OutcomeWelcomed
				welcomed++
			case j.Enrolled:
				outcome = OutcomeEnrolled
			}
			if _, err := tx.ExecContext(ctx, `UPDATE optin_members SET outcome = ? WHERE channel_id = ? AND user_id = ?`,
				outcome, channelID, e.Person.UserID); err != nil {
				return fmt.Errorf("db: enrol opt-in members: %w", err)
			}
			outcomes[i] = outcome
		}
		var jobs int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM optin_jobs WHERE channel_id = ?`, channelID).Scan(&jobs); err != nil {
			return fmt.Errorf("db: enrol opt-in members: %w", err)
		}
		if jobs == 0 {
			return ErrOptInCancelled
		}
		return nil
	}); err != nil {
		return nil, 0, err
	}
	return outcomes, welcomed, nil
}

// FinishOptIn ends a channel's job once no member is pending: it counts the outcomes and, when
// the lead is to be told, queues the report to them, in the transaction that marks the job done,
// so the lead hears once. done is false while members are still pending; a cancelled job gives
// ErrOptInCancelled.
func (s *Store) FinishOptIn(ctx context.Context, channelID string) (r OptInReport, done bool, err error) {
	now := s.now()
	done, err = transact(ctx, s.write, nil, "finish opt-in", func(tx *sql.Tx) (bool, error) {
		var lead, phase string
		var report int
		err = tx.QueryRowContext(ctx, `SELECT lead_user_id, phase, report FROM optin_jobs WHERE channel_id = ?`, channelID).Scan(&lead, &phase, &report)
		if errors.Is(err, sql.ErrNoRows) {
			return false, ErrOptInCancelled
		}
		if err != nil {
			return false, fmt.Errorf("db: finish opt-in: %w", err)
		}
		if phase == OptInListing {
			return false, nil
		}
		r.ChannelID = channelID
		rows, err := tx.QueryContext(ctx, `SELECT state, outcome, COUNT(*) FROM optin_members WHERE channel_id = ? GROUP BY state, outcome`, channelID)
		if err != nil {
			return false, fmt.Errorf("db: finish opt-in: %w", err)
		}
		pending := 0
		for rows.Next() {
			var state, outcome string
			var n int
			if err := rows.Scan(&state, &outcome, &n); err != nil {
				rows.Close()
				return false, fmt.Errorf("db: finish opt-in: %w", err)
			}
			if state == "pending" {
				pending += n
				continue
			}
			switch outcome {
			case OutcomeWelcomed:
				r.Welcomed += n
			case OutcomeEnrolled:
				r.Enrolled += n
			case OutcomeAlready:
				r.Already += n
			case OutcomeLead:
				r.Lead = n > 0
			case OutcomeStopped:
				r.Stopped += n
			case OutcomeBot:
				r.Bots += n
			case OutcomeDeleted:
				r.Deleted += n
			case OutcomeExternal:
				r.External += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return false, fmt.Errorf("db: finish opt-in: %w", err)
		}
		if pending > 0 {
			return false, nil
		}
		if phase == OptInDone {
			return true, nil
		}
		// The job is marked done first, and only if nobody is pending now: of two processes finishing
		// it at once (replicas), the second finds it done and queues no second report, and a late
		// join committed meanwhile keeps it open.
		res, err := tx.ExecContext(ctx, `
			UPDATE optin_jobs SET phase = 'done', report = 0, updated_at = ?
			WHERE channel_id = ? AND phase = 'profiles'
			  AND NOT EXISTS (SELECT 1 FROM optin_members WHERE channel_id = ? AND state = 'pending')`,
			millis(now), channelID, channelID)
		if err != nil {
			return false, fmt.Errorf("db: finish opt-in: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, nil
		}
		var dm sql.NullString
		if report != 0 && lead != "" {
			// Only to a lead who still leads the channel and has not been forgotten meanwhile.
			err := tx.QueryRowContext(ctx, `
				SELECT p.dm_channel_id FROM channels c JOIN people p ON p.user_id = c.lead_user_id
				WHERE c.channel_id = ? AND c.lead_user_id = ? AND p.deleted = 0`, channelID, lead).Scan(&dm)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				report = 0
			case err != nil:
				return false, fmt.Errorf("db: finish opt-in: %w", err)
			}
		}
		if report != 0 && lead != "" {
			payload, _ := json.Marshal(r)
			if _, err := enqueue(ctx, tx, now, OutboxMessage{UserID: lead, ChannelID: dm.String, Kind: KindTeamOptInDone, Payload: payload}); err != nil {
				return false, fmt.Errorf("db: finish opt-in: queue report: %w", err)
			}
		}
		return true, nil
	})
	return r, done, err
}

// cancelOptInTx forgets a channel's job and its members' progress, inside tx.
func cancelOptInTx(ctx context.Context, tx *sql.Tx, channelID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM optin_members WHERE channel_id = ?`, channelID); err != nil {
		return fmt.Errorf("cancel opt-in: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM optin_jobs WHERE channel_id = ?`, channelID); err != nil {
		return fmt.Errorf("cancel opt-in: %w", err)
	}
	return nil
}

// LockOptIn keeps other processes off a channel's job while this one works it: on PostgreSQL
// (replicas) a session advisory lock on one pooled connection, which Postgres releases by itself
// if the process dies; on SQLite, one process owns the database and ok is always true. ok is false
// when another process holds the job; otherwise call unlock when done.
func (s *Store) LockOptIn(ctx context.Context, channelID string) (unlock func(), ok bool, err error) {
	if !s.pg {
		return func() {}, true, nil
	}
	h := fnv.New64a()
	h.Write([]byte("reflect optin " + channelID))
	key := int64(h.Sum64())
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("db: lock opt-in: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, key).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, fmt.Errorf("db: lock opt-in: %w", err)
		}
		return nil, false, nil
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, key)
		conn.Close()
	}, true, nil
}
