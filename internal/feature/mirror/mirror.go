// Package mirror is the team mirror: in an opted-in channel the lead can turn it on, and then once
// a month each member enrolled through the channel (never the lead) gets one short DM of two or
// three one-tap questions about what their lead did that month. The answers are counted without
// the member, and the lead sees the team's lean beside their own in their monthly summary once
// enough members answered.
package mirror

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

// Action ids of the mirror's buttons.
const (
	actionAnswer = "mirror_answer" // mirror_answer:<question>:<option>, value: item, option, channel:period
	actionSkip   = "mirror_skip"
	actionStop   = "mirror_stop"
	actionResume = "mirror_resume"
	actionToggle = "mirror_toggle" // on the lead's App Home, value arg: on:<channel> or off:<channel>
)

// Questions is how many questions a month's mirror asks.
const Questions = 3

// askDays is how long before the end of a month (on the lead's clock) its mirror is asked: the
// last week, so the questions are about a month that has mostly happened, and answers close with
// the month, before the lead's summary of it.
const askDays = 7

// Deps are what the team mirror needs.
type Deps struct {
	Store     Store
	Catalogue *prompts.Catalogue
	Now       func() time.Time
	// MinRespondents is TEAM_MIN_RESPONDENTS; the mirror shows a month only when at least
	// report.MirrorThreshold(MinRespondents) members answered it.
	MinRespondents int
	// OwnHeadline is the person's own headline lean of a month ("leaning management (−0.30)"),
	// "" when there is too little to read, for the side-by-side line.
	OwnHeadline func(ctx context.Context, userID string, period report.Month) (string, error)
	// Changed is called after something on a person's App Home changed.
	Changed func(ctx context.Context, userID string)
}

// Handle gives the due loop the monthly job and the results feature the mirror's section.
type Handle struct{ h *mirror }

type mirror struct {
	Deps
	app *slackapp.App
}

// Register wires the team mirror into the app.
func Register(a *slackapp.App, d Deps) *Handle {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Changed == nil {
		d.Changed = func(context.Context, string) {}
	}
	if d.OwnHeadline == nil {
		d.OwnHeadline = func(context.Context, string, report.Month) (string, error) { return "", nil }
	}
	h := &mirror{Deps: d, app: a}
	a.HandleCommand("mirror", h.command)
	a.HandleAction(actionAnswer, h.onAnswer)
	a.HandleAction(actionSkip, h.onSkip)
	a.HandleAction(actionStop, h.onStop)
	a.HandleAction(actionResume, h.onResume)
	a.HandleAction(actionToggle, h.onToggle)
	a.RegisterRenderer(db.KindMirror, h.render)
	return &Handle{h: h}
}

func (h *mirror) threshold() int { return report.MirrorThreshold(h.MinRespondents) }

func (h *mirror) slash() string { return h.app.SlashCommand() }

// monthIndex numbers months for the question rotation.
func monthIndex(m report.Month) int { return m.Year*12 + int(m.Month) - 1 }

// questions are the questions of a month's mirror, the same for everyone asked that month.
func (h *mirror) questions(m report.Month) []prompts.MirrorQuestion {
	return h.Catalogue.MirrorSet(monthIndex(m), Questions)
}

// options lists every answer of a month's questions as the store counts them, "not sure" included.
func options(qs []prompts.MirrorQuestion) []db.MirrorOption {
	var out []db.MirrorOption
	for _, q := range qs {
		for i, o := range q.Prompt.Options {
			out = append(out, db.MirrorOption{ItemID: q.Prompt.ID, Dimension: string(q.Prompt.Dimension), Choice: i, Lean: o.Lean})
		}
		out = append(out, db.MirrorOption{ItemID: q.Prompt.ID, Dimension: string(q.Prompt.Dimension), Choice: -1})
	}
	return out
}

// leadLocation is a lead's zone, UTC when unknown.
func (h *mirror) leadLocation(ctx context.Context, lead string) *time.Location {
	if p, err := h.Store.Person(ctx, lead); err == nil {
		return schedule.Location(p.TZ)
	}
	return time.UTC
}

// --- the lead's command ---

func isDM(req slackapp.CommandRequest) bool {
	return req.FromDM || req.ChannelID == "" || strings.HasPrefix(req.ChannelID, "D")
}

