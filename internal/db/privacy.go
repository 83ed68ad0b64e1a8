package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Export format identifiers, written at the top of every export so a reader can tell what the file
// is and which shape it has. Fields may be added within a version; none are renamed or removed.
const (
	ExportFormat  = "reflect-export"
	ExportVersion = 1
)

// Export is everything the store holds about one person (/reflect export: anyone may take a copy
// of all that is kept about them, at any time, in a machine-readable form). Times are UTC. Slices are never nil, so an empty list reads as [] rather than null.
type Export struct {
	Format        string              `json:"format"`  // ExportFormat
	Version       int                 `json:"version"` // ExportVersion
	ExportedAt    time.Time           `json:"exported_at"`
	Person        ExportPerson        `json:"person"`
	Enrolments    []ExportEnrolment   `json:"enrolments"`
	ChannelsLed   []ExportChannel     `json:"channels_led"`
	Deliveries    []ExportDelivery    `json:"deliveries"`
	Answers       []ExportAnswer      `json:"answers"`
	Assessments   []ExportAssessment  `json:"assessments"`
	SummariesSent []ExportSummarySent `json:"summaries_sent"`
	// Outbox lists the posts queued for the person, by kind, state and time only: their payloads
	// are rendered messages, and their contents are in the rest of the export.
	Outbox []ExportOutboxItem `json:"outbox"`
}

