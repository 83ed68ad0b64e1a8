// Package slackapp is Reflect's Slack adapter and the only package that imports slack-go: the
// Socket Mode connection (acked at once, reconnected with backoff), the routing of events, slash
// commands and interactions to the handlers features register, typed requests, Web API calls with
// rate-limit handling, the relay that posts the durable outbox exactly once (rendering each kind
// with the renderer its feature registered), and Block Kit primitives. It holds no product rule
// and no product wording: features live under internal/feature, and the words used where no
// feature answers come in through SetFallbacks.
package slackapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/reflect-bot/reflect/internal/db"
)

// Events deduplicates Events API deliveries by event_id.
type Events interface {
	ClaimEvent(ctx context.Context, eventID string) (bool, error) // true the first time
	ReleaseEvent(ctx context.Context, eventID string) error       // frees the key after a failed handler
}

// Outbox is the durable queue every chat.postMessage goes through.
type Outbox interface {
	Enqueue(ctx context.Context, m db.OutboxMessage) (int64, error)
	ClaimOutbox(ctx context.Context, lease time.Duration, limit int) ([]db.OutboxItem, error)
	CompleteOutbox(ctx context.Context, id int64, channelID, ts string) error
	RetryOutbox(ctx context.Context, id, token int64, at time.Time, reason string) error
	DeferOutbox(ctx context.Context, id, token int64, at time.Time, reason string) error
	FailOutbox(ctx context.Context, id, token int64, reason string) error
	StartOutbox(ctx context.Context, id, token int64, lease time.Duration) (bool, error)
	SetOutboxFile(ctx context.Context, id, token int64, fileID string) (bool, error)
	RenewOutbox(ctx context.Context, items []db.OutboxItem, lease time.Duration) (map[int64]bool, error)
	NextOutboxAt(ctx context.Context) (time.Time, bool, error)
}

// Config is everything the runtime needs; plain values, filled by cmd/bot.
type Config struct {
	BotToken, AppToken string        // never logged; never put into errors
	APIURL             string        // SLACK_API_URL; every Web API call and apps.connections.open go there
	SlashCommand       string        // SLASH_COMMAND, e.g. "/reflect"; required
	PingInterval       time.Duration // 0 → slack-go default (30s); tests use a short one
	HandlerTimeout     time.Duration // per handler, default 30s
	DrainTimeout       time.Duration // shutdown bound for in-flight handlers, default 5s
	Now                func() time.Time
}

// Defaults.
const (
	defaultHandlerTimeout = 30 * time.Second
	defaultDrainTimeout   = 5 * time.Second
	defaultWorkers        = 16
	defaultQueue          = 256
	defaultOutboxWorkers  = 4
	defaultOutboxRetry    = 2 * time.Second
	outboxLease           = 30 * time.Second
)

// Option adjusts an App beyond Config, mostly for tests.
type Option func(*App)

// WithHTTPClient makes every Web API call (and apps.connections.open) use c.
func WithHTTPClient(c *http.Client) Option { return func(a *App) { a.httpClient = c } }

// WithCallTimeout bounds each Web API request (default 20s). A request that runs out is ambiguous.
func WithCallTimeout(d time.Duration) Option { return func(a *App) { a.callTimeout = d } }

// WithSleep replaces the waiting done for rate limits and retries (tests pass one that records
// the durations and advances a fake clock).
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(a *App) { a.sleep = sleep }
}

// WithPingInterval sets how long Socket Mode waits for Slack's ping before reconnecting
// (default: slack-go's, 30s); tests use a short one.
func WithPingInterval(d time.Duration) Option { return func(a *App) { a.cfg.PingInterval = d } }

// WithDrainTimeout bounds how long shutdown waits for in-flight handlers (default 5s).
func WithDrainTimeout(d time.Duration) Option { return func(a *App) { a.cfg.DrainTimeout = d } }

// WithOutboxWorkers sets how many outbox posts run at once (default 4).
func WithOutboxWorkers(n int) Option { return func(a *App) { a.outboxWorkers = n } }

// WithAckObserver has observe called after each envelope ack is written, with the time since the
// envelope was read from the socket (for the ack latency histogram of /metrics). It runs on the
// socket reader, so it must be quick.
func WithAckObserver(observe func(time.Duration)) Option {
	return func(a *App) { a.ackObserver = observe }
}

// WithOutboxRetry sets the first delay before retrying an outbox post that failed ambiguously
// (default 2s, doubling per attempt up to 5 minutes).
func WithOutboxRetry(d time.Duration) Option { return func(a *App) { a.outboxRetry = d } }

