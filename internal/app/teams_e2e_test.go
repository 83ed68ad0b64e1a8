package app

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// commandIn runs the slash command in channel ("" = the person's DM with the bot) and returns
// the private reply.
func (s *sim) commandIn(user, channel, text string) string {
	s.t.Helper()
	where := channel
	if where == "" {
		where = s.emu.DMChannel(user)
	}
	replies := func() []slackemu.Message {
		var out []slackemu.Message
		for _, m := range s.emu.Messages(where) {
			if m.Ephemeral && m.To == user {
				out = append(out, m)
			}
		}
		return out
	}
	before := len(replies())
	s.emu.SlashCommand(user, channel, text)
	s.eventually("the reply to /reflect "+text+" in "+where, func() bool { return len(replies()) > before })
	return replies()[before].Text
}

// optin runs /reflect optin in channel and, when it opted the channel in, waits for its job to
// finish and every queued post (welcomes, the lead's report) to be sent. It returns the reply and
// the lead's report DM ("" when none came).
func (s *sim) optin(user, channel string) (reply, report string) {
	s.t.Helper()
	before := len(s.reports(user))
	reply = s.commandIn(user, channel, "optin")
	if !strings.Contains(reply, "I'm enrolling its members now") {
		return reply, ""
	}
	s.eventually("the opt-in job of "+channel, func() bool {
		j, err := s.store.OptInJob(context.Background(), channel)
		return err == nil && j.Phase == db.OptInDone
	})
	s.settle()
	s.eventually("the lead's opt-in report", func() bool { return len(s.reports(user)) > before })
	return reply, s.reports(user)[before].Text
}

// reports are the opt-in reports in a lead's DM.
func (s *sim) reports(user string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range s.botDMs(user) {
		if strings.Contains(string(m.Blocks), "team_optin_done") {
			out = append(out, m)
		}
	}
	return out
}

// welcomes are the team welcomes in a person's DM.
func (s *sim) welcomes(user string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range s.botDMs(user) {
		if strings.Contains(string(m.Blocks), actionTeamStop) {
			out = append(out, m)
		}
	}
	return out
}

func (s *sim) enrolments(user string) []string {
	s.t.Helper()
	e, err := s.store.Enrolments(context.Background(), user)
	if err != nil {
		s.t.Fatal(err)
	}
	return e
}

// known reports whether Reflect stored the person at all.
func (s *sim) known(user string) bool {
	s.t.Helper()
	_, err := s.store.Person(context.Background(), user)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		s.t.Fatal(err)
	}
	return err == nil
}

func (s *sim) nextDue(user string) *time.Time {
	s.t.Helper()
	p, err := s.store.Person(context.Background(), user)
	if err != nil {
		s.t.Fatal(err)
	}
	return p.NextDueAt
}

func wantReply(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: got %q, want it to contain %q", what, got, w)
		}
	}
}

