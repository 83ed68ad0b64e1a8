package results

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// App Home actions and the schedule modal.
const (
	actionHomeStart    = "home_start"
	actionHomeStop     = "home_stop"
	actionHomePause    = "home_pause"
	actionHomeResume   = "home_resume"
	actionHomeSchedule = "home_schedule"
	viewSchedule       = "schedule"
	scheduleDayBlock   = "day"
	scheduleTimeBlock  = "time"
)

// HomeState is what the App Home shows a person.
type HomeState struct {
	Enrolled bool
	Paused   bool
	Next     string         // when the next prompt comes, as mrkdwn (whenText); "" when none
	Month    report.Summary // this month so far, with the six-month trend
	ChartID  string         // the latest trend chart shared in their DM, shown as an image
	// AssessAction is the action id of the button that opens the self-assessment.
	AssessAction string
}

// HomeBlocks builds the App Home tab: the current label and score, the trend, the next prompt
// and buttons for the assessment, schedule, pause/resume and start/stop.
// https://docs.slack.dev/surfaces/app-home
func HomeBlocks(st HomeState) []slackapp.Block {
	now := "No answers yet this month."
	if n := len(st.Month.Trend); n > 0 && st.Month.Trend[n-1].Answers > 0 {
		k := st.Month.Trend[n-1].Answers
		if k == 1 {
			now = "*This month so far:* 1 answer."
		} else {
			now = fmt.Sprintf("*This month so far:* %d answers.", k)
		}
	}
	if st.Month.Labelled {
		now += fmt.Sprintf("\n*Lately:* %s, from %d answers (%s).", slackapp.EscapeMrkdwn(st.Month.Headline), st.Month.Lean.Answers,
			slackapp.EscapeMrkdwn(st.Month.Lean.Span(st.Month.Period)))
	} else {
		now += "\nYour lean shows once a few weeks of answers cover most of the six dimensions."
	}
	blocks := []slackapp.Block{
		slackapp.NewHeaderBlock(slackapp.PlainText("Your reflection"), slackapp.HeaderBlockOptionBlockID("home_header")),
		slackapp.Section("home_now", now),
	}
	var trend strings.Builder
	trend.WriteString("*The last six months*")
	for _, p := range st.Month.Trend {
		line := "no answers"
		switch {
		case p.HasScore:
			line = prompts.Headline(p.Score)
		case p.Answers > 0:
			line = "too little to read"
		}
		if p.HasWellbeing {
			line += fmt.Sprintf(" · wellbeing %+.2f", p.Wellbeing)
		}
		fmt.Fprintf(&trend, "\n%s: %s", p.Month.Title(), slackapp.EscapeMrkdwn(line))
	}
	blocks = append(blocks, slackapp.Section("home_trend", trend.String()))
	if st.ChartID != "" {
		// https://docs.slack.dev/reference/block-kit/blocks/image-block (slack_file)
		blocks = append(blocks, slackapp.NewImageBlockSlackFile(&slackapp.SlackFileObject{ID: st.ChartID},
			"Your lean and wellbeing by month, from your latest summary", "home_chart", nil))
	}
	var status string
	switch {
	case !st.Enrolled:
		status = "You're not getting weekly prompts."
	case st.Paused && st.Next == "":
		status = "Your prompts are paused until you resume."
	default:
		status = "*Next prompt:* " + st.Next
		if st.Paused {
			status += " (after your pause)"
		}
	}
	blocks = append(blocks, slackapp.Section("home_next", status))
	var buttons []slackapp.BlockElement
	if st.AssessAction != "" { // the assessment is wired in
		buttons = append(buttons,
			slackapp.Button(st.AssessAction, "Take the assessment", slackapp.ActionValue{}).WithStyle(slackapp.StylePrimary))
	}
	if st.Enrolled {
		buttons = append(buttons, slackapp.Button(actionHomeSchedule, "Change my day and time", slackapp.ActionValue{}))
		if st.Paused {
			buttons = append(buttons, slackapp.Button(actionHomeResume, "Resume prompts", slackapp.ActionValue{}))
		} else {
			buttons = append(buttons, slackapp.Button(actionHomePause, "Pause prompts", slackapp.ActionValue{}))
		}
		buttons = append(buttons, slackapp.Button(actionHomeStop, "Stop prompts", slackapp.ActionValue{}))
	} else {
		buttons = append(buttons, slackapp.Button(actionHomeStart, "Start weekly prompts", slackapp.ActionValue{}))
	}
	blocks = append(blocks,
		slackapp.NewActionBlock("home_actions", buttons...),
		slackapp.ContextNote("home_caveat", slackapp.EscapeMrkdwn(report.Caveat)+" Only you can see this tab."),
	)
	return blocks
}

