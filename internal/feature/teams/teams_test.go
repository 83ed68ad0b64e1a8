package teams

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackapp/slacktest"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// TestMayOptIn is the whole authorization matrix: every policy against every kind of caller.
func TestMayOptIn(t *testing.T) {
	ch := slackapp.ChannelInfo{ID: "C1", Name: "leads", Creator: "UCREATOR", IsMember: true}
	callers := []struct {
		name string
		who  slackapp.Member
		// want per policy: creator_or_admin, admins, members
		want [3]bool
		// why is a word every refusal to this caller contains, whatever the policy
		why string
	}{
		{"creator", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UCREATOR"}, InChannel: true}, [3]bool{true, false, true}, ""},
		{"creator who left the channel", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UCREATOR"}}, [3]bool{true, false, true}, ""},
		{"admin", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UADMIN", IsAdmin: true}, InChannel: true}, [3]bool{true, true, true}, ""},
		{"admin outside the channel", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UADMIN", IsAdmin: true}}, [3]bool{true, true, true}, ""},
		{"owner", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UOWNER", IsOwner: true}, InChannel: true}, [3]bool{true, true, true}, ""},
		{"member", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UMEMBER"}, InChannel: true}, [3]bool{false, false, true}, ""},
		{"non-member", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UOTHER"}}, [3]bool{false, false, false}, ""},
		{"guest", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UGUEST", IsRestricted: true}, InChannel: true}, [3]bool{}, "Guest"},
		{"single-channel guest", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UGUEST1", IsUltraRestricted: true}, InChannel: true}, [3]bool{}, "Guest"},
		{"guest who created the channel", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UCREATOR", IsRestricted: true}, InChannel: true}, [3]bool{}, "Guest"},
		{"external", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UEXT"}, External: true, InChannel: true}, [3]bool{}, "outside this workspace"},
		{"external admin of their own org", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UEXT", IsAdmin: true, IsOwner: true}, External: true, InChannel: true}, [3]bool{}, "outside this workspace"},
		{"bot", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UBOT2", IsBot: true, IsAdmin: true}, InChannel: true}, [3]bool{}, "Only people"},
		{"deleted admin", slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UGONE", Deleted: true, IsAdmin: true}, InChannel: true}, [3]bool{}, "Only people"},
	}
	policies := []string{PolicyCreatorOrAdmin, PolicyAdmins, PolicyMembers}
	// What a plain refusal says under each policy.
	policyWhy := []string{"creator (<@UCREATOR>) or a workspace admin", "admins and owners", "members of this channel"}
	for _, c := range callers {
		for i, policy := range policies {
			t.Run(policy+"/"+c.name, func(t *testing.T) {
				got, why := mayOptIn(policy, c.who, ch)
				if got != c.want[i] {
					t.Fatalf("got %v (%q), want %v", got, why, c.want[i])
				}
				if got {
					if why != "" {
						t.Errorf("got reason %q with a yes, want none", why)
					}
					return
				}
				want := c.why
				if want == "" {
					want = policyWhy[i]
				}
				if !strings.Contains(why, want) {
					t.Errorf("got reason %q, want one containing %q", why, want)
				}
			})
		}
	}
	t.Run("no creator known", func(t *testing.T) {
		ok, why := mayOptIn(PolicyCreatorOrAdmin, slackapp.Member{UserProfile: slackapp.UserProfile{ID: "U1"}, InChannel: true}, slackapp.ChannelInfo{ID: "C1"})
		if ok || strings.Contains(why, "<@") || !strings.Contains(why, "creator") {
			t.Errorf("got %v, %q; want a refusal naming no one", ok, why)
		}
		// An empty creator must never match an empty id.
		if ok, _ := mayOptIn(PolicyCreatorOrAdmin, slackapp.Member{InChannel: true}, slackapp.ChannelInfo{ID: "C1"}); ok {
			t.Error("an empty user id matched an empty creator")
		}
	})
	t.Run("unknown policy", func(t *testing.T) {
		for _, policy := range []string{"", "everyone", "ADMINS"} {
			ok, why := mayOptIn(policy, slackapp.Member{UserProfile: slackapp.UserProfile{ID: "UOWNER", IsOwner: true}, InChannel: true}, ch)
			if ok || !strings.Contains(why, "OPTIN_POLICY") {
				t.Errorf("policy %q: got %v, %q; want a refusal for everyone", policy, ok, why)
			}
		}
	})
}

func TestTeamSummaryDue(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	optedIn := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	march := report.Month{Year: 2026, Month: time.March}
	// Opted in during the month before: only that month's summary can be due.
	marchOptIn := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	octoberOptIn := time.Date(2026, 10, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		now     time.Time
		loc     *time.Location
		optedIn time.Time
		want    report.Month
		wantOK  bool
	}{
		{"end of March: February's (due since 1 March)", time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC), time.UTC, optedIn,
			report.Month{Year: 2026, Month: time.February}, true},
		{"opted in during March, end of March: nothing", time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), report.Month{}, false},
		{"1 April 08:59 UTC: nothing (February's went out in March)", time.Date(2026, 4, 1, 8, 59, 0, 0, time.UTC), time.UTC, optedIn,
			report.Month{}, false},
		{"1 April 08:59 UTC, opted in during March", time.Date(2026, 4, 1, 8, 59, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), report.Month{}, false},
		{"1 April 09:00 UTC", time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), time.UTC, optedIn, march, true},
		{"mid April still owes March (catch-up)", time.Date(2026, 4, 17, 3, 0, 0, 0, time.UTC), time.UTC, optedIn, march, true},
		{"Tokyo is a day ahead: 00:30 UTC is 09:30 there", time.Date(2026, 4, 1, 0, 30, 0, 0, time.UTC), tokyo, optedIn, march, true},
		{"Tokyo, 23:59 UTC on 31 March is 08:59 there", time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC), tokyo, marchOptIn, report.Month{}, false},
		{"New York, 12:59 UTC is 08:59 EDT", time.Date(2026, 4, 1, 12, 59, 0, 0, time.UTC), ny, marchOptIn, report.Month{}, false},
		{"New York, 13:00 UTC is 09:00 EDT", time.Date(2026, 4, 1, 13, 0, 0, 0, time.UTC), ny, marchOptIn, march, true},
		{"New York on 1 November, the day clocks fall back: 09:00 EST is 14:00 UTC",
			time.Date(2026, 11, 1, 13, 30, 0, 0, time.UTC), ny, octoberOptIn, report.Month{}, false},
		{"New York on 1 November at 09:00 EST", time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC), ny, octoberOptIn,
			report.Month{Year: 2026, Month: time.October}, true},
		{"opted in this month: last month is not theirs", time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), report.Month{}, false},
		{"opted in on the last day of March", time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC), march, true},
		{"January brings December", time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC), time.UTC, optedIn,
			report.Month{Year: 2026, Month: time.December}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := teamSummaryDue(tt.now, tt.loc, tt.optedIn)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// teamSample is a team above the minimum: four of five members answered in March 2026.
func teamSample(min int) report.TeamSummary {
	at := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
	well := func(w float64) *float64 { return &w }
	answer := func(d int, lean float64, w *float64) []report.Answer {
		out := []report.Answer{{At: at(d), Dimension: prompts.Direction, Reading: prompts.Reading{Lean: lean, Weight: 1}}}
		if w != nil {
			out = append(out, report.Answer{At: at(d), Dimension: prompts.Wellbeing, Reading: prompts.Reading{Wellbeing: w}})
		}
		return out
	}
	member := func(answers ...[]report.Answer) report.TeamMember {
		var m report.TeamMember
		for i, a := range answers {
			m.Answers = append(m.Answers, a...)
			m.Deliveries = append(m.Deliveries, report.Delivery{Occurrence: at(2 + 7*i), Answered: true})
		}
		m.Deliveries = append(m.Deliveries, report.Delivery{Occurrence: at(30), Answered: false})
		return m
	}
	return report.BuildTeam(report.TeamInput{Channel: "leads", Period: report.Month{Year: 2026, Month: time.March}, MinRespondents: min,
		Members: []report.TeamMember{
			member(answer(2, 1, well(0.5)), answer(9, 1, nil)),
			member(answer(3, 0.65, well(0)), answer(10, 0.65, well(0.5))),
			member(answer(4, -0.5, well(-0.5))),
			member(answer(5, 0.1, nil)),
			{},
		}})
}

func TestTeamBlocksGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  slackapp.Message
	}{
		{name: "team_welcome", msg: TeamWelcomeMessage("/reflect", "C1", "ULEAD", 3)},
		{name: "team_welcome_no_lead", msg: TeamWelcomeMessage("/reflect", "C1", "", 3)},
		{name: "team_summary", msg: TeamSummaryMessage(teamSample(3))},
		{name: "team_summary_below_minimum", msg: TeamSummaryMessage(teamSample(5))},
		{name: "team_optin_started", msg: teamOptInStartedMessage("/reflect", "C1", 3)},
		{name: "team_optin_done", msg: teamOptInDoneMessage("/reflect", db.OptInReport{ChannelID: "C1", Welcomed: 3, Enrolled: 1, Already: 1,
			Stopped: 1, Bots: 2, Deleted: 1, External: 1, Lead: true})},
		{name: "team_removed", msg: teamRemovedMessage("/reflect", "C1", false, 4, 3)},
		{name: "team_invite", msg: teamInviteMessage("/reflect")},
		{name: "team_refused", msg: teamRefusalMessage("Guest accounts can't opt a channel in to Reflect.")},
		{name: "team_not_lead", msg: teamNotLeadMessage("/reflect", false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Golden(t, tt.name, tt.msg)
			slacktest.CheckLimits(t, tt.msg)
		})
	}
}

func TestTeamSummaryMessageFirstLine(t *testing.T) {
	s := teamSample(3)
	m := TeamSummaryMessage(s)
	if want := "#leads, March 2026: leaning leadership (+0.31) across 4 people"; s.FirstLine != want || !strings.HasPrefix(m.Text, want+"\n") {
		t.Errorf("got first line %q and text %q, want %q first", s.FirstLine, m.Text, want)
	}
	below := TeamSummaryMessage(teamSample(5))
	if !strings.Contains(below.Text, "at least 5 people") || strings.Contains(below.Text, "%") || strings.Contains(below.Text, "+0.") {
		t.Errorf("below the minimum: got %q, want only the note with the count needed", below.Text)
	}
}

// TestTeamFigureLeavesOutPrivatePrompts: answers to a private prompt (whether someone is
// seriously thinking of leaving) never feed a team figure; other wellbeing checks do.
func TestTeamFigureLeavesOutPrivatePrompts(t *testing.T) {
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := cat.Prompt("wellbeing-thought-of-leaving"); !ok || !p.Private {
		t.Fatalf("wellbeing-thought-of-leaving: found %v, private %v; want a private prompt", ok, p.Private)
	}
	march := report.Month{Year: 2026, Month: time.March}
	occurrence := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		wellbeing     string
		wantWellbeing bool
	}{
		{"thinking of leaving", "wellbeing-thought-of-leaving", false},
		{"stress", "wellbeing-stress", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store := testkit.OpenStore(t)
			h := &teams{Deps: Deps{Store: store, Catalogue: cat, MinRespondents: 3,
				Now: func() time.Time { return time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC) }}}
			minus := -1.0
			for _, id := range []string{"UA", "UB", "UC"} {
				if _, err := store.Start(ctx, db.Person{UserID: id, TZ: "UTC"}, db.ChannelSource("CT"), occurrence); err != nil {
					t.Fatal(err)
				}
				d, err := store.CreateDelivery(ctx, id, db.NewDelivery{Occurrence: occurrence, Kind: db.DeliveryScheduled,
					PromptID: "direction-big-picture", WellbeingPromptID: tt.wellbeing})
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range []db.Answer{
					{UserID: id, DeliveryID: d, PromptID: "direction-big-picture", Lean: 0.5, Weight: 1, Source: "button"},
					{UserID: id, DeliveryID: d, PromptID: tt.wellbeing, Wellbeing: &minus, Weight: 1, Source: "button"},
				} {
					a.AnsweredAt = occurrence.Add(time.Hour)
					if err := store.RecordAnswer(ctx, a); err != nil {
						t.Fatal(err)
					}
				}
			}
			s, err := h.summarise(ctx, "CT", "", march)
			if err != nil {
				t.Fatal(err)
			}
			if !s.Enough || !s.HasLean {
				t.Fatalf("got enough %v, lean %v; want both (the setup is wrong)", s.Enough, s.HasLean)
			}
			if s.HasWellbeing != tt.wantWellbeing {
				t.Errorf("got wellbeing %v from %d people, want %v", s.HasWellbeing, s.WellbeingPeople, tt.wantWellbeing)
			}
		})
	}
}
