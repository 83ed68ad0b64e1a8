package privacy

import (
	"context"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
)

// Store is what the privacy feature (export, forget, retention) reads and writes: the store's
// methods it uses, so that it depends on no more of the store than that (*db.Store is one).
type Store interface {
	AppState(ctx context.Context, key string) (string, bool, error)
	Export(ctx context.Context, userID string) (db.Export, error)
	FinishErase(ctx context.Context) (pending bool, err error)
	Forget(ctx context.Context, userID string) (bool, error)
	Person(ctx context.Context, userID string) (db.Person, error)
	PurgeAnswers(ctx context.Context, before time.Time) (int64, error)
	PurgeEvents(ctx context.Context, olderThan time.Time) (int64, error)
	PurgeOutbox(ctx context.Context, olderThan time.Time) (int64, error)
	QueueExport(ctx context.Context, userID string) (bool, error)
	SetAppState(ctx context.Context, key, value string) error
}
