package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/ops"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// The store is what the Slack runtime consumes.
var (
	_ slackapp.Events = (*db.Store)(nil)
	_ slackapp.Outbox = (*db.Store)(nil)
)

// buildVersion is set at link time (-ldflags "-X main.buildVersion=…").
var buildVersion = "dev"

func version() string { return buildVersion }

// newLogger builds the one logger of the process from LOG_LEVEL and LOG_FORMAT.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// runBot connects to Slack and serves until ctx is done.
func runBot(ctx context.Context, stderr io.Writer) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	cat, err := prompts.Load(cfg.PromptsFile)
	if err != nil {
		return err
	}
	store, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	log.Info("starting", "version", version(), "prompts", len(cat.Prompts), "database", cfg.DatabaseURL)

	spec, err := schedule.ParseSpec(cfg.PromptSchedule)
	if err != nil {
		return err // validated by config; kept for safety
	}
	ackLatency := ops.NewAckLatency()
	app, err := slackapp.New(slackapp.Config{
		BotToken:     cfg.BotToken.Reveal(),
		AppToken:     cfg.AppToken.Reveal(),
		APIURL:       cfg.APIURL,
		SlashCommand: cfg.SlashCommand,
	}, store, store, log, slackapp.WithStateStore(store), slackapp.WithAckObserver(ackLatency.Observe))
	if err != nil {
		return err
	}
	// /healthz, /readyz, /metrics: deferred after store.Close, so they stop after Run returns and
	// before the database closes.
	stopOps, err := startOps(ctx, cfg.HTTPAddr, log, store, app, ackLatency)
	if err != nil {
		return err
	}
	defer stopOps()
	planner := schedule.Planner{Default: spec, Catalogue: cat}
	loop := schedule.NewLoop(store, planner, time.Now, log)
	loop.ReminderAfter = cfg.ReminderAfter
	loop.Notify = app.Notify
	loop.Stopped = app.SendingStopped
	results := app.RegisterResults(slackapp.Results{Store: store, Catalogue: cat, Planner: planner})
	app.RegisterWeekly(slackapp.Weekly{Store: store, Catalogue: cat, Planner: planner, Poke: loop.Poke, Changed: results.Changed})
	app.RegisterAssessment(slackapp.Assessment{Store: store, Catalogue: cat, Changed: results.Changed})
	teams := app.RegisterTeams(slackapp.Teams{Store: store, Catalogue: cat, Planner: planner, Policy: cfg.OptinPolicy,
		MinRespondents: cfg.TeamMinRespondents, Poke: loop.Poke, Changed: results.Changed})
	loop.Jobs = append(loop.Jobs, teams.MonthlyJob)
	privacy := app.RegisterPrivacy(slackapp.Privacy{Store: store, Catalogue: cat, RetentionMonths: cfg.RetentionMonths, Changed: results.Changed})
	loop.Jobs = append(loop.Jobs, privacy.Retention)

	// One round before the relay starts: occurrences missed while the bot was down are planned,
	// and posts whose occurrence has gone are given up before anything is sent.
	if _, err := loop.Tick(ctx); err != nil {
		return err
	}
	// Shutdown order: Run stops taking events and drains handlers; then the due loop stops; the
	// deferred Close closes the database last.
	loopCtx, stopLoop := context.WithCancel(context.WithoutCancel(ctx))
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		_ = loop.Run(loopCtx)
	}()
	runErr := app.Run(ctx)
	stopLoop()
	<-loopDone
	if runErr != nil {
		return runErr
	}
	log.Info("stopped")
	return nil
}

// check validates configuration, catalogue and database and says what it found.
func check(ctx context.Context, stdout io.Writer) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "config: ok (schedule %q, reminder after %s, opt-in policy %s, command %s)\n",
		cfg.PromptSchedule, cfg.ReminderAfter, cfg.OptinPolicy, cfg.SlashCommand)

	cat, err := prompts.Load(cfg.PromptsFile)
	if err != nil {
		return err
	}
	source := "built in"
	if cfg.PromptsFile != "" {
		source = cfg.PromptsFile
	}
	counts := cat.Counts()
	dims := make([]string, 0, len(counts))
	for d, n := range counts {
		dims = append(dims, fmt.Sprintf("%s %d", d, n))
	}
	sort.Strings(dims)
	fmt.Fprintf(stdout, "catalogue: ok (%s): %d weekly prompts (%s), %d assessment items\n",
		source, len(cat.Prompts), strings.Join(dims, ", "), len(cat.Assessment))

	store, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	v, err := store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database: ok (%s, schema version %d)\n", cfg.DatabaseURL, v)
	return nil
}

// backup writes a consistent copy of the database with VACUUM INTO. It needs only DATABASE_URL, so
// an operator can take a backup without the Slack tokens at hand.
func backup(ctx context.Context, path string, stdout io.Writer) error {
	dsn, err := config.LoadDatabaseURL()
	if err != nil {
		return err
	}
	store, err := db.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup: wrote %s\n", path)
	return nil
}
