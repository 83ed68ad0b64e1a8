// Package experiment is the monthly experiment: the summary's suggestion as one small, concrete
// practice to try for the coming month (I'll try this, Suggest another, Not now), shown on the
// App Home and with /reflect experiment, checked on in the weekly prompt's message about two
// weeks in, and reported in the next summary beside how what it aimed at moved and the person's
// own words.
package experiment

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Deps are what the experiment feature needs. Summarise and RefreshDelivery come from the
// results and weekly features, wired in the composition root.
type Deps struct {
	Store     Store
	Catalogue *prompts.Catalogue
	// List is the experiments offered; nil is the built-in list.
	List *List
	Now  func() time.Time
	// Summarise builds a person's monthly summary, whose need the offer answers.
	Summarise func(ctx context.Context, userID string, period report.Month) (report.Summary, error)
	// RefreshDelivery shows a weekly prompt's message again once its check-in is answered.
	RefreshDelivery func(ctx context.Context, userID string, deliveryID int64) error
	// Changed refreshes a person's App Home after their experiment changed.
	Changed func(ctx context.Context, userID string)
}

// The check-in goes in the weekly prompts whose occurrence falls in this window after the
// commitment: about two weeks in, one prompt on a weekly schedule.
const (
	followUpFrom = 12 * 24 * time.Hour
	followUpTo   = 19 * 24 * time.Hour
)

// quotesShown is how many of a person's written answers a summary quotes beside its own.
const quotesShown = 2

// Feature is the registered experiment feature: a part of the summary and the App Home
// (SummaryBlocks, HomeBlocks) and of the weekly prompt's message (DeliveryBlocks).
type Feature struct {
	Deps
	app *slackapp.App
}

// Register wires the experiment's command, buttons and note modal into the app.
func Register(a *slackapp.App, d Deps) (*Feature, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Changed == nil {
		d.Changed = func(context.Context, string) {}
	}
	if d.List == nil {
		l, err := Builtin()
		if err != nil {
			return nil, err
		}
		d.List = l
	}
	f := &Feature{Deps: d, app: a}
	a.HandleCommand("experiment", f.command)
	a.HandleAction(actionTry, f.onTry)
	a.HandleAction(actionAnother, f.onAnother)
	a.HandleAction(actionNotNow, f.onNotNow)
	a.HandleAction(actionOutcome, f.onOutcome)
	a.HandleAction(actionNote, f.onNoteButton)
	a.HandleView(viewNote, f.onNote)
	return f, nil
}

// loc is the person's time zone, UTC for someone Reflect does not know.
func (f *Feature) loc(ctx context.Context, userID string) (*time.Location, error) {
	p, err := f.Store.Person(ctx, userID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return time.UTC, nil
	case err != nil:
		return nil, err
	}
	return schedule.Location(p.TZ), nil
}

// current is the experiment on the go at now: this month's, or else the nearest one committed
// ahead, unless dropped. nil when there is none.
func current(exs []db.Experiment, now report.Month) *db.Experiment {
	var cur *db.Experiment
	for i := range exs { // latest month first
		m, err := report.ParseMonth(exs[i].Month)
		if err != nil || m.Before(now) {
			continue
		}
		if exs[i].Outcome != db.OutcomeDropped {
			cur = &exs[i]
		}
	}
	return cur
}

// tried are the experiments a person committed to before, so offers go to new ones first.
func tried(exs []db.Experiment) map[string]bool {
	out := map[string]bool{}
	for _, e := range exs {
		out[e.ExperimentID] = true
	}
	return out
}

func seed(userID string, m report.Month) int {
	h := fnv.New32a()
	h.Write([]byte(userID))
	return int(h.Sum32()%1024) + m.Year*12 + int(m.Month)
}

func (f *Feature) command(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 0 {
		return req.Refuse(ctx, "experiment takes nothing after it")
	}
	ex, e, err := f.currentOf(ctx, req.UserID)
	if err != nil {
		return err
	}
	return req.Reply(ctx, CurrentMessage(ex, e))
}

// currentOf is a person's experiment on the go and its item (nil without one).
func (f *Feature) currentOf(ctx context.Context, userID string) (*db.Experiment, Item, error) {
	loc, err := f.loc(ctx, userID)
	if err != nil {
		return nil, Item{}, err
	}
	exs, err := f.Store.Experiments(ctx, userID)
	if err != nil {
		return nil, Item{}, err
	}
	ex := current(exs, report.MonthOf(f.Now(), loc))
	if ex == nil {
		return nil, Item{}, nil
	}
	e, ok := f.List.Item(ex.ExperimentID)
	if !ok {
		return nil, Item{}, nil // no longer offered: nothing to show
	}
	return ex, e, nil
}