// WithOutboxRetryCap sets the longest delay between retries of an outbox post (default 5 minutes).
func WithOutboxRetryCap(d time.Duration) Option { return func(a *App) { a.outboxRetryMax = d } }

// WithOutboxLease sets how long a claim on outbox posts lasts without renewal (default 30s). The
// relay renews it every third of that while it works, and a Web API call's timeout must be
// shorter than it.
func WithOutboxLease(d time.Duration) Option { return func(a *App) { a.outboxLease = d } }

// App is the Slack runtime. Register handlers before Run.
type App struct {
	cfg    Config
	events Events
	outbox Outbox
	log    *slog.Logger
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error

	httpClient     *http.Client
	callTimeout    time.Duration
	workers        int
	outboxWorkers  int
	outboxRetry    time.Duration
	outboxRetryMax time.Duration
	outboxLease    time.Duration
	leases         leaseKeeper

	api *slack.Client
	sm  *socketmode.Client
	web *webAPI

	botUserID atomic.Pointer[string]
	running   atomic.Bool
	connected atomic.Bool
	stopped   atomic.Bool // uninstalled or tokens revoked: post nothing
	state     StateStore  // nil: the stopped flag lives only in memory
	wake      chan struct{}

	mu            sync.RWMutex
	commands      map[string]CommandHandler
	dms           []DMHandler
	eventHandlers map[string]EventHandler
	actions       map[string]ActionHandler
	views         map[string]ViewHandler
	renderers     map[db.Kind]Renderer
	uploads       map[db.Kind]UploadRenderer
	validators    map[string]ViewValidator
	kinds         []db.Kind // the outbox kinds that can be queued (ExpectKinds)
	background    []func(context.Context)
	fallback      Fallbacks

	// beforeAck, when set by a test, runs before each ack: it makes the ack late on purpose, to
	// provoke the redeliveries Slack makes after a lost ack.
	beforeAck func()

	ackObserver func(time.Duration) // nil: ack latency is not observed

	runMu     sync.Mutex
	runCancel context.CancelCauseFunc // cancels the current socketmode run

	stats counters
}

// counters are the runtime's plain counters; Stats copies them.
type counters struct {
	acked, duplicates, handled, handlerErrors, panics, dropped, ignoredBots atomic.Int64
	connects                                                                atomic.Int64
	outboxSent, outboxReconciled, outboxRetried, outboxFailed               atomic.Int64
	outboxLeaseLost                                                         atomic.Int64
}

// Stats is a snapshot of the runtime's counters (Prometheus comes later).
type Stats struct {
	WebAPIStats
	Acked            int64 // envelopes acknowledged
	Duplicates       int64 // events dropped as already seen
	Handled          int64 // requests that reached a handler
	HandlerErrors    int64 // handlers that failed (panics included)
	Panics           int64
	Dropped          int64 // acked requests never handled because shutdown ran out of time
	IgnoredBots      int64 // bot messages ignored
	Connects         int64 // Socket Mode connections made
	OutboxSent       int64
	OutboxReconciled int64 // posts found already delivered after an ambiguous failure
	OutboxRetried    int64
	OutboxFailed     int64
	OutboxLeaseLost  int64 // posts given up unposted because their lease had gone to another relay
}