// ExportPerson is the person's row: who they are to Reflect and their schedule state.
type ExportPerson struct {
	UserID           string     `json:"user_id"`
	TeamID           string     `json:"team_id"`
	TZ               string     `json:"tz"`
	DMChannelID      *string    `json:"dm_channel_id"`
	Slot             *string    `json:"slot"`
	PausedUntil      *time.Time `json:"paused_until"`
	NextDueAt        *time.Time `json:"next_due_at"`
	UnansweredStreak int        `json:"unanswered_streak"`
	AskedToContinue  bool       `json:"asked_to_continue"`
	Deleted          bool       `json:"deleted"`
	ChartFileID      *string    `json:"chart_file_id"`
	StoppedAt        *time.Time `json:"stopped_at"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// ExportEnrolment is one reason the person receives prompts.
type ExportEnrolment struct {
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

// ExportChannel is a channel the person opted in as its lead.
type ExportChannel struct {
	ChannelID  string     `json:"channel_id"`
	OptedInAt  time.Time  `json:"opted_in_at"`
	OptedOutAt *time.Time `json:"opted_out_at"`
}

// ExportDelivery is one prompt owed to the person.
type ExportDelivery struct {
	ID                int64      `json:"id"`
	Occurrence        time.Time  `json:"occurrence"`
	Kind              string     `json:"kind"`
	PromptID          string     `json:"prompt_id"`
	WellbeingPromptID *string    `json:"wellbeing_prompt_id"`
	State             string     `json:"state"`
	ChannelID         *string    `json:"channel_id"`
	TS                *string    `json:"ts"`
	RemindedAt        *time.Time `json:"reminded_at"`
	CreatedAt         time.Time  `json:"created_at"`
}

// ExportAnswer is one answer, with the text the person wrote and how it was read.
type ExportAnswer struct {
	ID          int64     `json:"id"`
	DeliveryID  *int64    `json:"delivery_id"`
	PromptID    string    `json:"prompt_id"`
	Question    string    `json:"question,omitempty"` // filled by the caller from the catalogue
	OptionIndex *int      `json:"option_index"`
	Choice      string    `json:"choice,omitempty"` // the chosen option's label, filled by the caller
	Text        *string   `json:"text"`
	Lean        float64   `json:"lean"`
	Weight      float64   `json:"weight"`
	Wellbeing   *float64  `json:"wellbeing"`
	Explanation string    `json:"explanation"`
	Source      string    `json:"source"`
	MessageTS   *string   `json:"message_ts"`
	AnsweredAt  time.Time `json:"answered_at"`
}

// ExportAssessment is one assessment with its items.
type ExportAssessment struct {
	ID      int64                  `json:"id"`
	TakenAt time.Time              `json:"taken_at"`
	Lean    float64                `json:"lean"`
	Label   string                 `json:"label"`
	Items   []ExportAssessmentItem `json:"items"`
}

// ExportAssessmentItem is one answered item of an assessment.
type ExportAssessmentItem struct {
	PromptID    string   `json:"prompt_id"`
	Question    string   `json:"question,omitempty"` // filled by the caller from the catalogue
	OptionIndex int      `json:"option_index"`
	Choice      string   `json:"choice,omitempty"` // filled by the caller from the catalogue
	Lean        *float64 `json:"lean"`
	Wellbeing   *float64 `json:"wellbeing"`
}

// ExportSummarySent records a monthly summary sent to the person.
type ExportSummarySent struct {
	Period string    `json:"period"`
	Kind   string    `json:"kind"`
	SentAt time.Time `json:"sent_at"`
}

// ExportOutboxItem is a post queued for the person, without its payload.
type ExportOutboxItem struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	CreatedAt   time.Time  `json:"created_at"`
	AvailableAt time.Time  `json:"available_at"`
	SentAt      *time.Time `json:"sent_at"`
}

// ptrString reads a nullable text column.
func ptrString(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

// ptrFloat reads a nullable real column.
func ptrFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

// dmChannelsSQL lists the person's DM channels (?1 is the user id): the one on their row and any
// a delivery or a post of theirs was made in. Replies to what a person typed are queued by DM
// channel alone, without the person, so this is how those rows are found. Only ids of direct
// message channels (D…) count: a post to a shared channel is not the person's.
const dmChannelsSQL = `
	SELECT dm_channel_id FROM people WHERE user_id = ?1 AND dm_channel_id LIKE 'D%'
	UNION SELECT channel_id FROM deliveries WHERE user_id = ?1 AND channel_id LIKE 'D%'
	UNION SELECT channel_id FROM outbox WHERE user_id = ?1 AND channel_id LIKE 'D%'`

// personOutboxSQL selects the outbox rows that are the person's (?1 is the user id): addressed to
// them, carrying one of their deliveries, or addressed only to one of their DM channels.
const personOutboxSQL = `
	user_id = ?1
	OR delivery_id IN (SELECT id FROM deliveries WHERE user_id = ?1)
	OR (user_id IS NULL AND channel_id IN (` + dmChannelsSQL + `))`

// Export returns everything stored about a person, read in one transaction so the parts agree.
// A person Reflect does not know gives an error wrapping ErrNotFound. Nothing about anyone else
// is included.
func (s *Store) Export(ctx context.Context, userID string) (Export, error) {
	now := s.now()
	ex := Export{
		Format: ExportFormat, Version: ExportVersion, ExportedAt: now.UTC(),
		Enrolments: []ExportEnrolment{}, ChannelsLed: []ExportChannel{}, Deliveries: []ExportDelivery{},
		Answers: []ExportAnswer{}, Assessments: []ExportAssessment{}, SummariesSent: []ExportSummarySent{},
		Outbox: []ExportOutboxItem{},
	}
	steps := []struct {
		what string
		fn   func(context.Context, *sql.Tx, string, *Export) error
	}{
		{"enrolments", exportEnrolments},
		{"channels", exportChannels},
		{"deliveries", exportDeliveries},
		{"answers", exportAnswers},
		{"assessments", exportAssessments},
		{"summaries", exportSummaries},
		{"outbox", exportOutbox},
	}
	err := s.inReadTx(ctx, "export", func(tx *sql.Tx) error {
		if err := exportPerson(ctx, tx, userID, &ex.Person); err != nil {
			return fmt.Errorf("db: export: %w", err)
		}
		for _, st := range steps {
			if err := st.fn(ctx, tx, userID, &ex); err != nil {
				return fmt.Errorf("db: export %s: %w", st.what, err)
			}
		}
		return nil
	})
	if err != nil {
		return Export{}, err
	}
	return ex, nil
}

func exportPerson(ctx context.Context, tx *sql.Tx, userID string, p *ExportPerson) error {
	var (
		dm, slot, chart  sql.NullString
		paused, due      sql.NullInt64
		stopped          sql.NullInt64
		asked, deleted   int
		created, updated int64
	)
	err := tx.QueryRowContext(ctx, `
		SELECT user_id, team_id, tz, dm_channel_id, slot, paused_until, next_due_at, unanswered_streak,
		       asked_to_continue, deleted, chart_file_id, stopped_at, created_at, updated_at
		FROM people WHERE user_id = ?`, userID).Scan(
		&p.UserID, &p.TeamID, &p.TZ, &dm, &slot, &paused, &due, &p.UnansweredStreak,
		&asked, &deleted, &chart, &stopped, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("person %s: %w", userID, ErrNotFound)
	}
	if err != nil {
		return err
	}
	p.DMChannelID, p.Slot, p.ChartFileID = ptrString(dm), ptrString(slot), ptrString(chart)
	p.PausedUntil, p.NextDueAt, p.StoppedAt = timePtr(paused), timePtr(due), timePtr(stopped)
	p.AskedToContinue, p.Deleted = asked != 0, deleted != 0
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return nil
}

// eachRow runs query and calls scan for every row.
func eachRow(ctx context.Context, tx *sql.Tx, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func exportEnrolments(ctx context.Context, tx *sql.Tx, userID string, ex *Export) error {
	return eachRow(ctx, tx, `SELECT source, created_at FROM enrolments WHERE user_id = ? ORDER BY source`,
		[]any{userID}, func(r *sql.Rows) error {
			var e ExportEnrolment
			var at int64
			if err := r.Scan(&e.Source, &at); err != nil {
				return err
			}
			e.CreatedAt = fromMillis(at)
			ex.Enrolments = append(ex.Enrolments, e)
			return nil
		})
}

func exportChannels(ctx context.Context, tx *sql.Tx, userID string, ex *Export) error {
	return eachRow(ctx, tx, `
		SELECT channel_id, opted_in_at, opted_out_at FROM channels WHERE lead_user_id = ? ORDER BY channel_id`,
		[]any{userID}, func(r *sql.Rows) error {
			var c ExportChannel
			var in int64
			var out sql.NullInt64
			if err := r.Scan(&c.ChannelID, &in, &out); err != nil {
				return err
			}
			c.OptedInAt, c.OptedOutAt = fromMillis(in), timePtr(out)
			ex.ChannelsLed = append(ex.ChannelsLed, c)
			return nil
		})
}

func exportDeliveries(ctx context.Context, tx *sql.Tx, userID string, ex *Export) error {
	return eachRow(ctx, tx, `
		SELECT id, occurrence, kind, prompt_id, wellbeing_prompt_id, state, channel_id, ts, reminded_at, created_at
		FROM deliveries WHERE user_id = ? ORDER BY occurrence, id`,
		[]any{userID}, func(r *sql.Rows) error {
			var (
				d          ExportDelivery
				occ, at    int64
				wb, ch, ts sql.NullString
				remindedAt sql.NullInt64
			)
			if err := r.Scan(&d.ID, &occ, &d.Kind, &d.PromptID, &wb, &d.State, &ch, &ts, &remindedAt, &at); err != nil {
				return err
			}
			d.Occurrence, d.CreatedAt, d.RemindedAt = fromMillis(occ), fromMillis(at), timePtr(remindedAt)
			d.WellbeingPromptID, d.ChannelID, d.TS = ptrString(wb), ptrString(ch), ptrString(ts)
			ex.Deliveries = append(ex.Deliveries, d)
			return nil
		})
}

func exportAnswers(ctx context.Context, tx *sql.Tx, userID string, ex *Export) error {
	return eachRow(ctx, tx, `
		SELECT id, delivery_id, prompt_id, option_index, text, lean, weight, wellbeing, explanation, source,
		       message_ts, answered_at
		FROM answers WHERE user_id = ? ORDER BY answered_at, id`,
		[]any{userID}, func(r *sql.Rows) error {
			var (
				a             ExportAnswer
				delivery, opt sql.NullInt64
				text, ts      sql.NullString
				wellbeing     sql.NullFloat64
				at            int64
			)
			if err := r.Scan(&a.ID, &delivery, &a.PromptID, &opt, &text, &a.Lean, &a.Weight, &wellbeing,
				&a.Explanation, &a.Source, &ts, &at); err != nil {
				return err
			}
			if delivery.Valid {
				a.DeliveryID = &delivery.Int64
			}
			if opt.Valid {
				i := int(opt.Int64)
				a.OptionIndex = &i
			}
			a.Text, a.MessageTS, a.Wellbeing, a.AnsweredAt = ptrString(text), ptrString(ts), ptrFloat(wellbeing), fromMillis(at)
			ex.Answers = append(ex.Answers, a)
			return nil
		})
}

func exportAssessments(ctx context.Context, tx *sql.Tx, userID string, ex *Export) error {
	index := map[int64]int{}
	err := eachRow(ctx, tx, `
		SELECT id, taken_at, lean, label FROM assessments WHERE user_id = ? ORDER BY taken_at, id`,
		[]any{userID}, func(r *sql.Rows) error {
			a := ExportAssessment{Items: []ExportAssessmentItem{}}
			var at int64
			if err := r.Scan(&a.ID, &at, &a.Lean, &a.Label); err != nil {
				return err
			}
			a.TakenAt = fromMillis(at)
			index[a.ID] = len(ex.Assessments)
			ex.Assessments = append(ex.Assessments, a)
			return nil
		})
	if err != nil {
		return err
	}
	return eachRow(ctx, tx, `
		SELECT i.assessment_id, i.prompt_id, i.option_index, i.lean, i.wellbeing
		FROM assessment_items i JOIN assessments a ON a.id = i.assessment_id
		WHERE a.user_id = ? ORDER BY i.assessment_id, i.prompt_id`,
		[]any{userID}, func(r *sql.Rows) error {
			var (
				id              int64
				it              ExportAssessmentItem
				lean, wellbeing sql.NullFloat64
			)
			if err := r.Scan(&id, &it.PromptID, &it.OptionIndex, &lean, &wellbeing); err != nil {
				return err
			}
			it.Lean, it.Wellbeing = ptrFloat(lean), ptrFloat(wellbeing)
			i, ok := index[id]
			if !ok {
				return fmt.Errorf("item of unknown assessment %d", id)
			}
			ex.Assessments[i].Items = append(ex.Assessments[i].Items, it)
			return nil
		})
}

func exportSummaries(ctx context.Context, tx *sql.Tx, userID string, ex *Export) error {
	return eachRow(ctx, tx, `
		SELECT period, kind, sent_at FROM summaries_sent WHERE user_id = ? ORDER BY period, kind`,
		[]any{userID}, func(r *sql.Rows) error {
			var m ExportSummarySent
			var at int64
			if err := r.Scan(&m.Period, &m.Kind, &at); err != nil {
				return err
			}
			m.SentAt = fromMillis(at)
			ex.SummariesSent = append(ex.SummariesSent, m)
			return nil
		})
}

func exportOutbox(ctx context.Context, tx *sql.Tx, userID string, ex *Export) error {
	return eachRow(ctx, tx, `
		SELECT id, kind, state, created_at, available_at, sent_at FROM outbox
		WHERE `+personOutboxSQL+` ORDER BY created_at, id`,
		[]any{userID}, func(r *sql.Rows) error {
			var (
				o         ExportOutboxItem
				created   int64
				available int64
				sent      sql.NullInt64
			)
			if err := r.Scan(&o.ID, &o.Kind, &o.State, &created, &available, &sent); err != nil {
				return err
			}
			o.CreatedAt, o.AvailableAt, o.SentAt = fromMillis(created), fromMillis(available), timePtr(sent)
			ex.Outbox = append(ex.Outbox, o)
			return nil
		})
}

// QueueExport queues a person's data export for their DM and reports whether it did: while one
// is still waiting or being sent, another is not queued. A person Reflect does not know gives an
// error wrapping ErrNotFound.
func (s *Store) QueueExport(ctx context.Context, userID string) (bool, error) {
	now := s.now()
	return transact(ctx, s.write, nil, "queue export", func(tx *sql.Tx) (bool, error) {
		var err error
		var dm sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT dm_channel_id FROM people WHERE user_id = ?`, userID).Scan(&dm)
		if errors.Is(err, sql.ErrNoRows) {
			return false, fmt.Errorf("db: queue export for %s: %w", userID, ErrNotFound)
		}
		if err != nil {
			return false, fmt.Errorf("db: queue export: %w", err)
		}
		var waiting int
		if err := tx.QueryRowContext(ctx, `
			SELECT COUNT(*) FROM outbox WHERE user_id = ? AND kind = ? AND state IN ('pending', 'sending')`,
			userID, string(KindExport)).Scan(&waiting); err != nil {
			return false, fmt.Errorf("db: queue export: %w", err)
		}
		if waiting > 0 {
			return false, nil
		}
		if _, err := enqueue(ctx, tx, now, OutboxMessage{UserID: userID, ChannelID: dm.String, Kind: KindExport}); err != nil {
			return false, fmt.Errorf("db: queue export: %w", err)
		}
		return true, nil
	})
}

