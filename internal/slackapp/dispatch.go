package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/reflect-bot/reflect/internal/db"
)

// job is one acked request waiting for a handler.
type job struct {
	typ     socketmode.EventType
	payload json.RawMessage // events_api: the payload, parsed by the worker rather than the reader
	retry   int             // events_api: retry_attempt
	data    any             // slack.SlashCommand or slack.InteractionCallback
	// received is when the envelope was read off the socket, for the handled line's latency.
	received time.Time
}

// process routes one request to its handler, then logs one line with the envelope's type and
// how long it took from the socket to done (never its content).
func (a *App) process(ctx context.Context, j job) {
	level := slog.LevelInfo
	if !j.received.IsZero() {
		defer func() {
			a.log.Log(ctx, level, "envelope handled", "type", string(j.typ), "latency_ms", float64(time.Since(j.received).Microseconds())/1000)
		}()
	}
	switch j.typ {
	case socketmode.EventTypeEventsAPI:
		if !a.processEvent(ctx, j) {
			level = slog.LevelDebug // a fan-out echoes every post back: one quiet line each
		}
	case socketmode.EventTypeSlashCommand:
		if sc, ok := j.data.(slack.SlashCommand); ok {
			a.processCommand(ctx, sc)
		}
	case socketmode.EventTypeInteractive:
		if cb, ok := j.data.(slack.InteractionCallback); ok {
			a.processInteraction(ctx, cb)
		}
	}
}

// runHandler runs fn under the handler timeout, recovers a panic, logs a failure (route and
// error; never tokens or message text) and reports whether it failed.
func (a *App) runHandler(ctx context.Context, route string, fn func(ctx context.Context) error) (failed bool) {
	hctx, cancel := context.WithTimeout(ctx, a.cfg.HandlerTimeout)
	defer cancel()
	a.stats.handled.Add(1)
	defer func() {
		if r := recover(); r != nil {
			a.stats.panics.Add(1)
			a.stats.handlerErrors.Add(1)
			a.log.Error("handler panicked", "route", route, "panic", describePanic(r), "stack", string(debug.Stack()))
			failed = true
		}
	}()
	if err := fn(hctx); err != nil {
		a.stats.handlerErrors.Add(1)
		a.log.Error("handler failed", "route", route, "error", err)
		return true
	}
	return false
}

// describePanic names a panic without printing an arbitrary value, which could be message text.
func describePanic(r any) string {
	if re, ok := r.(runtime.Error); ok {
		return re.Error() // "index out of range", "nil map": the runtime's words, not the data
	}
	return fmt.Sprintf("%T", r)
}

// afterCtx gives clean-up work (release a key, send an apology) its own short deadline, so it
// runs even when the handler's context has run out.
func afterCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}

// processEvent handles one Events API delivery: filter, route, deduplicate, run. It reports
// whether it acted on it (false for the bot's own echoes, retries already seen and events nobody
// handles), so the handled line can be quiet about those.
func (a *App) processEvent(ctx context.Context, j job) (acted bool) {
	ev, err := parseEventPayload(j.payload)
	if errors.Is(err, errNotCallback) {
		if ev.Type == "app_rate_limited" {
			// https://docs.slack.dev/apis/events-api/#rate-limiting
			a.log.Warn("Slack is rate limiting this app's events")
		}
		return false
	}
	if err != nil {
		a.log.Warn("unreadable event ignored", "error", err)
		return false
	}
	ev.RetryAttempt = j.retry
	if isFromBot(ev, a.BotUserID()) {
		a.stats.ignoredBots.Add(1)
		a.log.Debug("bot message ignored", "event_id", ev.ID)
		return false
	}
	route := eventRoute(ev)
	if route == "" {
		a.log.Debug("event ignored", "type", ev.Type, "subtype", ev.Subtype, "channel_type", ev.ChannelType)
		return false
	}
	var fn func(ctx context.Context) error
	apologize := false
	if route == routeDM {
		fn = func(ctx context.Context) error { return a.handleDM(ctx, ev) }
		apologize = true
	} else {
		h := a.eventHandler(strings.TrimPrefix(route, "event:"))
		if h == nil {
			a.log.Debug("unhandled route", "route", route)
			return false
		}
		fn = func(ctx context.Context) error { return h(ctx, ev) }
	}

	// https://docs.slack.dev/apis/events-api/#retries: a retry carries the same event_id.
	first, err := a.events.ClaimEvent(ctx, ev.ID)
	switch {
	case err != nil:
		// Better twice than never: the envelope is acked, so Slack will not send it again.
		a.log.Warn("could not record event id; handling it anyway", "event_id", ev.ID, "error", err)
	case !first:
		a.stats.duplicates.Add(1)
		a.log.Debug("duplicate event", "event_id", ev.ID, "retry_attempt", ev.RetryAttempt)
		return false
	}
	if !a.runHandler(ctx, route, fn) {
		return true
	}
	cctx, cancel := afterCtx(ctx)
	defer cancel()
	if err := a.events.ReleaseEvent(cctx, ev.ID); err != nil {
		a.log.Warn("could not release event id after a failure", "event_id", ev.ID, "error", err)
	}
	if apologize {
		if err := a.dmReplier(ev.UserID, ev.ChannelID)(cctx, a.fallbacks().Apology); err != nil {
			a.log.Warn("could not send an apology", "route", route, "error", err)
		}
	}
	return true
}