// New builds an App. It does no I/O; Run connects.
func New(cfg Config, events Events, outbox Outbox, log *slog.Logger, opts ...Option) (*App, error) {
	switch {
	case cfg.BotToken == "":
		return nil, errors.New("slackapp: new: no bot token (SLACK_BOT_TOKEN)")
	case cfg.AppToken == "":
		return nil, errors.New("slackapp: new: no app-level token (SLACK_APP_TOKEN)")
	case events == nil:
		return nil, errors.New("slackapp: new: no event store")
	case outbox == nil:
		return nil, errors.New("slackapp: new: no outbox")
	case cfg.SlashCommand == "":
		return nil, errors.New("slackapp: new: no slash command (SLASH_COMMAND)")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = slack.APIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = defaultHandlerTimeout
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = defaultDrainTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a := &App{
		cfg:            cfg,
		events:         events,
		outbox:         outbox,
		log:            log.With("component", "slackapp"),
		now:            cfg.Now,
		sleep:          sleepCtx,
		callTimeout:    defaultCallTimeout,
		workers:        defaultWorkers,
		outboxWorkers:  defaultOutboxWorkers,
		outboxRetry:    defaultOutboxRetry,
		outboxRetryMax: maxOutboxBackoff,
		outboxLease:    outboxLease,
		leases:         leaseKeeper{held: map[int64]*heldItem{}},
		wake:           make(chan struct{}, 1),
		commands:       map[string]CommandHandler{},
		eventHandlers:  map[string]EventHandler{},
		actions:        map[string]ActionHandler{},
		views:          map[string]ViewHandler{},
		renderers:      map[db.Kind]Renderer{},
		uploads:        map[db.Kind]UploadRenderer{},
		validators:     map[string]ViewValidator{},
		fallback:       defaultFallbacks(),
	}
	for _, o := range opts {
		o(a)
	}
	a.workers = max(a.workers, 1)
	a.outboxWorkers = max(a.outboxWorkers, 1)
	if a.outboxLease <= 0 {
		a.outboxLease = outboxLease
	}
	if a.httpClient == nil {
		// slack-go's default client has no timeout at all; per-call contexts bound requests, this
		// is the backstop for apps.connections.open.
		a.httpClient = &http.Client{Timeout: time.Minute}
	}
	quiet := discardLogger{}
	a.api = slack.New(cfg.BotToken,
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionHTTPClient(a.httpClient),
		// Debug stays off: slack-go's debug output prints tickets, tokens and message text.
		slack.OptionDebug(false),
		slack.OptionLog(quiet),
	)
	smOpts := []socketmode.Option{socketmode.OptionDebug(false), socketmode.OptionLog(quiet)}
	if a.cfg.PingInterval > 0 {
		smOpts = append(smOpts, socketmode.OptionPingInterval(a.cfg.PingInterval))
	}
	a.sm = socketmode.New(a.api, smOpts...)
	a.web = newWebAPI(a.now, a.sleep, a.callTimeout)
	a.registerBuiltinRenderers()
	a.registerInstallHandlers()
	return a, nil
}

// discardLogger swallows slack-go's own logging, which could carry payloads.
type discardLogger struct{}

// Output drops the line.
func (discardLogger) Output(int, string) error { return nil }

// HandleCommand routes "/reflect <verb>" to h.
func (a *App) HandleCommand(verb string, h CommandHandler) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.commands[strings.ToLower(verb)] = h
}

// HandleDM adds h to the handlers offered each new DM, in registration order, until one handles it.
func (a *App) HandleDM(h DMHandler) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dms = append(a.dms, h)
}

// HandleEvent routes events of eventType to h. For DM edits and deletions use "message_changed"
// and "message_deleted"; new DMs go to HandleDM.
func (a *App) HandleEvent(eventType string, h EventHandler) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.eventHandlers[eventType] = h
}

// HandleAction routes clicks whose action_id is prefix or starts with prefix + ":" to h.
func (a *App) HandleAction(prefix string, h ActionHandler) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.actions[prefix] = h
}

// HandleView routes view submissions with callbackID to h.
func (a *App) HandleView(callbackID string, h ViewHandler) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.views[callbackID] = h
}

// RunInBackground runs f beside the event handlers while Run runs; its context is cancelled when
// Run shuts down. Register before Run.
func (a *App) RunInBackground(f func(ctx context.Context)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.background = append(a.background, f)
}

func (a *App) backgroundTasks() []func(context.Context) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return append([]func(context.Context){}, a.background...)
}

// Connected reports whether a Socket Mode connection is up (for /readyz later).
func (a *App) Connected() bool { return a.connected.Load() }

// BotUserID returns the bot's own user id, known once Run has called auth.test.
func (a *App) BotUserID() string {
	if p := a.botUserID.Load(); p != nil {
		return *p
	}
	return ""
}

// Notify wakes the outbox relay (call after Enqueue).
func (a *App) Notify() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Stats returns a snapshot of the counters.
func (a *App) Stats() Stats {
	c := &a.stats
	return Stats{
		WebAPIStats:      a.web.stats(),
		Acked:            c.acked.Load(),
		Duplicates:       c.duplicates.Load(),
		Handled:          c.handled.Load(),
		HandlerErrors:    c.handlerErrors.Load(),
		Panics:           c.panics.Load(),
		Dropped:          c.dropped.Load(),
		IgnoredBots:      c.ignoredBots.Load(),
		Connects:         c.connects.Load(),
		OutboxSent:       c.outboxSent.Load(),
		OutboxReconciled: c.outboxReconciled.Load(),
		OutboxRetried:    c.outboxRetried.Load(),
		OutboxFailed:     c.outboxFailed.Load(),
		OutboxLeaseLost:  c.outboxLeaseLost.Load(),
	}
}

