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
// of all that is kept about them, at any time, in a machine-readable form). Times are UTC. Slices
// are never nil, so an empty list reads as [] rather than null.
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
	// Experiments are the monthly experiments the person chose to try, with how they said each
	// went and their note.
	Experiments []ExportExperiment `json:"experiments"`
	// Mirror is the team mirror as it concerns the person: the months they were asked about
	// their lead and whether they answered (never what: the answers are kept without anyone's
	// name), whether they stopped it, and the channels whose mirror they turned on as lead.
	Mirror ExportMirror `json:"mirror"`
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

// ExportExperiment is one month's experiment. Title and Text are filled by the caller from the
// experiment list.
type ExportExperiment struct {
	Month        string     `json:"month"`
	ExperimentID string     `json:"experiment_id"`
	Need         string     `json:"need"`
	Title        string     `json:"title,omitempty"`
	Text         string     `json:"text,omitempty"`
	CommittedAt  time.Time  `json:"committed_at"`
	Outcome      string     `json:"outcome"`
	Note         string     `json:"note"`
	OutcomeAt    *time.Time `json:"outcome_at"`
}

// ExportMirror is the team mirror as it concerns one person.
type ExportMirror struct {
	Stopped    bool                  `json:"stopped"`
	Months     []ExportMirrorMonth   `json:"months"`
	ChannelsOn []ExportMirrorChannel `json:"channels_on"`
	// LedMonths are the months the person's team was asked about them, as lead. How many
	// answered and what they said is shown in the monthly summary once enough did, never here:
	// an export of a month too few answered would let a lead guess who said what.
	LedMonths []ExportMirrorLed `json:"led_months"`
}

// ExportMirrorChannel is a channel whose mirror the person turned on as its lead.
type ExportMirrorChannel struct {
	ChannelID string    `json:"channel_id"`
	Since     time.Time `json:"since"`
}

// ExportMirrorLed is a month a lead's team was asked about them.
type ExportMirrorLed struct {
	ChannelID string `json:"channel_id"`
	Period    string `json:"period"`
}

// ExportMirrorMonth is one month a person was asked about their lead in a channel: whether they
// answered any of its questions, and how many, or skipped it. What they answered is not kept
// with their name, so it cannot be exported.
type ExportMirrorMonth struct {
	ChannelID string `json:"channel_id"`
	Period    string `json:"period"`
	Answered  int    `json:"questions_answered"`
	Skipped   bool   `json:"skipped"`
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

// Export returns everything stored about a person, read in one transaction so the parts agree.
// A person Reflect does not know gives an error wrapping ErrNotFound. Nothing about anyone else
// is included.
func (s *Store) Export(ctx context.Context, userID string) (Export, error) {
	now := s.now()
	ex := Export{
		Format: ExportFormat, Version: ExportVersion, ExportedAt: now.UTC(),
		Enrolments: []ExportEnrolment{}, ChannelsLed: []ExportChannel{}, Deliveries: []ExportDelivery{},
		Answers: []ExportAnswer{}, Assessments: []ExportAssessment{}, SummariesSent: []ExportSummarySent{},
		Experiments: []ExportExperiment{},
		Mirror:      ExportMirror{Months: []ExportMirrorMonth{}, ChannelsOn: []ExportMirrorChannel{}, LedMonths: []ExportMirrorLed{}},
		Outbox:      []ExportOutboxItem{},
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
		{"experiments", exportExperiments},
		{"mirror", exportMirror},
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

func exportExperiments(ctx context.Context, tx *sql.Tx, userID string, ex *Export) error {
	return eachRow(ctx, tx, `
		SELECT month, experiment_id, need, committed_at, outcome, note, outcome_at
		FROM experiments WHERE user_id = ? ORDER BY month`,
		[]any{userID}, func(r *sql.Rows) error {
			var (
				e     ExportExperiment
				at    int64
				outAt sql.NullInt64
			)
			if err := r.Scan(&e.Month, &e.ExperimentID, &e.Need, &at, &e.Outcome, &e.Note, &outAt); err != nil {
				return err
			}
			e.CommittedAt, e.OutcomeAt = fromMillis(at), timePtr(outAt)
			ex.Experiments = append(ex.Experiments, e)
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

func exportMirror(ctx context.Context, tx *sql.Tx, userID string, ex *Export) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mirror_stops WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return err
	}
	ex.Mirror.Stopped = n > 0
	byMonth := map[[2]string]int{}
	if err := eachRow(ctx, tx, `
		SELECT channel_id, period, item_id FROM mirror_marks WHERE user_id = ? ORDER BY period, channel_id, item_id`,
		[]any{userID}, func(r *sql.Rows) error {
			var ch, period, item string
			if err := r.Scan(&ch, &period, &item); err != nil {
				return err
			}
			key := [2]string{ch, period}
			i, ok := byMonth[key]
			if !ok {
				i = len(ex.Mirror.Months)
				byMonth[key] = i
				ex.Mirror.Months = append(ex.Mirror.Months, ExportMirrorMonth{ChannelID: ch, Period: period})
			}
			switch item {
			case mirrorAsked, mirrorResponded:
			case mirrorSkipped:
				ex.Mirror.Months[i].Skipped = true
			default:
				ex.Mirror.Months[i].Answered++
			}
			return nil
		}); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, `SELECT channel_id, since FROM mirror_channels WHERE lead_user_id = ? ORDER BY channel_id`,
		[]any{userID}, func(r *sql.Rows) error {
			var c ExportMirrorChannel
			var since int64
			if err := r.Scan(&c.ChannelID, &since); err != nil {
				return err
			}
			c.Since = fromMillis(since)
			ex.Mirror.ChannelsOn = append(ex.Mirror.ChannelsOn, c)
			return nil
		}); err != nil {
		return err
	}
	return eachRow(ctx, tx, `SELECT channel_id, period FROM mirror_months WHERE lead_user_id = ? ORDER BY period, channel_id`,
		[]any{userID}, func(r *sql.Rows) error {
			var m ExportMirrorLed
			if err := r.Scan(&m.ChannelID, &m.Period); err != nil {
				return err
			}
			ex.Mirror.LedMonths = append(ex.Mirror.LedMonths, m)
			return nil
		})
}
