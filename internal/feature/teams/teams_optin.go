package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Channel opt-in as a durable job (db.OptInJob). The command records the channel and the job and
// answers at once; runJobs works the job through within Slack's rate limits, keeping every step
// in the store, so a restart or crash resumes where it stopped and nobody is welcomed twice:
//
//  1. members: conversations.members (Tier 4, 100+ a minute), 1,000 to a page, each page
//     recorded with the cursor of the next.
//  2. profiles: each member's account (bot, deactivated, from another organisation, time zone).
//     users.info is Tier 4, one person a call: 1,200 people take 12 minutes at 100 a minute.
//     users.list is Tier 2 (20+ a minute) but 200 people a call: a workspace of W people takes
//     W/4,000 minutes, so it is the faster of the two for any channel of more than
//     profileListMin people unless the workspace has more than 40 times the channel's members
//     (48,000 for 1,200). Members users.list does not show (people from other organisations
//     in a shared channel) are looked up with users.info afterwards.
//  3. enrol: each person enrolled, their welcome queued in the same transaction (the outbox
//     posts it exactly once, at Slack's message rate), and once nobody is pending, the lead's
//     report queued in the transaction that ends the job.
//
// App Homes are not published per member: a person's Home is built when they open it.
// https://docs.slack.dev/apis/web-api/rate-limits
// https://docs.slack.dev/reference/methods/users.list
// https://docs.slack.dev/reference/methods/users.info

// profileListMin is the most members looked up one by one with users.info (Tier 4: well within
// a minute's budget); a job with more pending reads users.list instead.
const profileListMin = 50

// enrolBatch is how many members looked up one by one are enrolled in one transaction; a
// users.list page is enrolled in one.
const enrolBatch = 50

// jobRetry is how long runJobs waits after a job failed (Slack or the store unavailable).
const jobRetry = 5 * time.Second

// channelOnly reports whether Slack's refusal means the conversation is not a channel the app
// may read: a group DM or DM needs scopes (mpim:read, im:read) Reflect does not ask for.
// https://docs.slack.dev/reference/methods/conversations.info#errors
func channelOnly(err error) bool {
	ae, ok := errors.AsType[*slackapp.APIError](err)
	return ok && (ae.Code == "missing_scope" || ae.Code == "method_not_supported_for_channel_type")
}

