package experiment

import (
	"context"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
)

// Store is what the experiment feature reads and writes (*db.Store is one).
type Store interface {
	AnswersBetween(ctx context.Context, userID string, from, to time.Time) ([]db.Answer, error)
	CommitExperiment(ctx context.Context, e db.Experiment) error
	Delivery(ctx context.Context, userID string, id int64) (db.Delivery, error)
	Experiments(ctx context.Context, userID string) ([]db.Experiment, error)
	Person(ctx context.Context, userID string) (db.Person, error)
	RecordExperimentOutcome(ctx context.Context, userID, month, outcome string, deliveryID int64) error
	SetExperimentNote(ctx context.Context, userID, month, note string) error
}