// offered reads an offer button's experiment and month; ok is false (and the person told) when
// the value is not one the bot writes.
func (f *Feature) offered(ctx context.Context, req slackapp.ActionRequest) (Item, report.Month, bool, error) {
	v, err := req.ParsedValue()
	if err == nil {
		e, ok := f.List.Item(v.PromptID)
		m, merr := report.ParseMonth(v.Arg)
		if ok && merr == nil {
			return e, m, true, nil
		}
	}
	return Item{}, report.Month{}, false, req.Reply(ctx, slackapp.TextMessage("experiment_unknown",
		"I couldn't tell which experiment that was, so nothing changed."))
}

func (f *Feature) onTry(ctx context.Context, req slackapp.ActionRequest) error {
	e, m, ok, err := f.offered(ctx, req)
	if !ok {
		return err
	}
	loc, err := f.loc(ctx, req.UserID)
	if err != nil {
		return err
	}
	if m.Before(report.MonthOf(f.Now(), loc)) {
		return req.Reply(ctx, slackapp.TextMessage("experiment_past",
			"That month is over, so nothing changed. Your next summary will offer a new experiment."))
	}
	err = f.Store.CommitExperiment(ctx, db.Experiment{UserID: req.UserID, Month: m.String(), ExperimentID: e.ID, Need: e.Need})
	if errors.Is(err, db.ErrNotFound) {
		return req.Reply(ctx, slackapp.TextMessage("experiment_unknown_person",
			fmt.Sprintf("I have nothing of yours to attach it to yet: `%s start` signs you up.", f.app.SlashCommand())))
	}
	if err != nil {
		return err
	}
	f.Changed(ctx, req.UserID)
	return req.Reply(ctx, CommittedMessage(e, m.String(), f.app.SlashCommand()))
}

func (f *Feature) onAnother(ctx context.Context, req slackapp.ActionRequest) error {
	e, m, ok, err := f.offered(ctx, req)
	if !ok {
		return err
	}
	exs, err := f.Store.Experiments(ctx, req.UserID)
	if err != nil {
		return err
	}
	next, _ := f.List.Another(e.ID, tried(exs))
	return req.Reply(ctx, OfferMessage(next, m.String()))
}

func (f *Feature) onNotNow(ctx context.Context, req slackapp.ActionRequest) error {
	return req.Reply(ctx, NotNowMessage())
}

func (f *Feature) onOutcome(ctx context.Context, req slackapp.ActionRequest) error {
	outcome := strings.TrimPrefix(req.ActionID, actionOutcome+":")
	v, err := req.ParsedValue()
	known := false
	for _, o := range outcomes {
		known = known || o.key == outcome
	}
	if err != nil || !known {
		return req.Reply(ctx, slackapp.TextMessage("experiment_unknown", "I couldn't read that answer, so nothing changed."))
	}
	if v.DeliveryID != 0 {
		// The button's value is outside input: the prompt it names must be the person's own.
		if _, err := f.Store.Delivery(ctx, req.UserID, v.DeliveryID); errors.Is(err, db.ErrNotFound) {
			return req.Reply(ctx, slackapp.TextMessage("experiment_unknown", "I couldn't read that answer, so nothing changed."))
		} else if err != nil {
			return err
		}
	}
	err = f.Store.RecordExperimentOutcome(ctx, req.UserID, v.Arg, outcome, v.DeliveryID)
	if errors.Is(err, db.ErrNotFound) {
		return req.Reply(ctx, slackapp.TextMessage("experiment_gone",
			"That experiment isn't on record any more (a newer one replaced it, or your data was deleted), so nothing changed."))
	}
	if err != nil {
		return err
	}
	f.Changed(ctx, req.UserID)
	if v.DeliveryID != 0 && f.RefreshDelivery != nil {
		// Answered in the weekly prompt's message: it shows the answer in place.
		return f.RefreshDelivery(ctx, req.UserID, v.DeliveryID)
	}
	exs, err := f.Store.Experiments(ctx, req.UserID)
	if err != nil {
		return err
	}
	for _, ex := range exs {
		if ex.Month != v.Arg {
			continue
		}
		e, _ := f.List.Item(ex.ExperimentID)
		if outcome == db.OutcomeDropped {
			return req.Reply(ctx, DroppedMessage(e))
		}
		return req.Reply(ctx, CurrentMessage(&ex, e))
	}
	return nil
}

func (f *Feature) onNoteButton(ctx context.Context, req slackapp.ActionRequest) error {
	v, err := req.ParsedValue()
	if err != nil {
		return req.Reply(ctx, slackapp.TextMessage("experiment_unknown", "I couldn't tell which experiment that was."))
	}
	exs, err := f.Store.Experiments(ctx, req.UserID)
	if err != nil {
		return err
	}
	for _, ex := range exs {
		if ex.Month == v.Arg {
			_, err := f.app.OpenView(ctx, req.TriggerID, NoteModal(ex.Month, ex.Note))
			return err
		}
	}
	return req.Reply(ctx, slackapp.TextMessage("experiment_gone", "That experiment isn't on record any more."))
}

