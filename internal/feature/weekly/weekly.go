// Package weekly is the weekly reflection prompts: enrolment (start, stop), schedule, pause and
// resume, the prompt, reminder and continue messages, answers by button, modal and typed DM, and
// their edits and deletions.
package weekly

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Deps are what the weekly prompts need: enrolment, schedule and pause commands, the prompt
// messages, and answers by button, modal and typed DM.
type Deps struct {
	Store     Store
	Catalogue *prompts.Catalogue
	Planner   schedule.Planner
	Now       func() time.Time
	// Poke wakes the due loop after a change that may make someone due sooner.
	Poke func()
	// Changed is called after a person's enrolment, schedule or answers changed (to refresh
	// their App Home).
	Changed func(ctx context.Context, userID string)
	// Support is where to find support (SUPPORT_TEXT with SUPPORT_URL), shown after an answer at
	// the strained end of the wellbeing scale ("seriously thinking of leaving").
	Support string
	// Extras are other features' answerable parts of a prompt's message, shown in this order
	// under the prompt and its wellbeing check.
	Extras []Extra
}

// historyLength is how many answers /reflect history shows.
const historyLength = 10

// Register wires the weekly prompts into the app. Its Handle shows a delivery's message again
// after another feature's part of it changed.
func Register(a *slackapp.App, w Deps) *Handle {
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Poke == nil {
		w.Poke = func() {}
	}
	if w.Changed == nil {
		w.Changed = func(context.Context, string) {}
	}
	h := &weekly{Deps: w, app: a}
	// Everything that changes what a person's App Home shows refreshes it after succeeding.
	cmd := func(f slackapp.CommandHandler) slackapp.CommandHandler {
		return func(ctx context.Context, req slackapp.CommandRequest) error {
			if err := f(ctx, req); err != nil {
				return err
			}
			w.Changed(ctx, req.UserID)
			return nil
		}
	}
	act := func(f slackapp.ActionHandler) slackapp.ActionHandler {
		return func(ctx context.Context, req slackapp.ActionRequest) error {
			if err := f(ctx, req); err != nil {
				return err
			}
			w.Changed(ctx, req.UserID)
			return nil
		}
	}
	a.HandleCommand("start", cmd(h.start))
	a.HandleCommand("stop", cmd(h.stop))
	a.HandleCommand("prompt", h.prompt)
	a.HandleCommand("history", h.history)
	a.HandleCommand("schedule", cmd(h.schedule))
	a.HandleCommand("pause", cmd(h.pause))
	a.HandleCommand("resume", cmd(h.resume))
	a.HandleAction(actionAnswer, act(h.onOption))
	a.HandleAction(actionChange, act(h.onOption))
	a.HandleAction(actionCheck, act(h.onOption))
	a.HandleAction(actionCheckChange, act(h.onOption))
	a.HandleAction(actionAnswerText, h.onAnswerButton)
	a.HandleAction(actionSkip, act(h.onSkip))
	a.HandleAction(actionRemind, h.onRemind)
	a.HandleAction(actionContinue, act(h.onContinue))
	a.HandleView(viewAnswerText, func(ctx context.Context, req slackapp.ViewRequest) error {
		if err := h.onModal(ctx, req); err != nil {
			return err
		}
		w.Changed(ctx, req.UserID)
		return nil
	})
	a.HandleDM(func(ctx context.Context, dm slackapp.DM) (bool, error) {
		handled, err := h.onDM(ctx, dm)
		if handled && err == nil {
			w.Changed(ctx, dm.UserID)
		}
		return handled, err
	})
	a.HandleEvent("message_changed", h.onEdited)
	a.HandleEvent("message_deleted", h.onDeleted)
	a.HandleEvent("user_change", h.onUserChange)
	a.RegisterRenderer(db.KindPrompt, h.renderPrompt)
	// Checks queued as messages of their own by an earlier version still go out as they were.
	a.RegisterRenderer(db.KindWellbeing, h.renderPrompt)
	a.RegisterRenderer(db.KindReminder, h.renderPrompt)
	a.RegisterRenderer(db.KindContinue, func(context.Context, db.OutboxItem) (slackapp.Message, error) { return ContinueMessage(), nil })
	return &Handle{w: h}
}

type weekly struct {
	Deps
	app *slackapp.App
}

func (w *weekly) command() string { return w.app.SlashCommand() }

