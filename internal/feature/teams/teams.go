// Package teams is channel opt-in: a lead opts a channel in, which enrols its members; joins,
// leaves, archiving and removal keep that in step; the lead gets an anonymous monthly team summary.
package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Opt-in policies (OPTIN_POLICY): who may opt a channel in (and out).
const (
	PolicyCreatorOrAdmin = "creator_or_admin" // the channel's creator, or a workspace admin or owner
	PolicyAdmins         = "admins"           // workspace admins and owners only
	PolicyMembers        = "members"          // any member of the channel (and its creator, admins, owners)
)

// actionTeamStop is the welcome's one-tap Stop.
const actionTeamStop = "team_stop"

// Limits of the Slack calls opt-in makes.
const (
	// maxUsersPages bounds one job's reading of users.list (200,000 people).
	maxUsersPages = 1000
	// teamSummaryHour is when, on the 1st of the month in the lead's zone, last month's team
	// summary is due.
	teamSummaryHour = 9
)

// mayOptIn decides whether who may opt channel ch in (or out) under policy, and if not, says why
// in a sentence for them. Guests and people from other organisations never may, whatever the
// policy; an unknown policy lets nobody.
func mayOptIn(policy string, who slackapp.Member, ch slackapp.ChannelInfo) (bool, string) {
	switch {
	case who.IsBot || who.Deleted:
		return false, "Only people can opt a channel in to Reflect."
	case who.External:
		return false, "People from outside this workspace can't opt a channel in to Reflect."
	case who.IsRestricted || who.IsUltraRestricted:
		return false, "Guest accounts can't opt a channel in to Reflect."
	}
	admin := who.IsAdmin || who.IsOwner
	switch policy {
	case PolicyCreatorOrAdmin:
		if admin || (ch.Creator != "" && who.ID == ch.Creator) {
			return true, ""
		}
		if ch.Creator != "" {
			return false, fmt.Sprintf("In this workspace only the channel's creator (<@%s>) or a workspace admin or owner can opt it in to Reflect.", ch.Creator)
		}
		return false, "In this workspace only the channel's creator or a workspace admin or owner can opt it in to Reflect."
	case PolicyAdmins:
		if admin {
			return true, ""
		}
		return false, "In this workspace only workspace admins and owners can opt a channel in to Reflect."
	case PolicyMembers:
		// The widest policy keeps everyone the narrower ones allow.
		if who.InChannel || admin || (ch.Creator != "" && who.ID == ch.Creator) {
			return true, ""
		}
		return false, "Only members of this channel can opt it in to Reflect."
	}
	return false, "This workspace's opt-in setting isn't one I know, so nobody can opt a channel in. An admin can check OPTIN_POLICY."
}

// Deps are what channel opt-in needs. A lead opts a channel in, which enrols its people; joins,
// leaves and archiving keep that in step; the lead gets an anonymous monthly team summary.
type Deps struct {
	Store     Store
	Catalogue *prompts.Catalogue
	Planner   schedule.Planner
	Now       func() time.Time
	// Policy is OPTIN_POLICY: PolicyCreatorOrAdmin (the default when empty), PolicyAdmins or
	// PolicyMembers.
	Policy string
	// MinRespondents is TEAM_MIN_RESPONDENTS (0 means report.DefaultMinRespondents).
	MinRespondents int
	// Poke wakes the due loop after people were enrolled.
	Poke func()
	// Changed is called after a person's enrolment changed (to refresh their App Home).
	Changed func(ctx context.Context, userID string)
}

// Handle gives the due loop the monthly team summaries.
type Handle struct{ h *teams }

// MonthlyJob is a schedule.Loop job: for each opted-in channel with a lead, once the lead's clock
// has passed 09:00 on the 1st of a month, it queues last month's team summary to the lead, once
// (the store records it in summaries_sent in the transaction that queues it). A problem with one
// channel is logged and the others go on; only a store that cannot list channels fails the job.
func (t *Handle) MonthlyJob(ctx context.Context, now time.Time) error {
	return t.h.monthly(ctx, now)
}