func (f *Feature) onNote(ctx context.Context, req slackapp.ViewRequest) error {
	note := strings.TrimSpace(db.CleanText(req.Values[noteBlock][noteAction]))
	if len([]rune(note)) > maxNote {
		note = string([]rune(note)[:maxNote])
	}
	err := f.Store.SetExperimentNote(ctx, req.UserID, req.PrivateMetadata, note)
	if errors.Is(err, db.ErrNotFound) {
		return req.Reply(ctx, slackapp.TextMessage("experiment_gone", "That experiment isn't on record any more, so your note wasn't kept."))
	}
	if err != nil {
		return err
	}
	f.Changed(ctx, req.UserID)
	return nil
}

// HomeBlocks is the experiment's part of the App Home (results' Section).
func (f *Feature) HomeBlocks(ctx context.Context, userID string) ([]slackapp.Block, error) {
	ex, e, err := f.currentOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	return HomeBlocks(ex, e, f.app.SlashCommand()), nil
}

// DeliveryBlocks is the check-in in a weekly prompt's message about two weeks into an experiment
// (weekly's Extra): in the prompts whose occurrence falls in the window, and in the one it was
// answered in.
func (f *Feature) DeliveryBlocks(ctx context.Context, userID string, deliveryID int64, occurrence time.Time) ([]slackapp.Block, error) {
	exs, err := f.Store.Experiments(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, ex := range exs {
		since := occurrence.Sub(ex.CommittedAt)
		due := since >= followUpFrom && since < followUpTo && ex.Outcome != db.OutcomeDropped
		if !due && (ex.OutcomeDelivery == 0 || ex.OutcomeDelivery != deliveryID) {
			continue
		}
		e, ok := f.List.Item(ex.ExperimentID)
		if !ok {
			return nil, nil
		}
		return FollowUp(ex, e, deliveryID), nil
	}
	return nil, nil
}

// SummaryBlocks is the experiment's part of the summary of period (results' Section): how the
// month's experiment went and how what it aimed at moved, a few of the person's own words, and
// an experiment for the coming month.
func (f *Feature) SummaryBlocks(ctx context.Context, userID string, period report.Month) ([]slackapp.Block, error) {
	if f.Summarise == nil {
		return nil, nil
	}
	s, err := f.Summarise(ctx, userID, period)
	if err != nil {
		return nil, err
	}
	exs, err := f.Store.Experiments(ctx, userID)
	if err != nil {
		return nil, err
	}
	var blocks []slackapp.Block
	var ran *db.Experiment
	var committed *db.Experiment
	for i := range exs {
		switch exs[i].Month {
		case period.String():
			ran = &exs[i]
		case period.Next().String():
			committed = &exs[i]
		}
	}
	aimed := prompts.Dimension("")
	if ran != nil {
		if e, ok := f.List.Item(ran.ExperimentID); ok {
			moved, err := f.moved(ctx, userID, period, s, ran.Need)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, slackapp.Section("experiment_report", Report(*ran, e, moved)))
			aimed = Dimension(ran.Need)
		}
	}
	quotes, err := f.quotes(ctx, userID, period, s.Written, aimed)
	if err != nil {
		return nil, err
	}
	if len(quotes) > 0 {
		lines := make([]string, len(quotes))
		for i, q := range quotes {
			lines[i] = "> " + slackapp.Quote(q, maxQuote)
		}
		blocks = append(blocks, slackapp.Section("experiment_words", "*More in your own words*\n"+strings.Join(lines, "\n")))
	}
	next := period.Next().String()
	switch {
	case committed != nil && committed.Outcome != db.OutcomeDropped:
		if e, ok := f.List.Item(committed.ExperimentID); ok {
			blocks = append(blocks, slackapp.Section("experiment_next", "*Your experiment for "+monthName(next)+":* "+
				slackapp.EscapeMrkdwn(e.Title)+" (you're on it)."))
		}
	case !s.Empty && s.Need() != "":
		e, ok := f.List.Pick(s.Need(), seed(userID, period), tried(exs))
		if !ok {
			break
		}
		loc, err := f.loc(ctx, userID)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, slackapp.Section("experiment_why", Why(s)))
		if period.Next().Before(report.MonthOf(f.Now(), loc)) {
			// A summary of a month long gone (/reflect summary 2025-11) shows what it suggested,
			// but offers no commitment to a month that is already over.
			blocks = append(blocks, Suggested("experiment_", e, next)...)
		} else {
			blocks = append(blocks, Offer("experiment_", e, next)...)
		}
	}
	if len(blocks) == 0 {
		return nil, nil
	}
	return append([]slackapp.Block{slackapp.NewHeaderBlock(slackapp.PlainText("Your experiment"),
		slackapp.HeaderBlockOptionBlockID("experiment_h"))}, blocks...), nil
}

