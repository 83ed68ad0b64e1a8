package experiment

import (
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackapp/slacktest"
	"github.com/reflect-bot/reflect/internal/testkit"
)

func builtinList(t *testing.T) *List {
	t.Helper()
	l, err := Builtin()
	if err != nil {
		t.Fatalf("the built-in experiments do not load: %v", err)
	}
	return l
}

func TestBuiltinCoversEveryNeed(t *testing.T) {
	l := builtinList(t)
	for _, n := range Needs() {
		items := l.ForNeed(n)
		if len(items) < minPerNeed {
			t.Errorf("need %s has %d experiments, want at least %d", n, len(items), minPerNeed)
		}
		texts := map[string]bool{}
		for _, e := range items {
			if texts[e.Text] {
				t.Errorf("need %s: %s repeats another's text", n, e.ID)
			}
			texts[e.Text] = true
		}
	}
}

func TestParseRefusesBadLists(t *testing.T) {
	good := `{"id": "a-b", "need": "balanced", "title": "T", "text": "Do it."}`
	tests := []struct{ name, doc, want string }{
		{"version", `{"version": 2, "experiments": []}`, "version 2"},
		{"unknown field", `{"version": 1, "experiments": [], "extra": 1}`, "unknown field"},
		{"bad id", `{"version": 1, "experiments": [{"id": "A B", "need": "balanced", "title": "T", "text": "x"}]}`, "(A B): id"},
		{"twice", `{"version": 1, "experiments": [` + good + `,` + good + `]}`, "(a-b): id: used twice"},
		{"need", `{"version": 1, "experiments": [{"id": "a", "need": "vision", "title": "T", "text": "x"}]}`, "(a): need"},
		{"title", `{"version": 1, "experiments": [{"id": "a", "need": "balanced", "title": "", "text": "x"}]}`, "(a): title"},
		{"text", `{"version": 1, "experiments": [{"id": "a", "need": "balanced", "title": "T", "text": "` + strings.Repeat("x", 301) + `"}]}`, "(a): text"},
		{"too few", `{"version": 1, "experiments": [` + good + `]}`, "want at least 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.doc)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestAnotherIsDifferentForTheSameNeed(t *testing.T) {
	l := builtinList(t)
	for _, n := range Needs() {
		for _, e := range l.ForNeed(n) {
			for _, avoid := range []map[string]bool{nil, {e.ID: true}, allOf(l.ForNeed(n))} {
				got, ok := l.Another(e.ID, avoid)
				if !ok || got.ID == e.ID || got.Need != n {
					t.Errorf("Another(%s, %v) = %s (%s), %v; want a different one for %s", e.ID, avoid, got.ID, got.Need, ok, n)
				}
			}
		}
	}
	if _, ok := l.Another("no-such-experiment", nil); ok {
		t.Error("Another of an unknown id found one")
	}
}

func allOf(items []Item) map[string]bool {
	m := map[string]bool{}
	for _, e := range items {
		m[e.ID] = true
	}
	return m
}

func TestPickSkipsTried(t *testing.T) {
	l := builtinList(t)
	items := l.ForNeed("direction-management")
	got, ok := l.Pick("direction-management", 0, map[string]bool{items[0].ID: true})
	if !ok || got.ID != items[1].ID {
		t.Errorf("Pick = %s, want %s (the first not tried)", got.ID, items[1].ID)
	}
	if _, ok := l.Pick("no-such-need", 0, nil); ok {
		t.Error("Pick found one for an unknown need")
	}
}

func TestCurrent(t *testing.T) {
	apr := report.Month{Year: 2026, Month: time.April}
	exs := []db.Experiment{ // latest month first, as the store returns them
		{Month: "2026-05", ExperimentID: "may"},
		{Month: "2026-04", ExperimentID: "april"},
		{Month: "2026-03", ExperimentID: "march"},
	}
	if got := current(exs, apr); got == nil || got.ExperimentID != "april" {
		t.Errorf("current = %+v, want April's", got)
	}
	exs[1].Outcome = db.OutcomeDropped
	if got := current(exs, apr); got == nil || got.ExperimentID != "may" {
		t.Errorf("current with April's dropped = %+v, want May's, committed ahead", got)
	}
	if got := current(exs[2:], apr); got != nil {
		t.Errorf("current with only March's = %+v, want none", got)
	}
}

func TestBlocksGolden(t *testing.T) {
	l := builtinList(t)
	e, _ := l.Item("direction-open-with-why")
	at := time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
	ex := db.Experiment{UserID: "UA", Month: "2026-04", ExperimentID: e.ID, Need: e.Need, CommittedAt: at}
	went := ex
	went.Outcome, went.Note, went.OutcomeDelivery = db.OutcomeWell, "The team asked <better> questions & stayed longer", 42
	elsewhere := went
	elsewhere.OutcomeDelivery = 0
	tests := []struct {
		name string
		m    slackapp.Message
	}{
		{"offer", slackapp.Message{Text: "offer", Blocks: Offer("experiment_", e, "2026-04")}},
		{"suggested", slackapp.Message{Text: "suggested", Blocks: Suggested("experiment_", e, "2026-04")}},
		{"committed", CommittedMessage(e, "2026-04", "/reflect")},
		{"not_now", NotNowMessage()},
		{"current_none", CurrentMessage(nil, Item{})},
		{"current_open", CurrentMessage(&ex, e)},
		{"current_went_well", CurrentMessage(&went, e)},
		{"followup_open", slackapp.Message{Text: "followup", Blocks: FollowUp(ex, e, 42)}},
		{"followup_answered", slackapp.Message{Text: "followup", Blocks: FollowUp(went, e, 42)}},
		{"followup_said_elsewhere", slackapp.Message{Text: "followup", Blocks: FollowUp(elsewhere, e, 42)}},
		{"home", slackapp.Message{Text: "home", Blocks: HomeBlocks(&went, e, "/reflect")}},
		{"home_none", slackapp.Message{Text: "home", Blocks: HomeBlocks(nil, Item{}, "/reflect")}},
		{"report", slackapp.TextMessage("experiment_report", Report(went, e, "Direction moved from −0.40 in March 2026 to −0.10 in April 2026, toward leadership."))},
		{"dropped", DroppedMessage(e)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Golden(t, tt.name, tt.m)
			slacktest.CheckLimits(t, tt.m)
		})
	}
}

func TestReportSaysEveryOutcome(t *testing.T) {
	e := Item{Title: "Open with why"}
	for _, tt := range []struct{ outcome, note, want string }{
		{db.OutcomeWell, "", "you said it went well."},
		{db.OutcomeMixed, "so-so", "you said it was mixed: “so-so”."},
		{db.OutcomeNotYet, "", "you said you hadn't got to it yet."},
		{db.OutcomeDropped, "", "you dropped it."},
		{"", "", "you didn't say how it went."},
		{"", "a note", "you didn't say how it went; your note: “a note”."},
	} {
		got := Report(db.Experiment{Month: "2026-03", Outcome: tt.outcome, Note: tt.note}, e, "")
		if want := "*Your experiment in March 2026:* Open with why — " + tt.want; got != want {
			t.Errorf("Report(%q, %q) = %q, want %q", tt.outcome, tt.note, got, want)
		}
	}
}
