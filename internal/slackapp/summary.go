package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
)

// renderTimeout bounds the database reads behind one rendered summary, chart or Home tab.
const renderTimeout = 10 * time.Second

// Results is what people see of their own results: the monthly summary with its chart, sent by
// the due loop or asked for with /reflect summary, and the App Home tab.
type Results struct {
	Store     *db.Store
	Catalogue *prompts.Catalogue
	Planner   schedule.Planner
	Now       func() time.Time
}

type results struct {
	Results
	app *App
}

// RegisterResults wires summaries and the App Home into the app.
func (a *App) RegisterResults(r Results) *ResultsHandle {
	if r.Now == nil {
		r.Now = time.Now
	}
	h := &results{Results: r, app: a}
	a.HandleCommand("summary", h.summaryCommand)
	a.RegisterRenderer(db.KindSummary, h.renderSummary)
	a.RegisterUpload(db.KindChart, h.renderChart)
	h.registerHome()
	return &ResultsHandle{h: h}
}

// ResultsHandle lets other features refresh a person's App Home after a change.
type ResultsHandle struct{ h *results }

// Changed republishes a person's App Home; a failure is logged, never returned, as the change
// itself succeeded.
func (r *ResultsHandle) Changed(ctx context.Context, userID string) {
	if r == nil {
		return
	}
	if err := r.h.publishHome(ctx, userID); err != nil {
		r.h.app.log.Warn("app home not refreshed", "error", err)
	}
}

// Summarise builds a person's summary of period from the store.
func (h *results) Summarise(ctx context.Context, userID string, period report.Month) (report.Summary, error) {
	loc := time.UTC
	if p, err := h.Store.Person(ctx, userID); err == nil {
		loc = schedule.Location(p.TZ)
	} else if !errors.Is(err, db.ErrNotFound) {
		return report.Summary{}, err
	}
	from := period
	for range report.TrendMonths - 1 {
		from = from.Prev()
	}
	start, end := from.Start(loc), period.End(loc)
	answers, err := h.Store.AnswersBetween(ctx, userID, start, end)
	if err != nil {
		return report.Summary{}, err
	}
	in := report.Input{Period: period, Loc: loc}
	for _, a := range answers {
		p, ok := h.Catalogue.Prompt(a.PromptID)
		if !ok {
			continue // a prompt no longer in the catalogue has no dimension to count in
		}
		in.Answers = append(in.Answers, report.Answer{At: a.AnsweredAt, Dimension: p.Dimension, Reading: prompts.Reading{
			Lean: a.Lean, Weight: a.Weight, Wellbeing: a.Wellbeing,
		}})
	}
	deliveries, err := h.Store.Deliveries(ctx, userID)
	if err != nil {
		return report.Summary{}, err
	}
	for _, d := range deliveries {
		if d.Kind != db.DeliveryScheduled || d.PromptID == "" || d.Occurrence.Before(start) || !d.Occurrence.Before(end) {
			continue
		}
		if d.State == "pending" || d.State == "sent" {
			continue // still open: neither answered nor missed yet
		}
		in.Deliveries = append(in.Deliveries, report.Delivery{Occurrence: d.Occurrence, Answered: d.State == "answered"})
	}
	as, err := h.Store.Assessments(ctx, userID, start, end)
	if err != nil {
		return report.Summary{}, err
	}
	for _, a := range as {
		in.Assessments = append(in.Assessments, report.Assessment{At: a.TakenAt, Lean: a.Lean})
	}
	return report.Build(in), nil
}

