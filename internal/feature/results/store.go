package results

import (
	"context"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
)

// Store is what the results feature (summaries, charts, App Home) reads and writes: the store's
// methods it uses, so that it depends on no more of the store than that (*db.Store is one).
type Store interface {
	AnswersBetween(ctx context.Context, userID string, from, to time.Time) ([]db.Answer, error)
	Assessments(ctx context.Context, userID string, from, to time.Time) ([]db.Assessment, error)
	Deliveries(ctx context.Context, userID string) ([]db.Delivery, error)
	Person(ctx context.Context, userID string) (db.Person, error)
	QueueSummary(ctx context.Context, userID, period string) error
	SetSchedule(ctx context.Context, userID, slot string, next time.Time) error
	UpsertPerson(ctx context.Context, p db.Person) error
}
