package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
)

// ErrAmbiguous marks a Web API call whose outcome is unknown: it timed out, the connection was
// reset, Slack answered 5xx or an unreadable body. The call may have taken effect, so a post must
// not simply be repeated: look for it first, so that each post reaches Slack exactly once.
var ErrAmbiguous = errors.New("outcome unknown")

// ErrUnsent marks a Web API call that never reached Slack (the connection could not be opened), so
// repeating it is safe.
var ErrUnsent = errors.New("request not sent")

// APIError is Slack's definite refusal of a call ({"ok":false,"error":Code}, or an HTTP 4xx): the
// call had no effect.
type APIError struct {
	Method string
	Code   string
}

// Error names the method and Slack's error code.
func (e *APIError) Error() string { return "slackapp: " + e.Method + ": slack error " + e.Code }

// RateLimitError is a 429 the caller chose not to wait out: retry the call after RetryAfter.
type RateLimitError struct {
	Method     string
	RetryAfter time.Duration
}

// Error names the method and how long to wait.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("slackapp: %s: rate limited, retry after %s", e.Method, e.RetryAfter)
}

// Codes Slack documents as transient failures on its side, where part of the operation may have
// happened ("internal_error": "It's possible some aspect of the operation succeeded"):
// https://docs.slack.dev/reference/methods/chat.postMessage#errors
var ambiguousCodes = map[string]bool{
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
}

// Defaults of the Web API wrapper.
const (
	defaultCallTimeout     = 20 * time.Second
	defaultRateLimitWait   = time.Second // a 429 without Retry-After
	maxRateLimitRetries    = 5
	maxDialRetries         = 3
	dialRetryBase          = 200 * time.Millisecond
	maxRateLimitRetryAfter = 10 * time.Minute
)

// callClass is how a failed call is handled.
type callClass int

const (
	classAmbiguous callClass = iota
	classRateLimited
	classUnsent
	classAPI
)

// classified is a failed call's class and the detail to report. detail never holds a URL (a
// response_url is a credential) or a token.
type classified struct {
	class      callClass
	retryAfter time.Duration
	code       string
	detail     string
}

// classify sorts a slack-go error by what it says about the call's effect. Rate limits surface as
// *slack.RateLimitedError (HTTP 429 with Retry-After), HTTP errors as slack.StatusCodeError and API
// errors as slack.SlackErrorResponse (slack-go misc.go).
func classify(err error) classified {
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		d := rl.RetryAfter
		if d <= 0 {
			d = defaultRateLimitWait
		}
		return classified{class: classRateLimited, retryAfter: min(d, maxRateLimitRetryAfter), detail: "ratelimited"}
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		switch {
		case sc.Code == http.StatusTooManyRequests:
			return classified{class: classRateLimited, retryAfter: defaultRateLimitWait, detail: "ratelimited"}
		case sc.Code >= 500 || sc.Code == http.StatusRequestTimeout:
			return classified{class: classAmbiguous, detail: fmt.Sprintf("http %d", sc.Code)}
		default:
			code := fmt.Sprintf("http_%d", sc.Code)
			return classified{class: classAPI, code: code, detail: code}
		}
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		switch {
		case se.Err == "ratelimited":
			return classified{class: classRateLimited, retryAfter: defaultRateLimitWait, detail: se.Err}
		case ambiguousCodes[se.Err]:
			return classified{class: classAmbiguous, code: se.Err, detail: se.Err}
		default:
			return classified{class: classAPI, code: se.Err, detail: se.Err}
		}
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		// url.Error's message quotes the URL; keep only the operation and the cause.
		detail := ue.Op + ": " + describeNetErr(ue.Err)
		if neverSent(ue.Err) {
			return classified{class: classUnsent, detail: detail}
		}
		return classified{class: classAmbiguous, detail: detail}
	}
	if neverSent(err) {
		return classified{class: classUnsent, detail: describeNetErr(err)}
	}
	return classified{class: classAmbiguous, detail: describeNetErr(err)}
}

// neverSent reports whether err happened before any byte of the request could reach Slack: the
// TCP (or TLS proxy) connection was never established. Everything later is ambiguous.
func neverSent(err error) bool {
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return true
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	return false
}