func (h *mirror) command(ctx context.Context, req slackapp.CommandRequest) error {
	args := req.Command.Args
	if len(args) != 1 || (args[0] != "on" && args[0] != "off") {
		return req.Refuse(ctx, "mirror takes on or off, like "+h.slash()+" mirror on")
	}
	on := args[0] == "on"
	if isDM(req) {
		return req.Reply(ctx, refusalMessage(h.slash(), refusedInDM, ""))
	}
	tc, err := h.Store.TeamChannel(ctx, req.ChannelID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !tc.OptedIn()) {
		return req.Reply(ctx, refusalMessage(h.slash(), refusedNotOptedIn, ""))
	}
	if err != nil {
		return err
	}
	if tc.LeadUserID == "" || tc.LeadUserID != req.UserID {
		return req.Reply(ctx, refusalMessage(h.slash(), refusedNotLead, tc.LeadUserID))
	}
	changed, err := h.Store.SetMirror(ctx, req.ChannelID, req.UserID, on)
	if err != nil {
		return err
	}
	h.Changed(ctx, req.UserID)
	return req.Reply(ctx, switchedMessage(h.slash(), req.ChannelID, on, changed, h.threshold()))
}

// onToggle is the App Home's switch: the same as /reflect mirror on|off in the channel, for the
// clicker only if they lead it (a forged value naming another channel changes nothing).
func (h *mirror) onToggle(ctx context.Context, req slackapp.ActionRequest) error {
	v, err := req.ParsedValue()
	if err != nil {
		return err
	}
	state, channelID, ok := strings.Cut(v.Arg, ":")
	if !ok || (state != "on" && state != "off") || channelID == "" {
		return fmt.Errorf("mirror: toggle: bad value")
	}
	tc, err := h.Store.TeamChannel(ctx, channelID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && (!tc.OptedIn() || tc.LeadUserID != req.UserID)) {
		return req.Reply(ctx, refusalMessage(h.slash(), refusedNotLead, tc.LeadUserID))
	}
	if err != nil {
		return err
	}
	if _, err := h.Store.SetMirror(ctx, channelID, req.UserID, state == "on"); err != nil {
		return err
	}
	h.Changed(ctx, req.UserID)
	return nil
}

// --- the monthly job ---

// MonthlyJob is a schedule.Loop job: in the last week of a month on the lead's clock, it queues
// that month's mirror to every member of each channel whose mirror is on who has not been asked
// it yet (members who join late are asked too, until the month ends). Queuing is once per member
// and month, whichever replica runs it and however often.
func (m *Handle) MonthlyJob(ctx context.Context, now time.Time) error {
	return m.h.monthly(ctx, now)
}

// askWindow reports whether now is in the week a month's mirror is asked, on the clock loc, and
// which month.
func askWindow(now time.Time, loc *time.Location) (report.Month, bool) {
	m := report.MonthOf(now, loc)
	end := m.End(loc)
	return m, !now.Before(end.AddDate(0, 0, -askDays))
}

func (h *mirror) monthly(ctx context.Context, now time.Time) error {
	chans, err := h.Store.MirrorChannels(ctx, "")
	if err != nil {
		return err
	}
	queued := 0
	for _, c := range chans {
		month, ok := askWindow(now, schedule.Location(c.LeadTZ))
		if !ok {
			continue
		}
		members, err := h.Store.TeamMembers(ctx, c.ChannelID)
		if err != nil {
			h.app.Logger().Warn("mirror members unavailable", "channel", c.ChannelID, "error", err)
			continue
		}
		got, err := h.Store.QueueMirror(ctx, c.ChannelID, c.LeadUserID, month.String(), members, options(h.questions(month)))
		if err != nil {
			h.app.Logger().Warn("mirror not queued", "channel", c.ChannelID, "error", err)
			continue
		}
		queued += len(got)
	}
	if queued > 0 {
		h.app.Notify()
	}
	return nil
}

// --- the member's DM ---

// ask is one member's view of a month's mirror.
type ask struct {
	ChannelID, Lead string
	Period          report.Month
	Questions       []prompts.MirrorQuestion
	State           db.MirrorState
	Stopped, Closed bool
	Threshold       int
}

func (h *mirror) askFor(ctx context.Context, userID, channelID string, period report.Month) (ask, error) {
	lead, _, _, err := h.Store.MirrorMonth(ctx, channelID, period.String())
	if err != nil {
		return ask{}, err
	}
	st, err := h.Store.MirrorState(ctx, userID, channelID, period.String())
	if err != nil {
		return ask{}, err
	}
	stopped, err := h.Store.MirrorStopped(ctx, userID)
	if err != nil {
		return ask{}, err
	}
	loc := h.leadLocation(ctx, lead)
	return ask{ChannelID: channelID, Lead: lead, Period: period, Questions: h.questions(period), State: st,
		Stopped: stopped, Closed: !h.Now().Before(period.End(loc)), Threshold: h.threshold()}, nil
}

