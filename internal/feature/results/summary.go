// Package results is what people see of their own results: the monthly trend summary and its
// chart (queued by the due loop or asked for with /reflect summary) and the App Home tab.
package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Deps are what the results feature needs. Results are what people see of their own: the monthly
// summary with its chart, sent by the due loop or asked for with /reflect summary, and the App
// Home tab.
type Deps struct {
	Store     Store
	Catalogue *prompts.Catalogue
	Planner   schedule.Planner
	Now       func() time.Time
	// Support is where to find support (SUPPORT_TEXT with SUPPORT_URL), shown in a strained
	// month's summary.
	Support string
	// AssessAction is the action id of the button that opens the self-assessment, shown on the
	// App Home tab.
	AssessAction string
	// Sections are other features' parts of the summary and the App Home, shown in this order
	// after results' own.
	Sections []Section
}

// lateAnswers is how long after a month's end an answer to one of its prompts is still read as
// that month's: prompts stay open about a week, a reminder included.
const lateAnswers = 14 * 24 * time.Hour

type results struct {
	Deps
	app *slackapp.App
}

// Register wires summaries and the App Home into the app.
func Register(a *slackapp.App, r Deps) *Handle {
	if r.Now == nil {
		r.Now = time.Now
	}
	h := &results{Deps: r, app: a}
	a.HandleCommand("summary", h.summaryCommand)
	a.RegisterRenderer(db.KindSummary, h.renderSummary)
	a.RegisterUpload(db.KindChart, h.renderChart)
	h.registerHome()
	return &Handle{h: h}
}

// Handle lets other features refresh a person's App Home after a change.
type Handle struct{ h *results }

// Changed republishes a person's App Home; a failure is logged, never returned, as the change
// itself succeeded.
func (r *Handle) Changed(ctx context.Context, userID string) {
	if r == nil {
		return
	}
	if err := r.h.publishHome(ctx, userID); err != nil {
		r.h.app.Logger().Warn("app home not refreshed", "error", err)
	}
}

// Summarise builds a person's summary of period from the store, for features that add to it.
func (r *Handle) Summarise(ctx context.Context, userID string, period report.Month) (report.Summary, error) {
	return r.h.Summarise(ctx, userID, period)
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
	for range report.HistoryMonths - 1 {
		from = from.Prev()
	}
	trendFrom := period
	for range report.TrendMonths - 1 {
		trendFrom = trendFrom.Prev()
	}
	start, end := from.Start(loc), period.End(loc)
	deliveries, err := h.Store.Deliveries(ctx, userID)
	if err != nil {
		return report.Summary{}, err
	}
	asked := make(map[int64]time.Time, len(deliveries))
	for _, d := range deliveries {
		asked[d.ID] = d.Occurrence
	}
	// An answer counts in the month of the prompt it answers, so answers given a little after the
	// period to prompts asked in it are read too.
	answers, err := h.Store.AnswersBetween(ctx, userID, start, end.Add(lateAnswers))
	if err != nil {
		return report.Summary{}, err
	}
	in := report.Input{Period: period, Loc: loc, Support: h.Support, Open: !h.Now().Before(period.Start(loc)) && h.Now().Before(end)}
	for _, a := range answers {
		p, ok := h.Catalogue.Prompt(a.PromptID)
		if !ok {
			continue // a prompt no longer in the catalogue has no dimension to count in
		}
		at := a.AnsweredAt
		if occ, ok := asked[a.DeliveryID]; ok && a.DeliveryID != 0 {
			at = occ
		}
		ra := report.Answer{At: at, Dimension: p.Dimension, Reading: prompts.Reading{
			Lean: a.Lean, Weight: a.Weight, Wellbeing: a.Wellbeing,
		}}
		switch {
		case a.Text != "":
			ra.Quote, ra.Written = a.Text, true
		case a.OptionIndex != nil && *a.OptionIndex >= 0 && *a.OptionIndex < len(p.Options):
			ra.Quote = p.Options[*a.OptionIndex].Label
		}
		in.Answers = append(in.Answers, ra)
	}
	trendStart := trendFrom.Start(loc)
	for _, d := range deliveries {
		if d.Kind != db.DeliveryScheduled || d.PromptID == "" || d.Occurrence.Before(trendStart) || !d.Occurrence.Before(end) {
			continue
		}
		if d.State == "pending" || d.State == "sent" {
			continue // still open: neither answered nor missed yet
		}
		in.Deliveries = append(in.Deliveries, report.Delivery{Occurrence: d.Occurrence, Answered: d.State == "answered"})
	}
	as, err := h.Store.Assessments(ctx, userID, trendStart, end)
	if err != nil {
		return report.Summary{}, err
	}
	for _, a := range as {
		in.Assessments = append(in.Assessments, report.Assessment{At: a.TakenAt, Lean: a.Lean})
	}
	return report.Build(in), nil
}

