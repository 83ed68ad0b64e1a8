package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Reconnect backoff bounds.
const (
	reconnectMin = 500 * time.Millisecond
	reconnectMax = 30 * time.Second
	ackTimeout   = time.Second
)

// backoff is capped exponential backoff with jitter, so many replicas (or one restarting
// quickly) do not reconnect in lock step.
type backoff struct {
	min, max time.Duration
	n        int
}

func (b *backoff) next() time.Duration {
	d := b.max
	if b.n < 30 {
		d = min(b.min<<b.n, b.max)
	}
	b.n++
	// Full jitter over the upper half: never less than half the step, never more than the cap.
	return d/2 + rand.N(d/2+1)
}

func (b *backoff) reset() { b.n = 0 }

// runSocket keeps a Socket Mode connection until ctx is done. slack-go's RunContext reconnects by
// itself after a disconnect request, a dropped socket or a ping timeout (a half-open socket), but
// returns on other failures, and its own connect retries have no jitter: connection errors are
// turned into a restart here, with our backoff. An app token Slack rejects is fatal.
// https://docs.slack.dev/apis/events-api/using-socket-mode
func (a *App) runSocket(ctx context.Context) error {
	b := backoff{min: reconnectMin, max: reconnectMax}
	for {
		runCtx, cancel := context.WithCancelCause(ctx)
		a.setRunCancel(cancel)
		before := a.stats.connects.Load()
		err := a.sm.RunContext(runCtx)
		cause := context.Cause(runCtx)
		cancel(nil)
		a.setRunCancel(nil)
		a.connected.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		if cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
		if fatal := appTokenError(err); fatal != nil {
			return fatal
		}
		if a.stats.connects.Load() > before {
			b.reset()
		}
		d := reconnectWait(&b, err)
		a.log.Warn("socket mode connection lost; reconnecting", "error", classify(err).detail, "retry_in", d)
		if a.sleep(ctx, d) != nil {
			return nil
		}
	}
}

// reconnectWait is how long to wait before reconnecting after err: the next step of b, or what
// Slack asked for (apps.connections.open is Tier 1) if longer, plus up to a quarter more so
// replicas told the same do not come back together.
// https://docs.slack.dev/apis/web-api/rate-limits
func reconnectWait(b *backoff, err error) time.Duration {
	d := b.next()
	if wait := slackWait(err); wait > 0 {
		d = max(d, wait+rand.N(wait/4+1))
	}
	return d
}

// slackWait is how long Slack asked us to stay away in err: the Retry-After of a 429 answer to
// apps.connections.open, or the wait slack-go worked out for a failed connection (which counts the
// Retry-After in); 0 if neither.
func slackWait(err error) time.Duration {
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return min(rl.RetryAfter, maxRateLimitRetryAfter)
	}
	if ce, ok := errors.AsType[*connectionError](err); ok {
		return min(ce.backoff, maxRateLimitRetryAfter)
	}
	return 0
}

// connectionError is a failed connection attempt slack-go reported, with the wait it worked out.
type connectionError struct {
	err     error
	backoff time.Duration
}

func (e *connectionError) Error() string { return e.err.Error() }
func (e *connectionError) Unwrap() error { return e.err }

// appTokenError turns Slack's refusal of the app-level token into a fatal error naming it. slack-go
// returns the refusal of apps.connections.open as an error whose text is the code, and a 404 as
// an invalid auth.
func appTokenError(err error) error {
	if err == nil {
		return nil
	}
	code := ""
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		code = se.Err
	} else if authErrorCodes[err.Error()] {
		code = err.Error()
	}
	if authErrorCodes[code] {
		return &TokenError{Var: "SLACK_APP_TOKEN", Code: code}
	}
	return nil
}

func (a *App) setRunCancel(c context.CancelCauseFunc) {
	a.runMu.Lock()
	defer a.runMu.Unlock()
	a.runCancel = c
}

// restartSocket ends the current RunContext so runSocket can retry with backoff.
func (a *App) restartSocket(cause error) {
	a.runMu.Lock()
	defer a.runMu.Unlock()
	if a.runCancel != nil {
		a.runCancel(cause)
	}
}

// readEvents reads slack-go's event stream until ctx is done. It only acks and hands off, so a
// slow handler never delays an ack.
func (a *App) readEvents(ctx context.Context, jobs chan<- job) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt := <-a.sm.Events:
			a.onSocketEvent(ctx, evt, jobs)
		}
	}
}