func (w *weekly) renderPrompt(ctx context.Context, it db.OutboxItem) (slackapp.Message, error) {
	var pl db.DeliveryPayload
	if err := json.Unmarshal(it.Payload, &pl); err != nil {
		return slackapp.Message{}, err
	}
	p, ok := w.Catalogue.Prompt(pl.PromptID)
	if !ok {
		return slackapp.Message{}, errors.New("prompt no longer in the catalogue")
	}
	order := w.Catalogue.OptionOrder(it.UserID, p)
	if it.Kind != db.KindPrompt {
		return PromptMessage(it.Kind, pl.DeliveryID, p, order), nil
	}
	d := Delivery{ID: pl.DeliveryID, Prompt: Question{Prompt: p, Order: order}, Support: w.Support}
	if pl.WellbeingPromptID != "" {
		check, ok := w.Catalogue.Prompt(pl.WellbeingPromptID)
		if !ok {
			return slackapp.Message{}, errors.New("wellbeing check no longer in the catalogue")
		}
		d.Check = &Question{Prompt: check, Order: w.Catalogue.OptionOrder(it.UserID, check)}
	}
	m := DeliveryMessage(d)
	if len(w.Extras) > 0 {
		stored, err := w.Store.Delivery(ctx, it.UserID, pl.DeliveryID)
		if err != nil {
			return slackapp.Message{}, err
		}
		m = w.withExtras(ctx, it.UserID, stored, m)
	}
	return m, nil
}

// message is a delivery's message as it stands now: its prompt and its wellbeing check, each
// open, answered as recorded, or (the prompt) skipped.
func (w *weekly) message(ctx context.Context, userID string, d db.Delivery) (slackapp.Message, error) {
	p, ok := w.Catalogue.Prompt(d.PromptID)
	if !ok {
		return slackapp.Message{}, errors.New("prompt no longer in the catalogue")
	}
	answers, err := w.Store.DeliveryAnswers(ctx, userID, d.ID)
	if err != nil {
		return slackapp.Message{}, err
	}
	out := Delivery{ID: d.ID, Prompt: w.question(userID, p, answers), Skipped: d.State == db.DeliverySkipped, Support: w.Support}
	if check, ok := w.Catalogue.Prompt(d.WellbeingPromptID); ok && d.WellbeingPromptID != "" {
		q := w.question(userID, check, answers)
		out.Check = &q
	}
	return w.withExtras(ctx, userID, d, DeliveryMessage(out)), nil
}

// question is p as its part of a delivery's message shows it, given the delivery's answers.
func (w *weekly) question(userID string, p prompts.Prompt, answers []db.Answer) Question {
	q := Question{Prompt: p, Order: w.Catalogue.OptionOrder(userID, p)}
	for _, a := range answers {
		if a.PromptID != p.ID {
			continue
		}
		shown := &Shown{Text: a.Text, Option: -1, Change: changeNone}
		if a.MessageTS != "" {
			shown.Change = changeByEdit // a typed DM: edited or deleted to change it
		}
		if a.OptionIndex != nil && *a.OptionIndex >= 0 && *a.OptionIndex < len(p.Options) {
			shown.Text = p.Options[*a.OptionIndex].Label
			r, err := w.Catalogue.ReadOption(p, *a.OptionIndex)
			if err != nil {
				return q
			}
			shown.Reading = r
			if a.Source == "button" {
				shown.Option, shown.Change = *a.OptionIndex, changeByTap
			}
		} else {
			shown.Reading = w.Catalogue.ReadText(p, a.Text)
		}
		q.Answer = shown
	}
	return q
}

// showDelivery updates a delivery's message, once posted, to show where it stands now.
func (w *weekly) showDelivery(ctx context.Context, userID string, d db.Delivery) error {
	if d.TS == "" {
		return nil
	}
	return w.show(ctx, userID, d, d.ChannelID, d.TS)
}

