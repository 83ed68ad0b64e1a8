package ops

import (
	"context"
	"log/slog"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reflect-bot/reflect/internal/slackapp"
)

// AckLatency is the histogram of Socket Mode ack latency: from reading an envelope to writing
// its ack. Slack redelivers an envelope it has not heard back on within about 3 seconds.
type AckLatency struct {
	h prometheus.Histogram
}

// NewAckLatency makes the histogram; give Observe to slackapp.WithAckObserver and the histogram to
// Config.AckLatency.
func NewAckLatency() *AckLatency {
	return &AckLatency{h: prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "reflect_ack_latency_seconds",
		Help:    "Time from reading a Socket Mode envelope to writing its ack.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	})}
}

// Observe records one ack.
func (l *AckLatency) Observe(d time.Duration) { l.h.Observe(d.Seconds()) }

// runtimeCounter is one counter read from the runtime's snapshot.
type runtimeCounter struct {
	name, help string
	value      func(slackapp.Stats) float64
}

// runtimeCounters are the runtime's counters as Prometheus counters. They count since the
// process started, as Prometheus counters should.
var runtimeCounters = []runtimeCounter{
	{"reflect_envelopes_acked_total", "Socket Mode envelopes acknowledged.",
		func(s slackapp.Stats) float64 { return float64(s.Acked) }},
	{"reflect_duplicate_events_dropped_total", "Events API deliveries dropped because their event_id was already seen.",
		func(s slackapp.Stats) float64 { return float64(s.Duplicates) }},
	{"reflect_requests_handled_total", "Events, commands and interactions that reached a handler.",
		func(s slackapp.Stats) float64 { return float64(s.Handled) }},
	{"reflect_handler_errors_total", "Handlers that failed, panics included.",
		func(s slackapp.Stats) float64 { return float64(s.HandlerErrors) }},
	{"reflect_handler_panics_total", "Handlers that panicked.",
		func(s slackapp.Stats) float64 { return float64(s.Panics) }},
	{"reflect_requests_dropped_total", "Acked requests left unhandled because shutdown ran out of time.",
		func(s slackapp.Stats) float64 { return float64(s.Dropped) }},
	{"reflect_bot_messages_ignored_total", "Messages from bots ignored.",
		func(s slackapp.Stats) float64 { return float64(s.IgnoredBots) }},
	{"reflect_socket_connects_total", "Socket Mode connections made.",
		func(s slackapp.Stats) float64 { return float64(s.Connects) }},
	{"reflect_socket_reconnects_total", "Socket Mode connections made after the first.",
		func(s slackapp.Stats) float64 { return float64(max(s.Connects-1, 0)) }},
	{"reflect_outbox_sent_total", "Outbox posts sent.",
		func(s slackapp.Stats) float64 { return float64(s.OutboxSent) }},
	{"reflect_outbox_reconciled_total", "Outbox posts found already delivered after an ambiguous failure.",
		func(s slackapp.Stats) float64 { return float64(s.OutboxReconciled) }},
	{"reflect_outbox_retried_total", "Outbox posts scheduled for another attempt.",
		func(s slackapp.Stats) float64 { return float64(s.OutboxRetried) }},
	{"reflect_outbox_failed_total", "Outbox posts given up.",
		func(s slackapp.Stats) float64 { return float64(s.OutboxFailed) }},
	{"reflect_outbox_lease_lost_total", "Outbox posts left unposted because their lease had gone to another replica.",
		func(s slackapp.Stats) float64 { return float64(s.OutboxLeaseLost) }},
	{"reflect_slack_rate_limited_total", "Slack Web API answers with status 429.",
		func(s slackapp.Stats) float64 { return float64(s.RateLimited) }},
	{"reflect_slack_rate_limit_wait_seconds_total", "Time callers spent waiting on Slack rate limits.",
		func(s slackapp.Stats) float64 { return s.RateLimitWait.Seconds() }},
	{"reflect_slack_ambiguous_calls_total", "Slack Web API calls whose outcome is unknown (timeout, reset, 5xx).",
		func(s slackapp.Stats) float64 { return float64(s.Ambiguous) }},
	{"reflect_slack_dial_retries_total", "Slack Web API calls repeated because the connection could not be opened.",
		func(s slackapp.Stats) float64 { return float64(s.DialRetries) }},
}

// collector reads every snapshot at scrape time.
type collector struct {
	runtime Runtime
	store   Store
	counts  Counts // may be nil
	version string
	log     *slog.Logger

	counters     []*prometheus.Desc // parallel to runtimeCounters
	connected    *prometheus.Desc
	outboxDepth  *prometheus.Desc
	rows         *prometheus.Desc
	deliveries   *prometheus.Desc
	failedPosts  *prometheus.Desc
	buildInfo    *prometheus.Desc
	scrapeErrors *prometheus.Desc
	paceRate     *prometheus.Desc
	paceBound    *prometheus.Desc
	paceMax      *prometheus.Desc
	paceLimited  *prometheus.Desc

	storeErrors atomic.Int64
}

func newCollector(rt Runtime, store Store, counts Counts, version string, log *slog.Logger) *collector {
	c := &collector{
		runtime: rt, store: store, counts: counts, version: version, log: log,
		connected: prometheus.NewDesc("reflect_socket_connected",
			"1 while a Socket Mode connection is up, else 0.", nil, nil),
		outboxDepth: prometheus.NewDesc("reflect_outbox_depth",
			"Outbox posts pending or in flight.", nil, nil),
		rows: prometheus.NewDesc("reflect_store_rows",
			"Rows per database table (answers: answers recorded and not yet purged).", []string{"table"}, nil),
		deliveries: prometheus.NewDesc("reflect_deliveries",
			"Prompts owed, by state: pending (due, not yet posted), sent (awaiting an answer), answered, skipped, expired.",
			[]string{"state"}, nil),
		failedPosts: prometheus.NewDesc("reflect_outbox_failed_messages",
			"Outbox posts in the failed state (kept until purged), by kind.", []string{"kind"}, nil),
		buildInfo: prometheus.NewDesc("reflect_build_info",
			"Always 1; the version label says which build is running.", []string{"version"}, nil),
		scrapeErrors: prometheus.NewDesc("reflect_store_scrape_errors_total",
			"Store reads that failed while collecting metrics.", nil, nil),
		paceRate: prometheus.NewDesc("reflect_slack_pace_rate",
			"Calls a second the relay now allows itself, per paced Slack method (learned from Slack's answers).", []string{"method"}, nil),
		paceBound: prometheus.NewDesc("reflect_slack_pace_in_flight_bound",
			"Calls the relay now allows in flight at once, per paced Slack method.", []string{"method"}, nil),
		paceMax: prometheus.NewDesc("reflect_slack_pace_max_in_flight",
			"The most calls that were in flight at once, per paced Slack method.", []string{"method"}, nil),
		paceLimited: prometheus.NewDesc("reflect_slack_pace_rate_limited_total",
			"Paced calls Slack answered with status 429, per method.", []string{"method"}, nil),
	}
	for _, rc := range runtimeCounters {
		c.counters = append(c.counters, prometheus.NewDesc(rc.name, rc.help, nil, nil))
	}
	return c
}

// Describe sends every descriptor.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.counters {
		ch <- d
	}
	ch <- c.connected
	ch <- c.outboxDepth
	ch <- c.rows
	ch <- c.buildInfo
	ch <- c.scrapeErrors
	if _, ok := c.runtime.(Pacing); ok {
		ch <- c.paceRate
		ch <- c.paceBound
		ch <- c.paceMax
		ch <- c.paceLimited
	}
	if c.counts != nil {
		ch <- c.deliveries
		ch <- c.failedPosts
	}
}