// authTest checks the bot token and learns the bot's user id (to ignore its own messages).
func (a *App) authTest(ctx context.Context) error {
	var resp *slack.AuthTestResponse
	err := a.web.call(ctx, "auth.test", callOpts{}, func(ctx context.Context) error {
		var err error
		resp, err = a.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		if ae, ok := errors.AsType[*APIError](err); ok && authErrorCodes[ae.Code] {
			return &TokenError{Var: "SLACK_BOT_TOKEN", Code: ae.Code}
		}
		return fmt.Errorf("slackapp: auth.test: cannot check SLACK_BOT_TOKEN with Slack at %s: %w", a.cfg.APIURL, err)
	}
	id := resp.UserID
	a.botUserID.Store(&id)
	a.log.Info("authenticated", "team_id", resp.TeamID, "bot_user_id", resp.UserID)
	return nil
}

// Run calls auth.test (a bad token → an error saying which token is rejected, without the token),
// then runs Socket Mode and the outbox relay until ctx is done; it returns nil on a clean shutdown.
//
// Shutdown order: stop reading the socket, drain in-flight handlers (up to DrainTimeout), then stop
// the relay. Handlers keep their own context through the drain, so a cancelled Run does not abort
// work that was already acked.
func (a *App) Run(ctx context.Context) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("slackapp: run: already running")
	}
	defer a.running.Store(false)
	if err := a.checkRenderers(); err != nil {
		return err
	}
	if err := a.authTest(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if err := a.checkInstalled(ctx); err != nil {
		return err
	}

	// Handlers and the relay outlive ctx by the drain; they get cancelled explicitly.
	handlerCtx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()
	relayCtx, cancelRelay := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRelay()

	jobs := make(chan job, defaultQueue)
	var workers sync.WaitGroup
	for range a.workers {
		workers.Go(func() {
			for j := range jobs {
				if handlerCtx.Err() != nil {
					a.stats.dropped.Add(1)
					continue
				}
				a.process(handlerCtx, j)
			}
		})
	}

	// Background tasks (opt-in jobs) keep their progress in the store: cancelling them at
	// shutdown loses nothing.
	bgCtx, cancelBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBackground()
	var background sync.WaitGroup
	for _, f := range a.backgroundTasks() {
		background.Go(func() { f(bgCtx) })
	}

	relayStop := make(chan struct{})
	var relay sync.WaitGroup
	relay.Go(func() { a.relay(relayCtx, relayStop) })

	sockCtx, stopSocket := context.WithCancel(ctx)
	var reader sync.WaitGroup
	reader.Go(func() { a.readEvents(sockCtx, jobs) })
	sockErr := a.runSocket(sockCtx)
	stopSocket()
	reader.Wait()
	a.connected.Store(false)

	cancelBackground()
	background.Wait()

	// Stop taking events → drain handlers → stop the relay.
	close(jobs)
	if !waitFor(&workers, a.cfg.DrainTimeout) {
		a.log.Warn("handlers still running at the end of the drain; cancelling them", "drain_timeout", a.cfg.DrainTimeout)
		cancelHandlers()
		if !waitFor(&workers, time.Second) {
			a.log.Error("handlers ignored cancellation; returning without them")
		}
	}
	if n := a.stats.dropped.Load(); n > 0 {
		a.log.Warn("acked requests left unhandled at shutdown", "count", n)
	}
	// The relay finishes the batch in hand (its posts are bounded), then stops; what it cannot
	// finish stays in the outbox for the next start.
	close(relayStop)
	if !waitFor(&relay, time.Second) {
		cancelRelay()
		if !waitFor(&relay, time.Second) {
			a.log.Error("outbox relay did not stop")
		}
	}
	if sockErr != nil {
		return sockErr
	}
	a.log.Info("slack runtime stopped")
	return nil
}

// waitFor waits for wg up to d and reports whether it finished.
func waitFor(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// ActionHandlerFor returns the handler a click on actionID is routed to, or nil.
func (a *App) ActionHandlerFor(actionID string) ActionHandler { return a.actionHandler(actionID) }

// Subscriptions are the Events API subscriptions that deliver what the registered handlers
// handle, sorted: DMs and their edits and deletions come as message.im, the rest under their own
// type. The app manifest's bot_events must be exactly these.
func (a *App) Subscriptions() []string {
	seen := map[string]bool{}
	a.mu.RLock()
	for typ := range a.eventHandlers {
		switch typ {
		case "message_changed", "message_deleted":
			seen["message.im"] = true
		default:
			seen[typ] = true
		}
	}
	if len(a.dms) > 0 {
		seen["message.im"] = true
	}
	a.mu.RUnlock()
	return slices.Sorted(maps.Keys(seen))
}

// Verbs are the slash-command verbs that have a handler, sorted.
func (a *App) Verbs() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Sorted(maps.Keys(a.commands))
}