// show updates the message at channel and ts to d's message as it stands. Two handlers for the
// same delivery (an edit and a deletion of a typed answer, taps on both halves) may run at once,
// and the update of the one that read first may reach Slack last: so after its update each reads
// again, and updates again if what it showed is no longer so. The last update is then always of
// the latest state.
func (w *weekly) show(ctx context.Context, userID string, d db.Delivery, channel, ts string) error {
	var shown []byte
	for range 3 {
		m, err := w.message(ctx, userID, d)
		if err != nil {
			return err
		}
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if bytes.Equal(b, shown) {
			return nil
		}
		if err := w.app.UpdateMessage(ctx, channel, ts, m); err != nil {
			return err
		}
		shown = b
		if d, err = w.Store.Delivery(ctx, userID, d.ID); err != nil {
			return err
		}
	}
	return nil
}

// person returns the stored person, or a private note for someone Reflect does not know yet.
func (w *weekly) person(ctx context.Context, req slackapp.CommandRequest) (db.Person, bool, error) {
	p, err := w.Store.Person(ctx, req.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return db.Person{}, false, req.Reply(ctx, slackapp.TextMessage("not_enrolled",
			fmt.Sprintf("You're not getting Reflect's weekly prompts yet. `%s start` signs you up.", w.command())))
	}
	return p, err == nil, err
}

// profile looks a person up in Slack (time zone, deleted, bot) and stores what it finds.
func (w *weekly) profile(ctx context.Context, userID, teamID string) (db.Person, slackapp.UserProfile, error) {
	u, err := w.app.UserInfo(ctx, userID)
	if err != nil {
		return db.Person{}, slackapp.UserProfile{}, err
	}
	return db.Person{UserID: userID, TeamID: teamID, TZ: u.TZ}, u, nil
}

func (w *weekly) start(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 0 {
		return w.usageError(ctx, req, "start takes nothing after it")
	}
	p, u, err := w.profile(ctx, req.UserID, req.TeamID)
	if err != nil {
		return err
	}
	if u.IsBot || u.Deleted {
		return req.Reply(ctx, slackapp.TextMessage("start_refused", "Reflect's prompts are for people: this account can't be enrolled."))
	}
	stored, err := w.Store.Person(ctx, req.UserID)
	slot := ""
	if err == nil {
		slot = stored.Slot
	}
	now := w.Now()
	if _, err := w.Store.Start(ctx, p, "self", w.Planner.Next(slot, p.TZ, now)); err != nil {
		return err
	}
	w.Poke()
	stored, err = w.Store.Person(ctx, req.UserID)
	if err != nil {
		return err
	}
	return req.Reply(ctx, slackapp.TextMessage("started", fmt.Sprintf(
		"You're in. Each week I'll DM you one short reflection prompt; the next comes on %s. "+
			"`%s schedule` picks another day and time, `%s stop` ends it.",
		w.nextText(stored), w.command(), w.command())))
}

// nextText says when a person's next prompt comes, in their zone.
func (w *weekly) nextText(p db.Person) string {
	loc := schedule.Location(p.TZ)
	if p.NextDueAt == nil {
		return "no date yet"
	}
	next := *p.NextDueAt
	if p.PausedUntil != nil && p.PausedUntil.After(next) {
		if p.PausedUntil.Equal(schedule.Forever) {
			return "no date: you're paused until you resume"
		}
		// The first occurrence at or after the pause ends.
		next = w.Planner.SpecFor(p.Slot).Next(p.PausedUntil.Add(-time.Minute), loc)
	}
	return slackapp.DateText(next, loc)
}

func (w *weekly) stop(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 0 {
		return w.usageError(ctx, req, "stop takes nothing after it")
	}
	was, err := w.Store.Stop(ctx, req.UserID)
	if err != nil {
		return err
	}
	if !was {
		return req.Reply(ctx, slackapp.TextMessage("stop_noop", fmt.Sprintf(
			"You weren't getting weekly prompts, so nothing changed. `%s start` signs you up.", w.command())))
	}
	return req.Reply(ctx, slackapp.TextMessage("stopped", fmt.Sprintf(
		"Done: no more weekly prompts. Your answers are kept (`%s forget` deletes them); `%s start` brings the prompts back.",
		w.command(), w.command())))
}

