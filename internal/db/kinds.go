package db

import (
	"context"
	"database/sql"
	"strings"
)

// Kind is what an outbox post is. The relay picks the post's renderer by it, so every kind that
// can be queued needs one (Kinds lists them); the store stores it as text.
type Kind string

// Replies: posts that answer what someone just did. They go out before scheduled posts and wait
// for no earlier post of the person's.
const (
	KindMessage Kind = "message" // a ready message; payload: the message as JSON ({"text":…,"blocks":[…]})
	KindHelp    Kind = "help"    // the DM help; payload ignored
	KindApology Kind = "apology" // the apology for something that went wrong; payload ignored
)

// Kinds of the weekly prompts. Their payload is a DeliveryPayload, except KindContinue's.
const (
	KindPrompt Kind = "prompt" // the week's question, with its wellbeing check in the same message
	// KindWellbeing is the week's wellbeing check as a message of its own, as earlier versions
	// queued it after its prompt. Nothing queues it now; posts of it already waiting in a store
	// still go out (following their prompt), so the kind keeps its renderer.
	KindWellbeing Kind = "wellbeing"
	KindReminder  Kind = "reminder" // one nudge for an unanswered prompt
	KindContinue  Kind = "continue" // after four unanswered prompts: pause or carry on?
)

// Kinds of the monthly results. Their payload is a SummaryPayload.
const (
	KindSummary Kind = "summary" // a monthly trend summary
	KindChart   Kind = "chart"   // its chart, uploaded as a file after it
)

// Kinds of channel opt-in. Their payload is a TeamPayload, except KindTeamOptInDone's.
const (
	KindTeamWelcome   Kind = "team_welcome"    // tells a newly enrolled member who opted them in, with a Stop button
	KindTeamSummary   Kind = "team_summary"    // a month's anonymous team summary, to the channel's lead
	KindTeamOptInDone Kind = "team_optin_done" // tells a lead what opting their channel in did; payload: an OptInReport
)

// KindMirror is a month's team mirror to one member: a few one-tap questions about what their lead
// did that month. Its payload is a MirrorPayload.
const KindMirror Kind = "mirror"

// KindExport is a data export: a JSON file of everything stored about the person, built from the
// store when it is sent, so its payload holds nothing of theirs.
const KindExport Kind = "export"

// Kinds returns every kind that can be queued, replies first.
func Kinds() []Kind {
	return []Kind{
		KindMessage, KindHelp, KindApology,
		KindPrompt, KindWellbeing, KindReminder, KindContinue,
		KindSummary, KindChart,
		KindTeamWelcome, KindTeamSummary, KindTeamOptInDone,
		KindMirror,
		KindExport,
	}
}

// replyKinds are the kinds that answer what someone just did (see ClaimOutbox).
func replyKinds() []Kind { return []Kind{KindMessage, KindHelp, KindApology} }

// sentPost is an outbox post that has just been sent, as a sent effect sees it.
type sentPost struct {
	UserID     string // the person it was for, "" if none
	ChannelID  string // where it landed
	TS         string // its Slack ts (an upload's: the file id)
	DeliveryID int64  // the delivery it carries, 0 = none
}

// sentEffects are what a sent post of a kind changes besides the queue, run by CompleteOutbox in
// its transaction.
var sentEffects = map[Kind]func(ctx context.Context, tx *sql.Tx, sent sentPost) error{
	KindPrompt:   markDeliverySent,
	KindReminder: markDeliverySent,
	KindChart:    rememberChart,
}

// weeklyKinds are the posts of the weekly prompts, which a person who stops receiving prompts
// no longer gets.
func weeklyKinds() []Kind { return []Kind{KindPrompt, KindWellbeing, KindReminder, KindContinue} }

// kindsIn returns "?, ?, …" for kinds and their values, for an IN list.
func kindsIn(kinds ...Kind) (string, []any) {
	marks := make([]string, len(kinds))
	args := make([]any, len(kinds))
	for i, k := range kinds {
		marks[i], args[i] = "?", string(k)
	}
	return strings.Join(marks, ", "), args
}