// TestE2ETeamOptIn: refusals (DM, plain member under creator_or_admin, guest, external person,
// bot not in the channel) change nothing; the creator's opt-in enrols the humans only, welcomes
// those not enrolled already, and joins, leaves, Stop (also forged) and archiving keep it in step.
func TestE2ETeamOptIn(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC) // a Tuesday
	s := newSim(t, start,
		slackemu.User{ID: "ULEAD", Name: "lee", TZ: "America/New_York"},
		slackemu.User{ID: "UMEM", Name: "mo", TZ: "Europe/London"},
		slackemu.User{ID: "USELF", Name: "sol", TZ: "UTC"},
		slackemu.User{ID: "UGUEST", Name: "gus", TZ: "UTC", IsRestricted: true},
		slackemu.User{ID: "UEXT", Name: "xan", TZ: "UTC", IsStranger: true, TeamID: "T0OTHER"},
		slackemu.User{ID: "UROBOT", Name: "robot", IsBot: true},
		slackemu.User{ID: "UGONE", Name: "gone", Deleted: true},
		slackemu.User{ID: "UNEW", Name: "nia", TZ: "Asia/Tokyo"},
	)
	s.emu.AddChannel(slackemu.Channel{ID: "CTEAM", Name: "team", Creator: "ULEAD",
		Members: []string{"ULEAD", "UMEM", "USELF", "UGUEST", "UEXT", "UROBOT", "UGONE", s.emu.BotUserID()}})
	s.emu.AddChannel(slackemu.Channel{ID: "CNOBOT", Name: "nobot", Creator: "ULEAD", Members: []string{"ULEAD", "UMEM"}})
	s.emu.AddChannel(slackemu.Channel{ID: "GSECRET", Name: "secret", Creator: "ULEAD", IsPrivate: true, Members: []string{"ULEAD", "UMEM"}})
	s.command("USELF", "start")

	refusals := []struct {
		user, channel string
		want          []string
	}{
		{"ULEAD", "", []string{"only works in a channel"}},
		{"UMEM", "CTEAM", []string{"only the channel's creator (<@ULEAD>) or a workspace admin", "Nothing was changed"}},
		{"UGUEST", "CTEAM", []string{"Guest accounts can't opt a channel in"}},
		{"UEXT", "CTEAM", []string{"outside this workspace"}},
		{"ULEAD", "CNOBOT", []string{"/invite @Reflect", "/reflect optin"}},
		{"ULEAD", "GSECRET", []string{"/invite @Reflect"}}, // a private channel the bot cannot even see
	}
	for _, r := range refusals {
		got := s.commandIn(r.user, r.channel, "optin")
		wantReply(t, r.user+" optin in "+r.channel, got, r.want...)
	}
	for _, ch := range []string{"CTEAM", "CNOBOT", "GSECRET"} {
		if _, err := s.store.TeamChannel(context.Background(), ch); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s recorded after refusals: %v", ch, err)
		}
	}
	if s.known("UMEM") || len(s.welcomes("UMEM")) > 0 {
		t.Fatal("a refused opt-in enrolled or welcomed UMEM")
	}

	// The reply says the opt-in started; the counts come in a DM when its job is done.
	got, report := s.optin("ULEAD", "CTEAM")
	wantReply(t, "the creator's optin", got, "<#CTEAM> is opted in", "I'm enrolling its members now")
	wantReply(t, "the lead's report", report, "Enrolled 3 people; 2 got a welcome DM",
		"1 already getting prompts another way", "Left out: 1 bot, 1 deactivated account, 1 person from outside this workspace",
		"You're enrolled as a member too")
	for user, want := range map[string][]string{
		"ULEAD":  {"channel:CTEAM"},
		"UMEM":   {"channel:CTEAM"},
		"USELF":  {"channel:CTEAM", "self"},
		"UGUEST": {"channel:CTEAM"}, // guests are members of the team: enrolled, with a Stop
	} {
		if got := s.enrolments(user); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: enrolments %v, want %v", user, got, want)
		}
	}
	for _, user := range []string{"UEXT", "UROBOT", "UGONE"} {
		if s.known(user) || len(s.emu.DMs(user)) > 0 {
			t.Errorf("%s was stored or messaged, want them left out", user)
		}
	}
	for user, want := range map[string]int{"UMEM": 1, "UGUEST": 1, "ULEAD": 0, "USELF": 0} {
		w := s.welcomes(user)
		if len(w) != want {
			t.Errorf("%s: got %d welcomes, want %d", user, len(w), want)
			continue
		}
		if want == 1 && !strings.Contains(w[0].Text, "<@ULEAD> opted <#CTEAM> in") {
			t.Errorf("%s: welcome %q does not say who opted them in", user, w[0].Text)
		}
	}
	// Mo's first prompt: Monday 09:00 in London.
	if got, want := s.nextDue("UMEM"), time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC); got == nil || !got.Equal(want) {
		t.Errorf("UMEM: next prompt %v, want %v", got, want)
	}
	wantReply(t, "a second optin", s.commandIn("ULEAD", "CTEAM", "optin"), "You opted this channel in already")
	wantReply(t, "team by a member", s.commandIn("UMEM", "CTEAM", "team"), "Only the lead who opted this channel in")

	// A newcomer is enrolled and welcomed.
	s.emu.JoinChannel("UNEW", "CTEAM")
	s.eventually("the newcomer's welcome", func() bool { return len(s.welcomes("UNEW")) == 1 })
	if got := s.enrolments("UNEW"); !reflect.DeepEqual(got, []string{"channel:CTEAM"}) {
		t.Errorf("UNEW: enrolments %v, want channel:CTEAM", got)
	}

	// Stop on the welcome: the same as /reflect stop, and the welcome says so.
	w := s.welcomes("UMEM")[0]
	if err := s.emu.Click("UMEM", w.Channel, w.TS, actionTeamStop); err != nil {
		t.Fatal(err)
	}
	s.eventually("Stop to stop Mo", func() bool {
		return len(s.enrolments("UMEM")) == 0 && s.nextDue("UMEM") == nil &&
			strings.Contains(s.message("UMEM", w.TS).Text, "no more weekly prompts")
	})

	// A forged click: Gus's click on a button whose value and message name Nia. Only Gus stops,
	// and Nia's welcome is not touched.
	nia := s.welcomes("UNEW")[0]
	var replied string
	forged := slackapp.ActionRequest{UserID: "UGUEST", ChannelID: nia.Channel, MessageTS: nia.TS, ActionID: actionTeamStop,
		Value: "a=UNEW"}.WithReply(func(_ context.Context, m slackapp.Message) error { replied = m.Text; return nil })
	if err := s.app.ActionHandlerFor(actionTeamStop)(context.Background(), forged); err != nil {
		t.Fatal(err)
	}
	if len(s.enrolments("UGUEST")) != 0 || len(s.enrolments("UNEW")) != 1 || !strings.Contains(replied, "no more weekly prompts") {
		t.Errorf("forged Stop: Gus %v, Nia %v, reply %q; want only Gus stopped", s.enrolments("UGUEST"), s.enrolments("UNEW"), replied)
	}
	if got := s.message("UNEW", nia.TS).Text; got != nia.Text {
		t.Errorf("Nia's welcome changed to %q", got)
	}

	// Leaving: Sol still has her own enrolment; Nia had only the channel.
	s.emu.LeaveChannel("USELF", "CTEAM")
	s.emu.LeaveChannel("UNEW", "CTEAM")
	s.eventually("the leavers to be unenrolled", func() bool {
		return reflect.DeepEqual(s.enrolments("USELF"), []string{"self"}) && len(s.enrolments("UNEW")) == 0
	})
	if s.nextDue("USELF") == nil || s.nextDue("UNEW") != nil {
		t.Errorf("got next prompts Sol %v, Nia %v; want Sol still scheduled, Nia not", s.nextDue("USELF"), s.nextDue("UNEW"))
	}

	// Archived: opted out, Lee (enrolled only through it) stopped.
	s.emu.ArchiveChannel("CTEAM")
	s.eventually("the archive to opt the channel out", func() bool {
		tc, err := s.store.TeamChannel(context.Background(), "CTEAM")
		return err == nil && !tc.OptedIn() && len(s.enrolments("ULEAD")) == 0 && s.nextDue("ULEAD") == nil
	})
	if got := s.enrolments("USELF"); !reflect.DeepEqual(got, []string{"self"}) {
		t.Errorf("USELF after the archive: %v, want self", got)
	}
	// Nobody got a second welcome along the way.
	for _, u := range []string{"UMEM", "UGUEST", "UNEW"} {
		if n := len(s.welcomes(u)); n != 1 {
			t.Errorf("%s: %d welcomes, want 1", u, n)
		}
	}
}