type teams struct {
	Deps
	app *slackapp.App

	mu   sync.Mutex
	done map[string]report.Month // channel|lead → the month whose summary is known to be queued

	wake chan struct{} // a new opt-in job or late join for runJobs
}

// Register wires channel opt-in into the app and returns the monthly job for the due loop.
func Register(a *slackapp.App, t Deps) *Handle {
	if t.Now == nil {
		t.Now = time.Now
	}
	if t.Policy == "" {
		t.Policy = PolicyCreatorOrAdmin
	}
	if t.Poke == nil {
		t.Poke = func() {}
	}
	if t.Changed == nil {
		t.Changed = func(context.Context, string) {}
	}
	h := &teams{Deps: t, app: a, done: map[string]report.Month{}, wake: make(chan struct{}, 1)}
	a.HandleCommand("optin", h.optin)
	a.HandleCommand("optout", h.optout)
	a.HandleCommand("team", h.team)
	a.HandleAction(actionTeamStop, h.onStop)
	a.HandleEvent("member_joined_channel", h.onJoined)
	a.HandleEvent("member_left_channel", h.onLeft)
	a.HandleEvent("channel_archive", h.onArchived)
	a.HandleEvent("group_archive", h.onArchived)
	// The app removed from a channel, or the channel deleted: Slack tells the app with these,
	// not with member_left_channel.
	// https://docs.slack.dev/reference/events/channel_left
	// https://docs.slack.dev/reference/events/group_left
	// https://docs.slack.dev/reference/events/channel_deleted
	// https://docs.slack.dev/reference/events/group_deleted
	for _, ev := range []string{"channel_left", "group_left", "channel_deleted", "group_deleted"} {
		a.HandleEvent(ev, h.onRemoved)
	}
	a.RegisterRenderer(db.KindTeamWelcome, h.renderWelcome)
	a.RegisterRenderer(db.KindTeamOptInDone, h.renderOptInDone)
	a.RunInBackground(h.runJobs)
	a.RegisterRenderer(db.KindTeamSummary, h.renderSummary)
	return &Handle{h: h}
}

func (h *teams) command() string { return h.app.SlashCommand() }

func (h *teams) minRespondents() int {
	if h.MinRespondents <= 0 {
		return report.DefaultMinRespondents
	}
	return h.MinRespondents
}

// isDMRequest reports whether a command came from a DM (a DM word, or the slash command in a
// D… conversation), where channel commands have no channel to act on.
func isDMRequest(req slackapp.CommandRequest) bool {
	return req.FromDM || req.ChannelID == "" || strings.HasPrefix(req.ChannelID, "D")
}

// cannotSeeChannel reports whether Slack's answer means the bot cannot see the channel: a private
// channel it was not invited to reads as channel_not_found.
// https://docs.slack.dev/reference/methods/conversations.info#errors
func cannotSeeChannel(err error) bool {
	ae, ok := errors.AsType[*slackapp.APIError](err)
	return ok && (ae.Code == "channel_not_found" || ae.Code == "not_in_channel")
}

func (h *teams) usageError(ctx context.Context, req slackapp.CommandRequest, problem string) error {
	return req.Refuse(ctx, problem)
}