func (h *mirror) render(ctx context.Context, it db.OutboxItem) (slackapp.Message, error) {
	pl, period, err := decodePayload(it.Payload)
	if err != nil {
		return slackapp.Message{}, err
	}
	a, err := h.askFor(ctx, it.UserID, pl.ChannelID, period)
	if err != nil {
		return slackapp.Message{}, err
	}
	return AskMessage(h.slash(), a), nil
}

// target reads the channel and month a mirror button belongs to.
func target(v slackapp.ActionValue) (channelID string, period report.Month, err error) {
	ch, p, ok := strings.Cut(v.Arg, ":")
	if !ok || ch == "" {
		return "", report.Month{}, errors.New("mirror: button without its channel and month")
	}
	period, err = report.ParseMonth(p)
	return ch, period, err
}

// refresh shows the member the message in its new state: in place when the click came from their
// DM with the bot, else as a private reply.
func (h *mirror) refresh(ctx context.Context, req slackapp.ActionRequest, channelID string, period report.Month, note string) error {
	a, err := h.askFor(ctx, req.UserID, channelID, period)
	if err != nil {
		return err
	}
	msg := AskMessage(h.slash(), a)
	if note != "" {
		msg.Blocks = append(msg.Blocks, slackapp.ContextNote("mirror_note", note))
	}
	if p, err := h.Store.Person(ctx, req.UserID); err == nil && p.DMChannelID != "" && p.DMChannelID == req.ChannelID && req.MessageTS != "" {
		return h.app.UpdateMessage(ctx, req.ChannelID, req.MessageTS, msg)
	}
	return req.Reply(ctx, msg)
}

func (h *mirror) onAnswer(ctx context.Context, req slackapp.ActionRequest) error {
	v, err := req.ParsedValue()
	if err != nil {
		return err
	}
	channelID, period, err := target(v)
	if err != nil {
		return err
	}
	a, err := h.askFor(ctx, req.UserID, channelID, period)
	if errors.Is(err, db.ErrNotFound) {
		return req.Reply(ctx, slackapp.TextMessage("mirror_unknown", "That question isn't one I asked you, so nothing was recorded."))
	}
	if err != nil {
		return err
	}
	if a.Closed {
		return h.refresh(ctx, req, channelID, period, fmt.Sprintf("%s's questions closed when the month ended, so nothing was recorded.", period.Title()))
	}
	var q *prompts.MirrorQuestion
	for i := range a.Questions {
		if a.Questions[i].Prompt.ID == v.PromptID {
			q = &a.Questions[i]
		}
	}
	if q == nil || (v.HasOption && v.Option >= len(q.Prompt.Options)) {
		return req.Reply(ctx, slackapp.TextMessage("mirror_unknown", "That question isn't one I asked you, so nothing was recorded."))
	}
	o := db.MirrorOption{ItemID: q.Prompt.ID, Dimension: string(q.Prompt.Dimension), Choice: -1}
	if v.HasOption {
		o.Choice, o.Lean = v.Option, q.Prompt.Options[v.Option].Lean
	}
	if _, err := h.Store.RecordMirrorAnswer(ctx, req.UserID, channelID, period.String(), o); err != nil {
		return err
	}
	return h.refresh(ctx, req, channelID, period, "")
}

func (h *mirror) onSkip(ctx context.Context, req slackapp.ActionRequest) error {
	v, err := req.ParsedValue()
	if err != nil {
		return err
	}
	channelID, period, err := target(v)
	if err != nil {
		return err
	}
	if _, err := h.Store.SkipMirror(ctx, req.UserID, channelID, period.String()); err != nil {
		return err
	}
	return h.refresh(ctx, req, channelID, period, "")
}

func (h *mirror) onStop(ctx context.Context, req slackapp.ActionRequest) error {
	return h.setStopped(ctx, req, true)
}

func (h *mirror) onResume(ctx context.Context, req slackapp.ActionRequest) error {
	return h.setStopped(ctx, req, false)
}

