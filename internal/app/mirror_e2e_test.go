package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// mirrorAsks are the team mirror DMs in a person's DM with the bot.
func (s *sim) mirrorAsks(user string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range s.emu.DMs(user) {
		if m.Ephemeral {
			continue
		}
		if b := string(m.Blocks); strings.Contains(b, `"mirror_head`) || strings.Contains(b, `"mirror_stopped`) || strings.Contains(b, `"mirror_skipped`) {
			out = append(out, m)
		}
	}
	return out
}

// clickMirror presses actionID in user's latest mirror DM and waits until the message shows want.
func (s *sim) clickMirror(user, actionID, want string) slackemu.Message {
	s.t.Helper()
	asks := s.mirrorAsks(user)
	if len(asks) == 0 {
		s.t.Fatalf("%s has no mirror DM", user)
	}
	m := asks[len(asks)-1]
	if err := s.emu.Click(user, m.Channel, m.TS, actionID); err != nil {
		s.t.Fatalf("%s clicks %s: %v", user, actionID, err)
	}
	var got slackemu.Message
	s.eventually(user+"'s mirror DM to show "+want, func() bool {
		got = s.message(user, m.TS)
		return strings.Contains(string(got.Blocks), want)
	})
	return got
}

// answerMirror answers the first n questions of user's latest mirror DM with option (the
// catalogue's index; "x" = not sure).
func (s *sim) answerMirror(user, option string, n int) {
	s.t.Helper()
	asks := s.mirrorAsks(user)
	if len(asks) == 0 {
		for _, m := range s.emu.DMs(user) {
			s.t.Logf("DM: %.300s", m.Blocks)
		}
		s.t.Fatalf("%s has no mirror DM", user)
	}
	m := asks[len(asks)-1]
	for q := 1; q <= n; q++ {
		if err := s.emu.Click(user, m.Channel, m.TS, fmt.Sprintf("mirror_answer:%d:%s", q, option)); err != nil {
			s.t.Fatalf("%s answers question %d: %v", user, q, err)
		}
		s.eventually(fmt.Sprintf("%s's answer to question %d", user, q), func() bool {
			return strings.Count(string(s.message(user, m.TS).Blocks), "Answered, thank you") == q
		})
	}
	if n < 3 {
		return
	}
	s.eventually(user+"'s mirror to be done", func() bool {
		return strings.Contains(string(s.message(user, m.TS).Blocks), "All done for")
	})
}

// leadSummary asks for the lead's summary of period and returns its blocks.
func (s *sim) leadSummary(user, period string) string {
	s.t.Helper()
	before := 0
	for _, m := range s.botDMs(user) {
		if strings.Contains(string(m.Blocks), `"summary_first"`) {
			before++
		}
	}
	s.command(user, "summary "+period)
	s.settle()
	var got string
	s.eventually("the summary of "+period, func() bool {
		n := 0
		for _, m := range s.botDMs(user) {
			if strings.Contains(string(m.Blocks), `"summary_first"`) {
				n++
				got = string(m.Blocks)
			}
		}
		return n > before
	})
	return got
}

