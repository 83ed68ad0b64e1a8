// Package assess is the on-demand leadership and management self-assessment: /reflect assess (or
// its button) opens a modal of the catalogue's assessment items, and the result comes by DM.
package assess

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// The assessment's modal and buttons.
const (
	viewAssess = "assess"
	// ActionOpen is the action id of a button that opens the assessment (DM word, App Home).
	ActionOpen = "assess_open"
)

// Deps are what the on-demand self-assessment needs: a modal of the catalogue's assessment items;
// the result goes to the person by DM and is stored apart from the weekly answers.
type Deps struct {
	Store     Store
	Catalogue *prompts.Catalogue
	Now       func() time.Time
	// Changed is called after a person's results changed (to refresh their App Home).
	Changed func(ctx context.Context, userID string)
}

// Register wires the assessment into the app.
func Register(a *slackapp.App, as Deps) {
	if as.Now == nil {
		as.Now = time.Now
	}
	if as.Changed == nil {
		as.Changed = func(context.Context, string) {}
	}
	h := &assessment{Deps: as, app: a}
	a.HandleCommand("assess", h.command)
	a.HandleAction(ActionOpen, h.open)
	a.ValidateView(viewAssess, h.validate)
	a.HandleView(viewAssess, h.submit)
}

type assessment struct {
	Deps
	app *slackapp.App
}

// AssessmentModal is the modal of assessment items: radio buttons for every item (Block Kit has no
// slider). Every item is required, as the result needs them all: Slack's client then refuses to
// submit with one unanswered, and a submission that gets past it anyway is refused inline
// (response_action: errors) naming the item. orders gives, per item id, the order its options are
// shown in (prompts.Catalogue.AssessmentOrders); an item without one is shown in catalogue order.
// Each radio's value is its option's index, whatever its place.
// https://docs.slack.dev/reference/block-kit/block-elements/radio-button-group-element
// https://docs.slack.dev/reference/block-kit/blocks/input-block
func AssessmentModal(items []prompts.Prompt, orders map[string][]int) slackapp.View {
	blocks := []slackapp.Block{slackapp.Section("assess_intro",
		"Answer each question for how you have worked lately. There are no right answers: "+
			"the result is a tendency read from your own choices, not a diagnosis.")}
	for _, it := range items {
		order := orders[it.ID]
		if len(order) != len(it.Options) {
			order = make([]int, len(it.Options))
			for i := range order {
				order[i] = i
			}
		}
		opts := make([]*slackapp.OptionBlockObject, 0, len(it.Options))
		for _, i := range order {
			label := slackapp.PlainText(slackapp.Truncate(it.Options[i].Label, slackapp.MaxButtonText))
			opts = append(opts, slackapp.NewOptionBlockObject(strconv.Itoa(i), label, nil))
		}
		// Each item's radio buttons take the item's id as action_id too: action ids are kept
		// unique across the whole view.
		radios := slackapp.NewRadioButtonsBlockElement(it.ID, opts...)
		in := slackapp.NewInputBlock(it.ID, slackapp.PlainText(it.Text), nil, radios)
		blocks = append(blocks, in)
	}
	return slackapp.View{CallbackID: viewAssess, Title: "Self-assessment", Submit: "See my result", Close: "Cancel", Blocks: blocks}
}