func (w *weekly) prompt(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 0 {
		return w.usageError(ctx, req, "prompt takes nothing after it")
	}
	if _, err := w.Store.Person(ctx, req.UserID); errors.Is(err, db.ErrNotFound) {
		p, u, err := w.profile(ctx, req.UserID, req.TeamID)
		if err != nil {
			return err
		}
		if u.IsBot || u.Deleted {
			return req.Reply(ctx, slackapp.TextMessage("prompt_refused", "Reflect's prompts are for people."))
		}
		if err := w.Store.UpsertPerson(ctx, p); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	asked, err := w.Store.AskedPrompts(ctx, req.UserID)
	if err != nil {
		return err
	}
	p, ok := w.Catalogue.NextPrompt(req.UserID, asked)
	if !ok {
		return errors.New("slackapp: prompt: the catalogue has no prompt")
	}
	if _, err := w.Store.CreateDelivery(ctx, req.UserID, db.NewDelivery{
		Occurrence: w.Now(), Kind: db.DeliveryOnDemand, PromptID: p.ID,
	}); err != nil {
		return err
	}
	w.app.Notify()
	if req.FromDM {
		return nil // the prompt itself is the answer
	}
	return req.Reply(ctx, slackapp.TextMessage("prompt_sent", "A reflection prompt is on its way to your DMs with me. "+
		"Answering it before your next scheduled prompt counts for that week."))
}

func (w *weekly) history(ctx context.Context, req slackapp.CommandRequest) error {
	p, ok, err := w.person(ctx, req)
	if !ok {
		return err
	}
	answers, err := w.Store.RecentAnswers(ctx, req.UserID, historyLength)
	if err != nil {
		return err
	}
	return req.Reply(ctx, HistoryMessage(answers, w.Catalogue, schedule.Location(p.TZ)))
}

// usageError answers bad arguments privately, naming the problem and the right usage. Nothing
// changes.
func (w *weekly) usageError(ctx context.Context, req slackapp.CommandRequest, problem string) error {
	return req.Refuse(ctx, problem)
}

func (w *weekly) schedule(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) == 0 {
		return w.usageError(ctx, req, fmt.Sprintf("schedule needs a day and a time, like `%s schedule tue 10:30`", w.command()))
	}
	slot, err := schedule.ParseSlot(strings.Join(req.Command.Args, " "))
	if err != nil {
		return w.usageError(ctx, req, err.Error())
	}
	p, ok, err := w.person(ctx, req)
	if !ok {
		return err
	}
	next := w.Planner.Next(slot.String(), p.TZ, w.Now())
	if err := w.Store.SetSchedule(ctx, req.UserID, slot.String(), next); err != nil {
		return err
	}
	w.Poke()
	if p, err = w.Store.Person(ctx, req.UserID); err != nil {
		return err
	}
	return req.Reply(ctx, slackapp.TextMessage("scheduled", fmt.Sprintf(
		"Done: your prompts now come on %ss at %02d:%02d, your time. Next: %s.",
		slot.Day, slot.Hour, slot.Minute, w.nextText(p))))
}

