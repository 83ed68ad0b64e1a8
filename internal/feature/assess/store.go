package assess

import (
	"context"

	"github.com/reflect-bot/reflect/internal/db"
)

// Store is what the self-assessment reads and writes: the store's methods it uses, so that it
// depends on no more of the store than that (*db.Store is one).
type Store interface {
	SaveAssessment(ctx context.Context, a db.Assessment) (int64, error)
	UpsertPerson(ctx context.Context, p db.Person) error
}
