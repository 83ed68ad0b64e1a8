package db

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

// outboxOf lists a person's outbox items as "kind/state", oldest first.
func teamOutbox(t testing.TB, s *Store, userID string) []string {
	t.Helper()
	rows, err := s.read.Query(`SELECT kind, state FROM outbox WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k, st string
		if err := rows.Scan(&k, &st); err != nil {
			t.Fatal(err)
		}
		out = append(out, k+"/"+st)
	}
	return out
}

func teamEnrolments(t testing.TB, s *Store, userID string) []string {
	t.Helper()
	e, err := s.Enrolments(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestJoinTeam(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		next := t0.Add(7 * 24 * time.Hour)
		later := next.Add(7 * 24 * time.Hour)
		if _, err := s.Start(ctx, Person{UserID: "USELF", TZ: "UTC"}, "self", next); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name    string
			user    string
			channel string
			welcome bool
			want    TeamJoin
			outbox  []string
			sources []string
		}{
			{"a new person is enrolled and welcomed", "UA", "C1", true, TeamJoin{Enrolled: true, Welcomed: true},
				[]string{"team_welcome/pending"}, []string{"channel:C1"}},
			{"again: nothing new, no second welcome", "UA", "C1", true, TeamJoin{},
				[]string{"team_welcome/pending"}, []string{"channel:C1"}},
			{"a second channel: enrolled, no second welcome", "UA", "C2", true, TeamJoin{Enrolled: true},
				[]string{"team_welcome/pending"}, []string{"channel:C1", "channel:C2"}},
			{"enrolled by themselves already: no welcome", "USELF", "C1", true, TeamJoin{Enrolled: true},
				nil, []string{"channel:C1", "self"}},
			{"the lead: no welcome", "ULEAD", "C1", false, TeamJoin{Enrolled: true},
				nil, []string{"channel:C1"}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				got, err := s.JoinTeam(ctx, Person{UserID: st.user, TeamID: "T1", TZ: "Europe/Paris"}, st.channel, "ULEAD", later, st.welcome)
				if err != nil {
					t.Fatal(err)
				}
				if got != st.want {
					t.Errorf("JoinTeam = %+v, want %+v", got, st.want)
				}
				if o := teamOutbox(t, s, st.user); !reflect.DeepEqual(o, st.outbox) {
					t.Errorf("outbox = %v, want %v", o, st.outbox)
				}
				if e := teamEnrolments(t, s, st.user); !reflect.DeepEqual(e, st.sources) {
					t.Errorf("enrolments = %v, want %v", e, st.sources)
				}
			})
		}
		// Scheduled once, at the first next given; Start's date stays for someone already scheduled.
		if p := mustPerson(t, s, "UA"); p.NextDueAt == nil || !p.NextDueAt.Equal(later) || p.TZ != "Europe/Paris" {
			t.Errorf("UA: got next %v in %s, want %v in Europe/Paris", p.NextDueAt, p.TZ, later)
		}
		if p := mustPerson(t, s, "USELF"); p.NextDueAt == nil || !p.NextDueAt.Equal(next) {
			t.Errorf("USELF: got next %v, want %v (unchanged)", p.NextDueAt, next)
		}
		var payload []byte
		if err := s.read.QueryRow(`SELECT payload FROM outbox WHERE user_id = 'UA'`).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var pl TeamPayload
		if err := json.Unmarshal(payload, &pl); err != nil || pl != (TeamPayload{ChannelID: "C1", LeadUserID: "ULEAD"}) {
			t.Errorf("welcome payload = %s (%v), want channel C1 and lead ULEAD", payload, err)
		}
		if _, err := s.JoinTeam(ctx, Person{UserID: "UB"}, "", "ULEAD", later, true); err == nil {
			t.Error("JoinTeam with no channel succeeded, want an error")
		}
		members, err := s.TeamMembers(ctx, "C1")
		if err != nil || !reflect.DeepEqual(members, []string{"UA", "ULEAD", "USELF"}) {
			t.Errorf("TeamMembers(C1) = %v, %v; want UA, ULEAD, USELF", members, err)
		}
	})
}

// teamFixture opts C1 in with ULEAD as lead: UA is enrolled through C1 only, UB through C1 and
// by themselves, UC through C1 and C2. Each has a queued prompt.
func teamFixture(t *testing.T, e engine) *Store {
	t.Helper()
	ctx := context.Background()
	s, _, _ := e.newStore(t)
	next := t0.Add(24 * time.Hour)
	for _, u := range []string{"ULEAD", "UA", "UB", "UC"} {
		if _, err := s.JoinTeam(ctx, Person{UserID: u, TZ: "UTC"}, "C1", "ULEAD", next, u != "ULEAD"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enqueue(ctx, OutboxMessage{UserID: u, Kind: KindPrompt}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Enrol(ctx, "UB", "self"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinTeam(ctx, Person{UserID: "UC"}, "C2", "UC", next, true); err != nil {
		t.Fatal(err)
	}
	if err := s.OptInChannel(ctx, "C1", "ULEAD"); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLeaveTeam(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := teamFixture(t, e)
		tests := []struct {
			user      string
			want      TeamLeave
			scheduled bool
			outbox    []string
		}{
			{"UA", TeamLeave{Unenrolled: true, Stopped: true}, false, []string{"team_welcome/failed", "prompt/failed"}},
			{"UB", TeamLeave{Unenrolled: true}, true, []string{"team_welcome/pending", "prompt/pending"}},
			{"UC", TeamLeave{Unenrolled: true}, true, []string{"team_welcome/pending", "prompt/pending"}},
			{"UA", TeamLeave{}, false, []string{"team_welcome/failed", "prompt/failed"}}, // a second event changes nothing
			{"UNOBODY", TeamLeave{}, false, nil},
			{"ULEAD", TeamLeave{Unenrolled: true, Stopped: true, LeadGone: true}, false, []string{"prompt/failed"}},
		}
		for _, tt := range tests {
			t.Run(tt.user, func(t *testing.T) {
				got, err := s.LeaveTeam(ctx, tt.user, "C1")
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("LeaveTeam = %+v, want %+v", got, tt.want)
				}
				if o := teamOutbox(t, s, tt.user); !reflect.DeepEqual(o, tt.outbox) {
					t.Errorf("outbox = %v, want %v", o, tt.outbox)
				}
				if tt.user == "UNOBODY" {
					return
				}
				if p := mustPerson(t, s, tt.user); (p.NextDueAt != nil) != tt.scheduled {
					t.Errorf("next due = %v, want scheduled %v", p.NextDueAt, tt.scheduled)
				}
			})
		}
		tc, err := s.TeamChannel(ctx, "C1")
		if err != nil || tc.LeadUserID != "" || !tc.OptedIn() {
			t.Errorf("after the lead left: %+v, %v; want C1 opted in without a lead", tc, err)
		}
		if chans, err := s.TeamChannels(ctx); err != nil || len(chans) != 0 {
			t.Errorf("TeamChannels = %+v, %v; want none (no lead)", chans, err)
		}
	})
}

func TestOptOutChannel(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := teamFixture(t, e)
		unenrolled, stopped, err := s.OptOutChannel(ctx, "C1")
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"ULEAD", "UA", "UB", "UC"}; !teamSameSet(unenrolled, want) {
			t.Errorf("unenrolled %v, want %v", unenrolled, want)
		}
		if want := []string{"ULEAD", "UA"}; !teamSameSet(stopped, want) {
			t.Errorf("stopped %v, want %v", stopped, want)
		}
		for user, want := range map[string][]string{"ULEAD": nil, "UA": nil, "UB": {"self"}, "UC": {"channel:C2"}} {
			if got := teamEnrolments(t, s, user); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: enrolments %v, want %v", user, got, want)
			}
			if p := mustPerson(t, s, user); (p.NextDueAt != nil) != (want != nil) {
				t.Errorf("%s: next due %v, want scheduled %v", user, p.NextDueAt, want != nil)
			}
		}
		tc, err := s.TeamChannel(ctx, "C1")
		if err != nil || tc.OptedIn() || tc.LeadUserID != "ULEAD" {
			t.Errorf("TeamChannel = %+v, %v; want opted out, lead kept as a record", tc, err)
		}
		// Again, and a channel never opted in: nothing.
		for _, ch := range []string{"C1", "CNEVER"} {
			u, st, err := s.OptOutChannel(ctx, ch)
			if err != nil || len(u) != 0 || len(st) != 0 {
				t.Errorf("OptOutChannel(%s) = %v, %v, %v; want nothing", ch, u, st, err)
			}
		}
		if _, err := s.TeamChannel(ctx, "CNEVER"); !errors.Is(err, ErrNotFound) {
			t.Errorf("TeamChannel(CNEVER) error = %v, want ErrNotFound", err)
		}
	})
}

func teamSameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestOptInChannel(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		if err := s.OptInChannel(ctx, "C1", "UNOBODY"); !errors.Is(err, ErrNotFound) {
			t.Errorf("opt-in by an unknown lead: got %v, want ErrNotFound", err)
		}
		addPerson(t, s, "ULEAD")
		addPerson(t, s, "UNEW")
		if err := s.OptInChannel(ctx, "C1", "ULEAD"); err != nil {
			t.Fatal(err)
		}
		first := clock.Now()
		clock.Advance(time.Hour)
		// Taking over an opted-in channel keeps its opt-in date.
		if err := s.OptInChannel(ctx, "C1", "UNEW"); err != nil {
			t.Fatal(err)
		}
		tc, _ := s.TeamChannel(ctx, "C1")
		if tc.LeadUserID != "UNEW" || !tc.OptedInAt.Equal(first) || tc.LeadTZ != "Europe/Paris" {
			t.Errorf("after take-over: %+v, want lead UNEW since %v", tc, first)
		}
		// Opted out and in again: a new opt-in date.
		if _, _, err := s.OptOutChannel(ctx, "C1"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		if err := s.OptInChannel(ctx, "C1", "ULEAD"); err != nil {
			t.Fatal(err)
		}
		tc, _ = s.TeamChannel(ctx, "C1")
		if !tc.OptedIn() || tc.LeadUserID != "ULEAD" || !tc.OptedInAt.Equal(clock.Now()) {
			t.Errorf("after opting in again: %+v, want lead ULEAD since %v", tc, clock.Now())
		}
		chans, err := s.TeamChannels(ctx)
		if err != nil || len(chans) != 1 || chans[0].ChannelID != "C1" {
			t.Errorf("TeamChannels = %+v, %v; want C1", chans, err)
		}
	})
}

func TestQueueTeamSummary(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s := teamFixture(t, e)
		tests := []struct {
			name                  string
			channel, lead, period string
			want                  bool
		}{
			{"the lead's first", "C1", "ULEAD", "2025-02", true},
			{"again: once only", "C1", "ULEAD", "2025-02", false},
			{"the next month", "C1", "ULEAD", "2025-03", true},
			{"not the lead", "C1", "UA", "2025-02", false},
			{"a channel not opted in", "C2", "UC", "2025-02", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.QueueTeamSummary(ctx, tt.channel, tt.lead, "leads", tt.period)
				if err != nil || got != tt.want {
					t.Errorf("QueueTeamSummary = %v, %v; want %v", got, err, tt.want)
				}
			})
		}
		if got := teamOutbox(t, s, "ULEAD"); !reflect.DeepEqual(got, []string{"prompt/pending", "team_summary/pending", "team_summary/pending"}) {
			t.Errorf("lead's outbox %v, want two team summaries", got)
		}
		if got := teamOutbox(t, s, "UA"); len(got) != 2 { // the welcome and the prompt
			t.Errorf("UA's outbox %v, want no team summary", got)
		}
		sent, err := s.TeamSummarySent(ctx, "C1", "ULEAD", "2025-02")
		if err != nil || !sent {
			t.Errorf("TeamSummarySent = %v, %v; want true", sent, err)
		}
		if _, err := s.QueueTeamSummary(ctx, "C1", "ULEAD", "leads", "March"); err == nil {
			t.Error("a malformed period was accepted")
		}

		// Several replicas at once: exactly one queues it.
		var wg sync.WaitGroup
		results := make(chan bool, 8)
		for range 8 {
			wg.Go(func() {
				ok, err := s.QueueTeamSummary(ctx, "C1", "ULEAD", "leads", "2025-04")
				if err != nil {
					t.Error(err)
				}
				results <- ok
			})
		}
		wg.Wait()
		close(results)
		n := 0
		for ok := range results {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d of 8 concurrent calls queued the summary, want 1", n)
		}

		// An opted-out channel gets no more summaries.
		if _, _, err := s.OptOutChannel(ctx, "C1"); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.QueueTeamSummary(ctx, "C1", "ULEAD", "leads", "2025-05"); ok || err != nil {
			t.Errorf("after opt-out: %v, %v; want nothing queued", ok, err)
		}
	})
}

func TestStopSticksAcrossChannels(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		p := Person{UserID: "UX", TZ: "UTC"}
		if _, err := s.JoinTeam(ctx, p, "C1", "ULEAD", t0, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stop(ctx, "UX"); err != nil {
			t.Fatal(err)
		}
		// Another channel, or the same one again, does not sign them back up.
		for _, ch := range []string{"C1", "C2"} {
			j, err := s.JoinTeam(ctx, p, ch, "ULEAD", t0, true)
			if err != nil || j.Enrolled || j.Welcomed {
				t.Errorf("join %s after stop: got %+v, %v; want no enrolment and no welcome", ch, j, err)
			}
		}
		if got, _ := s.Enrolments(ctx, "UX"); len(got) != 0 {
			t.Errorf("got enrolments %v after stop, want none", got)
		}
		// Their own start clears it.
		if _, err := s.Start(ctx, p, "self", t0); err != nil {
			t.Fatal(err)
		}
		if j, err := s.JoinTeam(ctx, p, "C2", "ULEAD", t0, true); err != nil || !j.Enrolled {
			t.Errorf("join after start: got %+v, %v; want enrolled", j, err)
		}
	})
}

// TestSaveTeamFigure: a month's first figure is the only one kept; a later one, different, is
// ignored and the first returned.
func TestSaveTeamFigure(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		if _, ok, err := s.TeamFigure(ctx, "C1", "2026-03"); err != nil || ok {
			t.Fatalf("TeamFigure before any = %v, %v; want none", ok, err)
		}
		first, second := []byte(`{"Respondents":5}`), []byte(`{"Respondents":4}`)
		for i, fig := range [][]byte{first, second} {
			got, err := s.SaveTeamFigure(ctx, "C1", "2026-03", fig)
			if err != nil || string(got) != string(first) {
				t.Errorf("SaveTeamFigure #%d = %s, %v; want %s", i+1, got, err, first)
			}
		}
		if got, ok, err := s.TeamFigure(ctx, "C1", "2026-03"); err != nil || !ok || string(got) != string(first) {
			t.Errorf("TeamFigure = %s, %v, %v; want %s", got, ok, err, first)
		}
		if got, err := s.SaveTeamFigure(ctx, "C1", "2026-04", second); err != nil || string(got) != string(second) {
			t.Errorf("another month = %s, %v; want %s", got, err, second)
		}
		if _, err := s.SaveTeamFigure(ctx, "C1", "March", first); err == nil {
			t.Error("a bad period was accepted")
		}
	})
}