func (w *weekly) pause(ctx context.Context, req slackapp.CommandRequest) error {
	p, err := w.Store.Person(ctx, req.UserID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	loc := schedule.Location(p.TZ)
	until, perr := schedule.ParsePause(req.Command.Args, w.Now(), loc)
	if perr != nil {
		return w.usageError(ctx, req, perr.Error())
	}
	if errors.Is(err, db.ErrNotFound) {
		_, _, err := w.person(ctx, req)
		return err
	}
	if err := w.Store.SetPause(ctx, req.UserID, &until); err != nil {
		return err
	}
	text := "Paused until you resume. `" + w.command() + " resume` brings the prompts back."
	if !until.Equal(schedule.Forever) {
		text = fmt.Sprintf("Paused. Prompts come again from %s; `%s resume` brings them back sooner.",
			until.In(loc).Format("Monday 2 January 2006"), w.command())
	}
	return req.Reply(ctx, slackapp.TextMessage("paused", text))
}

func (w *weekly) resume(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 0 {
		return w.usageError(ctx, req, "resume takes nothing after it")
	}
	p, ok, err := w.person(ctx, req)
	if !ok {
		return err
	}
	if paused := p.PausedUntil != nil && p.PausedUntil.After(w.Now()); !paused && p.NextDueAt != nil {
		return req.Reply(ctx, slackapp.TextMessage("not_paused",
			"You're not paused, so there is nothing to resume. Your next prompt comes on "+w.nextText(p)+"."))
	}
	if err := w.Store.SetPause(ctx, req.UserID, nil); err != nil {
		return err
	}
	p.PausedUntil = nil
	if p.NextDueAt == nil {
		return req.Reply(ctx, slackapp.TextMessage("resumed", fmt.Sprintf(
			"Resumed, but you're not enrolled: `%s start` signs you up.", w.command())))
	}
	return req.Reply(ctx, slackapp.TextMessage("resumed", "Welcome back. Your next prompt comes on "+w.nextText(p)+"."))
}

// delivery finds the person's delivery a click or modal refers to, and its prompt. ok is false
// when the button no longer leads anywhere; the person has then been told.
func (w *weekly) delivery(ctx context.Context, userID string, v slackapp.ActionValue,
	reply func(context.Context, slackapp.Message) error) (db.Delivery, prompts.Prompt, bool, error) {
	d, err := w.Store.Delivery(ctx, userID, v.DeliveryID)
	if errors.Is(err, db.ErrNotFound) {
		return d, prompts.Prompt{}, false, reply(ctx, slackapp.TextMessage("gone", "That prompt is no longer open, so nothing was recorded."))
	}
	if err != nil {
		return d, prompts.Prompt{}, false, err
	}
	id := v.PromptID
	if id == "" {
		id = d.PromptID
	}
	p, ok := w.Catalogue.Prompt(id)
	if !ok || (id != d.PromptID && id != d.WellbeingPromptID) {
		return d, p, false, reply(ctx, slackapp.TextMessage("gone", "That question is no longer in the catalogue, so nothing was recorded."))
	}
	return d, p, true, nil
}

// inOwnDM reports whether a click came from the clicker's own DM with the bot, where the messages
// of their deliveries are: a handler updates the clicked message only then. A payload whose
// conversation is anyone else's (forged, or replayed from elsewhere) changes nothing.
func inOwnDM(ctx context.Context, app *slackapp.App, store Store, req slackapp.ActionRequest, d *db.Delivery) (bool, error) {
	if req.ChannelID == "" {
		return false, nil
	}
	if d != nil && d.ChannelID != "" {
		return req.ChannelID == d.ChannelID, nil
	}
	p, err := store.Person(ctx, req.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if p.DMChannelID != "" {
		return req.ChannelID == p.DMChannelID, nil
	}
	// A click on a first message whose post is not recorded yet: ask Slack which DM is theirs.
	dm, err := app.OpenDM(ctx, req.UserID)
	if err != nil {
		return false, err
	}
	return req.ChannelID == dm, nil
}

// fromOwnDM reports whether a click came from the clicker's own DM with the bot (see inOwnDM). When
// it did not, it has answered the clicker with notYourMessage, and the error is that answer's.
func (w *weekly) fromOwnDM(ctx context.Context, req slackapp.ActionRequest, d *db.Delivery) (bool, error) {
	own, err := inOwnDM(ctx, w.app, w.Store, req, d)
	if err != nil {
		return false, err
	}
	if !own {
		return false, req.Reply(ctx, notYourMessage())
	}
	return true, nil
}

// notYourMessage answers a click whose message is not in the clicker's own DM with the bot.
func notYourMessage() slackapp.Message {
	return slackapp.TextMessage("not_yours", "That button isn't in your own conversation with me, so nothing was changed.")
}

func (w *weekly) onOption(ctx context.Context, req slackapp.ActionRequest) error {
	v, err := req.ParsedValue()
	if err != nil || !v.HasOption {
		return req.Reply(ctx, slackapp.TextMessage("bad_button", "That button didn't carry an answer I can read, so nothing was recorded."))
	}
	d, p, ok, err := w.delivery(ctx, req.UserID, v, req.Reply)
	if !ok {
		return err
	}
	if own, err := w.fromOwnDM(ctx, req, &d); !own {
		return err
	}
	r, err := w.Catalogue.ReadOption(p, v.Option)
	if err != nil {
		return req.Reply(ctx, slackapp.TextMessage("bad_button", "That option isn't part of the question, so nothing was recorded."))
	}
	opt := v.Option
	if err := w.Store.RecordAnswer(ctx, db.Answer{
		UserID: req.UserID, DeliveryID: d.ID, PromptID: p.ID, OptionIndex: &opt,
		Lean: r.Lean, Weight: r.Weight, Wellbeing: r.Wellbeing, Explanation: r.Explain(), Source: "button",
	}); err != nil {
		return err
	}
	if d.TS == "" || req.MessageTS == d.TS {
		// The delivery's own message (a tap on it before its post is recorded can only come from
		// it): both halves, as they stand, so an answer to one leaves the other as it was.
		return w.show(ctx, req.UserID, d, req.ChannelID, req.MessageTS)
	}
	// A reminder, or a check posted as a message of its own by an earlier version: that message
	// shows its one question answered.
	msg := AnsweredOptionMessage(d.ID, p, w.Catalogue.OptionOrder(req.UserID, p), v.Option, r)
	if r.Wellbeing != nil && *r.Wellbeing <= strainedEnd {
		msg = WithSupport(msg, w.Support)
	}
	if err := w.app.UpdateMessage(ctx, req.ChannelID, req.MessageTS, msg); err != nil {
		return err
	}
	// Answered from the reminder: the prompt above shows it too.
	if p.ID == d.PromptID {
		return w.showDelivery(ctx, req.UserID, d)
	}
	return nil
}

func (w *weekly) onAnswerButton(ctx context.Context, req slackapp.ActionRequest) error {
	v, err := req.ParsedValue()
	if err != nil {
		return req.Reply(ctx, slackapp.TextMessage("bad_button", "That button didn't carry a question I can read."))
	}
	d, p, ok, err := w.delivery(ctx, req.UserID, v, req.Reply)
	if !ok {
		return err
	}
	_, err = w.app.OpenView(ctx, req.TriggerID, AnswerModal(d.ID, p))
	var apiErr *slackapp.APIError
	if errors.As(err, &apiErr) && apiErr.Code == "expired_trigger_id" {
		return req.Reply(ctx, slackapp.TextMessage("slow", "That took me too long to open. Tap Answer again, or just reply here in the DM."))
	}
	return err
}

func (w *weekly) onModal(ctx context.Context, req slackapp.ViewRequest) error {
	v, err := slackapp.ParseActionValue(req.PrivateMetadata)
	if err != nil {
		return req.Reply(ctx, slackapp.TextMessage("bad_modal", "I couldn't tell which question that answered, so nothing was recorded."))
	}
	d, p, ok, err := w.delivery(ctx, req.UserID, v, req.Reply)
	if !ok {
		return err
	}
	text := strings.TrimSpace(db.CleanText(req.Values[textBlockID][textActionID]))
	if text == "" {
		return req.Reply(ctx, slackapp.TextMessage("empty_answer", "Your answer was empty, so nothing was recorded."))
	}
	_, err = w.recordText(ctx, req.UserID, d, p, text, "modal", "")
	return err
}

// recordText stores a free-text answer, read with the lexicon whatever the prompt's kind, and shows
// it on the prompt message.
func (w *weekly) recordText(ctx context.Context, userID string, d db.Delivery, p prompts.Prompt, text, source, messageTS string) (prompts.Reading, error) {
	text = slackapp.Truncate(db.CleanText(text), maxAnswerLength)
	r := w.Catalogue.ReadText(p, text)
	if err := w.Store.RecordAnswer(ctx, db.Answer{
		UserID: userID, DeliveryID: d.ID, PromptID: p.ID, Text: text,
		Lean: r.Lean, Weight: r.Weight, Wellbeing: r.Wellbeing, Explanation: r.Explain(), Source: source, MessageTS: messageTS,
	}); err != nil {
		return r, err
	}
	// A modal's answer cannot be reopened from the message; a typed one can be edited or deleted.
	return r, w.showDelivery(ctx, userID, d)
}

// onDM takes a typed DM as the answer to the person's open prompt: their newest delivery still
// waiting for an answer (the current occurrence's prompt, or one asked for with /reflect prompt
// since). A text prompt gets it as its answer, as before; a scale or choice prompt gets it as a
// written answer, read with the lexicon like any other free text, unless the words are exactly one
// of its options, which then counts as tapping it. Either way the prompt message shows the recorded
// answer in place of its buttons; editing the DM re-reads it and deleting it brings the buttons
// back. Older open prompts are left alone, so a reply never lands on a question the person is no
// longer looking at. A lone command word (stop, help…) is left to the command handling.
func (w *weekly) onDM(ctx context.Context, dm slackapp.DM) (bool, error) {
	if c, err := slackapp.ParseCommand(dm.Text); err == nil && len(c.Args) == 0 && w.app.IsDMVerb(c.Verb) {
		return false, nil
	}
	if strings.TrimSpace(db.CleanText(dm.Text)) == "" {
		return false, nil
	}
	open, err := w.Store.OpenDeliveries(ctx, dm.UserID, 1)
	if err != nil || len(open) == 0 {
		return false, err
	}
	d := open[0]
	p, ok := w.Catalogue.Prompt(d.PromptID)
	if !ok {
		return false, nil
	}
	r, option, err := w.recordTyped(ctx, dm.UserID, d, p, dm.Text, dm.TS)
	if err != nil {
		return false, err
	}
	var text string
	switch {
	case option >= 0:
		text = "Thanks, recorded as your answer to this week's prompt, the same as tapping “" +
			slackapp.EscapeMrkdwn(p.Options[option].Label) + "”: " + slackapp.EscapeMrkdwn(r.Explain()) + ". Edit or delete your message to change it."
	case p.Kind != prompts.Text:
		text = "Thanks, recorded as a written answer to this week's prompt (in place of its buttons): " +
			slackapp.EscapeMrkdwn(r.Explain()) + ". Edit your message to change it, or delete it to get the buttons back."
	default:
		text = "Thanks, recorded as your answer to this week's prompt: " + slackapp.EscapeMrkdwn(r.Explain()) +
			". Edit or delete your message to change it."
	}
	return true, dm.Reply(ctx, slackapp.TextMessage("dm_recorded", text))
}

// recordTyped stores a typed DM as the answer to p: as the option whose label it repeats, when p
// has one, else as a written answer. option is the index of that option, or -1.
func (w *weekly) recordTyped(ctx context.Context, userID string, d db.Delivery, p prompts.Prompt, text, ts string) (prompts.Reading, int, error) {
	if i := optionTyped(p, text); i >= 0 {
		r, err := w.Catalogue.ReadOption(p, i)
		if err != nil {
			return r, -1, err
		}
		if err := w.Store.RecordAnswer(ctx, db.Answer{
			UserID: userID, DeliveryID: d.ID, PromptID: p.ID, OptionIndex: &i, Text: slackapp.Truncate(text, maxAnswerLength),
			Lean: r.Lean, Weight: r.Weight, Wellbeing: r.Wellbeing, Explanation: r.Explain(), Source: "dm", MessageTS: ts,
		}); err != nil {
			return r, -1, err
		}
		return r, i, w.showDelivery(ctx, userID, d)
	}
	r, err := w.recordText(ctx, userID, d, p, text, "dm", ts)
	return r, -1, err
}

// optionTyped returns the index of the option of p whose label text repeats, ignoring case, spaces
// and final punctuation, or -1.
func optionTyped(p prompts.Prompt, text string) int {
	norm := func(s string) string {
		return strings.ToLower(strings.Join(strings.Fields(strings.TrimRight(strings.TrimSpace(s), ".!")), " "))
	}
	t := norm(text)
	for i, o := range p.Options {
		if norm(o.Label) == t {
			return i
		}
	}
	return -1
}

// onEdited re-reads a typed answer whose DM was edited.
func (w *weekly) onEdited(ctx context.Context, ev slackapp.Event) error {
	a, err := w.Store.AnswerByMessage(ctx, ev.UserID, ev.TS)
	if errors.Is(err, db.ErrNotFound) {
		return nil // an edit of a message that was not an answer
	}
	if err != nil {
		return err
	}
	d, err := w.Store.Delivery(ctx, ev.UserID, a.DeliveryID)
	if err != nil {
		return err
	}
	p, ok := w.Catalogue.Prompt(a.PromptID)
	if !ok || strings.TrimSpace(ev.Text) == "" {
		return nil
	}
	_, _, err = w.recordTyped(ctx, ev.UserID, d, p, ev.Text, ev.TS)
	return err
}

// onDeleted removes a typed answer whose DM was deleted, and reopens the prompt.
func (w *weekly) onDeleted(ctx context.Context, ev slackapp.Event) error {
	a, err := w.Store.DeleteAnswerByMessage(ctx, ev.UserID, ev.TS)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d, err := w.Store.Delivery(ctx, ev.UserID, a.DeliveryID)
	if err != nil {
		return err
	}
	return w.showDelivery(ctx, ev.UserID, d)
}

func (w *weekly) onSkip(ctx context.Context, req slackapp.ActionRequest) error {
	v, err := req.ParsedValue()
	if err != nil {
		return req.Reply(ctx, slackapp.TextMessage("bad_button", "That button didn't carry a prompt I can read."))
	}
	d, p, ok, err := w.delivery(ctx, req.UserID, v, req.Reply)
	if !ok {
		return err
	}
	if own, err := w.fromOwnDM(ctx, req, &d); !own {
		return err
	}
	if _, err := w.Store.SkipDelivery(ctx, req.UserID, d.ID); err != nil {
		return err
	}
	if d, err = w.Store.Delivery(ctx, req.UserID, d.ID); err != nil {
		return err
	}
	if d.TS != "" && req.MessageTS != d.TS {
		// Skipped from the reminder: it says so, and the prompt above shows it too.
		if err := w.app.UpdateMessage(ctx, req.ChannelID, req.MessageTS, SkippedMessage(p)); err != nil {
			return err
		}
		return w.showDelivery(ctx, req.UserID, d)
	}
	// The delivery's message: the prompt skipped, its wellbeing check as it stands.
	return w.show(ctx, req.UserID, d, req.ChannelID, req.MessageTS)
}

func (w *weekly) onRemind(ctx context.Context, req slackapp.ActionRequest) error {
	v, err := req.ParsedValue()
	if err != nil {
		return req.Reply(ctx, slackapp.TextMessage("bad_button", "That button didn't carry a prompt I can read."))
	}
	queued, err := w.Store.RemindLater(ctx, req.UserID, v.DeliveryID, w.Now().Add(24*time.Hour))
	if err != nil {
		return err
	}
	if !queued {
		return req.Reply(ctx, slackapp.TextMessage("remind_noop", "That prompt is already answered or closed, so there's nothing to remind you of."))
	}
	return req.Reply(ctx, slackapp.TextMessage("remind_ok", "Sure: I'll nudge you about it this time tomorrow."))
}

func (w *weekly) onContinue(ctx context.Context, req slackapp.ActionRequest) error {
	v, _ := req.ParsedValue()
	if own, err := w.fromOwnDM(ctx, req, nil); !own {
		return err
	}
	var text string
	switch v.Arg {
	case "pause":
		until := w.Now().AddDate(0, 0, 7*continuePauseWeeks)
		if err := w.Store.SetPause(ctx, req.UserID, &until); err != nil {
			return err
		}
		text = fmt.Sprintf("Paused for %d weeks. `%s resume` brings the prompts back sooner.", continuePauseWeeks, w.command())
	case "carry":
		if err := w.Store.SetPause(ctx, req.UserID, nil); err != nil {
			return err
		}
		text = "Great, the weekly prompts carry on from the next one."
	case "stop":
		if _, err := w.Store.Stop(ctx, req.UserID); err != nil {
			return err
		}
		text = fmt.Sprintf("Done: no more weekly prompts. `%s start` brings them back.", w.command())
	default:
		return req.Reply(ctx, slackapp.TextMessage("bad_button", "That button didn't carry a choice I can read."))
	}
	return w.app.UpdateMessage(ctx, req.ChannelID, req.MessageTS, ContinueAnsweredMessage(text))
}

// onUserChange keeps a person's time zone current and unenrols deleted accounts.
// https://docs.slack.dev/reference/events/user_change
func (w *weekly) onUserChange(ctx context.Context, ev slackapp.Event) error {
	p, err := w.Store.Person(ctx, ev.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return nil // not someone Reflect knows
	}
	if err != nil {
		return err
	}
	if ev.UserDeleted || ev.UserIsBot {
		if p.Deleted {
			return nil
		}
		return w.Store.MarkPersonDeleted(ctx, ev.UserID)
	}
	var body struct {
		User struct {
			TZ string `json:"tz"`
		} `json:"user"`
	}
	if err := json.Unmarshal(ev.Raw, &body); err != nil || body.User.TZ == "" || body.User.TZ == p.TZ {
		return nil
	}
	if err := w.Store.UpsertPerson(ctx, db.Person{UserID: p.UserID, TZ: body.User.TZ}); err != nil {
		return err
	}
	if p.NextDueAt == nil {
		return nil
	}
	// The next occurrence moves to the same wall-clock time in the new zone.
	return w.Store.SetSchedule(ctx, p.UserID, p.Slot, w.Planner.Next(p.Slot, body.User.TZ, w.Now()))
}