// mayOptOut decides whether the caller may opt an opted-in channel out: its lead always may;
// anyone else as the opt-in policy would let them opt it in.
func (h *teams) mayOptOut(ctx context.Context, req slackapp.CommandRequest, tc db.TeamChannel) (bool, string, error) {
	if tc.LeadUserID != "" && tc.LeadUserID == req.UserID {
		return true, "", nil
	}
	who, err := h.app.MemberInfo(ctx, req.UserID, req.TeamID)
	if err != nil {
		return false, "", err
	}
	ch, err := h.app.ChannelInfo(ctx, req.ChannelID)
	if cannotSeeChannel(err) {
		// Without the channel's details only the lead could be recognised.
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	in, err := h.app.IsChannelMember(ctx, req.ChannelID, req.UserID)
	if err != nil && !cannotSeeChannel(err) {
		return false, "", err
	}
	who.InChannel = in
	ok, why := mayOptIn(h.Policy, who, ch)
	return ok, why, nil
}

// optedInChannel checks a command that needs an opted-in channel (optout, team): no arguments,
// used in a channel, and the channel opted in. When ok is false the person has been answered and
// err is what that reply returned.
func (h *teams) optedInChannel(ctx context.Context, req slackapp.CommandRequest) (tc db.TeamChannel, ok bool, err error) {
	verb := req.Command.Verb
	if len(req.Command.Args) > 0 {
		return tc, false, h.usageError(ctx, req, verb+" takes nothing after it")
	}
	if isDMRequest(req) {
		return tc, false, req.Reply(ctx, teamChannelOnlyMessage(h.command(), verb))
	}
	tc, ok, err = h.optedIn(ctx, req.ChannelID)
	if err == nil && !ok {
		return tc, false, req.Reply(ctx, teamNotOptedInMessage(h.command()))
	}
	return tc, ok, err
}

// optedIn looks channelID up; ok is false when it is not an opted-in channel.
func (h *teams) optedIn(ctx context.Context, channelID string) (tc db.TeamChannel, ok bool, err error) {
	tc, err = h.Store.TeamChannel(ctx, channelID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !tc.OptedIn()) {
		return tc, false, nil
	}
	return tc, err == nil, err
}

func (h *teams) optout(ctx context.Context, req slackapp.CommandRequest) error {
	tc, ok, err := h.optedInChannel(ctx, req)
	if !ok {
		return err
	}
	ok, why, err := h.mayOptOut(ctx, req, tc)
	if err != nil {
		return err
	}
	if !ok {
		return req.Reply(ctx, teamOptOutRefusalMessage(tc.LeadUserID, why))
	}
	unenrolled, stopped, err := h.optOut(ctx, req.ChannelID)
	if err != nil {
		return err
	}
	return req.Reply(ctx, teamOptedOutMessage(h.command(), len(unenrolled), len(stopped)))
}

// optOut opts a channel out and refreshes the App Home of those it stopped.
func (h *teams) optOut(ctx context.Context, channelID string) (unenrolled, stopped []string, err error) {
	unenrolled, stopped, err = h.Store.OptOutChannel(ctx, channelID)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range stopped {
		h.Changed(ctx, id)
	}
	return unenrolled, stopped, nil
}

func (h *teams) team(ctx context.Context, req slackapp.CommandRequest) error {
	tc, ok, err := h.optedInChannel(ctx, req)
	if !ok {
		return err
	}
	if tc.LeadUserID == "" || tc.LeadUserID != req.UserID {
		return req.Reply(ctx, teamNotLeadMessage(h.command(), tc.LeadUserID == ""))
	}
	// The month so far is never shown: its figure is worked out once the month is over (see
	// figure), so /reflect team shows the last month that is.
	loc := schedule.Location(tc.LeadTZ)
	now := report.MonthOf(h.Now(), loc)
	s, err := h.view(ctx, tc, h.channelName(ctx, req.ChannelID), now.Prev())
	if err != nil {
		return err
	}
	s.Note = fmt.Sprintf("%s's figure appears once the month is over, on 1 %s. Each month's team figure is "+
		"worked out once and then kept as it is, so no two views of a month differ and none can single anyone out.",
		now.Title(), now.Next().Title())
	return req.Reply(ctx, TeamSummaryMessage(s))
}

// channelName is the channel's name for a summary, or "" when Slack will not say (the text then
// says "Your channel"): a name is a label, not worth failing a summary for.
func (h *teams) channelName(ctx context.Context, channelID string) string {
	ch, err := h.app.ChannelInfo(ctx, channelID)
	if err != nil {
		h.app.Logger().Warn("channel name unavailable for a team summary", "channel", channelID, "error", err)
		return ""
	}
	return ch.Name
}

// view is a channel's team summary of period, a month that is over on the lead's clock, for
// showing: the period's figure and the trend of the months before it back to the month the
// channel was opted in (the team did not exist before, so those months are left out rather than
// shown as too few people), every one of them the stored figure of its month (see figure).
func (h *teams) view(ctx context.Context, tc db.TeamChannel, name string, period report.Month) (report.TeamSummary, error) {
	s, err := h.figure(ctx, tc.ChannelID, tc.LeadUserID, period)
	if err != nil {
		return report.TeamSummary{}, err
	}
	since := report.MonthOf(tc.OptedInAt, schedule.Location(tc.LeadTZ))
	trend := []report.TeamMonthPoint{s.Point()}
	for m := period.Prev(); len(trend) < report.TrendMonths && !m.Before(since); m = m.Prev() {
		f, err := h.figure(ctx, tc.ChannelID, tc.LeadUserID, m)
		if err != nil {
			return report.TeamSummary{}, err
		}
		trend = append([]report.TeamMonthPoint{f.Point()}, trend...)
	}
	return s.Present(name, trend), nil
}

// figure returns a channel's team figure of period, a month that is over: the stored one, or else
// one worked out now and stored, which every later view then shows.
//
// This is what keeps a lead from learning one member's answers by differencing two views (run
// /reflect team, remove someone from the channel, run it again): a month has exactly one figure,
// worked out once from a fixed respondent set (those enrolled through the channel when it is
// worked out, not the lead, whose answers in that month count, an answer counting in the month of
// its prompt's occurrence), and never again. The lead never counts, toward the figure or toward
// the minimum. The month in progress has no figure at all, so its growing set of respondents
// cannot be differenced either.
func (h *teams) figure(ctx context.Context, channelID, lead string, period report.Month) (report.TeamSummary, error) {
	if b, ok, err := h.Store.TeamFigure(ctx, channelID, period.String()); err != nil {
		return report.TeamSummary{}, err
	} else if ok {
		return decodeFigure(b, period)
	}
	s, err := h.summarise(ctx, channelID, lead, period)
	if err != nil {
		return report.TeamSummary{}, err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return report.TeamSummary{}, err
	}
	kept, err := h.Store.SaveTeamFigure(ctx, channelID, period.String(), b)
	if err != nil {
		return report.TeamSummary{}, err
	}
	return decodeFigure(kept, period)
}

func decodeFigure(b []byte, period report.Month) (report.TeamSummary, error) {
	var s report.TeamSummary
	if err := json.Unmarshal(b, &s); err != nil {
		return report.TeamSummary{}, fmt.Errorf("team figure of %s: %w", period, err)
	}
	return s, nil
}

// summarise works out a channel's team figure of period from the store: the answers and closed
// scheduled deliveries of everyone enrolled through it now but its lead, each on their own clock,
// each answer in the month of its prompt's occurrence. Answers to prompts marked private (such as
// whether someone is thinking of leaving) never feed it. Name and trend are left out: they are
// added when it is shown.
func (h *teams) summarise(ctx context.Context, channelID, lead string, period report.Month) (report.TeamSummary, error) {
	ids, err := h.Store.TeamMembers(ctx, channelID)
	if err != nil {
		return report.TeamSummary{}, err
	}
	in := report.TeamInput{Period: period, MinRespondents: h.minRespondents()}
	for _, id := range ids {
		if id == lead {
			continue // the lead's own answers would tell them nothing about the team, and count toward the minimum
		}
		m, err := h.memberData(ctx, id, period)
		if errors.Is(err, db.ErrNotFound) {
			continue // forgotten meanwhile
		}
		if err != nil {
			return report.TeamSummary{}, err
		}
		in.Members = append(in.Members, m)
	}
	s := report.BuildTeam(in)
	s.Trend, s.FirstLine, s.Caveat = nil, "", ""
	return s, nil
}

// memberData reads one member's month for a team figure, as the results feature does for a
// person's own, except that an answer counts in the month of its prompt's occurrence, whenever it
// was given.
func (h *teams) memberData(ctx context.Context, userID string, period report.Month) (report.TeamMember, error) {
	p, err := h.Store.Person(ctx, userID)
	if err != nil {
		return report.TeamMember{}, err
	}
	loc := schedule.Location(p.TZ)
	start, end := period.Start(loc), period.End(loc)
	m := report.TeamMember{Loc: loc}
	ds, err := h.Store.Deliveries(ctx, userID)
	if err != nil {
		return report.TeamMember{}, err
	}
	occurrence := map[int64]time.Time{}
	for _, d := range ds {
		occurrence[d.ID] = d.Occurrence
		if d.Kind != db.DeliveryScheduled || d.PromptID == "" || d.Occurrence.Before(start) || !d.Occurrence.Before(end) {
			continue
		}
		if d.State == "pending" || d.State == "sent" {
			continue // still open
		}
		m.Deliveries = append(m.Deliveries, report.Delivery{Occurrence: d.Occurrence, Answered: d.State == "answered"})
	}
	// Answers to the month's prompts can come after it ends (until the next occurrence).
	answers, err := h.Store.AnswersBetween(ctx, userID, start, h.Now().Add(time.Second))
	if err != nil {
		return report.TeamMember{}, err
	}
	for _, a := range answers {
		pr, ok := h.Catalogue.Prompt(a.PromptID)
		if !ok || pr.Private {
			continue
		}
		at, ok := occurrence[a.DeliveryID]
		if !ok {
			at = a.AnsweredAt
		}
		if at.Before(start) || !at.Before(end) {
			continue
		}
		m.Answers = append(m.Answers, report.Answer{At: at, Dimension: pr.Dimension,
			Reading: prompts.Reading{Lean: a.Lean, Weight: a.Weight, Wellbeing: a.Wellbeing}})
	}
	return m, nil
}

// onStop is the welcome's Stop: the same as /reflect stop, for the person who clicked. Whatever
// the button's value says, it is never read: a forged payload naming someone else still stops
// only the clicker.
func (h *teams) onStop(ctx context.Context, req slackapp.ActionRequest) error {
	was, err := h.Store.Stop(ctx, req.UserID)
	if err != nil {
		return err
	}
	h.Changed(ctx, req.UserID)
	msg := teamStoppedMessage(h.command(), was)
	// The welcome is updated in place only in the clicker's own DM with the bot.
	if p, err := h.Store.Person(ctx, req.UserID); err == nil && p.DMChannelID != "" &&
		p.DMChannelID == req.ChannelID && req.MessageTS != "" {
		return h.app.UpdateMessage(ctx, req.ChannelID, req.MessageTS, msg)
	}
	return req.Reply(ctx, msg)
}

// onLeft unenrols someone who leaves a channel, stopping them if nothing else enrols them. The
// bot itself leaving (if Slack tells it) opts the channel out: it would hear of no more joins.
// https://docs.slack.dev/reference/events/member_left_channel
func (h *teams) onLeft(ctx context.Context, ev slackapp.Event) error {
	if ev.UserID == "" {
		return nil
	}
	if ev.UserID == h.app.BotUserID() {
		return h.onRemoved(ctx, ev)
	}
	// Someone who leaves before an opt-in job reached them is not enrolled by it.
	if err := h.Store.SkipOptInMember(ctx, ev.ChannelID, ev.UserID, db.OutcomeLeft); err != nil && !errors.Is(err, db.ErrOptInCancelled) {
		return err
	}
	l, err := h.Store.LeaveTeam(ctx, ev.UserID, ev.ChannelID)
	if err != nil {
		return err
	}
	if l.Stopped {
		h.Changed(ctx, ev.UserID)
	}
	return nil
}

// onArchived opts an archived channel out: an archived channel keeps nobody enrolled.
// https://docs.slack.dev/reference/events/channel_archive
// https://docs.slack.dev/reference/events/group_archive
func (h *teams) onArchived(ctx context.Context, ev slackapp.Event) error {
	if ev.ChannelID == "" {
		return nil
	}
	_, _, err := h.optOut(ctx, ev.ChannelID)
	return err
}

func (h *teams) renderWelcome(ctx context.Context, it db.OutboxItem) (slackapp.Message, error) {
	var pl db.TeamPayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return slackapp.Message{}, err
	}
	return TeamWelcomeMessage(h.command(), pl.ChannelID, pl.LeadUserID, h.minRespondents()), nil
}

