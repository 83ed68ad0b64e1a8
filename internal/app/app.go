// Package app is Reflect's composition root: it builds the Slack runtime, the due loop and every
// feature on one store, one catalogue and one clock, and runs them in the right order. The bot's
// run and try commands and the end-to-end tests all build the bot here, so the tests exercise the
// wiring that ships.
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/feature/assess"
	"github.com/reflect-bot/reflect/internal/feature/experiment"
	"github.com/reflect-bot/reflect/internal/feature/help"
	"github.com/reflect-bot/reflect/internal/feature/mirror"
	"github.com/reflect-bot/reflect/internal/feature/privacy"
	"github.com/reflect-bot/reflect/internal/feature/results"
	"github.com/reflect-bot/reflect/internal/feature/teams"
	"github.com/reflect-bot/reflect/internal/feature/weekly"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// The store is what the Slack runtime and every feature consume.
var (
	_ slackapp.Events     = (*db.Store)(nil)
	_ slackapp.Outbox     = (*db.Store)(nil)
	_ slackapp.StateStore = (*db.Store)(nil)
	_ assess.Store        = (*db.Store)(nil)
	_ experiment.Store    = (*db.Store)(nil)
	_ mirror.Store        = (*db.Store)(nil)
	_ privacy.Store       = (*db.Store)(nil)
	_ results.Store       = (*db.Store)(nil)
	_ teams.Store         = (*db.Store)(nil)
	_ weekly.Store        = (*db.Store)(nil)
)

// App is the bot, wired and ready to run: the Slack runtime and the due loop.
type App struct {
	Slack *slackapp.App
	Loop  *schedule.Loop
}

// New builds the Slack runtime and the due loop on the clock now, with every feature registered.
// It does no I/O; Run connects. opts adjust the Slack runtime (tests shorten its timeouts).
func New(cfg config.Config, log *slog.Logger, store *db.Store, cat *prompts.Catalogue, now func() time.Time,
	opts ...slackapp.Option) (*App, error) {
	if now == nil {
		now = time.Now
	}
	spec, err := schedule.ParseSpec(cfg.PromptSchedule)
	if err != nil {
		return nil, err // validated by config; kept for safety
	}
	app, err := slackapp.New(slackapp.Config{
		BotToken:     cfg.BotToken.Reveal(),
		AppToken:     cfg.AppToken.Reveal(),
		APIURL:       cfg.APIURL,
		SlashCommand: cfg.SlashCommand,
		Now:          now,
	}, store, store, log, append([]slackapp.Option{slackapp.WithStateStore(store)}, opts...)...)
	if err != nil {
		return nil, err
	}
	planner := schedule.Planner{Default: spec, Catalogue: cat}
	loop := schedule.NewLoop(store, planner, now, log)
	loop.ReminderAfter = cfg.ReminderAfter
	loop.Notify = app.Notify
	loop.Stopped = app.SendingStopped
	help.Register(app)
	// The mirror and the experiment add to the summary and the App Home (and the experiment to the
	// weekly prompt's message); they read the summary and refresh that message through results
	// and weekly, which are built after them: wired both ways through res and wk.
	var (
		res *results.Handle
		wk  *weekly.Handle
	)
	mir := mirror.Register(app, mirror.Deps{Store: store, Catalogue: cat, Now: now, MinRespondents: cfg.TeamMinRespondents,
		OwnHeadline: func(ctx context.Context, userID string, period report.Month) (string, error) {
			return res.Headline(ctx, userID, period)
		},
		Changed: func(ctx context.Context, userID string) { res.Changed(ctx, userID) }})
	exp, err := experiment.Register(app, experiment.Deps{Store: store, Catalogue: cat, Now: now,
		Summarise: func(ctx context.Context, userID string, period report.Month) (report.Summary, error) {
			return res.Summarise(ctx, userID, period)
		},
		RefreshDelivery: func(ctx context.Context, userID string, id int64) error { return wk.Refresh(ctx, userID, id) },
		Changed:         func(ctx context.Context, userID string) { res.Changed(ctx, userID) }})
	if err != nil {
		return nil, err
	}
	res = results.Register(app, results.Deps{Store: store, Catalogue: cat, Planner: planner, Now: now, Support: cfg.Support(),
		AssessAction: assess.ActionOpen, Sections: []results.Section{mir.Section(), exp}})
	wk = weekly.Register(app, weekly.Deps{Store: store, Catalogue: cat, Planner: planner, Now: now, Poke: loop.Poke, Changed: res.Changed,
		Support: cfg.Support(), Extras: []weekly.Extra{exp}})
	assess.Register(app, assess.Deps{Store: store, Catalogue: cat, Now: now, Changed: res.Changed})
	tm := teams.Register(app, teams.Deps{Store: store, Catalogue: cat, Planner: planner, Policy: cfg.OptinPolicy,
		MinRespondents: cfg.TeamMinRespondents, Now: now, Poke: loop.Poke, Changed: res.Changed})
	// Periodic jobs run once per period across replicas. Retention keeps its own daily pace; an
	// hourly period (not a UTC day) keeps a replica's start-up purge from skipping a day.
	loop.AddJob("team-summaries", time.Minute, tm.MonthlyJob)
	loop.AddJob("team-mirror", time.Hour, mir.MonthlyJob)
	priv := privacy.Register(app, privacy.Deps{Store: store, Catalogue: cat, RetentionMonths: cfg.RetentionMonths, Changed: res.Changed,
		Annotate: []func(*db.Export){exp.Annotate}})
	loop.AddJob("retention", time.Hour, priv.Retention)
	// Run refuses to start while a kind the store can queue has no renderer.
	app.ExpectKinds(db.Kinds()...)
	return &App{Slack: app, Loop: loop}, nil
}

// Run serves until ctx is done and returns nil on a clean shutdown.
func (a *App) Run(ctx context.Context) error {
	// One round before the relay starts: occurrences missed while the bot was down are planned,
	// and posts whose occurrence has gone are given up before anything is sent.
	if _, err := a.Loop.Tick(ctx); err != nil {
		return err
	}
	// Shutdown order: the Slack runtime stops taking events and drains handlers; then the due
	// loop stops; the caller closes the database last.
	loopCtx, stopLoop := context.WithCancel(context.WithoutCancel(ctx))
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		_ = a.Loop.Run(loopCtx)
	}()
	runErr := a.Slack.Run(ctx)
	stopLoop()
	<-loopDone
	return runErr
}
