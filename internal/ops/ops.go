// Package ops serves the operations endpoints on HTTP_ADDR: /healthz (the process is alive),
// /readyz (the database answers and the Socket Mode connection is up) and /metrics (Prometheus).
// Everything it reports is read at request time from snapshots the runtime and the store already
// keep, so no hot path pays for it.
package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Store is what the endpoints read from the database.
type Store interface {
	Ping(ctx context.Context) error
	OutboxDepth(ctx context.Context) (int, error)      // pending and in-flight posts
	Stats(ctx context.Context) (map[string]int, error) // row counts per table
}

// Counts are totals the store can count with one GROUP BY query each, read at scrape time. Keys
// are fixed vocabulary (states, kinds); anything else is reported as "other".
type Counts interface {
	DeliveryCounts(ctx context.Context) (map[string]int, error)     // deliveries by state
	FailedOutboxCounts(ctx context.Context) (map[string]int, error) // outbox posts given up, by kind
}

// Runtime is the Slack runtime as the endpoints see it; *slackapp.App is one.
type Runtime interface {
	Connected() bool
	Stats() slackapp.Stats
}

var _ Runtime = (*slackapp.App)(nil)

// Timeouts.
const (
	readyTimeout    = 2 * time.Second  // one database ping for /readyz
	scrapeTimeout   = 5 * time.Second  // the store queries of one /metrics scrape
	shutdownTimeout = 5 * time.Second  // in-flight requests at shutdown
	requestTimeout  = 10 * time.Second // the server's read and write bounds
)

// Config is what New needs. Store and Runtime are required.
type Config struct {
	Store      Store
	Runtime    Runtime
	Counts     Counts      // nil: the delivery and failed-post gauges are left out
	AckLatency *AckLatency // the histogram the runtime observes; nil: one nobody observes
	Version    string      // for reflect_build_info
	Log        *slog.Logger
}

// Server is the operations HTTP server.
type Server struct {
	handler http.Handler
	store   Store
	runtime Runtime
	log     *slog.Logger
}

// New builds the server and its private metrics registry. It does no I/O; Serve listens.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Runtime == nil {
		return nil, errors.New("ops: new: a store and a runtime are required")
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "ops")
	ack := cfg.AckLatency
	if ack == nil {
		ack = NewAckLatency()
	}
	// A registry of our own: nothing registered globally by a dependency leaks into /metrics,
	// and tests can build as many servers as they like.
	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newCollector(cfg.Runtime, cfg.Store, cfg.Counts, cfg.Version, log),
		ack.h,
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("ops: new: register metrics: %w", err)
		}
	}
	s := &Server{store: cfg.Store, runtime: cfg.Runtime, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		// Scrapes are cheap but reach the database; a pile-up of them should not.
		MaxRequestsInFlight: 4,
		Timeout:             requestTimeout,
	}))
	s.handler = mux
	return s, nil
}

// Handler returns the endpoints' handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers on ln until ctx is done, then shuts down gracefully (in-flight requests get a few
// seconds) and returns nil. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: requestTimeout,
		ReadTimeout:       requestTimeout,
		WriteTimeout:      2 * requestTimeout,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.Info("operations endpoints listening", "addr", ln.Addr().String())
	select {
	case err := <-served:
		return fmt.Errorf("ops: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		<-served
		return fmt.Errorf("ops: shutdown: %w", err)
	}
	<-served // http.ErrServerClosed
	return nil
}

// healthz answers 200 while the process can answer at all.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	plain(w, http.StatusOK, "ok")
}

// readyz answers 200 when the database answers a ping and the Socket Mode connection is up, and
// 503 otherwise, with one fixed line per reason: an error's text could hold a path or worse.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	var reasons []string
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("readiness: database ping failed", "error", err)
		reasons = append(reasons, "database unreachable")
	}
	if !s.runtime.Connected() {
		reasons = append(reasons, "not connected to Slack")
	}
	if len(reasons) > 0 {
		plain(w, http.StatusServiceUnavailable, strings.Join(reasons, "\n"))
		return
	}
	plain(w, http.StatusOK, "ready")
}

// plain writes a short text answer that nothing caches.
func plain(w http.ResponseWriter, code int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = fmt.Fprintln(w, body)
}
