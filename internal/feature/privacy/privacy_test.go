package privacy

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackapp/slacktest"
	"github.com/reflect-bot/reflect/internal/testkit"
)

func TestPrivacyBlocksGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  slackapp.Message
	}{
		{name: "export_queued", msg: ExportQueuedMessage("/reflect")},
		{name: "nothing_stored", msg: NothingStoredMessage("/reflect")},
		{name: "forget_confirm", msg: ForgetConfirmMessage("U012ABC", "/reflect")},
		{name: "forget_done", msg: ForgetDoneMessage(true, "/reflect")},
		{name: "forget_done_nothing", msg: ForgetDoneMessage(false, "/reflect")},
		{name: "forget_refused", msg: ForgetRefusedMessage("/reflect")},
		{name: "forget_pending", msg: ForgetPendingMessage("/reflect")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Golden(t, tt.name, tt.msg)
			slacktest.CheckLimits(t, tt.msg)
		})
	}
}

// TestForgetConfirmButton: the Delete button names the person it was made for, is marked
// dangerous and asks once more; Cancel carries nothing.
func TestForgetConfirmButton(t *testing.T) {
	b, err := json.Marshal(ForgetConfirmMessage("U012ABC", "/reflect"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Blocks []struct {
			Elements []struct {
				ActionID string          `json:"action_id"`
				Value    string          `json:"value"`
				Style    string          `json:"style"`
				Confirm  json.RawMessage `json:"confirm"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	els := m.Blocks[1].Elements
	if len(els) != 2 {
		t.Fatalf("got %d buttons, want Delete and Cancel", len(els))
	}
	del, cancel := els[0], els[1]
	v, err := slackapp.ParseActionValue(del.Value)
	if del.ActionID != actionForgetConfirm || err != nil || v.Arg != "U012ABC" || del.Style != "danger" ||
		!bytes.Contains(del.Confirm, []byte(`"style":"danger"`)) {
		t.Errorf("got Delete button %+v (value %+v, %v), want forget_confirm naming U012ABC, danger, with a danger confirmation", del, v, err)
	}
	if cancel.ActionID != actionForgetCancel || cancel.Value != "" || cancel.Confirm != nil {
		t.Errorf("got Cancel button %+v, want forget_cancel with no value and no dialog", cancel)
	}
}

func TestRetentionDue(t *testing.T) {
	last := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	stamp := last.Format(time.RFC3339Nano)
	tests := []struct {
		name string
		last string
		now  time.Time
		want bool
	}{
		{name: "a minute later", last: stamp, now: last.Add(time.Minute), want: false},
		{name: "just short of a day", last: stamp, now: last.Add(retentionEvery - time.Millisecond), want: false},
		{name: "a day later", last: stamp, now: last.Add(retentionEvery), want: true},
		{name: "a month later", last: stamp, now: last.AddDate(0, 1, 0), want: true},
		{name: "the clock was set back", last: stamp, now: last.Add(-time.Hour), want: true},
		{name: "an unreadable record", last: "yesterday", now: last, want: true},
		{name: "an empty record", last: "", now: last, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retentionDue(tt.last, tt.now); got != tt.want {
				t.Errorf("retentionDue(%q, %s) = %v, want %v", tt.last, tt.now, got, tt.want)
			}
		})
	}
}

func TestExportUpload(t *testing.T) {
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	scale := cat.Prompts[0]
	item := cat.Assessment[0]
	opt, bad := 1, 99
	text := "I mentored <@U2> & shared the plan"
	ex := db.Export{
		Format: db.ExportFormat, Version: db.ExportVersion,
		ExportedAt: time.Date(2026, 3, 8, 23, 30, 0, 0, time.UTC), // already the 9th in Auckland
		Person:     db.ExportPerson{UserID: "U1", TZ: "Pacific/Auckland"},
		Answers: []db.ExportAnswer{
			{PromptID: scale.ID, OptionIndex: &opt},
			{PromptID: "no-longer-in-the-catalogue", OptionIndex: &opt},
			{PromptID: scale.ID, OptionIndex: &bad},
			{PromptID: scale.ID, Text: &text},
		},
		Assessments: []db.ExportAssessment{{Label: "balanced", Items: []db.ExportAssessmentItem{{PromptID: item.ID, OptionIndex: 0}}}},
	}
	tests := []struct {
		name        string
		cat         *prompts.Catalogue
		wantNames   bool
		wantChoices []string
	}{
		{name: "with the catalogue", cat: cat, wantNames: true, wantChoices: []string{scale.Options[1].Label, "", "", ""}},
		{name: "without", cat: nil, wantChoices: []string{"", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up, err := ExportUpload(ex, tt.cat)
			if err != nil {
				t.Fatal(err)
			}
			if up.Filename != "reflect-export-2026-03-09.json" || !strings.Contains(up.Title, "9 March 2026") {
				t.Errorf("got file %q titled %q, want reflect-export-2026-03-09.json, the date in Auckland", up.Filename, up.Title)
			}
			var back db.Export
			if err := json.Unmarshal(up.Data, &back); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			for i, a := range back.Answers {
				if a.Choice != tt.wantChoices[i] {
					t.Errorf("answer %d: got choice %q, want %q", i, a.Choice, tt.wantChoices[i])
				}
			}
			if got := back.Answers[0].Question != ""; got != tt.wantNames {
				t.Errorf("got question %q, want named: %v", back.Answers[0].Question, tt.wantNames)
			}
			if back.Answers[1].Question != "" {
				t.Errorf("got question %q for a prompt the catalogue lacks, want none", back.Answers[1].Question)
			}
			if it := back.Assessments[0].Items[0]; (it.Question != "" && it.Choice == item.Options[0].Label) != tt.wantNames {
				t.Errorf("got item %+v, want named: %v", it, tt.wantNames)
			}
			// Text is data in a file, not mrkdwn: kept exactly as written.
			if *back.Answers[3].Text != text {
				t.Errorf("got text %q, want %q", *back.Answers[3].Text, text)
			}
			// The original is not changed by the naming.
			if ex.Answers[0].Question != "" {
				t.Error("ExportUpload changed its argument")
			}
		})
	}
}

// TestRetentionJobLogsCountsOnly runs the job against a real store: it purges and logs numbers,
// never words, and records its run.
func TestRetentionJobLogsCountsOnly(t *testing.T) {
	ctx := context.Background()
	store := testkit.OpenStore(t)
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	p := db.Person{UserID: "U1", TZ: "UTC"}
	if _, err := store.Start(ctx, p, "self", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	id, err := store.CreateDelivery(ctx, "U1", db.NewDelivery{Occurrence: now, Kind: db.DeliveryOnDemand, PromptID: "horizon-this-week"})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.RecordAnswer(ctx, db.Answer{UserID: "U1", DeliveryID: id, PromptID: "horizon-this-week",
		Text: "secretwords", Weight: 0.5, Source: "modal", AnsweredAt: now.AddDate(-3, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	logs := &testkit.LogBuffer{}
	app, err := slackapp.New(slackapp.Config{BotToken: "xoxb-test", AppToken: "xapp-test", SlashCommand: "/reflect"}, store, store, testkit.NewLogger(logs))
	if err != nil {
		t.Fatal(err)
	}
	h := Register(app, Deps{Store: store, RetentionMonths: 12})
	if err := h.Retention(ctx, now); err != nil {
		t.Fatal(err)
	}
	if a, err := store.RecentAnswers(ctx, "U1", 10); err != nil || len(a) != 0 {
		t.Errorf("got answers %+v, %v; want the three-year-old one purged", a, err)
	}
	if v, ok, err := store.AppState(ctx, retentionKey); err != nil || !ok || v != now.Format(time.RFC3339Nano) {
		t.Errorf("got last run %q, %v, %v; want %s", v, ok, err, now.Format(time.RFC3339Nano))
	}
	out := logs.String()
	if !strings.Contains(out, "answers_and_assessments=1") || !strings.Contains(out, "before=2025-03-03T12:00:00Z") {
		t.Errorf("got logs %q, want the count and the cutoff twelve months back", out)
	}
	testkit.AssertNotLogged(t, logs, "secretwords", "U1")
}