func (h *results) summaryCommand(ctx context.Context, req CommandRequest) error {
	command := h.app.cfg.SlashCommand
	if len(req.Command.Args) > 1 {
		return req.Reply(ctx, CommandErrorMessage(command, &CommandError{Problem: "summary takes at most a month, like 2026-03", Verb: "summary"}))
	}
	loc := time.UTC
	p, err := h.Store.Person(ctx, req.UserID)
	switch {
	case err == nil:
		loc = schedule.Location(p.TZ)
	case !errors.Is(err, db.ErrNotFound):
		return err
	}
	current := report.MonthOf(h.Now(), loc)
	period := current
	if len(req.Command.Args) == 1 {
		m, perr := report.ParseMonth(req.Command.Args[0])
		if perr != nil {
			return req.Reply(ctx, CommandErrorMessage(command, &CommandError{Problem: perr.Error(), Verb: "summary"}))
		}
		if current.Before(m) {
			return req.Reply(ctx, CommandErrorMessage(command, &CommandError{Problem: "that month hasn't happened yet", Verb: "summary"}))
		}
		period = m
	}
	if errors.Is(err, db.ErrNotFound) {
		if err := h.Store.UpsertPerson(ctx, db.Person{UserID: req.UserID, TeamID: req.TeamID}); err != nil {
			return err
		}
	}
	if err := h.Store.QueueSummary(ctx, req.UserID, period.String()); err != nil {
		return err
	}
	h.app.Notify()
	if req.FromDM {
		return nil
	}
	return req.Reply(ctx, textMessage("summary_sent", fmt.Sprintf("Your summary for %s is on its way to your DMs with me.", period.Title())))
}

// summaryFor reads a summary or chart item's month and builds its summary.
func (h *results) summaryFor(it db.OutboxItem) (report.Summary, error) {
	var pl db.SummaryPayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return report.Summary{}, err
	}
	period, err := report.ParseMonth(pl.Period)
	if err != nil {
		return report.Summary{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
	defer cancel()
	return h.Summarise(ctx, it.UserID, period)
}

func (h *results) renderSummary(it db.OutboxItem) (Message, error) {
	s, err := h.summaryFor(it)
	if err != nil {
		return Message{}, err
	}
	return SummaryMessage(s), nil
}

func (h *results) renderChart(it db.OutboxItem) (Upload, error) {
	s, err := h.summaryFor(it)
	if err != nil {
		return Upload{}, err
	}
	if s.Empty {
		return Upload{}, ErrNothingToSend // the note says it all
	}
	png, err := report.Chart(s)
	if err != nil {
		return Upload{}, err
	}
	return Upload{
		Filename: "reflect-trend-" + s.Period.String() + ".png",
		Title:    "Your lean and wellbeing, six months to " + s.Period.Title(),
		AltText:  trendText(s),
		Data:     png,
	}, nil
}

// trendText is the trend as text: the chart's alt text and the summary's fallback.
func trendText(s report.Summary) string {
	var b strings.Builder
	for i, p := range s.Trend {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Month.Title() + ": ")
		if p.HasLean {
			b.WriteString(prompts.Headline(p.Lean))
		} else {
			b.WriteString("no lean")
		}
	}
	return b.String()
}

// SummaryMessage is the monthly trend summary (PRODUCT §5). Its first line is the summary's
// FirstLine: the month and "leaning leadership (+0.42)" / "leaning management (−0.31)" /
// "balanced (+0.05)", or a short note for a month without answers.
func SummaryMessage(s report.Summary) Message {
	full := s.Text()
	rest := strings.TrimPrefix(full, s.FirstLine)
	blocks := []slack.Block{section("summary_first", "*"+escapeMrkdwn(s.FirstLine)+"*")}
	// The body goes in sections of at most Slack's 3000 characters, split at paragraph breaks.
	var chunk strings.Builder
	flush := func() {
		if strings.TrimSpace(chunk.String()) != "" {
			blocks = append(blocks, section(fmt.Sprintf("summary_%d", len(blocks)), escapeMrkdwn(strings.TrimSpace(chunk.String()))))
		}
		chunk.Reset()
	}
	for _, para := range strings.Split(strings.TrimSpace(rest), "\n\n") {
		if chunk.Len()+len(para) > maxSectionText-200 {
			flush()
		}
		chunk.WriteString(para + "\n\n")
	}
	flush()
	if !s.Empty {
		blocks = append(blocks, contextNote("summary_chart", "The chart of the last six months follows as an image."))
	}
	return Message{Text: escapeMrkdwn(full), Blocks: blocks}
}