// Forget deletes every row about a person in one transaction (/reflect forget) and reports
// whether Reflect knew them: answers, deliveries, assessments and their items, enrolments,
// monthly summary records, and every outbox row that is theirs, including replies queued only by
// their DM channel, whose payloads can quote what they wrote. Channels they opted in stay opted
// in for their members, without a lead. Seen event ids are not theirs to delete: they hold no
// user id. The file is then rewritten, so the deleted content does not linger on disk either
// (see eraseDeleted). When a long reader keeps that from finishing in time, the error wraps
// ErrErasePending and known is still set: the rows are gone, the disk follows (FinishErase).
func (s *Store) Forget(ctx context.Context, userID string) (bool, error) {
	if userID == "" {
		return false, errors.New("db: forget: empty user id")
	}
	known := false
	err := s.eraseDeleted(ctx, true, func(tx *sql.Tx) (bool, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE user_id = ?`, userID).Scan(&n); err != nil {
			return false, err
		}
		if n == 0 {
			return false, nil
		}
		known = true
		// Children before parents, so nothing depends on the cascades (a PostgreSQL port, or a
		// connection without foreign_keys, still deletes everything); the final delete of the
		// person still cascades to any table a later migration hangs off people.
		steps := []struct{ what, query string }{
			{"outbox", `DELETE FROM outbox WHERE ` + personOutboxSQL},
			{"answers", `DELETE FROM answers WHERE user_id = ?1`},
			{"assessment items", `DELETE FROM assessment_items WHERE assessment_id IN (SELECT id FROM assessments WHERE user_id = ?1)`},
			{"assessments", `DELETE FROM assessments WHERE user_id = ?1`},
			{"deliveries", `DELETE FROM deliveries WHERE user_id = ?1`},
			{"enrolments", `DELETE FROM enrolments WHERE user_id = ?1`},
			{"summaries", `DELETE FROM summaries_sent WHERE user_id = ?1`},
			{"channels", `UPDATE channels SET lead_user_id = NULL WHERE lead_user_id = ?1`},
			{"opt-in progress", `DELETE FROM optin_members WHERE user_id = ?1`},
			{"opt-in jobs", `UPDATE optin_jobs SET lead_user_id = '' WHERE lead_user_id = ?1`},
			{"person", `DELETE FROM people WHERE user_id = ?1`},
		}
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, st.query, userID); err != nil {
				return false, fmt.Errorf("%s: %w", st.what, err)
			}
		}
		return true, nil
	})
	if errors.Is(err, ErrErasePending) {
		return known, fmt.Errorf("db: forget: %w", err)
	}
	if err != nil {
		return false, fmt.Errorf("db: forget: %w", err)
	}
	return known, nil
}

// PurgeAnswers deletes answers given and assessments taken before `before` (RETENTION_MONTHS),
// and returns how many answers and assessments went, together. What it deletes is zeroed on disk
// too; the file is not rebuilt (see eraseDeleted; an ErrErasePending comes with the count). Deliveries stay: they hold no words, and the
// rotation needs them to avoid repeating a prompt.
func (s *Store) PurgeAnswers(ctx context.Context, before time.Time) (int64, error) {
	cutoff := millis(before)
	var total int64
	err := s.eraseDeleted(ctx, false, func(tx *sql.Tx) (bool, error) {
		steps := []struct {
			what, query string
			count       bool
		}{
			{"answers", `DELETE FROM answers WHERE answered_at < ?`, true},
			{"assessment items", `DELETE FROM assessment_items WHERE assessment_id IN (SELECT id FROM assessments WHERE taken_at < ?)`, false},
			{"assessments", `DELETE FROM assessments WHERE taken_at < ?`, true},
		}
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.query, cutoff)
			if err != nil {
				return false, fmt.Errorf("%s: %w", st.what, err)
			}
			if st.count {
				n, err := res.RowsAffected()
				if err != nil {
					return false, fmt.Errorf("%s: %w", st.what, err)
				}
				total += n
			}
		}
		return total > 0, nil
	})
	if errors.Is(err, ErrErasePending) {
		return total, fmt.Errorf("db: purge answers: %w", err)
	}
	if err != nil {
		return 0, fmt.Errorf("db: purge answers: %w", err)
	}
	return total, nil
}

// ErrErasePending is returned (wrapped) by Forget and PurgeAnswers when the rows are deleted and
// committed but the deleted words may still be on disk: a long reader (a backup running) kept the
// write-ahead log from being checkpointed for longer than the store waits. The store has recorded
// the unfinished erasure durably; FinishErase completes it once the reader is gone.
var ErrErasePending = errors.New("deleted, but the erasure on disk finishes once a running reader ends")

// Erasure settings.
const (
	// eraseKey is the app_state key recording an erasure on disk not yet finished: "rebuild"
	// while the file still needs its VACUUM, "checkpoint" once only the log remains. It is set in
	// the deleting transaction, so a crash between the commit and the checkpoint cannot lose it.
	eraseKey = "erase_pending"
	// defaultEraseWait is how long Forget waits for readers: long enough for a short query to end,
	// short enough for a button's answer.
	defaultEraseWait = 10 * time.Second
	// checkpointBusy is the busy timeout of one checkpoint attempt. A TRUNCATE checkpoint holds
	// off new writers while it waits for readers, so each attempt is kept short and the writer
	// connection is given back between attempts.
	checkpointBusy = 100 * time.Millisecond
	// checkpointPause is the pause between attempts.
	checkpointPause = 100 * time.Millisecond
)

// eraseDeleted runs fn in a write transaction whose deletions overwrite the deleted content with
// zeros (SQLite's secure_delete), and afterwards, with rebuild, rewrites the whole file (VACUUM).
// Then it checkpoints the write-ahead log and truncates it. Together they keep what a person asked
// to forget, or what outlived retention, from lingering in free space of the database file or in
// old log frames, where a plain DELETE leaves it.
//
// Why both: secure_delete zeroes only what this transaction frees. Earlier versions of a row,
// left behind when the row was updated in place (an outbox post going from pending to sent, an
// edited answer), were freed without zeroing unless secure_delete was on at the time; only a
// rebuild removes those. A rebuild costs time in proportion to the file, so it is kept for
// forgetting a person, which is rare.
//
// A reader holding an old snapshot (a backup's VACUUM INTO) keeps the checkpoint from copying the
// zeroed pages over the old ones, so the words stay in the file until it ends. The deleting
// transaction therefore records the erasure as pending (eraseKey); the checkpoint is retried for
// up to eraseWait, and only when it went through is the record cleared and nil returned.
// Otherwise the error wraps ErrErasePending and FinishErase, run by a periodic job, finishes it.
// secure_delete is set only around this work, on the connection doing it.
//
// PostgreSQL has neither setting: there fn runs in a plain transaction and, with rebuild, a
// (non-blocking) VACUUM of the tables that held the person's words follows, so their row versions
// are pruned at once rather than at autovacuum's next pass. VACUUM FULL would also rewrite the
// pages, but it locks each table against every replica for as long as it runs.
func (s *Store) eraseDeleted(ctx context.Context, rebuild bool, fn func(tx *sql.Tx) (bool, error)) error {
	changed, err := s.deleteSecurely(ctx, rebuild, fn)
	if err != nil || !changed {
		return err
	}
	if s.pg {
		if rebuild {
			_, _ = s.write.ExecContext(ctx, `VACUUM answers, outbox, assessment_items, assessments, deliveries, people`)
		}
		return nil
	}
	deadline := time.Now().Add(s.eraseWait)
	for {
		done, err := s.finishErase(ctx)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if !time.Now().Before(deadline) {
			return ErrErasePending
		}
		select {
		case <-ctx.Done():
			return ErrErasePending
		case <-time.After(checkpointPause):
		}
	}
}

// deleteSecurely runs fn in one transaction with secure_delete on and, on SQLite, records the
// erasure as pending in the same transaction. It reports whether fn changed anything.
func (s *Store) deleteSecurely(ctx context.Context, rebuild bool, fn func(tx *sql.Tx) (bool, error)) (bool, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if !s.pg {
		var was int
		if err := conn.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&was); err != nil {
			return false, fmt.Errorf("read secure_delete: %w", err)
		}
		if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = 1`); err != nil {
			return false, fmt.Errorf("set secure_delete: %w", err)
		}
		// Put the setting back however fn ends. A failure leaves it on, which only costs some writes.
		defer func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA secure_delete = %d`, was))
		}()
	}
	return transact(ctx, conn, nil, "", func(tx *sql.Tx) (bool, error) {
		changed, err := fn(tx)
		if err != nil {
			return false, err
		}
		if changed && !s.pg {
			step := "checkpoint"
			if rebuild {
				step = "rebuild"
			}
			// A rebuild still owed by an earlier erasure is not downgraded to a checkpoint.
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET
					value = CASE WHEN app_state.value = 'rebuild' THEN 'rebuild' ELSE excluded.value END,
					updated_at = excluded.updated_at`, eraseKey, step, millis(s.now())); err != nil {
				return false, fmt.Errorf("record erasure: %w", err)
			}
		}
		return changed, nil
	})
}