// ReplacesSuggestion tells results that the experiment section carries the summary's
// suggestion (results' SuggestionSection): the offer is the suggestion, with why.
func (f *Feature) ReplacesSuggestion() bool { return f != nil && f.Summarise != nil }

// moved says how what an experiment for need aimed at moved from the month before period to
// period: the dimension's lean, the wellbeing average, or the headline.
func (f *Feature) moved(ctx context.Context, userID string, period report.Month, s report.Summary, need string) (string, error) {
	before, err := f.Summarise(ctx, userID, period.Prev())
	if err != nil {
		return "", err
	}
	from, to := period.Prev().Title(), period.Title()
	if d := Dimension(need); d != "" {
		a, b := dimension(before, d), dimension(s, d)
		if a == nil || b == nil {
			return fmt.Sprintf("There weren't enough %s answers in %s and %s to say how it moved.", d, from, to), nil
		}
		return fmt.Sprintf("%s moved from %s in %s to %s in %s%s.", a.Name, signed(a.Lean), from, signed(b.Lean), to, toward(b.Lean-a.Lean)), nil
	}
	if strings.HasPrefix(need, "wellbeing-") {
		if before.WellbeingAvg == nil || s.WellbeingAvg == nil {
			return fmt.Sprintf("There weren't enough wellbeing checks in %s and %s to say how it moved.", from, to), nil
		}
		return fmt.Sprintf("Wellbeing moved from %s in %s to %s in %s.", signed(*before.WellbeingAvg), from, signed(*s.WellbeingAvg), to), nil
	}
	if !before.Labelled || !s.Labelled {
		return "", nil
	}
	return fmt.Sprintf("Overall: %s in %s, %s in %s.", before.Headline, from, s.Headline, to), nil
}

func dimension(s report.Summary, d prompts.Dimension) *report.DimensionLine {
	for i := range s.Dimensions {
		if s.Dimensions[i].Dimension == d && s.Dimensions[i].HasData {
			return &s.Dimensions[i]
		}
	}
	return nil
}

// signed writes a score as the summaries do: two decimals, a sign, the typographic minus.
func signed(v float64) string { return strings.Replace(fmt.Sprintf("%+.2f", v), "-", "−", 1) }

func toward(delta float64) string {
	switch {
	case delta >= 0.05:
		return ", toward leadership"
	case delta <= -0.05:
		return ", toward management"
	default:
		return ", about the same"
	}
}

// quotes picks up to quotesShown of the person's written answers to the period's prompts, other
// than the one the summary quotes already: answers in the dimension the experiment aimed at
// first, then the longer ones (more of the person in them), then the later.
func (f *Feature) quotes(ctx context.Context, userID string, period report.Month, shown string, aimed prompts.Dimension) ([]string, error) {
	loc, err := f.loc(ctx, userID)
	if err != nil {
		return nil, err
	}
	start, end := period.Start(loc), period.End(loc)
	answers, err := f.Store.AnswersBetween(ctx, userID, start, end)
	if err != nil {
		return nil, err
	}
	type cand struct {
		text  string
		aimed bool
		at    time.Time
	}
	var cs []cand
	seen := map[string]bool{strings.TrimSpace(shown): true}
	for _, a := range answers {
		text := strings.TrimSpace(a.Text)
		if text == "" || seen[text] {
			continue
		}
		seen[text] = true
		c := cand{text: text, at: a.AnsweredAt}
		if p, ok := f.Catalogue.Prompt(a.PromptID); ok && aimed != "" {
			c.aimed = p.Dimension == aimed
		}
		cs = append(cs, c)
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].aimed != cs[j].aimed {
			return cs[i].aimed
		}
		if li, lj := len([]rune(cs[i].text)), len([]rune(cs[j].text)); li != lj {
			return li > lj
		}
		return cs[i].at.After(cs[j].at)
	})
	var out []string
	for _, c := range cs {
		if len(out) == quotesShown {
			break
		}
		out = append(out, c.text)
	}
	return out, nil
}

// Annotate names each experiment of an export (privacy's Annotate): its title and what it asked.
func (f *Feature) Annotate(ex *db.Export) {
	ex.Experiments = append([]db.ExportExperiment(nil), ex.Experiments...)
	for i := range ex.Experiments {
		if e, ok := f.List.Item(ex.Experiments[i].ExperimentID); ok {
			ex.Experiments[i].Title, ex.Experiments[i].Text = e.Title, e.Text
		}
	}
}