func (h *teams) optin(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 0 {
		return h.usageError(ctx, req, "optin takes nothing after it")
	}
	if isDMRequest(req) {
		return req.Reply(ctx, teamChannelOnlyMessage(h.command(), "optin"))
	}
	ch, err := h.app.ChannelInfo(ctx, req.ChannelID)
	switch {
	case channelOnly(err):
		return req.Reply(ctx, teamChannelOnlyMessage(h.command(), "optin"))
	case cannotSeeChannel(err):
		return req.Reply(ctx, teamInviteMessage(h.command()))
	case err != nil:
		return err
	}
	switch {
	case ch.IsIM || ch.IsMpIM:
		return req.Reply(ctx, teamChannelOnlyMessage(h.command(), "optin"))
	case ch.IsArchived:
		return req.Reply(ctx, slackapp.TextMessage("team_archived", "This channel is archived, so it can't be opted in."))
	}
	who, err := h.app.MemberInfo(ctx, req.UserID, req.TeamID)
	if err != nil {
		return err
	}
	if h.Policy == PolicyMembers {
		// Only this policy asks whether the caller is in the channel.
		if who.InChannel, err = h.app.IsChannelMember(ctx, ch.ID, req.UserID); err != nil && !cannotSeeChannel(err) {
			return err
		}
	}
	if ok, why := mayOptIn(h.Policy, who, ch); !ok {
		return req.Reply(ctx, teamRefusalMessage(why))
	}
	// The bot must be in the channel to hear who joins and leaves.
	// https://docs.slack.dev/reference/events/member_joined_channel ("requires membership")
	if !ch.IsMember {
		return req.Reply(ctx, teamInviteMessage(h.command()))
	}
	existing, err := h.Store.TeamChannel(ctx, ch.ID)
	switch {
	case err == nil && existing.OptedIn() && existing.LeadUserID != "":
		return req.Reply(ctx, teamAlreadyMessage(h.command(), existing.LeadUserID, existing.LeadUserID == req.UserID))
	case err == nil && existing.OptedIn():
		// Opted in, but its lead left: whoever may opt it in takes over, and the members stay as
		// they are (someone who stopped is not enrolled again).
		if err := h.Store.UpsertPerson(ctx, db.Person{UserID: req.UserID, TeamID: req.TeamID, TZ: who.TZ}); err != nil {
			return err
		}
		if err := h.Store.OptInChannel(ctx, ch.ID, req.UserID); err != nil {
			return err
		}
		return req.Reply(ctx, teamTakenOverMessage(h.command(), h.minRespondents()))
	case err != nil && !errors.Is(err, db.ErrNotFound):
		return err
	}
	// The channel is recorded first, so joins, leaves and an opt-out count from now on; the job
	// enrols its members in the background and reports to the lead when done.
	if err := h.Store.UpsertPerson(ctx, db.Person{UserID: req.UserID, TeamID: req.TeamID, TZ: who.TZ}); err != nil {
		return err
	}
	if err := h.Store.OptInChannel(ctx, ch.ID, req.UserID); err != nil {
		return err
	}
	if _, err := h.Store.StartOptIn(ctx, ch.ID, req.UserID, req.TeamID, true); err != nil {
		return err
	}
	h.kick()
	return req.Reply(ctx, teamOptInStartedMessage(h.command(), ch.ID, h.minRespondents()))
}

// onJoined puts someone who joins an opted-in channel on its opt-in job, which enrols and
// welcomes them as it did the members it found.
// https://docs.slack.dev/reference/events/member_joined_channel
func (h *teams) onJoined(ctx context.Context, ev slackapp.Event) error {
	if ev.UserID == "" || ev.UserID == h.app.BotUserID() || ev.UserID == slackapp.SlackbotID {
		return nil
	}
	tc, ok, err := h.optedIn(ctx, ev.ChannelID)
	if !ok {
		return err
	}
	added, err := h.Store.AddLateJoin(ctx, ev.ChannelID, ev.UserID)
	if err != nil {
		return err
	}
	if !added {
		// Opted in before opt-in jobs existed: start one, which lists the channel again (people
		// enrolled already are counted, not welcomed again) and reports to nobody.
		if _, err := h.Store.StartOptIn(ctx, ev.ChannelID, tc.LeadUserID, ev.TeamID, false); err != nil {
			return err
		}
	}
	h.kick()
	return nil
}

// onRemoved is the app removed from a channel, or the channel deleted: like an archive, the
// channel is opted out (those enrolled only through it stop), and its lead is told.
func (h *teams) onRemoved(ctx context.Context, ev slackapp.Event) error {
	if ev.ChannelID == "" {
		return nil
	}
	tc, ok, err := h.optedIn(ctx, ev.ChannelID)
	if !ok {
		return err
	}
	unenrolled, stopped, err := h.optOut(ctx, ev.ChannelID)
	if err != nil {
		return err
	}
	if tc.LeadUserID == "" {
		return nil
	}
	deleted := ev.Type == "channel_deleted" || ev.Type == "group_deleted"
	return h.app.SendDM(ctx, tc.LeadUserID, teamRemovedMessage(h.command(), ev.ChannelID, deleted, len(unenrolled), len(stopped)))
}

func (h *teams) renderOptInDone(ctx context.Context, it db.OutboxItem) (slackapp.Message, error) {
	var r db.OptInReport
	if err := json.Unmarshal(it.Payload, &r); err != nil {
		return slackapp.Message{}, err
	}
	return teamOptInDoneMessage(h.command(), r), nil
}