// onSocketEvent handles one item of slack-go's event stream.
func (a *App) onSocketEvent(ctx context.Context, evt socketmode.Event, jobs chan<- job) {
	received := time.Now() // the real clock, not a.now: this measures ack latency
	switch evt.Type {
	case socketmode.EventTypeConnecting, socketmode.EventTypeInvalidAuth:
		a.connected.Store(false)
	case socketmode.EventTypeConnected:
		a.connected.Store(true)
		n := a.stats.connects.Add(1)
		a.log.Info("socket mode connected", "connects", n)
	case socketmode.EventTypeHello:
		a.connected.Store(true)
	case socketmode.EventTypeConnectionError:
		a.connected.Store(false)
		var cause error = errors.New("connection error")
		if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok && ce.ErrorObj != nil {
			cause = &connectionError{err: ce.ErrorObj, backoff: ce.Backoff}
		}
		a.restartSocket(cause)
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.log.Debug("socket mode read or write error", "type", string(evt.Type))
	case socketmode.EventTypeErrorBadMessage:
		a.onBadMessage(ctx, evt, jobs, received)
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		if evt.Request == nil || evt.Request.EnvelopeID == "" {
			return
		}
		// Ack first, before anything else: Slack retries an envelope it has not heard back on
		// within about 3 seconds.
		// A modal whose validator finds mistakes is acked with them and stays open; there is
		// nothing more to do with it.
		if errs := a.validateSubmission(evt); len(errs) > 0 {
			a.ackWith(ctx, evt.Request.EnvelopeID, received, viewErrors{ResponseAction: "errors", Errors: errs})
			a.log.Info("envelope handled", "type", string(evt.Type), "outcome", "form errors",
				"latency_ms", float64(time.Since(received).Microseconds())/1000)
			return
		}
		a.ack(ctx, evt.Request.EnvelopeID, received)
		a.enqueue(ctx, jobs, job{typ: evt.Type, payload: evt.Request.Payload, retry: evt.Request.RetryAttempt, data: evt.Data, received: received})
	}
}

// onBadMessage handles an envelope slack-go could not parse, such as an event type it does not
// know. It is acked all the same (unacked, Slack would redeliver it forever), and an events_api
// payload is routed with our own parser.
func (a *App) onBadMessage(ctx context.Context, evt socketmode.Event, jobs chan<- job, received time.Time) {
	bm, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok || bm == nil {
		return
	}
	var req socketmode.Request
	if err := json.Unmarshal(bm.Message, &req); err != nil || req.EnvelopeID == "" {
		a.log.Warn("unreadable socket mode message ignored")
		return
	}
	a.ack(ctx, req.EnvelopeID, received)
	if req.Type == socketmode.RequestTypeEventsAPI {
		a.enqueue(ctx, jobs, job{typ: socketmode.EventTypeEventsAPI, payload: req.Payload, retry: req.RetryAttempt, received: received})
		return
	}
	a.log.Warn("unreadable socket mode envelope acked and ignored", "type", req.Type)
}

// ack acknowledges an envelope. If the socket is gone the ack cannot be sent; Slack redelivers
// the envelope and the event_id deduplication absorbs it. received is when the envelope was read;
// the time from then to the written ack goes to the ack observer.
func (a *App) ack(ctx context.Context, envelopeID string, received time.Time) {
	a.ackWith(ctx, envelopeID, received, nil)
}

// ackWith acknowledges an envelope with a payload (a view_submission's response_action).
func (a *App) ackWith(ctx context.Context, envelopeID string, received time.Time, payload any) {
	if a.beforeAck != nil {
		a.beforeAck()
	}
	actx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := a.sm.AckCtx(actx, envelopeID, payload); err != nil {
		a.log.Debug("ack not sent", "error", err)
		return
	}
	a.stats.acked.Add(1)
	if a.ackObserver != nil {
		a.ackObserver(time.Since(received))
	}
}

// enqueue hands an acked request to the handler pool. A full queue holds the reader back (later
// acks wait) rather than dropping work that was already acked.
func (a *App) enqueue(ctx context.Context, jobs chan<- job, j job) {
	select {
	case jobs <- j:
		return
	default:
	}
	select {
	case jobs <- j:
	case <-ctx.Done():
		a.stats.dropped.Add(1)
	}
}