// handleDM offers a DM to the registered handlers, then reads it as a command word when it is
// one of the verbs that work in a DM, and otherwise gives it to the DM fallback.
func (a *App) handleDM(ctx context.Context, ev Event) error {
	reply := a.dmReplier(ev.UserID, ev.ChannelID)
	dm := DM{EventID: ev.ID, UserID: ev.UserID, ChannelID: ev.ChannelID, TS: ev.TS, Text: ev.Text, reply: reply}
	for _, h := range a.dmHandlers() {
		handled, err := h(ctx, dm)
		if err != nil {
			return err
		}
		if handled {
			return nil
		}
	}
	fb := a.fallbacks()
	if c, err := ParseCommand(ev.Text); err == nil && slices.Contains(fb.DMVerbs, c.Verb) && strings.TrimSpace(ev.Text) != "" {
		return a.runCommand(ctx, CommandRequest{
			UserID: ev.UserID, ChannelID: ev.ChannelID, TeamID: ev.TeamID, Command: c, FromDM: true, reply: reply,
		})
	}
	if fb.DM == nil {
		return nil
	}
	return fb.DM(ctx, dm)
}

// processCommand handles one slash command.
func (a *App) processCommand(ctx context.Context, sc slack.SlashCommand) {
	reply := a.responseReplier(sc.ResponseURL, sc.UserID)
	c, perr := ParseCommand(sc.Text)
	route := "command"
	if perr == nil {
		route = "command:" + c.Verb
	}
	req := CommandRequest{
		UserID: sc.UserID, ChannelID: sc.ChannelID, TeamID: sc.TeamID, TriggerID: sc.TriggerID,
		Command: c, reply: reply,
	}
	failed := a.runHandler(ctx, route, func(ctx context.Context) error {
		if ce, ok := errors.AsType[*CommandError](perr); ok {
			return a.refuse(ctx, req, ce)
		}
		return a.runCommand(ctx, req)
	})
	if failed {
		cctx, cancel := afterCtx(ctx)
		defer cancel()
		if err := reply(cctx, a.fallbacks().Apology); err != nil {
			a.log.Warn("could not send an apology", "route", route, "error", err)
		}
	}
}

// runCommand runs the handler registered for the verb, or the fallback for an unknown verb.
func (a *App) runCommand(ctx context.Context, req CommandRequest) error {
	req.app = a
	if h := a.commandHandler(req.Command.Verb); h != nil {
		return h(ctx, req)
	}
	return a.fallbacks().Unknown(ctx, req)
}

// refuse answers command text that could not be read, or arguments its handler refused.
func (a *App) refuse(ctx context.Context, req CommandRequest, e *CommandError) error {
	return a.fallbacks().Unreadable(ctx, req, e)
}

// RunCommandInDM runs command c for a person as if they had typed it in their DM with the bot (a
// button that does what a command does); the reply goes to that DM.
func (a *App) RunCommandInDM(ctx context.Context, userID, teamID string, c Command) error {
	return a.runCommand(ctx, CommandRequest{UserID: userID, TeamID: teamID, Command: c, FromDM: true,
		reply: a.dmReplier(userID, "")})
}

// OpenDM opens (or finds) the DM channel with a person and returns its id.
func (a *App) OpenDM(ctx context.Context, userID string) (string, error) {
	return a.openDM(ctx, userID, callOpts{})
}