// kick wakes runJobs.
func (h *teams) kick() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// runJobs works opt-in jobs through until ctx ends: every unfinished job at start (a restart
// resumes them), then each new one as it comes. A job that fails is tried again after jobRetry.
func (h *teams) runJobs(ctx context.Context) {
	for {
		wait := time.Duration(-1)
		jobs, err := h.Store.UnfinishedOptIns(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			h.app.Logger().Warn("opt-in jobs unavailable", "error", err)
			wait = jobRetry
		}
		for _, j := range jobs {
			done, err := h.runJob(ctx, j)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				h.app.Logger().Warn("opt-in job stopped; it will be resumed", "channel", j.ChannelID, "error", err)
				wait = jobRetry
			case !done:
				// People joined while it ran: a kick is waiting, so this does not spin.
				wait = jobRetry
			}
		}
		if len(jobs) > 0 && wait < 0 {
			continue // more may have come meanwhile
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
		case <-h.wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// runJob takes one job from where it stands to done, and reports whether it is. A job cancelled
// under it (the channel opted out) ends quietly, as done.
func (h *teams) runJob(ctx context.Context, j db.OptInJob) (bool, error) {
	// Another replica may be working it: it will finish it (or, if it dies, its lock goes and
	// this one takes over at its next look).
	unlock, ok, err := h.Store.LockOptIn(ctx, j.ChannelID)
	if err != nil || !ok {
		return false, err
	}
	defer unlock()
	// Re-read under the lock: the other replica may have moved it on.
	j, err = h.Store.OptInJob(ctx, j.ChannelID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && j.Phase == db.OptInDone) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	done, err := h.workJob(ctx, j)
	if errors.Is(err, db.ErrOptInCancelled) {
		return true, nil
	}
	return done, err
}

func (h *teams) workJob(ctx context.Context, j db.OptInJob) (bool, error) {
	if j.Phase == db.OptInListing {
		gone, err := h.listMembers(ctx, j)
		if err != nil || gone {
			return gone, err
		}
	}
	if err := h.workProfiles(ctx, j); err != nil {
		return false, err
	}
	_, done, err := h.Store.FinishOptIn(ctx, j.ChannelID)
	if err != nil {
		return false, err
	}
	if done {
		h.Poke()
		h.app.Notify()
	}
	return done, nil
}

// workProfiles looks up and enrols or skips every member the job has pending.
func (h *teams) workProfiles(ctx context.Context, j db.OptInJob) error {
	pending, err := h.Store.PendingOptInMembers(ctx, j.ChannelID)
	if err != nil {
		return err
	}
	bot := h.app.BotUserID()
	var people []string
	for _, id := range pending {
		if id == bot || id == slackapp.SlackbotID {
			if err := h.Store.SkipOptInMember(ctx, j.ChannelID, id, db.OutcomeSelf); err != nil {
				return err
			}
			continue
		}
		people = append(people, id)
	}
	if len(people) > profileListMin {
		if people, err = h.profilesFromList(ctx, j, people); err != nil {
			return err
		}
	}
	var batch []db.OptInEnrolment
	for i, id := range people {
		m, err := h.app.MemberInfo(ctx, id, j.TeamID)
		if ae, ok := errors.AsType[*slackapp.APIError](err); ok && ae.Code == "user_not_found" {
			m, err = slackapp.Member{UserProfile: slackapp.UserProfile{ID: id, Deleted: true}}, nil
		}
		if err != nil {
			if ferr := h.enrolBatch(ctx, j, batch); ferr != nil {
				return ferr
			}
			return err
		}
		e, err := h.enrolment(ctx, m, j.TeamID)
		if err != nil {
			return err
		}
		batch = append(batch, e)
		if len(batch) == enrolBatch || i == len(people)-1 {
			if err := h.enrolBatch(ctx, j, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

// listMembers records the channel's members page by page from where the job stands. gone
// reports that the app can no longer see the channel (removed, or the channel deleted): the
// channel is opted out as onRemoved would.
func (h *teams) listMembers(ctx context.Context, j db.OptInJob) (gone bool, err error) {
	cursor := j.MembersCursor
	for range slackapp.MaxMemberPages {
		page, next, err := h.app.MembersPage(ctx, j.ChannelID, cursor)
		if cannotSeeChannel(err) {
			return true, h.onRemoved(ctx, slackapp.Event{Type: "channel_left", ChannelID: j.ChannelID})
		}
		if ae, ok := errors.AsType[*slackapp.APIError](err); ok && ae.Code == "invalid_cursor" && cursor != "" {
			cursor = "" // a cursor kept across a long outage may have expired: pages are idempotent
			continue
		}
		if err != nil {
			return false, err
		}
		if err := h.Store.AddOptInMembers(ctx, j.ChannelID, page, next); err != nil {
			return false, err
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
	return false, fmt.Errorf("slackapp: conversations.members: more than %d pages", slackapp.MaxMemberPages)
}

// profilesFromList enrols or skips the pending people it finds in users.list, resuming at the
// job's cursor and stopping once none is left, and returns those it did not find.
func (h *teams) profilesFromList(ctx context.Context, j db.OptInJob, people []string) ([]string, error) {
	want := make(map[string]bool, len(people))
	for _, id := range people {
		want[id] = true
	}
	cursor := j.UsersCursor
	for range maxUsersPages {
		if len(want) == 0 {
			break
		}
		users, next, err := h.app.UsersPage(ctx, cursor, j.TeamID)
		if ae, ok := errors.AsType[*slackapp.APIError](err); ok && ae.Code == "invalid_cursor" && cursor != "" {
			cursor = ""
			continue
		}
		if err != nil {
			return nil, err
		}
		var batch []db.OptInEnrolment
		for _, u := range users {
			if !want[u.ID] {
				continue
			}
			delete(want, u.ID)
			e, err := h.enrolment(ctx, u, j.TeamID)
			if err != nil {
				return nil, err
			}
			batch = append(batch, e)
		}
		if err := h.enrolBatch(ctx, j, batch); err != nil {
			return nil, err
		}
		if err := h.Store.SetOptInUsersCursor(ctx, j.ChannelID, next); err != nil {
			return nil, err
		}
		if next == "" {
			break
		}
		cursor = next
	}
	rest := make([]string, 0, len(want))
	for id := range want {
		rest = append(rest, id)
	}
	sort.Strings(rest)
	return rest, nil
}

// enrolment is what a job does with one member: bots, deactivated accounts and people from
// other organisations are left out; anyone else is enrolled, with their first prompt planned.
// Guests are members of the team like anyone else.
func (h *teams) enrolment(ctx context.Context, m slackapp.Member, teamID string) (db.OptInEnrolment, error) {
	e := db.OptInEnrolment{Person: db.Person{UserID: m.ID, TeamID: teamID, TZ: m.TZ}}
	switch {
	case m.IsBot:
		e.Skip = db.OutcomeBot
	case m.Deleted:
		e.Skip = db.OutcomeDeleted
	case m.External:
		e.Skip = db.OutcomeExternal
	}
	if e.Skip != "" {
		return e, nil
	}
	slot := ""
	if p, err := h.Store.Person(ctx, m.ID); err == nil {
		slot = p.Slot
	} else if !errors.Is(err, db.ErrNotFound) {
		return e, err
	}
	e.Next = h.Planner.Next(slot, m.TZ, h.Now())
	return e, nil
}

// enrolBatch records a batch of a job's members in one transaction (their welcomes queued with
// it) and wakes the relay for the welcomes.
func (h *teams) enrolBatch(ctx context.Context, j db.OptInJob, batch []db.OptInEnrolment) error {
	if len(batch) == 0 {
		return nil
	}
	_, welcomed, err := h.Store.EnrolOptInMembers(ctx, j.ChannelID, j.LeadUserID, batch)
	if err != nil {
		return err
	}
	if welcomed > 0 {
		h.app.Notify()
	}
	return nil
}
