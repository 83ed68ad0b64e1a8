package db

// Outbox kinds the weekly prompts use. Their payload is a DeliveryPayload, except KindContinue's.
const (
	KindPrompt    = "prompt"    // the week's question
	KindWellbeing = "wellbeing" // the week's wellbeing check, a message of its own
	KindReminder  = "reminder"  // one nudge for an unanswered prompt
	KindContinue  = "continue"  // after four unanswered prompts: pause or carry on?
	KindSummary   = "summary"   // a monthly trend summary; payload SummaryPayload
	KindChart     = "chart"     // its chart, uploaded as a file after it; payload SummaryPayload
)

// Outbox kinds of channel opt-in (PRODUCT §8). Their payload is a TeamPayload.
const (
	KindTeamWelcome = "team_welcome" // tells a newly enrolled member who opted them in, with a Stop button
	KindTeamSummary = "team_summary" // a month's anonymous team summary, to the channel's lead
)

// KindTeamOptInDone is the outbox kind of the DM that tells a lead what opting their channel in
// did. Its payload is an OptInReport.
const KindTeamOptInDone = "team_optin_done"

// KindExport is the outbox kind of a data export: a JSON file of everything stored about the
// person, built from the store when it is sent, so its payload holds nothing of theirs.
const KindExport = "export"
