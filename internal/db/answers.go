package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AssessmentItem is one answered item of an assessment.
type AssessmentItem struct {
	PromptID    string
	OptionIndex int
	Lean        *float64 // nil for items without a lean
	Wellbeing   *float64 // wellbeing items only
}

// Assessment is one on-demand assessment: kept apart from the weekly answers.
type Assessment struct {
	ID      int64
	UserID  string
	TakenAt time.Time
	Lean    float64
	Label   string // leadership, management or balanced
	Items   []AssessmentItem
}

func nullFloat(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}

// SaveAssessment stores an assessment and its items and returns its id. The person must exist.
func (s *Store) SaveAssessment(ctx context.Context, a Assessment) (int64, error) {
	if a.TakenAt.IsZero() {
		a.TakenAt = s.now()
	}
	return transact(ctx, s.write, nil, "save assessment", func(tx *sql.Tx) (int64, error) {
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO assessments (user_id, taken_at, lean, label) VALUES (?, ?, ?, ?) RETURNING id`,
			a.UserID, millis(a.TakenAt), a.Lean, a.Label).Scan(&id); err != nil {
			return 0, fmt.Errorf("db: save assessment: %w", err)
		}
		for _, it := range a.Items {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO assessment_items (assessment_id, prompt_id, option_index, lean, wellbeing) VALUES (?, ?, ?, ?, ?)`,
				id, it.PromptID, it.OptionIndex, nullFloat(it.Lean), nullFloat(it.Wellbeing)); err != nil {
				return 0, fmt.Errorf("db: save assessment item: %w", err)
			}
		}
		return id, nil
	})
}

// Assessments returns a person's assessments taken in [from, to), oldest first, without items.
func (s *Store) Assessments(ctx context.Context, userID string, from, to time.Time) ([]Assessment, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT id, user_id, taken_at, lean, label FROM assessments
		WHERE user_id = ? AND taken_at >= ? AND taken_at < ? ORDER BY taken_at, id`,
		userID, millis(from), millis(to))
	if err != nil {
		return nil, fmt.Errorf("db: assessments: %w", err)
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		var a Assessment
		var at int64
		if err := rows.Scan(&a.ID, &a.UserID, &at, &a.Lean, &a.Label); err != nil {
			return nil, fmt.Errorf("db: assessments: %w", err)
		}
		a.TakenAt = fromMillis(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: assessments: %w", err)
	}
	return out, nil
}

// AnswersBetween returns a person's answers given in [from, to), oldest first.
func (s *Store) AnswersBetween(ctx context.Context, userID string, from, to time.Time) ([]Answer, error) {
	return s.answers(ctx, "answers between", `SELECT `+answerColumns+` FROM answers
		WHERE user_id = ? AND answered_at >= ? AND answered_at < ? ORDER BY answered_at, id`,
		userID, millis(from), millis(to))
}

// Answer is one recorded answer.
type Answer struct {
	UserID      string
	DeliveryID  int64
	PromptID    string
	OptionIndex *int     // chosen option; nil for text
	Text        string   // free text; never log it
	Lean        float64  // [-1, 1]
	Weight      float64  // how much it counts in a period's lean
	Wellbeing   *float64 // [-1, 1] for wellbeing options
	Explanation string   // how it was read
	Source      string   // button, modal or dm
	MessageTS   string   // the DM's ts for typed answers
	AnsweredAt  time.Time
}

// CleanText is the one rule for text a person typed, whichever engine stores it: NUL bytes are
// dropped and bytes that are not UTF-8 become U+FFFD. SQLite would keep both, PostgreSQL refuses
// the whole statement (its text type holds neither), and the answer would be lost there.
func CleanText(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// RecordAnswer stores an answer to a delivery of the person's, replacing an earlier answer to the
// same prompt of that delivery (a changed mind, an edited DM). An answer to the delivery's main
// prompt closes it and cancels a queued reminder; any answer resets the unanswered streak.
func (s *Store) RecordAnswer(ctx context.Context, a Answer) error {
	a.Text, a.Explanation = CleanText(a.Text), CleanText(a.Explanation)
	now := s.now()
	if a.AnsweredAt.IsZero() {
		a.AnsweredAt = now
	}
	return s.inTx(ctx, "record answer", func(tx *sql.Tx) error {
		var err error
		var mainPrompt string
		var wb sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT prompt_id, wellbeing_prompt_id FROM deliveries WHERE id = ? AND user_id = ?`,
			a.DeliveryID, a.UserID).Scan(&mainPrompt, &wb)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("db: record answer: delivery %d: %w", a.DeliveryID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("db: record answer: %w", err)
		}
		// A delivery without a wellbeing check has wb NULL: its empty String must not match an empty
		// PromptID (nor must an empty main prompt, the answered-ahead rows').
		if a.PromptID == "" || (a.PromptID != mainPrompt && (!wb.Valid || a.PromptID != wb.String)) {
			return fmt.Errorf("db: record answer: prompt is not part of delivery %d: %w", a.DeliveryID, ErrNotFound)
		}
		var opt sql.NullInt64
		if a.OptionIndex != nil {
			opt = sql.NullInt64{Int64: int64(*a.OptionIndex), Valid: true}
		}
		var wellbeing sql.NullFloat64
		if a.Wellbeing != nil {
			wellbeing = sql.NullFloat64{Float64: *a.Wellbeing, Valid: true}
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO answers (user_id, delivery_id, prompt_id, option_index, text, lean, weight, wellbeing,
			                     explanation, source, message_ts, answered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (delivery_id, prompt_id) DO UPDATE SET
			  option_index = excluded.option_index, text = excluded.text, lean = excluded.lean,
			  weight = excluded.weight, wellbeing = excluded.wellbeing, explanation = excluded.explanation,
			  source = excluded.source, message_ts = excluded.message_ts, answered_at = excluded.answered_at`,
			a.UserID, a.DeliveryID, a.PromptID, opt, nullString(a.Text), a.Lean, a.Weight, wellbeing,
			a.Explanation, a.Source, nullString(a.MessageTS), millis(a.AnsweredAt))
		if err != nil {
			return fmt.Errorf("db: record answer: %w", err)
		}
		if a.PromptID == mainPrompt {
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = ? WHERE id = ?`, string(DeliveryAnswered), a.DeliveryID); err != nil {
				return fmt.Errorf("db: record answer: close delivery: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `
				UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = 'answered'
				WHERE delivery_id = ? AND kind = ? AND state = 'pending'`, a.DeliveryID, string(KindReminder)); err != nil {
				return fmt.Errorf("db: record answer: cancel reminder: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE people SET unanswered_streak = 0, asked_to_continue = 0, updated_at = ? WHERE user_id = ?`,
			millis(now), a.UserID); err != nil {
			return fmt.Errorf("db: record answer: reset streak: %w", err)
		}
		return nil
	})
}