// TestE2ETeamTwoChannels: someone in two opted-in channels gets one welcome and one prompt per
// occurrence; opting one channel out keeps them enrolled through the other; a member who is not
// the lead cannot opt out; archiving the private one (group_archive) stops them.
func TestE2ETeamTwoChannels(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	s := newSim(t, start,
		slackemu.User{ID: "ULEAD", Name: "lee", TZ: "UTC"},
		slackemu.User{ID: "UADMIN", Name: "ada", TZ: "UTC", IsAdmin: true},
		slackemu.User{ID: "UBOTH", Name: "bo", TZ: "UTC"},
		slackemu.User{ID: "UX", Name: "xi", TZ: "UTC"},
		slackemu.User{ID: "UY", Name: "yu", TZ: "UTC"},
	)
	bot := s.emu.BotUserID()
	s.emu.AddChannel(slackemu.Channel{ID: "CALPHA", Name: "alpha", Creator: "ULEAD", Members: []string{"ULEAD", "UBOTH", "UX", bot}})
	s.emu.AddChannel(slackemu.Channel{ID: "GBETA", Name: "beta", Creator: "UY", IsPrivate: true, Members: []string{"UADMIN", "UBOTH", "UY", bot}})

	reply, _ := s.optin("ULEAD", "CALPHA")
	wantReply(t, "lead opts alpha in", reply, "is opted in")
	// An admin may opt in a channel someone else created.
	reply, report := s.optin("UADMIN", "GBETA")
	wantReply(t, "admin opts beta in", reply, "is opted in")
	wantReply(t, "admin's report", report, "Enrolled 2 people; 1 got a welcome", "1 already getting prompts another way")
	if n := len(s.welcomes("UBOTH")); n != 1 {
		t.Errorf("UBOTH: %d welcomes, want 1", n)
	}
	if got := s.enrolments("UBOTH"); !reflect.DeepEqual(got, []string{"channel:CALPHA", "channel:GBETA"}) {
		t.Errorf("UBOTH: enrolments %v", got)
	}

	s.clock.Set(time.Date(2026, 3, 9, 9, 0, 30, 0, time.UTC))
	s.tick()
	if n := len(s.scheduled("UBOTH")); n != 1 {
		t.Errorf("UBOTH: %d deliveries for one Monday, want 1", n)
	}
	prompts := 0
	for _, m := range s.botDMs("UBOTH") {
		if strings.Contains(m.Text+string(m.Blocks), "Your reflection for this week") {
			prompts++
		}
	}
	if prompts != 1 {
		t.Errorf("UBOTH: %d prompt messages, want 1", prompts)
	}

	// Xi is a member of alpha, neither its lead nor its creator nor an admin: he may not opt it out.
	wantReply(t, "a member's optout", s.commandIn("UX", "CALPHA", "optout"), "only <@ULEAD>, who opted it in", "Nothing was changed")
	wantReply(t, "the lead's optout", s.commandIn("ULEAD", "CALPHA", "optout"), "is opted out", "3 people no longer", "2 of them had no other reason")
	if got := s.enrolments("UBOTH"); !reflect.DeepEqual(got, []string{"channel:GBETA"}) {
		t.Errorf("UBOTH after alpha's opt-out: %v, want beta only", got)
	}
	if s.nextDue("UX") != nil || s.nextDue("UBOTH") == nil {
		t.Errorf("got next prompts Xi %v, Bo %v; want Xi stopped, Bo still scheduled", s.nextDue("UX"), s.nextDue("UBOTH"))
	}
	wantReply(t, "team after optout", s.commandIn("ULEAD", "CALPHA", "team"), "isn't opted in")

	s.emu.ArchiveChannel("GBETA")
	s.eventually("the private channel's archive to stop Bo", func() bool {
		return len(s.enrolments("UBOTH")) == 0 && s.nextDue("UBOTH") == nil
	})
	s.clock.Set(time.Date(2026, 3, 16, 9, 0, 30, 0, time.UTC))
	s.tick()
	if n := len(s.scheduled("UBOTH")); n != 1 {
		t.Errorf("UBOTH: %d deliveries after both channels went, want still 1", n)
	}
}

