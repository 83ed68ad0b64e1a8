// Package privacy is what people control of their data: /reflect export, /reflect forget, and the
// daily retention job that purges old answers.
package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// The forget confirmation's buttons.
const (
	actionForgetConfirm = "forget_confirm"
	actionForgetCancel  = "forget_cancel"
)

// Retention pace and horizons.
const (
	// retentionKey is the app_state key holding when the retention purge last ran (RFC 3339).
	retentionKey = "retention_last_run"
	// retentionEvery is how often the purge runs: once a day is plenty for a horizon in months.
	retentionEvery = 24 * time.Hour
	// eventsKept covers Slack's retries of an event, the last of which comes minutes after it.
	eventsKept = 2 * time.Hour
	// outboxKept keeps sent and failed posts for a week, to look into a problem; their payloads
	// can quote what a person wrote, so no longer.
	outboxKept = 7 * 24 * time.Hour
	// defaultRetentionMonths is RETENTION_MONTHS' default: answers are kept two years.
	defaultRetentionMonths = 24
)

// Deps are what the privacy feature needs. People control their data: /reflect export sends them a
// JSON file of everything stored about them, /reflect forget deletes it all after a confirmation,
// and a daily job purges answers and assessments older than the retention period, with the seen
// event ids and old outbox posts. Every handler acts for the Slack-verified user of the request,
// never for an id a button or payload carries.
type Deps struct {
	Store Store
	// Catalogue names the questions and chosen options in an export; nil leaves them out.
	Catalogue *prompts.Catalogue
	// RetentionMonths is RETENTION_MONTHS; 0 means the default, 24.
	RetentionMonths int
	// Changed is called after a person was forgotten (to refresh their App Home, which would
	// otherwise keep showing their results).
	Changed func(ctx context.Context, userID string)
	// Annotate lets other features name, in an export, what their rows refer to (an experiment's
	// title and text, say), so the file reads on its own. Each gets the export before it is
	// written and must copy any list it changes.
	Annotate []func(ex *db.Export)
}

// Handle gives the due loop the retention job.
type Handle struct{ h *privacy }

type privacy struct {
	Deps
	app *slackapp.App
}

// Register wires export, forget and retention into the app. Add the handle's Retention to
// the due loop's jobs.
func Register(a *slackapp.App, p Deps) *Handle {
	if p.RetentionMonths <= 0 {
		p.RetentionMonths = defaultRetentionMonths
	}
	if p.Changed == nil {
		p.Changed = func(context.Context, string) {}
	}
	h := &privacy{Deps: p, app: a}
	a.HandleCommand("export", h.export)
	a.HandleCommand("forget", h.forget)
	a.HandleAction(actionForgetConfirm, h.onForgetConfirm)
	a.HandleAction(actionForgetCancel, h.onForgetCancel)
	a.RegisterUpload(db.KindExport, h.renderExport)
	return &Handle{h: h}
}

func (h *privacy) command() string { return h.app.SlashCommand() }

func (h *privacy) usageError(ctx context.Context, req slackapp.CommandRequest, problem string) error {
	return req.Refuse(ctx, problem)
}

// export queues the caller's data export; the file is built when it is sent.
func (h *privacy) export(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 0 {
		return h.usageError(ctx, req, "export takes nothing after it")
	}
	queued, err := h.Store.QueueExport(ctx, req.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return req.Reply(ctx, NothingStoredMessage(h.command()))
	}
	if err != nil {
		return err
	}
	if !queued {
		return req.Reply(ctx, slackapp.TextMessage("export_waiting", "Your data export is already on its way to your DMs with me."))
	}
	h.app.Notify()
	return req.Reply(ctx, ExportQueuedMessage(h.command()))
}