// FinishErase finishes an erasure on disk that Forget or PurgeAnswers left pending (see
// ErrErasePending), in one attempt that does not wait for readers, and reports whether one is
// still pending. It does nothing when none is, and on PostgreSQL.
func (s *Store) FinishErase(ctx context.Context) (pending bool, err error) {
	if s.pg {
		return false, nil
	}
	done, err := s.finishErase(ctx)
	if err != nil {
		return true, fmt.Errorf("db: finish erase: %w", err)
	}
	return !done, nil
}

// finishErase makes one attempt at the recorded erasure: the VACUUM if one is owed, then a
// TRUNCATE checkpoint with a short busy timeout. It clears the record and reports true when the
// log was checkpointed in full and truncated (or nothing was pending).
func (s *Store) finishErase(ctx context.Context) (bool, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var step string
	err = conn.QueryRowContext(ctx, `SELECT value FROM app_state WHERE key = ?`, eraseKey).Scan(&step)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if step == "rebuild" {
		if _, err := conn.ExecContext(ctx, `VACUUM`); err != nil {
			return false, nil // a busy file: the next attempt tries again
		}
		if _, err := conn.ExecContext(ctx, `UPDATE app_state SET value = 'checkpoint' WHERE key = ?`, eraseKey); err != nil {
			return false, err
		}
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, checkpointBusy.Milliseconds())); err != nil {
		return false, err
	}
	var busy, logFrames, checkpointed int
	cerr := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed)
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA busy_timeout = 5000`); err != nil {
		return false, err
	}
	if cerr != nil || busy != 0 {
		return false, nil // a reader still holds old pages: the next attempt tries again
	}
	// Cleared only now: the log starts afresh with this one small write, which holds no words.
	if _, err := conn.ExecContext(ctx, `DELETE FROM app_state WHERE key = ?`, eraseKey); err != nil {
		return false, err
	}
	return true, nil
}
