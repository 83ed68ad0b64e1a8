package mirror

import (
	"context"

	"github.com/reflect-bot/reflect/internal/db"
)

// Store is what the team mirror reads and writes: the store's methods it uses (*db.Store is one).
// Who leads a channel and who is enrolled through it are the teams feature's records, read here
// through the same store methods.
type Store interface {
	MirrorChannels(ctx context.Context, leadUserID string) ([]db.MirrorChannel, error)
	MirrorLedMonths(ctx context.Context, leadUserID, period string) ([]string, error)
	MirrorMonth(ctx context.Context, channelID, period string) (lead string, respondents int, tallies []db.MirrorTally, err error)
	MirrorState(ctx context.Context, userID, channelID, period string) (db.MirrorState, error)
	MirrorStopped(ctx context.Context, userID string) (bool, error)
	Person(ctx context.Context, userID string) (db.Person, error)
	QueueMirror(ctx context.Context, channelID, leadUserID, period string, members []string, options []db.MirrorOption) ([]string, error)
	RecordMirrorAnswer(ctx context.Context, userID, channelID, period string, o db.MirrorOption) (bool, error)
	SetMirror(ctx context.Context, channelID, leadUserID string, on bool) (bool, error)
	SkipMirror(ctx context.Context, userID, channelID, period string) (bool, error)
	StopMirror(ctx context.Context, userID string, stop bool) (bool, error)
	TeamChannel(ctx context.Context, channelID string) (db.TeamChannel, error)
	TeamChannels(ctx context.Context) ([]db.TeamChannel, error)
	TeamMembers(ctx context.Context, channelID string) ([]string, error)
}