// renderExport builds the export file from the store when the relay sends it, so the outbox
// holds nothing of the person's and the file is as fresh as the moment it is shared.
func (h *privacy) renderExport(ctx context.Context, it db.OutboxItem) (slackapp.Upload, error) {
	ex, err := h.Store.Export(ctx, it.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return slackapp.Upload{}, slackapp.ErrNothingToSend // forgotten since asking: there is nothing to send
	}
	if err != nil {
		return slackapp.Upload{}, err
	}
	for _, annotate := range h.Annotate {
		annotate(&ex)
	}
	return ExportUpload(ex, h.Catalogue)
}

// ExportUpload is the export as a file: indented JSON named after the day it was made, in the
// person's own time zone. With a catalogue, answers and assessment items also name their question
// and the option chosen, so the file reads on its own.
func ExportUpload(ex db.Export, cat *prompts.Catalogue) (slackapp.Upload, error) {
	if cat != nil {
		// ex came by value, but its lists share their arrays with the caller's: name copies.
		ex.Answers = append([]db.ExportAnswer(nil), ex.Answers...)
		ex.Assessments = append([]db.ExportAssessment(nil), ex.Assessments...)
		for i := range ex.Answers {
			a := &ex.Answers[i]
			a.Question, a.Choice = describe(cat, a.PromptID, a.OptionIndex)
		}
		for i := range ex.Assessments {
			ex.Assessments[i].Items = append([]db.ExportAssessmentItem(nil), ex.Assessments[i].Items...)
			for j := range ex.Assessments[i].Items {
				it := &ex.Assessments[i].Items[j]
				opt := it.OptionIndex
				it.Question, it.Choice = describe(cat, it.PromptID, &opt)
			}
		}
	}
	data, err := json.MarshalIndent(ex, "", "  ")
	if err != nil {
		return slackapp.Upload{}, fmt.Errorf("slackapp: export: %w", err)
	}
	day := ex.ExportedAt.In(schedule.Location(ex.Person.TZ))
	return slackapp.Upload{
		Filename: "reflect-export-" + day.Format("2006-01-02") + ".json",
		Title:    "Your Reflect data, " + day.Format("2 January 2006"),
		AltText:  "A JSON file of everything Reflect stores about you",
		Data:     append(data, '\n'),
	}, nil
}

// describe returns a prompt's question and the label of the option chosen, if the catalogue
// still has them.
func describe(cat *prompts.Catalogue, promptID string, option *int) (question, choice string) {
	p, ok := cat.Prompt(promptID)
	if !ok {
		return "", ""
	}
	if option != nil && *option >= 0 && *option < len(p.Options) {
		choice = p.Options[*option].Label
	}
	return p.Text, choice
}

// forget asks for a confirmation in the caller's DM. Nothing is deleted until they press the
// button there.
func (h *privacy) forget(ctx context.Context, req slackapp.CommandRequest) error {
	if len(req.Command.Args) > 0 {
		return h.usageError(ctx, req, "forget takes nothing after it")
	}
	if _, err := h.Store.Person(ctx, req.UserID); errors.Is(err, db.ErrNotFound) {
		return req.Reply(ctx, NothingStoredMessage(h.command()))
	} else if err != nil {
		return err
	}
	// The confirmation goes to the DM rather than into this private reply: an ephemeral message
	// can be replaced only through its response_url, which a handler does not get, and the
	// confirmation must become "All your data is deleted" once done.
	if err := h.app.SendDM(ctx, req.UserID, ForgetConfirmMessage(req.UserID, h.command())); err != nil {
		return err
	}
	return req.Reply(ctx, slackapp.TextMessage("forget_asked",
		"I've sent you a message in our DM to confirm. Nothing is deleted until you press *Delete everything* there."))
}

