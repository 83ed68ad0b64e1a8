package db

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
)

// TestMirrorStore: the mirror's store on both engines: only the lead of an opted-in channel turns
// it on; a month is queued once per member, never to the lead or someone who stopped; an answer
// counts once per member and question, not after a skip, and the first one counts its member as a
// respondent; the counts hold no member.
func TestMirrorStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		for _, id := range []string{"ULEAD", "UA", "UB", "UC"} {
			addPerson(t, s, id)
		}
		if err := s.OptInChannel(ctx, "CT", "ULEAD"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetMirror(ctx, "CT", "UA", true); !errors.Is(err, ErrWrongState) {
			t.Fatalf("mirror on by a member: %v, want ErrWrongState", err)
		}
		if _, err := s.SetMirror(ctx, "CNONE", "ULEAD", true); !errors.Is(err, ErrWrongState) {
			t.Fatalf("mirror on in a channel not opted in: %v, want ErrWrongState", err)
		}
		for i, want := range []bool{true, false} {
			if changed, err := s.SetMirror(ctx, "CT", "ULEAD", true); err != nil || changed != want {
				t.Fatalf("mirror on #%d: changed %v (%v), want %v", i+1, changed, err, want)
			}
		}
		if on, err := s.MirrorChannels(ctx, ""); err != nil || len(on) != 1 || on[0].LeadUserID != "ULEAD" {
			t.Fatalf("mirror channels %+v (%v), want CT led by ULEAD", on, err)
		}
		if _, err := s.StopMirror(ctx, "UC", true); err != nil {
			t.Fatal(err)
		}
		two, minus := 2, -2
		opts := []MirrorOption{{ItemID: "q1", Dimension: "people", Choice: 0, Lean: &two}, {ItemID: "q1", Dimension: "people", Choice: 1, Lean: &minus},
			{ItemID: "q1", Dimension: "people", Choice: -1}}
		all := []string{"ULEAD", "UA", "UB", "UC", "UNKNOWN"}
		for i, want := range [][]string{{"UA", "UB"}, nil} {
			got, err := s.QueueMirror(ctx, "CT", "ULEAD", "2026-03", all, opts)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("queue #%d: %v (%v), want %v", i+1, got, err, want)
			}
		}
		if _, err := s.QueueMirror(ctx, "CT", "ULEAD", "March", all, opts); err == nil {
			t.Error("a bad period was accepted")
		}
		answer := func(user string, o MirrorOption, want bool) {
			t.Helper()
			if ok, err := s.RecordMirrorAnswer(ctx, user, "CT", "2026-03", o); err != nil || ok != want {
				t.Fatalf("%s answers %+v: %v (%v), want %v", user, o, ok, err, want)
			}
		}
		answer("UA", opts[0], true)
		answer("UA", opts[1], false) // the same question again
		answer("UC", opts[0], false) // never asked (stopped)
		if ok, err := s.SkipMirror(ctx, "UB", "CT", "2026-03"); err != nil || !ok {
			t.Fatalf("skip: %v %v", ok, err)
		}
		answer("UB", opts[2], false) // skipped the month
		if _, err := s.RecordMirrorAnswer(ctx, "UA", "CT", "2026-03", MirrorOption{ItemID: "q2", Choice: 0}); err == nil {
			t.Error("an answer to a question the month did not ask was counted")
		}
		lead, respondents, tallies, err := s.MirrorMonth(ctx, "CT", "2026-03")
		if err != nil || lead != "ULEAD" || respondents != 1 || len(tallies) != 3 {
			t.Fatalf("month: %q %d %+v (%v), want ULEAD, 1 respondent, 3 counts", lead, respondents, tallies, err)
		}
		for _, tl := range tallies {
			if want := map[int]int{0: 1, 1: 0, -1: 0}[tl.Choice]; tl.Answers != want {
				t.Errorf("choice %d counted %d, want %d", tl.Choice, tl.Answers, want)
			}
		}
		st, err := s.MirrorState(ctx, "UA", "CT", "2026-03")
		if err != nil || !st.Asked || st.Skipped || !st.Answered["q1"] {
			t.Errorf("UA's state %+v (%v), want asked and q1 answered", st, err)
		}
		if months, err := s.MirrorLedMonths(ctx, "ULEAD", "2026-03"); err != nil || !reflect.DeepEqual(months, []string{"CT"}) {
			t.Errorf("led months %v (%v), want CT", months, err)
		}
		if _, _, _, err := s.MirrorMonth(ctx, "CT", "2026-04"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a month never asked: %v, want ErrNotFound", err)
		}
		// Two taps at once, on two questions, count one respondent.
		april := []MirrorOption{{ItemID: "q1", Dimension: "people", Choice: 0, Lean: &two}, {ItemID: "q2", Dimension: "change", Choice: 0, Lean: &two}}
		if _, err := s.QueueMirror(ctx, "CT", "ULEAD", "2026-04", []string{"UA"}, april); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, o := range april {
			wg.Go(func() {
				if _, err := s.RecordMirrorAnswer(ctx, "UA", "CT", "2026-04", o); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if _, respondents, _, err := s.MirrorMonth(ctx, "CT", "2026-04"); err != nil || respondents != 1 {
			t.Errorf("two taps at once: %d respondents (%v), want 1", respondents, err)
		}
		if changed, err := s.SetMirror(ctx, "CT", "ULEAD", false); err != nil || !changed {
			t.Fatalf("mirror off: %v %v", changed, err)
		}
	})
}