// TestE2ETeamSummary: /reflect team below and above the minimum, only for the lead; the monthly
// summary reaches the lead once, after 09:00 on the 1st on their clock, across ticks and a restart,
// and carries no name, id or answer text.
func TestE2ETeamSummary(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	users := []slackemu.User{
		{ID: "ULEAD", Name: "leland", TZ: "America/New_York"},
		{ID: "UA", Name: "annika", TZ: "UTC"},
		{ID: "UB", Name: "benedikt", TZ: "Europe/London"},
		{ID: "UC", Name: "catalina", TZ: "UTC"},
	}
	s := newSim(t, start, users...)
	var members []string
	for _, u := range users {
		members = append(members, u.ID)
	}
	s.emu.AddChannel(slackemu.Channel{ID: "CLEADS", Name: "leads", Creator: "ULEAD", Members: append(members, s.emu.BotUserID())})
	reply, optinReport := s.optin("ULEAD", "CLEADS")
	wantReply(t, "optin", reply, "is opted in")
	// The opt-in report counts the team as the summary will: three members, the lead left out.
	wantReply(t, "the opt-in report", optinReport, "The team has 3 enrolled members", "but you, its lead")

	answerAll := func(who ...string) {
		for _, u := range who {
			d, p := s.openDelivery(u)
			s.answerAny(u, d, p)
		}
	}
	// Week one: two of four answer. The month in progress has no figure: /reflect team shows
	// February's (nothing: the channel was opted in in March) and says when March's comes.
	s.clock.Set(time.Date(2026, 3, 9, 13, 0, 30, 0, time.UTC)) // 09:00 in New York, after the others' 09:00
	s.tick()
	answerAll("ULEAD", "UA")
	below := s.commandIn("ULEAD", "CLEADS", "team")
	wantReply(t, "team in March", below, "#leads, February 2026: not enough answers", "at least 3 people",
		"March 2026's figure appears once the month is over, on 1 April 2026")
	if strings.Contains(below, "%") || strings.Contains(below, "leaning") {
		t.Errorf("below the minimum the lead saw figures: %q", below)
	}
	wantReply(t, "team by a member", s.commandIn("UA", "CLEADS", "team"), "Only the lead who opted this channel in")
	wantReply(t, "team in a DM", s.commandIn("ULEAD", "", "team"), "only works in a channel")

	// Week two: everyone answers; still no figure of March while it lasts.
	s.clock.Set(time.Date(2026, 3, 16, 13, 0, 30, 0, time.UTC))
	s.tick()
	answerAll("ULEAD", "UA", "UB", "UC")
	if got := s.commandIn("ULEAD", "CLEADS", "team"); got != below {
		t.Errorf("/reflect team changed within March:\n%s\nwant as before:\n%s", got, below)
	}
	noTraces := func(what, text string) {
		t.Helper()
		for _, u := range users {
			for _, secret := range []string{u.ID, u.Name, "vision"} {
				if strings.Contains(text, secret) {
					t.Errorf("%s contains %q: %q", what, secret, text)
				}
			}
		}
	}

	teamDMs := func() []slackemu.Message {
		var out []slackemu.Message
		for _, m := range s.botDMs("ULEAD") {
			if strings.HasPrefix(m.Text, "#leads, ") {
				out = append(out, m)
			}
		}
		return out
	}
	// 1 April 08:59 in New York: not yet. 09:00: March's summary, once.
	s.clock.Set(time.Date(2026, 4, 1, 12, 59, 0, 0, time.UTC))
	s.tick()
	if n := len(teamDMs()); n != 0 {
		t.Fatalf("got %d team summaries before 09:00 on the 1st, want 0", n)
	}
	s.clock.Set(time.Date(2026, 4, 1, 13, 0, 30, 0, time.UTC))
	s.tick()
	s.tick()
	s.restart()
	s.tick()
	dms := teamDMs()
	if len(dms) != 1 {
		t.Fatalf("got %d team summaries, want 1", len(dms))
	}
	// The lead answered too, but never counts: three members, not four.
	wantReply(t, "the monthly team summary", dms[0].Text, "#leads, March 2026: ", " across 3 people",
		"3 of the 3 enrolled members answered", "but its lead, who is never counted")
	noTraces("the monthly team summary", dms[0].Text+string(dms[0].Blocks))
	// The channel was opted in in March: its trend starts there, not with months before the team
	// existed shown as too few people.
	for _, shown := range []string{dms[0].Text, string(dms[0].Blocks)} {
		for _, before := range []string{"Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026", "October 2025"} {
			if strings.Contains(shown, before) {
				t.Errorf("the March summary shows %s, before the opt-in: %q", before, shown)
			}
		}
	}
	wantReply(t, "the monthly team summary's trend", dms[0].Text, "Mean lean, March 2026\n")
	// In April, /reflect team shows March's figure, the very one the summary carried.
	above := s.commandIn("ULEAD", "CLEADS", "team")
	wantReply(t, "team in April", above, strings.SplitN(dms[0].Text, "\n", 2)[0], "April 2026's figure appears")
	noTraces("/reflect team", above)
	for _, u := range []string{"UA", "UB", "UC"} {
		for _, m := range s.botDMs(u) {
			if strings.HasPrefix(m.Text, "#leads") {
				t.Errorf("%s got the team summary", u)
			}
		}
	}
	if sent, err := s.store.TeamSummarySent(context.Background(), "CLEADS", "ULEAD", "2026-03"); err != nil || !sent {
		t.Errorf("summaries_sent for March: %v, %v; want recorded", sent, err)
	}
}