// errNotLead stops a team summary whose recipient no longer leads the channel.
var errNotLead = errors.New("slackapp: team summary: the recipient no longer leads the channel")

func (h *teams) renderSummary(ctx context.Context, it db.OutboxItem) (slackapp.Message, error) {
	var pl db.TeamPayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return slackapp.Message{}, err
	}
	period, err := report.ParseMonth(pl.Period)
	if err != nil {
		return slackapp.Message{}, err
	}
	// Checked again when it is posted: a lead who left or opted out meanwhile gets nothing.
	tc, err := h.Store.TeamChannel(ctx, pl.ChannelID)
	if err != nil {
		return slackapp.Message{}, err
	}
	if !tc.OptedIn() || tc.LeadUserID == "" || tc.LeadUserID != it.UserID {
		return slackapp.Message{}, errNotLead
	}
	s, err := h.view(ctx, tc, pl.ChannelName, period)
	if err != nil {
		return slackapp.Message{}, err
	}
	return TeamSummaryMessage(s), nil
}

// teamSummaryDue returns the month whose team summary is due at now for a lead in loc, for a
// channel opted in at optedIn: last month's, once it is 09:00 on the 1st on the lead's clock, if
// the channel was opted in before this month began.
func teamSummaryDue(now time.Time, loc *time.Location, optedIn time.Time) (report.Month, bool) {
	m := report.MonthOf(now, loc)
	// time.Date rather than Start+9h: on a daylight-saving change on the 1st those differ.
	if now.Before(time.Date(m.Year, m.Month, 1, teamSummaryHour, 0, 0, 0, loc)) {
		return report.Month{}, false
	}
	if !optedIn.Before(m.Start(loc)) {
		return report.Month{}, false
	}
	return m.Prev(), true
}

