package weekly

import (
	"context"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
)

// Store is what the weekly prompts reads and writes: the store's methods it uses, so that it
// depends on no more of the store than that (*db.Store is one).
type Store interface {
	AnswerByMessage(ctx context.Context, userID, messageTS string) (db.Answer, error)
	AskedPrompts(ctx context.Context, userID string) ([]string, error)
	CreateDelivery(ctx context.Context, userID string, d db.NewDelivery) (int64, error)
	DeleteAnswerByMessage(ctx context.Context, userID, messageTS string) (db.Answer, error)
	DeliveryAnswers(ctx context.Context, userID string, deliveryID int64) ([]db.Answer, error)
	Delivery(ctx context.Context, userID string, id int64) (db.Delivery, error)
	MarkPersonDeleted(ctx context.Context, userID string) error
	OpenDeliveries(ctx context.Context, userID string, limit int) ([]db.Delivery, error)
	Person(ctx context.Context, userID string) (db.Person, error)
	RecentAnswers(ctx context.Context, userID string, limit int) ([]db.Answer, error)
	RecordAnswer(ctx context.Context, a db.Answer) error
	RemindLater(ctx context.Context, userID string, id int64, at time.Time) (bool, error)
	SetPause(ctx context.Context, userID string, until *time.Time) error
	SetSchedule(ctx context.Context, userID, slot string, next time.Time) error
	SkipDelivery(ctx context.Context, userID string, id int64) (bool, error)
	Start(ctx context.Context, p db.Person, source string, next time.Time) (bool, error)
	Stop(ctx context.Context, userID string) (bool, error)
	UpsertPerson(ctx context.Context, p db.Person) error
}