// processInteraction handles a block_actions click or a view_submission.
func (a *App) processInteraction(ctx context.Context, cb slack.InteractionCallback) {
	route := interactionRoute(&cb)
	if route == "" {
		a.log.Debug("interaction ignored", "type", string(cb.Type))
		return
	}
	var (
		fn    func(ctx context.Context) error
		reply replyFunc
	)
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		act := cb.ActionCallback.BlockActions[0]
		h := a.actionHandler(act.ActionID)
		if h == nil {
			a.log.Debug("unhandled route", "route", route)
			return
		}
		reply = a.responseReplier(cb.ResponseURL, cb.User.ID)
		req := ActionRequest{
			UserID:    cb.User.ID,
			ChannelID: firstNonEmpty(cb.Channel.ID, cb.Container.ChannelID),
			TeamID:    cb.Team.ID,
			TriggerID: cb.TriggerID,
			ActionID:  act.ActionID,
			BlockID:   act.BlockID,
			Value:     firstNonEmpty(act.Value, act.SelectedOption.Value),
			MessageTS: firstNonEmpty(cb.Container.MessageTs, cb.Message.Timestamp),
			ViewID:    firstNonEmpty(cb.View.ID, cb.Container.ViewID),
			reply:     reply,
		}
		fn = func(ctx context.Context) error { return h(ctx, req) }
	case slack.InteractionTypeViewSubmission:
		h := a.viewHandler(cb.View.CallbackID)
		if h == nil {
			a.log.Debug("unhandled route", "route", route)
			return
		}
		reply = a.dmReplier(cb.User.ID, "")
		req := ViewRequest{
			UserID:          cb.User.ID,
			TeamID:          cb.Team.ID,
			ViewID:          cb.View.ID,
			CallbackID:      cb.View.CallbackID,
			PrivateMetadata: cb.View.PrivateMetadata,
			Hash:            cb.View.Hash,
			Values:          viewValues(cb.View.State),
			reply:           reply,
		}
		fn = func(ctx context.Context) error { return h(ctx, req) }
	}
	if a.runHandler(ctx, route, fn) {
		cctx, cancel := afterCtx(ctx)
		defer cancel()
		if err := reply(cctx, a.fallbacks().Apology); err != nil {
			a.log.Warn("could not send an apology", "route", route, "error", err)
		}
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// responseReplier answers privately through a response_url (ephemeral, visible to the person
// only), or by DM when there is none.
// https://docs.slack.dev/interactivity/handling-user-interaction#message_responses
func (a *App) responseReplier(responseURL, userID string) replyFunc {
	if responseURL == "" {
		return a.dmReplier(userID, "")
	}
	return func(ctx context.Context, m Message) error {
		if m.Text == "" {
			return errors.New("slackapp: reply: no text")
		}
		msg := &slack.WebhookMessage{Text: m.Text, ResponseType: slack.ResponseTypeEphemeral}
		if len(m.Blocks) > 0 {
			msg.Blocks = &slack.Blocks{BlockSet: m.Blocks}
		}
		return a.web.call(ctx, "response_url", callOpts{}, func(ctx context.Context) error {
			return slack.PostWebhookCustomHTTPContext(ctx, responseURL, a.httpClient, msg)
		})
	}
}

// dmReplier answers in the person's DM through the outbox, so the reply survives a crash and is
// posted once. The item is addressed to the DM channel, not the person: whoever writes to the bot
// gets an answer, enrolled or not (the outbox's person column refers to enrolled people).
func (a *App) dmReplier(userID, channelID string) replyFunc {
	return func(ctx context.Context, m Message) error {
		ch := channelID
		if ch == "" {
			var err error
			if ch, err = a.openDM(ctx, userID, callOpts{}); err != nil {
				return fmt.Errorf("slackapp: reply by DM: %w", err)
			}
		}
		return a.sendMessage(ctx, "", ch, m)
	}
}

// SendDM queues m for an enrolled person's DM and wakes the relay. The DM channel is found when
// it is sent.
func (a *App) SendDM(ctx context.Context, userID string, m Message) error {
	if userID == "" {
		return errors.New("slackapp: send DM: no person")
	}
	return a.sendMessage(ctx, userID, "", m)
}

func (a *App) sendMessage(ctx context.Context, userID, channelID string, m Message) error {
	if userID == "" && channelID == "" {
		return errors.New("slackapp: send message: no person or channel")
	}
	if m.Text == "" {
		return errors.New("slackapp: send message: no text")
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("slackapp: send message: %w", err)
	}
	if _, err := a.outbox.Enqueue(ctx, db.OutboxMessage{
		UserID: userID, ChannelID: channelID, Kind: db.KindMessage, Payload: payload,
	}); err != nil {
		return fmt.Errorf("slackapp: send message: %w", err)
	}
	a.Notify()
	return nil
}

func (a *App) commandHandler(verb string) CommandHandler {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.commands[verb]
}

func (a *App) dmHandlers() []DMHandler {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return append([]DMHandler(nil), a.dms...)
}

func (a *App) eventHandler(key string) EventHandler {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.eventHandlers[key]
}

// actionHandler finds the handler for an action_id: registered for the whole id, or for its
// prefix before ':'.
func (a *App) actionHandler(actionID string) ActionHandler {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if h := a.actions[actionID]; h != nil {
		return h
	}
	return a.actions[actionPrefix(actionID)]
}

func (a *App) viewHandler(callbackID string) ViewHandler {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.views[callbackID]
}