// describeNetErr names an error without quoting a URL.
func describeNetErr(err error) string {
	switch {
	case err == nil:
		return "unknown error"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed without a reply"
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return "timeout"
	}
	if _, ok := errors.AsType[*json.SyntaxError](err); ok {
		return "unreadable reply"
	}
	if _, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return "unreadable reply"
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Op + ": " + describeNetErr(ue.Err)
	}
	if op, ok := errors.AsType[*net.OpError](err); ok {
		return op.Op + ": " + describeNetErr(op.Err)
	}
	return err.Error()
}

// webAPI runs every Web API call through one policy: per-method rate-limit gates, retries only
// where the call cannot have taken effect, and classified errors.
// https://docs.slack.dev/apis/web-api/rate-limits ("wait the number of seconds in Retry-After")
type webAPI struct {
	now         func() time.Time
	sleep       func(ctx context.Context, d time.Duration) error
	callTimeout time.Duration

	mu     sync.Mutex
	gates  map[string]time.Time // method → no call before this time
	pacers map[string]*pacer    // method → the pace of the calls made for outbox items

	rateLimited atomic.Int64 // 429s seen
	waited      atomic.Int64 // nanoseconds callers spent waiting at gates
	paced       atomic.Int64 // nanoseconds callers spent waiting for their pacer's slot
	ambiguous   atomic.Int64
	dialRetries atomic.Int64
}

func newWebAPI(now func() time.Time, sleep func(context.Context, time.Duration) error, callTimeout time.Duration) *webAPI {
	return &webAPI{now: now, sleep: sleep, callTimeout: callTimeout, gates: map[string]time.Time{}, pacers: map[string]*pacer{}}
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// callOpts tune one call.
type callOpts struct {
	// noRateLimitWait returns a *RateLimitError at the first 429 instead of waiting: the outbox
	// relay reschedules the item instead of holding a worker.
	noRateLimitWait bool
	// maxWait, when positive, bounds the wait at a closed rate-limit gate: a longer one returns a
	// *RateLimitError at once. The outbox relay passes what is left of an item's lease, so it
	// releases the item rather than sleep on it past the lease.
	maxWait time.Duration
	// paced makes the call wait for a slot of its method's pacer (pace.go) after the gate: the
	// outbox relay's calls, which come in thousands, never the replies to what a person just did.
	paced bool
	// fence, when set, runs after any wait and right before the request; its error ends the
	// call unsent. The outbox relay checks there that it still holds the item it posts. A
	// non-zero writeBy is when the fence's word runs out: a request not yet written by then (the
	// process was paused between the fence and the wire) is not written at all (writeBefore).
	fence func(ctx context.Context) (writeBy time.Time, err error)
}

// writeBefore makes the request made with ctx fail unwritten, rather than go out late, when its
// connection is not writing it by writeBy: the write deadline is set on the connection the moment
// the transport has it (a fresh dial included), and cleared when the answer starts to arrive (the
// request is flushed after the trace's WroteRequest, so that is too early; a request that fails
// instead closes its connection). So the window between the fence and the wire shrinks to the
// write itself.
// https://pkg.go.dev/net#Conn (SetWriteDeadline), https://pkg.go.dev/net/http/httptrace
func writeBefore(ctx context.Context, writeBy time.Time) context.Context {
	var conn net.Conn
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			conn = info.Conn
			_ = conn.SetWriteDeadline(writeBy)
		},
		GotFirstResponseByte: func() {
			if conn != nil {
				_ = conn.SetWriteDeadline(time.Time{})
			}
		},
	})
}