// TestE2ETeamOptInGroupDM: /reflect optin in a group DM or a DM gets the "only in a channel"
// answer, not an apology: a group DM cannot even be read without mpim:read, which Reflect does
// not ask for (conversations.info answers missing_scope).
func TestE2ETeamOptInGroupDM(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC),
		slackemu.User{ID: "ULEAD", Name: "lee", TZ: "UTC"},
		slackemu.User{ID: "UMEM", Name: "mo", TZ: "UTC"},
	)
	s.emu.AddChannel(slackemu.Channel{ID: "GMPIM", Name: "mpdm-lee--mo--reflect-1", IsMpIM: true,
		Members: []string{"ULEAD", "UMEM", s.emu.BotUserID()}})
	for _, where := range []string{"GMPIM", ""} {
		got := s.commandIn("ULEAD", where, "optin")
		wantReply(t, "optin in "+where, got, "only works in a channel")
		if strings.Contains(got, "went wrong") || strings.Contains(strings.ToLower(got), "sorry") {
			t.Errorf("optin in %q: got an apology %q", where, got)
		}
	}
	if _, err := s.store.TeamChannel(context.Background(), "GMPIM"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("the group DM was recorded: %v", err)
	}
}

// TestE2ETeamBotRemoved: removing Reflect from an opted-in channel (channel_left) or deleting a
// private one (group_deleted) opts it out like an archive: those enrolled only through it stop,
// others keep their other enrolments, and the lead is told in a DM.
func TestE2ETeamBotRemoved(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC),
		slackemu.User{ID: "ULEAD", Name: "lee", TZ: "UTC"},
		slackemu.User{ID: "UMEM", Name: "mo", TZ: "UTC"},
		slackemu.User{ID: "USELF", Name: "sol", TZ: "UTC"},
		slackemu.User{ID: "UPRIV", Name: "pia", TZ: "UTC"},
	)
	bot := s.emu.BotUserID()
	s.emu.AddChannel(slackemu.Channel{ID: "CTEAM", Name: "team", Creator: "ULEAD", Members: []string{"ULEAD", "UMEM", "USELF", bot}})
	s.emu.AddChannel(slackemu.Channel{ID: "GPRIV", Name: "priv", Creator: "ULEAD", IsPrivate: true, Members: []string{"ULEAD", "UPRIV", bot}})
	s.command("USELF", "start")
	s.optin("ULEAD", "CTEAM")
	s.optin("ULEAD", "GPRIV")

	s.emu.RemoveBot("CTEAM", "UMEM")
	s.eventually("the removal to opt the channel out", func() bool {
		tc, err := s.store.TeamChannel(context.Background(), "CTEAM")
		return err == nil && !tc.OptedIn()
	})
	if got := s.enrolments("UMEM"); len(got) != 0 || s.nextDue("UMEM") != nil {
		t.Errorf("UMEM after the removal: enrolments %v, next %v; want stopped", got, s.nextDue("UMEM"))
	}
	if got := s.enrolments("USELF"); !reflect.DeepEqual(got, []string{"self"}) {
		t.Errorf("USELF after the removal: %v, want self", got)
	}
	if got := s.enrolments("ULEAD"); !reflect.DeepEqual(got, []string{"channel:GPRIV"}) {
		t.Errorf("ULEAD after the removal: %v, want the private channel still", got)
	}
	told := func(what string) bool {
		for _, m := range s.botDMs("ULEAD") {
			if strings.Contains(m.Text, what) {
				return true
			}
		}
		return false
	}
	s.eventually("the lead told of the removal", func() bool { return told("I was removed from <#CTEAM>") })

	s.emu.DeleteChannel("GPRIV", "ULEAD")
	s.eventually("the deletion to opt the private channel out", func() bool {
		tc, err := s.store.TeamChannel(context.Background(), "GPRIV")
		return err == nil && !tc.OptedIn() && len(s.enrolments("UPRIV")) == 0 && len(s.enrolments("ULEAD")) == 0
	})
	s.eventually("the lead told of the deletion", func() bool { return told("<#GPRIV> was deleted") })
}