// setStopped stops or restarts the mirror for the clicker (whatever the value names: it acts for
// whoever clicks).
func (h *mirror) setStopped(ctx context.Context, req slackapp.ActionRequest, stop bool) error {
	if _, err := h.Store.StopMirror(ctx, req.UserID, stop); err != nil {
		return err
	}
	h.Changed(ctx, req.UserID)
	v, err := req.ParsedValue()
	if err != nil {
		return nil // from the App Home: no message to refresh
	}
	channelID, period, err := target(v)
	if err != nil {
		return nil
	}
	return h.refresh(ctx, req, channelID, period, "")
}

// --- the lead's summary and App Home ---

// Section is the mirror's part of a person's monthly summary and App Home, for the results
// feature.
func (m *Handle) Section() *Section { return &Section{h: m.h} }

// Section gives the results feature the lead's side-by-side view and the App Home's switch.
type Section struct{ h *mirror }

// SummaryBlocks is the team's view beside the lead's own for each channel whose mirror asked about
// them in period, once the month is over and only when enough members answered it.
func (s *Section) SummaryBlocks(ctx context.Context, userID string, period report.Month) ([]slackapp.Block, error) {
	h := s.h
	if h.Now().Before(period.End(h.leadLocation(ctx, userID))) {
		return nil, nil // a month still open has no view: its growing answers could be told apart
	}
	views, err := h.views(ctx, userID, period)
	if err != nil || len(views) == 0 {
		return nil, err
	}
	own, err := h.OwnHeadline(ctx, userID, period)
	if err != nil {
		return nil, err
	}
	return SummaryBlocks(own, views, h.threshold()), nil
}

// ChannelView is a channel's mirror of one month, as its lead may see it.
type ChannelView struct {
	ChannelID string
	View      report.MirrorView
}

// views reads the mirrors of period about lead that are shown (enough answered).
func (h *mirror) views(ctx context.Context, lead string, period report.Month) ([]ChannelView, error) {
	chans, err := h.Store.MirrorLedMonths(ctx, lead, period.String())
	if err != nil {
		return nil, err
	}
	var out []ChannelView
	for _, ch := range chans {
		about, respondents, tallies, err := h.Store.MirrorMonth(ctx, ch, period.String())
		if err != nil {
			return nil, err
		}
		if about != lead {
			continue
		}
		var ts []report.MirrorTally
		for _, t := range tallies {
			if t.Lean == nil {
				continue // "not sure" counts toward nothing
			}
			ts = append(ts, report.MirrorTally{Dimension: prompts.Dimension(t.Dimension), Lean: *t.Lean, Count: t.Answers})
		}
		if v := report.BuildMirror(ts, respondents, h.threshold()); v.Shown {
			out = append(out, ChannelView{ChannelID: ch, View: v})
		}
	}
	return out, nil
}

// HomeBlocks is, for a lead, each opted-in channel they lead with its mirror's switch and last
// month's view beside their own; for a member who stopped the mirror, a way to start it again.
func (s *Section) HomeBlocks(ctx context.Context, userID string) ([]slackapp.Block, error) {
	h := s.h
	all, err := h.Store.TeamChannels(ctx)
	if err != nil {
		return nil, err
	}
	var led []string
	for _, c := range all {
		if c.OptedIn() && c.LeadUserID == userID {
			led = append(led, c.ChannelID)
		}
	}
	on := map[string]bool{}
	if len(led) > 0 {
		mcs, err := h.Store.MirrorChannels(ctx, userID)
		if err != nil {
			return nil, err
		}
		for _, c := range mcs {
			on[c.ChannelID] = true
		}
	}
	stopped, err := h.Store.MirrorStopped(ctx, userID)
	if err != nil {
		return nil, err
	}
	var line string
	if len(led) > 0 {
		last := report.MonthOf(h.Now(), h.leadLocation(ctx, userID)).Prev()
		views, err := h.views(ctx, userID, last)
		if err != nil {
			return nil, err
		}
		if len(views) > 0 {
			own, err := h.OwnHeadline(ctx, userID, last)
			if err != nil {
				return nil, err
			}
			line = last.Title() + ": " + sideBySide(own, views)
		}
	}
	return HomeBlocks(led, on, line, stopped, h.threshold()), nil
}

func decodePayload(b []byte) (db.MirrorPayload, report.Month, error) {
	var pl db.MirrorPayload
	if err := jsonUnmarshal(b, &pl); err != nil {
		return pl, report.Month{}, err
	}
	m, err := report.ParseMonth(pl.Period)
	return pl, m, err
}
