package app

import (
	"time"

	"github.com/reflect-bot/reflect/internal/feature/assess"
)

// waitLimit bounds every wait in these tests; the operations themselves take milliseconds.
const waitLimit = 10 * time.Second

// The features' action ids, view callback ids and block ids, as Slack sends them back: the tests
// click and submit what a person would.
const (
	actionAnswer        = "answer"
	actionChange        = "change"
	actionAnswerText    = "answer_text"
	actionSkip          = "skip"
	actionRemind        = "remind"
	actionContinue      = "continue"
	textBlockID         = "answer"
	textActionID        = "text"
	actionAssessOpen    = assess.ActionOpen
	viewAssess          = "assess"
	actionForgetConfirm = "forget_confirm"
	actionForgetCancel  = "forget_cancel"
	actionHomePause     = "home_pause"
	actionHomeSchedule  = "home_schedule"
	viewSchedule        = "schedule"
	scheduleDayBlock    = "day"
	scheduleTimeBlock   = "time"
	actionTeamStop      = "team_stop"
	retentionKey        = "retention_last_run" // the app state key of the retention job's last run
)