// call runs fn, the slack-go call of method, under the policy. Errors are *APIError,
// *RateLimitError, or wrap ErrAmbiguous or ErrUnsent (or ctx's error while waiting at a gate, when
// nothing was sent).
func (w *webAPI) call(ctx context.Context, method string, o callOpts, fn func(ctx context.Context) error) error {
	rateRetries, dialTries := 0, 0
	for {
		if o.maxWait > 0 {
			if d := w.gateWait(method); d > o.maxWait {
				return &RateLimitError{Method: method, RetryAfter: d}
			}
		}
		if err := w.waitGate(ctx, method); err != nil {
			return fmt.Errorf("slackapp: %s: %w: %w", method, ErrUnsent, err)
		}
		var slot paceTicket // zero: not paced
		if o.paced {
			var err error
			if slot, err = w.pace(ctx, method, o.maxWait); err != nil {
				if _, ok := errors.AsType[*RateLimitError](err); ok {
					return err
				}
				return fmt.Errorf("slackapp: %s: %w: %w", method, ErrUnsent, err)
			}
			if w.gateWait(method) > 0 {
				// A 429 shut the gate while this call waited for its slot.
				slot.done(w.now(), paceUnused, 0)
				continue
			}
		}
		reqCtx := ctx
		if o.fence != nil {
			writeBy, err := o.fence(ctx)
			if err != nil {
				slot.done(w.now(), paceUnused, 0)
				return err
			}
			if !writeBy.IsZero() {
				reqCtx = writeBefore(ctx, writeBy)
			}
		}
		cctx, cancel := context.WithTimeout(reqCtx, w.callTimeout)
		err := fn(cctx)
		cancel()
		if err == nil {
			slot.done(w.now(), paceAnswered, 0)
			return nil
		}
		c := classify(err)
		switch c.class {
		case classRateLimited:
			outcome := paceLimited
			if inChannelBurst(ctx) {
				outcome = paceLimitedMaybeChannel
			}
			slot.done(w.now(), outcome, c.retryAfter)
		case classUnsent:
			slot.done(w.now(), paceUnused, 0)
		case classAPI:
			slot.done(w.now(), paceAnswered, 0)
		default:
			slot.done(w.now(), paceUnknown, 0)
		}
		switch c.class {
		case classRateLimited:
			w.rateLimited.Add(1)
			w.block(method, c.retryAfter)
			if o.noRateLimitWait || rateRetries >= maxRateLimitRetries {
				return &RateLimitError{Method: method, RetryAfter: c.retryAfter}
			}
			rateRetries++
			// The gate makes this caller, and every other caller of method, wait.
		case classUnsent:
			if dialTries >= maxDialRetries || ctx.Err() != nil {
				return fmt.Errorf("slackapp: %s: %w (%s)", method, ErrUnsent, c.detail)
			}
			w.dialRetries.Add(1)
			if err := w.sleep(ctx, dialRetryBase<<dialTries); err != nil {
				return fmt.Errorf("slackapp: %s: %w (%s)", method, ErrUnsent, c.detail)
			}
			dialTries++
		case classAPI:
			return &APIError{Method: method, Code: c.code}
		default:
			w.ambiguous.Add(1)
			return fmt.Errorf("slackapp: %s: %w (%s)", method, ErrAmbiguous, c.detail)
		}
	}
}

// block closes method's gate for d from now (or longer if it is already closed longer).
func (w *webAPI) block(method string, d time.Duration) {
	until := w.now().Add(d)
	w.mu.Lock()
	defer w.mu.Unlock()
	if until.After(w.gates[method]) {
		w.gates[method] = until
	}
}

// gateWait says how long method's gate stays closed from now (0 or less: it is open).
func (w *webAPI) gateWait(method string) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gates[method].Sub(w.now())
}

// waitGate waits until method's gate is open. Another 429 while waiting extends the wait.
func (w *webAPI) waitGate(ctx context.Context, method string) error {
	for {
		w.mu.Lock()
		until := w.gates[method]
		w.mu.Unlock()
		d := until.Sub(w.now())
		if d <= 0 {
			return ctx.Err()
		}
		if err := w.sleep(ctx, d); err != nil {
			return err
		}
		w.waited.Add(int64(d))
	}
}

// WebAPIStats are the Web API wrapper's counters.
type WebAPIStats struct {
	RateLimited   int64         // 429 answers received
	RateLimitWait time.Duration // total time callers waited at rate-limit gates
	PaceWait      time.Duration // total time outbox calls waited for their pacer's slot
	Ambiguous     int64         // calls that ended with ErrAmbiguous
	DialRetries   int64         // calls repeated because the connection could not be opened
}

func (w *webAPI) stats() WebAPIStats {
	return WebAPIStats{
		RateLimited:   w.rateLimited.Load(),
		RateLimitWait: time.Duration(w.waited.Load()),
		PaceWait:      time.Duration(w.paced.Load()),
		Ambiguous:     w.ambiguous.Load(),
		DialRetries:   w.dialRetries.Load(),
	}
}
