package db

import (
	"context"
	"database/sql"
	"fmt"
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
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("db: save assessment: %w", err)
	}
	defer tx.Rollback()
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
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("db: save assessment: %w", err)
	}
	return id, nil
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

// DeliveryCounts returns how many deliveries are in each state (for metrics).
func (s *Store) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	return s.countBy(ctx, "delivery counts", `SELECT state, COUNT(*) FROM deliveries GROUP BY state`)
}

// FailedOutboxCounts returns how many posts failed for good, by kind (for metrics).
func (s *Store) FailedOutboxCounts(ctx context.Context) (map[string]int, error) {
	return s.countBy(ctx, "failed outbox counts", `SELECT kind, COUNT(*) FROM outbox WHERE state = 'failed' GROUP BY kind`)
}

func (s *Store) countBy(ctx context.Context, op, query string) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", op, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("db: %s: %w", op, err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: %s: %w", op, err)
	}
	return out, nil
}