// ScheduleModal picks a personal weekly day and time.
func ScheduleModal(current schedule.Slot) slackapp.View {
	days := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	opts := make([]*slackapp.OptionBlockObject, len(days))
	var initial *slackapp.OptionBlockObject
	for i, d := range days {
		slot, _ := schedule.ParseSlot(d + " 09:00")
		opts[i] = slackapp.NewOptionBlockObject(d, slackapp.PlainText(slot.Day.String()), nil)
		if slot.Day == current.Day {
			initial = opts[i]
		}
	}
	sel := slackapp.NewOptionsSelectBlockElement(slackapp.OptTypeStatic, slackapp.PlainText("Day"), scheduleDayBlock, opts...)
	sel.InitialOption = initial
	tp := slackapp.NewTimePickerBlockElement(scheduleTimeBlock)
	tp.InitialTime = fmt.Sprintf("%02d:%02d", current.Hour, current.Minute)
	return slackapp.View{
		CallbackID: viewSchedule, Title: "Prompt day and time", Submit: "Save", Close: "Cancel",
		Blocks: []slackapp.Block{
			slackapp.Section("schedule_intro", "Your weekly prompt comes on this day and time, in your own Slack time zone."),
			slackapp.NewInputBlock(scheduleDayBlock, slackapp.PlainText("Day"), nil, sel),
			slackapp.NewInputBlock(scheduleTimeBlock, slackapp.PlainText("Time"), nil, tp),
		},
	}
}

func (h *results) registerHome() {
	h.app.HandleEvent("app_home_opened", func(ctx context.Context, ev slackapp.Event) error {
		if ev.Tab != "" && ev.Tab != "home" {
			return nil
		}
		return h.publishHome(ctx, ev.UserID)
	})
	h.app.HandleAction(actionHomeSchedule, h.openSchedule)
	h.app.HandleView(viewSchedule, h.submitSchedule)
	for _, id := range []string{actionHomeStart, actionHomeStop, actionHomePause, actionHomeResume} {
		h.app.HandleAction(id, h.homeButton)
	}
}

// homeState gathers what the Home tab shows.
func (h *results) homeState(ctx context.Context, userID string) (HomeState, error) {
	st := HomeState{AssessAction: h.AssessAction}
	now := h.Now()
	loc := time.UTC
	p, err := h.Store.Person(ctx, userID)
	switch {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		return st, err
	default:
		loc = schedule.Location(p.TZ)
		st.ChartID = p.ChartFileID
		st.Enrolled = p.NextDueAt != nil
		if p.PausedUntil != nil && p.PausedUntil.After(now) {
			st.Paused = true
		}
		if st.Enrolled {
			next := *p.NextDueAt
			if st.Paused {
				next = time.Time{}
				if !p.PausedUntil.Equal(schedule.Forever) {
					next = h.Planner.SpecFor(p.Slot).Next(p.PausedUntil.Add(-time.Minute), loc)
				}
			}
			if !next.IsZero() {
				st.Next = slackapp.DateText(next, loc)
			}
		}
	}
	st.Month, err = h.Summarise(ctx, userID, report.MonthOf(now, loc))
	return st, err
}

func (h *results) publishHome(ctx context.Context, userID string) error {
	st, err := h.homeState(ctx, userID)
	if err != nil {
		return err
	}
	return h.app.PublishHome(ctx, userID, h.homeWithSections(ctx, userID, HomeBlocks(st)))
}

func (h *results) openSchedule(ctx context.Context, req slackapp.ActionRequest) error {
	slot := schedule.Slot{Day: time.Monday, Hour: 9}
	if p, err := h.Store.Person(ctx, req.UserID); err == nil && p.Slot != "" {
		if s, err := schedule.ParseSlot(p.Slot); err == nil {
			slot = s
		}
	}
	_, err := h.app.OpenView(ctx, req.TriggerID, ScheduleModal(slot))
	return err
}

func (h *results) submitSchedule(ctx context.Context, req slackapp.ViewRequest) error {
	text := req.Values[scheduleDayBlock][scheduleDayBlock] + " " + req.Values[scheduleTimeBlock][scheduleTimeBlock]
	slot, err := schedule.ParseSlot(text)
	if err != nil {
		return req.Reply(ctx, slackapp.TextMessage("schedule_bad", "I couldn't read that day and time, so nothing changed."))
	}
	p, err := h.Store.Person(ctx, req.UserID)
	if err != nil {
		return err
	}
	if err := h.Store.SetSchedule(ctx, req.UserID, slot.String(), h.Planner.Next(slot.String(), p.TZ, h.Now())); err != nil {
		return err
	}
	return h.publishHome(ctx, req.UserID)
}

// homeButton runs the Home tab's start, stop, pause and resume buttons as the commands do. The
// command's reply goes to the person's DM.
func (h *results) homeButton(ctx context.Context, req slackapp.ActionRequest) error {
	verb := strings.TrimPrefix(req.ActionID, "home_")
	// The command refreshes the tab through the weekly feature's Changed.
	return h.app.RunCommandInDM(ctx, req.UserID, req.TeamID, slackapp.Command{Verb: verb})
}