// assessmentErrors checks a submitted assessment: every item answered with one of its options.
// The keys are the items' block ids, as response_action errors wants them.
func assessmentErrors(items []prompts.Prompt, values map[string]map[string]string) map[string]string {
	errs := map[string]string{}
	for _, it := range items {
		v, ok := values[it.ID][it.ID]
		if !ok || v == "" {
			errs[it.ID] = "Please choose an answer for this question."
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(it.Options) {
			errs[it.ID] = "That answer isn't one of the choices."
		}
	}
	return errs
}

func (h *assessment) validate(values map[string]map[string]string, _ string) map[string]string {
	return assessmentErrors(h.Catalogue.Assessment, values)
}

func (h *assessment) command(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 0 {
		return req.Refuse(ctx, "assess takes nothing after it")
	}
	if req.TriggerID == "" {
		// A DM word has no trigger to open a modal with: offer a button that has one.
		return req.Reply(ctx, AssessmentInvite())
	}
	return h.openWith(ctx, req.UserID, req.TriggerID, req.Reply)
}

func (h *assessment) open(ctx context.Context, req slackapp.ActionRequest) error {
	return h.openWith(ctx, req.UserID, req.TriggerID, req.Reply)
}

func (h *assessment) openWith(ctx context.Context, userID, triggerID string, reply func(context.Context, slackapp.Message) error) error {
	_, err := h.app.OpenView(ctx, triggerID, AssessmentModal(h.Catalogue.Assessment, h.Catalogue.AssessmentOrders(userID)))
	if ae, ok := errors.AsType[*slackapp.APIError](err); ok && (ae.Code == "expired_trigger_id" || ae.Code == "exchanged_trigger_id") {
		return reply(ctx, AssessmentInvite())
	}
	return err
}

// AssessmentInvite is a message with a button that opens the assessment.
func AssessmentInvite() slackapp.Message {
	text := "Take the self-assessment: fifteen quick questions on how you lead and manage, and how sustainable your work is."
	return slackapp.Message{Text: text, Blocks: []slackapp.Block{
		slackapp.Section("assess_invite", text),
		slackapp.NewActionBlock("assess_invite_actions",
			slackapp.Button(ActionOpen, "Take the assessment", slackapp.ActionValue{}).WithStyle(slackapp.StylePrimary)),
	}}
}

func (h *assessment) submit(ctx context.Context, req slackapp.ViewRequest) error {
	items := h.Catalogue.Assessment
	if errs := assessmentErrors(items, req.Values); len(errs) > 0 {
		// Validated before the ack; a submission that gets here incomplete is not recorded.
		return req.Reply(ctx, slackapp.TextMessage("assess_incomplete", "Some questions had no answer, so nothing was recorded. Try `"+
			h.app.SlashCommand()+" assess` again."))
	}
	var scored []prompts.Scored
	var saved []db.AssessmentItem
	for _, it := range items {
		i, _ := strconv.Atoi(req.Values[it.ID][it.ID])
		r, err := h.Catalogue.ReadOption(it, i)
		if err != nil {
			return err
		}
		scored = append(scored, prompts.Scored{Dimension: it.Dimension, Reading: r})
		item := db.AssessmentItem{PromptID: it.ID, OptionIndex: i, Wellbeing: r.Wellbeing}
		if r.Weight > 0 {
			lean := r.Lean
			item.Lean = &lean
		}
		saved = append(saved, item)
	}
	sum := prompts.Summarise(scored)
	if err := h.Store.UpsertPerson(ctx, db.Person{UserID: req.UserID, TeamID: req.TeamID}); err != nil {
		return err
	}
	now := h.Now()
	if _, err := h.Store.SaveAssessment(ctx, db.Assessment{
		UserID: req.UserID, TakenAt: now, Lean: sum.Lean, Label: sum.Label, Items: saved,
	}); err != nil {
		return err
	}
	h.Changed(ctx, req.UserID)
	return req.Reply(ctx, AssessmentResultMessage(sum, suggestion(scored, now)))
}

// suggestion picks the summary's suggestion for a set of readings taken at once.
func suggestion(scored []prompts.Scored, at time.Time) string {
	in := report.Input{Period: report.MonthOf(at, time.UTC)}
	for _, s := range scored {
		in.Answers = append(in.Answers, report.Answer{At: at, Dimension: s.Dimension, Reading: s.Reading})
	}
	return report.Build(in).Suggestion
}

// dimensionLines writes the six dimensions, one a line.
func dimensionLines(dims map[prompts.Dimension]prompts.DimensionStat) string {
	var b strings.Builder
	for _, d := range prompts.LeanDimensions() {
		st, ok := dims[d]
		if !ok || st.Count == 0 {
			fmt.Fprintf(&b, "• %s: no answers\n", report.DimensionName(d))
			continue
		}
		fmt.Fprintf(&b, "• %s: %s\n", report.DimensionName(d), prompts.Headline(st.Lean))
	}
	return strings.TrimRight(b.String(), "\n")
}

// AssessmentResultMessage is the result: the first line carries the label and score as the
// monthly summary's does, then the six dimensions, wellbeing and one suggestion.
func AssessmentResultMessage(sum prompts.Summary, suggestion string) slackapp.Message {
	first := "Your self-assessment: " + prompts.Headline(sum.Lean)
	body := dimensionLines(sum.Dimensions)
	if sum.Wellbeing != nil {
		body += fmt.Sprintf("\n• Wellbeing: %+.2f (from −1 strained to +1 sustainable)", *sum.Wellbeing)
	}
	blocks := []slackapp.Block{
		slackapp.Section("assess_result", "*"+slackapp.EscapeMrkdwn(first)+"*"),
		slackapp.Section("assess_dimensions", slackapp.EscapeMrkdwn(body)),
	}
	text := first + "\n" + body
	if suggestion != "" {
		blocks = append(blocks, slackapp.Section("assess_suggestion", "*One thing to try:* "+slackapp.EscapeMrkdwn(suggestion)))
		text += "\nOne thing to try: " + suggestion
	}
	caveat := report.Caveat
	blocks = append(blocks, slackapp.ContextNote("assess_caveat", caveat))
	return slackapp.Message{Text: slackapp.EscapeMrkdwn(text + "\n" + caveat), Blocks: blocks}
}
