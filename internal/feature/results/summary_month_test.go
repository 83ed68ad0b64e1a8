package results

import (
	"context"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// TestSummariseCountsAnswersInTheirPromptsMonth: a prompt asked on 31 March and answered on
// 1 April counts in March's summary, not April's.
func TestSummariseCountsAnswersInTheirPromptsMonth(t *testing.T) {
	ctx := context.Background()
	store := testkit.OpenStore(t)
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	asked := time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC)
	if _, err := store.Start(ctx, db.Person{UserID: "U1", TZ: "UTC"}, "self", asked.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	id, err := store.CreateDelivery(ctx, "U1", db.NewDelivery{Occurrence: asked, Kind: db.DeliveryOnDemand, PromptID: "direction-big-picture"})
	if err != nil {
		t.Fatal(err)
	}
	opt := 4
	if err := store.RecordAnswer(ctx, db.Answer{UserID: "U1", DeliveryID: id, PromptID: "direction-big-picture", OptionIndex: &opt,
		Lean: 1, Weight: 1, Source: "button", AnsweredAt: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	app, err := slackapp.New(slackapp.Config{BotToken: "xoxb-test", AppToken: "xapp-test", SlashCommand: "/reflect"}, store, store, testkit.NewLogger(&testkit.LogBuffer{}))
	if err != nil {
		t.Fatal(err)
	}
	h := &results{Deps: Deps{Store: store, Catalogue: cat, Now: func() time.Time { return asked.AddDate(0, 1, 0) }}, app: app}
	march, err := h.Summarise(ctx, "U1", report.Month{Year: 2026, Month: time.March})
	if err != nil {
		t.Fatal(err)
	}
	april, err := h.Summarise(ctx, "U1", report.Month{Year: 2026, Month: time.April})
	if err != nil {
		t.Fatal(err)
	}
	if got := march.Trend[len(march.Trend)-1].Answers; got != 1 {
		t.Errorf("March: got %d answers, want the answer to March's prompt", got)
	}
	if got := april.Trend[len(april.Trend)-1].Answers; got != 0 {
		t.Errorf("April: got %d answers, want none (the answer belongs to March's prompt)", got)
	}
	if march.Lean.Answers != 1 || march.Dimensions[0].Count != 1 {
		t.Errorf("March lean: got %d answers, direction %d, want 1 and 1", march.Lean.Answers, march.Dimensions[0].Count)
	}
}