func (h *results) summaryCommand(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 1 {
		return req.Refuse(ctx, "summary takes at most a month, like 2026-03")
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
			return req.Refuse(ctx, perr.Error())
		}
		if current.Before(m) {
			return req.Refuse(ctx, "that month hasn't happened yet")
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
	return req.Reply(ctx, slackapp.TextMessage("summary_sent",
		fmt.Sprintf("Your summary for %s is on its way to your DMs with me.", period.Title())))
}

// summaryFor reads a summary or chart item's month and builds its summary.
func (h *results) summaryFor(ctx context.Context, it db.OutboxItem) (report.Summary, error) {
	var pl db.SummaryPayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return report.Summary{}, err
	}
	period, err := report.ParseMonth(pl.Period)
	if err != nil {
		return report.Summary{}, err
	}
	return h.Summarise(ctx, it.UserID, period)
}

func (h *results) renderSummary(ctx context.Context, it db.OutboxItem) (slackapp.Message, error) {
	s, err := h.summaryFor(ctx, it)
	if err != nil {
		return slackapp.Message{}, err
	}
	if suggestionReplaced(h.Sections) {
		s.Suggestion, s.SuggestionQuote = "", "" // a section says it, with why
	}
	return h.summaryWithSections(ctx, it.UserID, s.Period, SummaryMessage(s)), nil
}

func (h *results) renderChart(ctx context.Context, it db.OutboxItem) (slackapp.Upload, error) {
	s, err := h.summaryFor(ctx, it)
	if err != nil {
		return slackapp.Upload{}, err
	}
	if s.Empty {
		return slackapp.Upload{}, slackapp.ErrNothingToSend // the note says it all
	}
	png, err := report.Chart(s)
	if err != nil {
		return slackapp.Upload{}, err
	}
	return slackapp.Upload{
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
		if p.HasScore {
			b.WriteString(prompts.Headline(p.Score))
		} else {
			b.WriteString("too little to read")
		}
	}
	return b.String()
}

// maxHeaderText is Slack's limit on a header block's text.
// https://docs.slack.dev/reference/block-kit/blocks/header-block: plain_text, at most 150.
const maxHeaderText = 150

// SummaryMessage is the monthly trend summary, sent to the person alone. Its first line is the summary's
// FirstLine: the month and "leaning leadership (+0.42)" / "leaning management (−0.31)" /
// "balanced (+0.05)", or a short note for a month without enough answers; it is the message's
// header. Each later paragraph of report.Summary.Text whose first line names it (By dimension,
// Wellbeing, Suggestion…) gets that line as a header block and the rest as a section, so the
// summary reads as headed parts rather than a wall of text; the closing caveat is a context note.
func SummaryMessage(s report.Summary) slackapp.Message {
	full := s.Text()
	rest := strings.TrimSpace(strings.TrimPrefix(full, s.FirstLine))
	blocks := []slackapp.Block{slackapp.NewHeaderBlock(slackapp.PlainText(slackapp.Truncate(s.FirstLine, maxHeaderText)),
		slackapp.HeaderBlockOptionBlockID("summary_first"))}
	paras := strings.Split(rest, "\n\n")
	for i, para := range paras {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		id := fmt.Sprintf("summary_%d", i+1)
		switch {
		case para == s.Caveat:
			blocks = append(blocks, slackapp.ContextNote(id, slackapp.EscapeMrkdwn(para)))
		case i == 0 || !strings.Contains(para, "\n"):
			blocks = append(blocks, slackapp.Section(id, slackapp.EscapeMrkdwn(slackapp.Truncate(para, slackapp.MaxSectionText))))
		default:
			heading, body, _ := strings.Cut(para, "\n")
			blocks = append(blocks,
				slackapp.NewHeaderBlock(slackapp.PlainText(slackapp.Truncate(heading, maxHeaderText)), slackapp.HeaderBlockOptionBlockID(id+"_h")),
				slackapp.Section(id, slackapp.EscapeMrkdwn(slackapp.Truncate(body, slackapp.MaxSectionText))))
		}
	}
	if !s.Empty {
		blocks = append(blocks, slackapp.ContextNote("summary_chart", "The chart of the last six months follows as an image."))
	}
	return slackapp.Message{Text: slackapp.EscapeMrkdwn(full), Blocks: blocks}
}
