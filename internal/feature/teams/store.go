package teams

import (
	"context"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
)

// Store is what channel opt-in and team summaries reads and writes: the store's methods it uses, so
// that it depends on no more of the store than that (*db.Store is one).
type Store interface {
	AddLateJoin(ctx context.Context, channelID, userID string) (bool, error)
	AddOptInMembers(ctx context.Context, channelID string, ids []string, next string) error
	AnswersBetween(ctx context.Context, userID string, from, to time.Time) ([]db.Answer, error)
	Deliveries(ctx context.Context, userID string) ([]db.Delivery, error)
	EnrolOptInMembers(ctx context.Context, channelID, lead string, batch []db.OptInEnrolment) (outcomes []string, welcomed int, err error)
	FinishOptIn(ctx context.Context, channelID string) (r db.OptInReport, done bool, err error)
	LeaveTeam(ctx context.Context, userID, channelID string) (db.TeamLeave, error)
	LockOptIn(ctx context.Context, channelID string) (unlock func(), ok bool, err error)
	OptInChannel(ctx context.Context, channelID, leadUserID string) error
	OptInJob(ctx context.Context, channelID string) (db.OptInJob, error)
	OptOutChannel(ctx context.Context, channelID string) (unenrolled, stopped []string, err error)
	PendingOptInMembers(ctx context.Context, channelID string) ([]string, error)
	Person(ctx context.Context, userID string) (db.Person, error)
	QueueTeamSummary(ctx context.Context, channelID, leadUserID, channelName, period string) (bool, error)
	SaveTeamFigure(ctx context.Context, channelID, period string, figure []byte) ([]byte, error)
	SetOptInUsersCursor(ctx context.Context, channelID, cursor string) error
	SkipOptInMember(ctx context.Context, channelID, userID, outcome string) error
	StartOptIn(ctx context.Context, channelID, leadUserID, teamID string, report bool) (started bool, err error)
	Stop(ctx context.Context, userID string) (bool, error)
	TeamChannel(ctx context.Context, channelID string) (db.TeamChannel, error)
	TeamChannels(ctx context.Context) ([]db.TeamChannel, error)
	TeamFigure(ctx context.Context, channelID, period string) ([]byte, bool, error)
	TeamMembers(ctx context.Context, channelID string) ([]string, error)
	TeamSummarySent(ctx context.Context, channelID, leadUserID, period string) (bool, error)
	UnfinishedOptIns(ctx context.Context) ([]db.OptInJob, error)
	UpsertPerson(ctx context.Context, p db.Person) error
}