const answerColumns = `user_id, delivery_id, prompt_id, option_index, text, lean, weight, wellbeing,
	explanation, source, message_ts, answered_at`

func scanAnswer(sc interface{ Scan(...any) error }) (Answer, error) {
	var (
		a         Answer
		delivery  sql.NullInt64
		opt       sql.NullInt64
		text, ts  sql.NullString
		wellbeing sql.NullFloat64
		at        int64
	)
	if err := sc.Scan(&a.UserID, &delivery, &a.PromptID, &opt, &text, &a.Lean, &a.Weight, &wellbeing,
		&a.Explanation, &a.Source, &ts, &at); err != nil {
		return Answer{}, err
	}
	a.DeliveryID, a.Text, a.MessageTS, a.AnsweredAt = delivery.Int64, text.String, ts.String, fromMillis(at)
	if opt.Valid {
		i := int(opt.Int64)
		a.OptionIndex = &i
	}
	if wellbeing.Valid {
		w := wellbeing.Float64
		a.Wellbeing = &w
	}
	return a, nil
}

// AnswerByMessage finds a typed answer by its DM's ts, for edits and deletions.
func (s *Store) AnswerByMessage(ctx context.Context, userID, messageTS string) (Answer, error) {
	a, err := scanAnswer(s.read.QueryRowContext(ctx,
		`SELECT `+answerColumns+` FROM answers WHERE user_id = ? AND message_ts = ?`, userID, messageTS))
	if errors.Is(err, sql.ErrNoRows) {
		return Answer{}, fmt.Errorf("db: answer by message: %w", ErrNotFound)
	}
	if err != nil {
		return Answer{}, fmt.Errorf("db: answer by message: %w", err)
	}
	return a, nil
}

// DeleteAnswerByMessage removes a typed answer whose DM was deleted and reopens its delivery. It
// returns the answer as it was.
func (s *Store) DeleteAnswerByMessage(ctx context.Context, userID, messageTS string) (Answer, error) {
	return transact(ctx, s.write, nil, "delete answer", func(tx *sql.Tx) (Answer, error) {
		a, err := scanAnswer(tx.QueryRowContext(ctx,
			`DELETE FROM answers WHERE user_id = ? AND message_ts = ? RETURNING `+answerColumns, userID, messageTS))
		if errors.Is(err, sql.ErrNoRows) {
			return Answer{}, fmt.Errorf("db: delete answer: %w", ErrNotFound)
		}
		if err != nil {
			return Answer{}, fmt.Errorf("db: delete answer: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE deliveries SET state = ? WHERE id = ? AND prompt_id = ? AND state = ?`,
			string(DeliverySent), a.DeliveryID, a.PromptID, string(DeliveryAnswered)); err != nil {
			return Answer{}, fmt.Errorf("db: delete answer: reopen delivery: %w", err)
		}
		return a, nil
	})
}

// DeliveryAnswers returns the answers to one of a person's deliveries: its prompt's and its
// wellbeing check's, whichever were given.
func (s *Store) DeliveryAnswers(ctx context.Context, userID string, deliveryID int64) ([]Answer, error) {
	return s.answers(ctx, "delivery answers", `SELECT `+answerColumns+` FROM answers
		WHERE user_id = ? AND delivery_id = ? ORDER BY prompt_id`, userID, deliveryID)
}

// RecentAnswers returns a person's latest answers, newest first.
func (s *Store) RecentAnswers(ctx context.Context, userID string, limit int) ([]Answer, error) {
	return s.answers(ctx, "recent answers", `SELECT `+answerColumns+` FROM answers
		WHERE user_id = ? ORDER BY answered_at DESC, id DESC LIMIT ?`, userID, limit)
}

func (s *Store) answers(ctx context.Context, op, query string, args ...any) ([]Answer, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", op, err)
	}
	defer rows.Close()
	var out []Answer
	for rows.Next() {
		a, err := scanAnswer(rows)
		if err != nil {
			return nil, fmt.Errorf("db: %s: %w", op, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: %s: %w", op, err)
	}
	return out, nil
}