func (h *teams) monthly(ctx context.Context, now time.Time) error {
	chans, err := h.Store.TeamChannels(ctx)
	if err != nil {
		return err
	}
	queued := 0
	for _, c := range chans {
		period, ok := teamSummaryDue(now, schedule.Location(c.LeadTZ), c.OptedInAt)
		if !ok {
			continue
		}
		key := c.ChannelID + "|" + c.LeadUserID
		h.mu.Lock()
		known := h.done[key] == period
		h.mu.Unlock()
		if known {
			continue
		}
		sent, err := h.Store.TeamSummarySent(ctx, c.ChannelID, c.LeadUserID, period.String())
		if err != nil {
			h.app.Logger().Warn("team summary check failed", "channel", c.ChannelID, "error", err)
			continue
		}
		if !sent {
			q, err := h.Store.QueueTeamSummary(ctx, c.ChannelID, c.LeadUserID, h.channelName(ctx, c.ChannelID), period.String())
			if err != nil {
				h.app.Logger().Warn("team summary not queued", "channel", c.ChannelID, "error", err)
				continue
			}
			if q {
				queued++
			}
		}
		h.mu.Lock()
		h.done[key] = period
		h.mu.Unlock()
	}
	if queued > 0 {
		h.app.Notify()
	}
	return nil
}