// TestE2ETeamOptInBigChannelRestart: a channel of 90 people (and bots, deactivated accounts,
// people from another organisation, someone who said stop, someone enrolled already) in a
// workspace of 370, under Slack's tiers made stricter for users.list (one call a minute) so the
// job stops half-way, after the first users.list page, waiting out a 429. The bot restarts there:
// the job resumes from its stored cursor, everyone is welcomed exactly once, no App Home is
// published per member, and the lead gets one report with the right counts.
func TestE2ETeamOptInBigChannelRestart(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	users := []slackemu.User{{ID: "ULEAD", Name: "lee", TZ: "UTC"}, {ID: "USELF", Name: "sol", TZ: "UTC"}, {ID: "USTOP", Name: "sam", TZ: "UTC"}}
	members := []string{"ULEAD", "USELF", "USTOP"}
	var people []string
	for i := range 360 { // with the rest, two pages of users.list
		id := fmt.Sprintf("U%03d", i)
		users = append(users, slackemu.User{ID: id, Name: "p" + id, TZ: "Europe/Berlin"})
		if i%4 == 0 {
			members = append(members, id)
			people = append(people, id)
		}
	}
	for i := range 3 {
		id := fmt.Sprintf("UBOT%d", i)
		users = append(users, slackemu.User{ID: id, Name: "bot" + id, IsBot: true})
		members = append(members, id)
	}
	for i := range 2 {
		gone := fmt.Sprintf("UGONE%d", i)
		ext := fmt.Sprintf("UEXT%d", i)
		users = append(users, slackemu.User{ID: gone, Name: "g" + gone, Deleted: true},
			slackemu.User{ID: ext, Name: "x" + ext, TZ: "UTC", IsStranger: true, TeamID: "T0OTHER"})
		members = append(members, gone, ext)
	}
	s := newSim(t, start, users...)
	s.emu.AddChannel(slackemu.Channel{ID: "CBIG", Name: "big", Creator: "ULEAD", Members: append(members, s.emu.BotUserID())})
	s.command("USELF", "start")
	s.command("USTOP", "start")
	s.command("USTOP", "stop")
	s.settle()
	// Slack's tiers, users.list far stricter: its second page waits a minute.
	// https://docs.slack.dev/apis/web-api/rate-limits
	s.emu.SetRateLimit("conversations.members", 100, 100)
	s.emu.SetRateLimit("users.info", 100, 100)
	s.emu.SetRateLimit("views.publish", 100, 100)
	s.emu.SetRateLimit("users.list", 1, 1)
	s.emu.SetMessageRate(50)

	began := s.clock.Now()
	reply := s.commandIn("ULEAD", "CBIG", "optin")
	wantReply(t, "optin", reply, "<#CBIG> is opted in", "I'm enrolling its members now")
	s.eventually("the job to stop at users.list's second page", func() bool {
		j, err := s.store.OptInJob(context.Background(), "CBIG")
		return err == nil && j.UsersCursor != "" && s.emu.RateLimited()["users.list"] > 0
	})
	pending, err := s.store.PendingOptInMembers(context.Background(), "CBIG")
	if err != nil || len(pending) == 0 || len(pending) >= len(members) {
		t.Fatalf("half-way: %d of %d pending (%v); want some done, some not", len(pending), len(members), err)
	}
	t.Logf("restarting with %d of %d members pending", len(pending), len(members))
	s.stop()
	s.clock.Set(s.clock.Now().Add(61 * time.Second)) // users.list's minute passes while it is down
	s.start()
	s.eventually("the resumed job to finish", func() bool {
		j, err := s.store.OptInJob(context.Background(), "CBIG")
		return err == nil && j.Phase == db.OptInDone
	})
	s.settle()
	s.eventually("the lead's report", func() bool { return len(s.reports("ULEAD")) > 0 })
	t.Logf("1 lead + %d members enrolled and welcomed in %s of Slack time (a 61 s users.list wait included)",
		len(people), s.clock.Now().Sub(began).Round(time.Second))

	for _, id := range people {
		if n := len(s.welcomes(id)); n != 1 {
			t.Errorf("%s: %d welcomes, want exactly 1", id, n)
		}
		if got := s.enrolments(id); !reflect.DeepEqual(got, []string{"channel:CBIG"}) {
			t.Errorf("%s: enrolments %v", id, got)
		}
	}
	for _, id := range []string{"ULEAD", "USELF", "USTOP", "UBOT0", "UGONE0", "UEXT0"} {
		if n := len(s.welcomes(id)); n != 0 {
			t.Errorf("%s: %d welcomes, want none", id, n)
		}
	}
	reports := s.reports("ULEAD")
	if len(reports) != 1 {
		t.Fatalf("lead got %d reports, want 1", len(reports))
	}
	wantReply(t, "the report", reports[0].Text, fmt.Sprintf("Enrolled %d people; %d got a welcome DM", len(people)+1, len(people)),
		"1 already getting prompts another way", "1 person who had said stop", "3 bots", "2 deactivated accounts",
		"2 people from outside this workspace", "You're enrolled as a member too")
	for _, id := range people {
		if s.emu.Home(id) != nil {
			t.Errorf("%s: App Home published during the opt-in, want none (Homes are built when opened)", id)
		}
	}
	if got := s.enrolments("USTOP"); len(got) != 0 {
		t.Errorf("USTOP, who said stop, was enrolled: %v", got)
	}
}