// onForgetConfirm deletes everything about the person who clicked. The button names the person it
// was made for; a button naming anyone else (a forged or shared one) deletes nothing, and the
// deletion is always of the clicking user, whom Slack vouches for.
func (h *privacy) onForgetConfirm(ctx context.Context, req slackapp.ActionRequest) error {
	v, err := req.ParsedValue()
	if err != nil || v.Arg != req.UserID {
		h.app.Logger().Warn("forget refused: the button was not made for the person who clicked it")
		return req.Reply(ctx, ForgetRefusedMessage(h.command()))
	}
	dm, err := h.ownDM(ctx, req.UserID)
	if err != nil {
		return err
	}
	knew, err := h.Store.Forget(ctx, req.UserID)
	pending := errors.Is(err, db.ErrErasePending)
	if err != nil && !pending {
		return err
	}
	// No user id in the log: after a forget, nothing should tie the line to the person.
	h.app.Logger().Info("forget done", "known", knew, "disk_erasure_pending", pending)
	h.Changed(ctx, req.UserID)
	if pending {
		return h.replace(ctx, req, dm, ForgetPendingMessage(h.command()))
	}
	return h.replace(ctx, req, dm, ForgetDoneMessage(knew, h.command()))
}

func (h *privacy) onForgetCancel(ctx context.Context, req slackapp.ActionRequest) error {
	dm, err := h.ownDM(ctx, req.UserID)
	if err != nil {
		return err
	}
	return h.replace(ctx, req, dm, slackapp.TextMessage("forget_cancelled", "Nothing was deleted: your data stays as it was."))
}

// ownDM is the person's DM channel with the bot: as stored, or, when the first DM's post is not
// recorded yet (the confirmation may be that first DM), as Slack says.
func (h *privacy) ownDM(ctx context.Context, userID string) (string, error) {
	p, err := h.Store.Person(ctx, userID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return "", err
	}
	if p.DMChannelID != "" {
		return p.DMChannelID, nil
	}
	return h.app.OpenDM(ctx, userID)
}

// replace shows m in place of the message clicked, or privately when it cannot be updated.
// Only a message in the clicker's own DM (dm, read before anything was deleted) is replaced: the
// payload's conversation could name anyone's.
func (h *privacy) replace(ctx context.Context, req slackapp.ActionRequest, dm string, m slackapp.Message) error {
	if req.ChannelID != "" && req.MessageTS != "" && req.ChannelID == dm {
		err := h.app.UpdateMessage(ctx, req.ChannelID, req.MessageTS, m)
		if err == nil {
			return nil
		}
		h.app.Logger().Warn("could not update the forget confirmation; answering privately", "error", err)
	}
	return req.Reply(ctx, m)
}

// Retention is the due loop's daily job: it purges answers and assessments older than
// RetentionMonths, seen event ids older than two hours and sent or failed posts older than a
// week, and logs how many of each went (never what). It runs at most once a day, remembering its
// last run in app_state, so a restart or a second replica does not run it again; a run that
// fails is tried again on the next tick.
func (p *Handle) Retention(ctx context.Context, now time.Time) error {
	h := p.h
	// An erasure a long reader held up is finished on the next tick after it ends.
	if pending, err := h.Store.FinishErase(ctx); err != nil {
		return err
	} else if pending {
		h.app.Logger().Info("erasure on disk still waits for a reader to end")
	}
	last, ok, err := h.Store.AppState(ctx, retentionKey)
	if err != nil {
		return err
	}
	if ok && !retentionDue(last, now) {
		return nil
	}
	cutoff := now.AddDate(0, -h.RetentionMonths, 0)
	answers, err := h.Store.PurgeAnswers(ctx, cutoff)
	if err != nil && !errors.Is(err, db.ErrErasePending) { // FinishErase completes it later
		return err
	}
	events, err := h.Store.PurgeEvents(ctx, now.Add(-eventsKept))
	if err != nil {
		return err
	}
	posts, err := h.Store.PurgeOutbox(ctx, now.Add(-outboxKept))
	if err != nil {
		return err
	}
	if err := h.Store.SetAppState(ctx, retentionKey, now.UTC().Format(time.RFC3339Nano)); err != nil {
		return err
	}
	h.app.Logger().Info("retention purge", "answers_and_assessments", answers, "before", cutoff.UTC().Format(time.RFC3339),
		"events", events, "outbox", posts)
	return nil
}