// Collect reads the runtime's counters and the store's counts. A store read that fails leaves its
// metric out of this scrape, counts in reflect_store_scrape_errors_total and is logged; the error
// text never reaches the scrape.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := c.runtime.Stats()
	for i, rc := range runtimeCounters {
		ch <- prometheus.MustNewConstMetric(c.counters[i], prometheus.CounterValue, rc.value(st))
	}
	connected := 0.0
	if c.runtime.Connected() {
		connected = 1
	}
	ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, connected)
	ch <- prometheus.MustNewConstMetric(c.buildInfo, prometheus.GaugeValue, 1, c.version)
	if p, ok := c.runtime.(Pacing); ok {
		for method, ps := range p.PaceStats() {
			if !methodName.MatchString(method) {
				continue // our own method names only: nothing else may become a label
			}
			ch <- prometheus.MustNewConstMetric(c.paceRate, prometheus.GaugeValue, ps.Rate, method)
			ch <- prometheus.MustNewConstMetric(c.paceBound, prometheus.GaugeValue, float64(ps.Bound), method)
			ch <- prometheus.MustNewConstMetric(c.paceMax, prometheus.GaugeValue, float64(ps.MaxInFlight), method)
			ch <- prometheus.MustNewConstMetric(c.paceLimited, prometheus.CounterValue, float64(ps.RateLimited), method)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if n, err := c.store.OutboxDepth(ctx); c.ok("outbox depth", err) {
		ch <- prometheus.MustNewConstMetric(c.outboxDepth, prometheus.GaugeValue, float64(n))
	}
	if m, err := c.store.Stats(ctx); c.ok("table rows", err) {
		c.byLabel(ch, c.rows, m)
	}
	if c.counts != nil {
		if m, err := c.counts.DeliveryCounts(ctx); c.ok("delivery counts", err) {
			c.byLabel(ch, c.deliveries, m)
		}
		if m, err := c.counts.FailedOutboxCounts(ctx); c.ok("failed outbox counts", err) {
			c.byLabel(ch, c.failedPosts, m)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.scrapeErrors, prometheus.CounterValue, float64(c.storeErrors.Load()))
}

// ok reports whether err is nil, counting and logging it otherwise.
func (c *collector) ok(what string, err error) bool {
	if err == nil {
		return true
	}
	c.storeErrors.Add(1)
	c.log.Warn("metrics: store read failed", "read", what, "error", err)
	return false
}

// byLabel sends one gauge per key of m, under a label value that is safe to publish.
func (c *collector) byLabel(ch chan<- prometheus.Metric, d *prometheus.Desc, m map[string]int) {
	sums := make(map[string]int, len(m))
	for k, n := range m {
		sums[labelValue(k)] += n
	}
	for k, n := range sums {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(n), k)
	}
}

// Pacing is a runtime that paces its Slack calls (*slackapp.App is one): its pacers' state is
// exported per method when the runtime has it.
type Pacing interface {
	PaceStats() map[string]slackapp.PaceStats
}

var _ Pacing = (*slackapp.App)(nil)

// methodName is the shape of a Slack Web API method's name, such as chat.postMessage.
var methodName = regexp.MustCompile(`^[a-z]+(\.[a-zA-Z]+){1,2}$`)

// safeLabel is the fixed vocabulary label values come from: table names, states, kinds. Slack ids
// are upper-case and a channel-scoped kind holds a colon, so neither passes.
var safeLabel = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// labelValue returns v if it is plainly a name of ours and "other" otherwise, so no user id,
// channel id or text can reach a label.
func labelValue(v string) string {
	if safeLabel.MatchString(v) {
		return v
	}
	return "other"
}