// TestE2ETeamMirror: the lead turns the mirror on (anyone else, a DM or a channel not opted in is
// refused privately, saying why); in the last week of a month each member but the lead gets one
// DM, once; members answer, skip, stop and start again; the lead's summary shows the team's view
// beside their own at exactly the threshold and nothing one answer short; no mirror count row
// holds a member; export says a member answered, not what; forget removes their marks and leaves
// the counts.
func TestE2ETeamMirror(t *testing.T) {
	members := []string{"UA", "UB", "UC", "UD", "UE", "UF"}
	users := []slackemu.User{{ID: "ULEAD", Name: "lee", TZ: "America/New_York"}}
	for _, id := range members {
		users = append(users, slackemu.User{ID: id, Name: strings.ToLower(id), TZ: "Europe/London"})
	}
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), users...)
	s.emu.AddChannel(slackemu.Channel{ID: "CTEAM", Name: "team", Creator: "ULEAD",
		Members: append([]string{"ULEAD", s.emu.BotUserID()}, members...)})
	ctx := context.Background()

	// Refusals before the channel is opted in, and from anyone but the lead after.
	wantReply(t, "mirror on before optin", s.commandIn("ULEAD", "CTEAM", "mirror on"), "isn't opted in", "Nothing changed")
	if _, report := s.optin("ULEAD", "CTEAM"); report == "" {
		t.Fatal("no opt-in report")
	}
	wantReply(t, "mirror on by a member", s.commandIn("UA", "CTEAM", "mirror on"), "Only the channel's lead, <@ULEAD>", "Nothing changed")
	wantReply(t, "mirror on in a DM", s.commandIn("ULEAD", "", "mirror on"), "only works in a channel", "Nothing changed")
	wantReply(t, "mirror in C1", s.commandIn("ULEAD", "C1", "mirror on"), "isn't opted in")
	if got := s.commandIn("ULEAD", "CTEAM", "mirror sideways"); !strings.Contains(got, "mirror takes on or off") {
		t.Errorf("mirror sideways: got %q, want the usage", got)
	}
	if on, err := s.store.MirrorChannels(ctx, ""); err != nil || len(on) != 0 {
		t.Fatalf("after refusals: mirror on in %v (%v), want nowhere", on, err)
	}
	wantReply(t, "mirror on by the lead", s.commandIn("ULEAD", "CTEAM", "mirror on"), "The team mirror is on for <#CTEAM>", "at least 5")
	wantReply(t, "mirror on again", s.commandIn("ULEAD", "CTEAM", "mirror on"), "already on")
	// The lead's App Home has the switch.
	s.emu.OpenHome("ULEAD")
	s.eventually("the lead's home to show the mirror on", func() bool {
		h := s.emu.Home("ULEAD")
		return h != nil && strings.Contains(string(h.Blocks), "the mirror is *on*") && strings.Contains(string(h.Blocks), "Turn the mirror off")
	})
	// The switch on the App Home turns it off and on again.
	for _, want := range []string{"off", "on"} {
		if err := s.emu.ClickInView("ULEAD", s.emu.Home("ULEAD").ID, "mirror_toggle:1"); err != nil {
			t.Fatal(err)
		}
		s.eventually("the home switch to turn the mirror "+want, func() bool {
			h := s.emu.Home("ULEAD")
			return h != nil && strings.Contains(string(h.Blocks), "the mirror is *"+want+"*")
		})
	}
	if on, err := s.store.MirrorChannels(ctx, "ULEAD"); err != nil || len(on) != 1 {
		t.Fatalf("after the home switch: mirror on in %v (%v), want CTEAM", on, err)
	}

	// Before the month's last week nothing is asked; in it each member gets one DM, the lead none,
	// however often the job runs.
	s.clock.Set(time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
	s.tick()
	s.settle()
	for _, id := range append(members, "ULEAD") {
		if n := len(s.mirrorAsks(id)); n != 0 {
			t.Fatalf("%s got %d mirror DMs before the month's last week", id, n)
		}
	}
	for _, at := range []time.Time{time.Date(2026, 3, 26, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 26, 14, 0, 0, 0, time.UTC)} {
		s.clock.Set(at)
		s.tick()
		s.settle()
	}
	for _, id := range members {
		asks := s.mirrorAsks(id)
		if len(asks) != 1 {
			t.Fatalf("%s got %d mirror DMs in March, want 1", id, len(asks))
		}
		if !strings.Contains(asks[0].Text, "How did <@ULEAD> lead <#CTEAM> in March 2026?") {
			t.Errorf("%s's mirror DM: %q", id, asks[0].Text)
		}
		b := string(asks[0].Blocks)
		for _, want := range []string{"counted without your name", "at least 5 of you",
			`"Not sure"`, "mirror_answer:1:0", "mirror_answer:3:x", "Skip this month", "Stop asking me"} {
			if !strings.Contains(b, want) {
				t.Errorf("%s's mirror DM lacks %q", id, want)
			}
		}
	}
	if n := len(s.mirrorAsks("ULEAD")); n != 0 {
		t.Errorf("the lead got %d mirror DMs, want none", n)
	}

	// March: four answer (the leadership end), one skips, one stops: one short of five.
	for _, id := range []string{"UA", "UB", "UC"} {
		s.answerMirror(id, "0", 3)
	}
	s.answerMirror("UD", "0", 2) // leaves the last question open
	// A second tap on an answered question counts nothing: the message has no buttons left for it.
	if err := s.emu.Click("UA", s.mirrorAsks("UA")[0].Channel, s.mirrorAsks("UA")[0].TS, "mirror_answer:1:1"); err == nil {
		t.Error("an answered question still has its buttons")
	}
	s.clickMirror("UE", "mirror_skip", "for March 2026. I'll ask again next month")
	s.clickMirror("UF", "mirror_stop", "You've stopped the team mirror")
	lead, respondents, tallies, err := s.store.MirrorMonth(ctx, "CTEAM", "2026-03")
	if err != nil || lead != "ULEAD" || respondents != 4 {
		t.Fatalf("March: lead %q, %d respondents (%v), want ULEAD and 4", lead, respondents, err)
	}
	counted := 0
	for _, tl := range tallies {
		counted += tl.Answers
	}
	if counted != 11 {
		t.Errorf("March: %d answers counted, want 11 (3 people × 3 questions, 1 × 2)", counted)
	}

	// The store holds no member with a mirror answer: every column of every row of the counts
	// and the months, read raw, names nobody but the lead the month is about.
	traces := s.dbTraces(members...)
	for id, where := range traces {
		for _, w := range where {
			if strings.HasPrefix(w, "mirror_answers.") || strings.HasPrefix(w, "mirror_months.") {
				t.Errorf("member %s is stored in %s", id, w)
			}
		}
	}
	if len(traces["UA"]) == 0 {
		t.Fatal("UA is nowhere in the database: the check would prove nothing")
	}

	// April 1: the lead's summary of March shows no team view: four answered, one short.
	s.clock.Set(time.Date(2026, 4, 1, 14, 0, 0, 0, time.UTC))
	if got := s.leadSummary("ULEAD", "2026-03"); strings.Contains(got, "Your team sees") || strings.Contains(got, "mirror_view") {
		t.Errorf("March summary with 4 answers shows the team's view: %s", got)
	}
	// March's questions are closed now.
	s.clickMirror("UD", "mirror_answer:3:0", "closed when the month ended")

	// April: UF starts again; six are asked, five answer: exactly the threshold.
	s.clickMirror("UF", "mirror_resume", "questions closed when the month ended")
	if stopped, err := s.store.MirrorStopped(ctx, "UF"); err != nil || stopped {
		t.Fatalf("UF still stopped after Ask me again (%v)", err)
	}
	s.clock.Set(time.Date(2026, 4, 24, 12, 0, 0, 0, time.UTC))
	s.tick()
	s.settle()
	for _, id := range members {
		if n := len(s.mirrorAsks(id)); n != 2 {
			t.Fatalf("%s has %d mirror DMs after April's, want 2", id, n)
		}
	}
	for _, id := range []string{"UA", "UB", "UC", "UD"} {
		s.answerMirror(id, "0", 3)
	}
	s.answerMirror("UE", "x", 3) // not sure to everything: a respondent whose answers count toward nothing
	s.clock.Set(time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC))
	got := s.leadSummary("ULEAD", "2026-04")
	if !strings.Contains(got, "Your team sees: leaning leadership (+0.") || !strings.Contains(got, "from 5 people") ||
		!strings.Contains(got, "You: ") {
		t.Errorf("April summary at the threshold lacks the side-by-side line: %s", got)
	}
	for _, id := range members {
		if strings.Contains(got, id) {
			t.Errorf("the lead's summary names %s", id)
		}
	}
	t.Logf("lead's summary line: %s", between(got, "*Your team's view*\\n", `"`))

	// Export says UA answered, not what; forget removes UA's marks and leaves the counts.
	if got := s.command("UA", "export"); !strings.Contains(got, "on its way") {
		t.Fatalf("export: %q", got)
	}
	s.settle()
	var ex db.Export
	for _, m := range s.botDMs("UA") {
		for _, f := range m.Files {
			if data, ok := s.emu.File(f.ID); ok && strings.HasPrefix(f.Name, "reflect-export-") {
				if err := json.Unmarshal(data, &ex); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if len(ex.Mirror.Months) != 2 || ex.Mirror.Months[0].Period != "2026-03" || ex.Mirror.Months[0].Answered != 3 ||
		ex.Mirror.Months[1].Period != "2026-04" || ex.Mirror.Months[1].Answered != 3 {
		t.Errorf("UA's export mirror = %+v, want March and April, 3 questions answered each", ex.Mirror)
	}
	raw, _ := json.Marshal(ex.Mirror)
	for _, absent := range []string{"lean", "choice", "Explained why", "Made priorities"} {
		if strings.Contains(string(raw), absent) {
			t.Errorf("UA's export mirror says what they answered (%q): %s", absent, raw)
		}
	}
	_, _, before, _ := s.store.MirrorMonth(ctx, "CTEAM", "2026-04")
	s.command("UA", "forget")
	confirm := s.messageWith("UA", actionForgetConfirm)
	if err := s.emu.Click("UA", confirm.Channel, confirm.TS, actionForgetConfirm); err != nil {
		t.Fatal(err)
	}
	s.eventually("UA forgotten", func() bool { return !s.known("UA") })
	if st, err := s.store.MirrorState(ctx, "UA", "CTEAM", "2026-04"); err != nil || st.Asked || len(st.Answered) != 0 {
		t.Errorf("after forget, UA's mirror marks: %+v (%v), want none", st, err)
	}
	_, respondents, after, _ := s.store.MirrorMonth(ctx, "CTEAM", "2026-04")
	if respondents != 5 || len(after) != len(before) {
		t.Errorf("after forget: %d respondents, %d counts, want 5 and %d: the counts hold nobody to forget", respondents, len(after), len(before))
	}

	// The lead turns it off: next month nobody is asked.
	wantReply(t, "mirror off", s.commandIn("ULEAD", "CTEAM", "mirror off"), "The team mirror is off for <#CTEAM>")
	s.clock.Set(time.Date(2026, 5, 26, 12, 0, 0, 0, time.UTC))
	s.tick()
	s.settle()
	for _, id := range members[1:] {
		if n := len(s.mirrorAsks(id)); n != 2 {
			t.Errorf("%s has %d mirror DMs with the mirror off in May, want still 2", id, n)
		}
	}
}

// between is the text of s after the first start, up to the next end.
func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	out, _, _ := strings.Cut(rest, end)
	return out
}