// retentionDue reports whether the purge should run at now, given when it last ran. An unreadable
// record, or one in the future (the clock was set back), runs it rather than block it for good.
func retentionDue(last string, now time.Time) bool {
	t, err := time.Parse(time.RFC3339Nano, last)
	if err != nil {
		return true
	}
	return now.Before(t) || !now.Before(t.Add(retentionEvery))
}

// NothingStoredMessage answers export or forget from someone Reflect has no data about.
func NothingStoredMessage(command string) slackapp.Message {
	return slackapp.TextMessage("nothing_stored", fmt.Sprintf(
		"Reflect has nothing stored about you, so there's nothing to export or delete. `%s start` signs you up for the weekly prompts.",
		command))
}

// ExportQueuedMessage is the private reply to /reflect export.
func ExportQueuedMessage(command string) slackapp.Message {
	return slackapp.TextMessage("export_queued", fmt.Sprintf(
		"Your data is on its way to your DMs with me: a JSON file of everything Reflect stores about you. "+
			"Only you can see it. `%s forget` deletes it all.", command))
}

// ForgetConfirmMessage asks userID, in their DM, to confirm deleting everything. The Delete button
// carries userID, so it can be checked against whoever clicks it; a confirmation dialog asks once
// more before the click is sent.
// https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object
func ForgetConfirmMessage(userID, command string) slackapp.Message {
	text := "Delete everything Reflect stores about you? Your answers, assessments, schedule and " +
		"enrolments go for good, and your prompts stop. This can't be undone: " +
		fmt.Sprintf("`%s export` first if you'd like a copy.", command)
	del := slackapp.Button(actionForgetConfirm, "Delete everything", slackapp.ActionValue{Arg: userID}).WithStyle(slackapp.StyleDanger)
	del.Confirm = slackapp.NewConfirmationBlockObject(
		slackapp.PlainText("Delete all your data?"),
		slackapp.Mrkdwn("Your answers, assessments and schedule will be deleted for good. This can't be undone."),
		slackapp.PlainText("Delete everything"),
		slackapp.PlainText("Keep my data"),
	).WithStyle(slackapp.StyleDanger)
	return slackapp.Message{Text: text, Blocks: []slackapp.Block{
		slackapp.Section("forget_question", text),
		slackapp.NewActionBlock("forget_choices", del, slackapp.Button(actionForgetCancel, "Cancel", slackapp.ActionValue{})),
	}}
}

// ForgetDoneMessage replaces the confirmation once the data is deleted; knew is false when there
// was nothing left (a second click).
func ForgetDoneMessage(knew bool, command string) slackapp.Message {
	if !knew {
		return slackapp.TextMessage("forget_done", "There was nothing left to delete: Reflect stores nothing about you.")
	}
	return slackapp.TextMessage("forget_done", fmt.Sprintf(
		"All your data is deleted: Reflect no longer stores anything about you, and your prompts have stopped. "+
			"Messages already in this DM stay in Slack, where you can delete them. `%s start` begins afresh.", command))
}

// ForgetPendingMessage replaces the confirmation when the data is deleted but the erasure on disk
// waits for a running reader (a backup) to end: it says so, and that it finishes by itself.
func ForgetPendingMessage(command string) slackapp.Message {
	return slackapp.TextMessage("forget_done", fmt.Sprintf(
		"Your data is deleted: Reflect no longer stores anything about you, and your prompts have stopped. "+
			"A backup running right now still holds an old copy of the database file open, so wiping the deleted "+
			"words from the disk itself finishes automatically as soon as it ends; you don't need to do anything. "+
			"Messages already in this DM stay in Slack, where you can delete them. `%s start` begins afresh.", command))
}

// ForgetRefusedMessage answers a Delete button that was made for someone else.
func ForgetRefusedMessage(command string) slackapp.Message {
	return slackapp.TextMessage("forget_refused", fmt.Sprintf(
		"That button wasn't made for you, so nothing was deleted. `%s forget` deletes your own data.", command))
}
