package slackapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
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
}

// HomeBlocks builds the App Home tab: the current label and score, the trend, the next prompt
// and buttons for the assessment, schedule, pause/resume and start/stop.
// https://docs.slack.dev/surfaces/app-home
func HomeBlocks(st HomeState) []slack.Block {
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
		now += fmt.Sprintf("\n*Lately:* %s, from %d answers (%s).", escapeMrkdwn(st.Month.Headline), st.Month.Lean.Answers,
			escapeMrkdwn(st.Month.Lean.Span(st.Month.Period)))
	} else {
		now += "\nYour lean shows once a few weeks of answers cover most of the six dimensions."
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plainText("Your reflection"), slack.HeaderBlockOptionBlockID("home_header")),
		section("home_now", now),
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
		fmt.Fprintf(&trend, "\n%s: %s", p.Month.Title(), escapeMrkdwn(line))
	}
	blocks = append(blocks, section("home_trend", trend.String()))
	if st.ChartID != "" {
		// https://docs.slack.dev/reference/block-kit/blocks/image-block (slack_file)
		blocks = append(blocks, slack.NewImageBlockSlackFile(&slack.SlackFileObject{ID: st.ChartID},
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
	blocks = append(blocks, section("home_next", status))
	buttons := []slack.BlockElement{
		button(actionAssessOpen, "Take the assessment", ActionValue{}).WithStyle(slack.StylePrimary),
	}
	if st.Enrolled {
		buttons = append(buttons, button(actionHomeSchedule, "Change my day and time", ActionValue{}))
		if st.Paused {
			buttons = append(buttons, button(actionHomeResume, "Resume prompts", ActionValue{}))
		} else {
			buttons = append(buttons, button(actionHomePause, "Pause prompts", ActionValue{}))
		}
		buttons = append(buttons, button(actionHomeStop, "Stop prompts", ActionValue{}))
	} else {
		buttons = append(buttons, button(actionHomeStart, "Start weekly prompts", ActionValue{}))
	}
	blocks = append(blocks,
		slack.NewActionBlock("home_actions", buttons...),
		contextNote("home_caveat", escapeMrkdwn(report.Caveat)+" Only you can see this tab."),
	)
	return blocks
}

// ScheduleModal picks a personal weekly day and time.
func ScheduleModal(current schedule.Slot) View {
	days := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	opts := make([]*slack.OptionBlockObject, len(days))
	var initial *slack.OptionBlockObject
	for i, d := range days {
		slot, _ := schedule.ParseSlot(d + " 09:00")
		opts[i] = slack.NewOptionBlockObject(d, plainText(slot.Day.String()), nil)
		if slot.Day == current.Day {
			initial = opts[i]
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Day"), scheduleDayBlock, opts...)
	sel.InitialOption = initial
	tp := slack.NewTimePickerBlockElement(scheduleTimeBlock)
	tp.InitialTime = fmt.Sprintf("%02d:%02d", current.Hour, current.Minute)
	return View{
		CallbackID: viewSchedule, Title: "Prompt day and time", Submit: "Save", Close: "Cancel",
		Blocks: []slack.Block{
			section("schedule_intro", "Your weekly prompt comes on this day and time, in your own Slack time zone."),
			slack.NewInputBlock(scheduleDayBlock, plainText("Day"), nil, sel),
			slack.NewInputBlock(scheduleTimeBlock, plainText("Time"), nil, tp),
		},
	}
}

func (h *results) registerHome() {
	h.app.HandleEvent("app_home_opened", func(ctx context.Context, ev Event) error {
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
	var st HomeState
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
				st.Next = whenText(next, loc)
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
	return h.app.PublishHome(ctx, userID, HomeBlocks(st))
}

func (h *results) openSchedule(ctx context.Context, req ActionRequest) error {
	slot := schedule.Slot{Day: time.Monday, Hour: 9}
	if p, err := h.Store.Person(ctx, req.UserID); err == nil && p.Slot != "" {
		if s, err := schedule.ParseSlot(p.Slot); err == nil {
			slot = s
		}
	}
	_, err := h.app.OpenView(ctx, req.TriggerID, ScheduleModal(slot))
	return err
}

func (h *results) submitSchedule(ctx context.Context, req ViewRequest) error {
	text := req.Values[scheduleDayBlock][scheduleDayBlock] + " " + req.Values[scheduleTimeBlock][scheduleTimeBlock]
	slot, err := schedule.ParseSlot(text)
	if err != nil {
		return req.Reply(ctx, textMessage("schedule_bad", "I couldn't read that day and time, so nothing changed."))
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
func (h *results) homeButton(ctx context.Context, req ActionRequest) error {
	verb := strings.TrimPrefix(req.ActionID, "home_")
	cmd := CommandRequest{UserID: req.UserID, TeamID: req.TeamID, Command: Command{Verb: verb}, FromDM: true,
		reply: h.app.dmReplier(req.UserID, "")}
	// The command refreshes the tab through Weekly.Changed.
	return h.app.runCommand(ctx, cmd)
}