// TestE2ETeamDifferencing: a lead who runs /reflect team, removes a member from the channel and
// runs it again learns nothing about that member, within the month or after it, and the lead's
// own answers never count toward the figure or the minimum.
func TestE2ETeamDifferencing(t *testing.T) {
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	users := []slackemu.User{{ID: "ULEAD", Name: "leland", TZ: "UTC"}}
	for _, id := range []string{"UA", "UB", "UC", "UD", "UE"} {
		users = append(users, slackemu.User{ID: id, Name: strings.ToLower(id) + "name", TZ: "UTC"})
	}
	s := newSim(t, start, users...)
	var members []string
	for _, u := range users {
		members = append(members, u.ID)
	}
	s.emu.AddChannel(slackemu.Channel{ID: "CLEADS", Name: "leads", Creator: "ULEAD", Members: append(members, s.emu.BotUserID())})
	reply, optinReport := s.optin("ULEAD", "CLEADS")
	wantReply(t, "optin", reply, "is opted in")
	// The opt-in report counts the team as the summary will: five members, the lead left out.
	wantReply(t, "the opt-in report", optinReport, "The team has 5 enrolled members", "but you, its lead")
	// Everyone answers two weeks of March; UE and UD answer the other way from the rest, so that
	// a mean with and without them differs.
	for _, day := range []int{9, 16} {
		s.clock.Set(time.Date(2026, 3, day, 9, 0, 30, 0, time.UTC))
		s.tick()
		for _, u := range members {
			d, p := s.openDelivery(u)
			option := 0
			if u == "UD" || u == "UE" {
				option = len(p.Options) - 1
			}
			if p.Kind == prompts.Text {
				s.answerAny(u, d, p)
				continue
			}
			before := len(s.answers(u))
			if err := s.emu.Click(u, d.ChannelID, d.TS, fmt.Sprintf("%s:%d", actionAnswer, max(option, 0))); err != nil {
				t.Fatal(err)
			}
			s.eventually("the answer", func() bool { return len(s.answers(u)) > before })
			s.settle()
		}
	}
	leave := func(user string) {
		t.Helper()
		s.emu.LeaveChannel(user, "CLEADS")
		s.eventually(user+" to be unenrolled", func() bool { return len(s.enrolments(user)) == 0 })
	}

	// Within March: two views, a member removed between them.
	s.clock.Set(time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
	before := s.commandIn("ULEAD", "CLEADS", "team")
	leave("UE")
	if after := s.commandIn("ULEAD", "CLEADS", "team"); after != before {
		t.Errorf("removing a member in March changed /reflect team:\n%s\nto:\n%s", before, after)
	}

	// After March: its one figure, from the four members left when it was worked out (not UE,
	// not the lead), then another member removed.
	s.clock.Set(time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC))
	before = s.commandIn("ULEAD", "CLEADS", "team")
	wantReply(t, "March's figure", before, "#leads, March 2026: ", " across 4 people", "4 of the 4 enrolled members")
	leave("UD")
	if after := s.commandIn("ULEAD", "CLEADS", "team"); after != before {
		t.Errorf("removing a member after March changed its figure:\n%s\nto:\n%s", before, after)
	}
	s.clock.Set(time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, 3))
	s.tick()
	for _, m := range s.botDMs("ULEAD") {
		if strings.HasPrefix(m.Text, "#leads, March 2026") && !strings.HasPrefix(before, strings.SplitN(m.Text, "\n", 2)[0]) {
			t.Errorf("the monthly summary's March figure %q differs from /reflect team's %q", m.Text, before)
		}
	}

	// April: the lead and two members answer. Counting the lead, that would reach the minimum
	// of 3; it must not.
	s.clock.Set(time.Date(2026, 4, 13, 9, 0, 30, 0, time.UTC))
	s.tick()
	for _, u := range []string{"ULEAD", "UA", "UB"} {
		d, p := s.openDelivery(u)
		s.answerAny(u, d, p)
	}
	s.clock.Set(time.Date(2026, 5, 2, 12, 0, 0, 0, time.UTC))
	wantReply(t, "April with the lead and two members answering", s.commandIn("ULEAD", "CLEADS", "team"),
		"#leads, April 2026: not enough answers")
}
