package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/app"
	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/ops"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
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
	// The bot token first: a token Slack rejects ends the start here, before a database file,
	// the HTTP port or a retention purge is touched.
	if err := slackapp.CheckBotToken(ctx, cfg.APIURL, cfg.BotToken.Reveal(), nil); err != nil {
		return err
	}
	store, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	log.Info("starting", "version", version(), "prompts", len(cat.Prompts), "database", db.Describe(cfg.DatabaseURL))

	ackLatency := ops.NewAckLatency()
	bot, err := app.New(cfg, log, store, cat, time.Now, slackapp.WithAckObserver(ackLatency.Observe))
	if err != nil {
		return err
	}
	// /healthz, /readyz, /metrics: deferred after store.Close, so they stop after Run returns and
	// before the database closes.
	stopOps, err := startOps(ctx, cfg.HTTPAddr, log, store, bot.Slack, ackLatency)
	if err != nil {
		return err
	}
	defer stopOps()
	if err := bot.Run(ctx); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// check validates configuration, catalogue and database and says what it found.
func check(ctx context.Context, stdout io.Writer) error {
	// Every part is checked even when an earlier one fails, so one run names every problem.
	cfg, cfgErr := config.Load()
	if cfgErr != nil {
		fmt.Fprintln(stdout, "config: problems (listed below)")
	} else {
		fmt.Fprintf(stdout, "config: ok (schedule %q, reminder after %s, opt-in policy %s, command %s)\n",
			cfg.PromptSchedule, cfg.ReminderAfter, cfg.OptinPolicy, cfg.SlashCommand)
	}
	if strings.TrimSpace(cfg.DatabaseURL) == "" {
		// The environment could not be read at all (or DATABASE_URL is blank): nothing to go on.
		fmt.Fprintln(stdout, "catalogue, database: not checked until the configuration can be read")
		return cfgErr
	}
	catErr := checkCatalogue(cfg.PromptsFile, stdout)
	dbErr := checkDatabase(ctx, cfg.DatabaseURL, stdout)
	return errors.Join(cfgErr, catErr, dbErr)
}

// checkCatalogue loads the prompt catalogue and reports what it holds.
func checkCatalogue(file string, stdout io.Writer) error {
	cat, err := prompts.Load(file)
	if err != nil {
		fmt.Fprintln(stdout, "catalogue: problems (listed below)")
		return err
	}
	source := "built in"
	if file != "" {
		source = file
	}
	counts := cat.Counts()
	dims := make([]string, 0, len(counts))
	for d, n := range counts {
		dims = append(dims, fmt.Sprintf("%s %d", d, n))
	}
	sort.Strings(dims)
	fmt.Fprintf(stdout, "catalogue: ok (%s): %d weekly prompts (%s), %d assessment items\n",
		source, len(cat.Prompts), strings.Join(dims, ", "), len(cat.Assessment))
	for _, line := range cat.Audit().Lines() {
		fmt.Fprintf(stdout, "  audit: %s\n", line)
	}
	return nil
}

// checkDatabase reports the database's schema version, and what the bot would create or migrate
// on start, without creating or changing anything.
func checkDatabase(ctx context.Context, url string, stdout io.Writer) error {
	in, err := db.Inspect(ctx, url)
	if err != nil {
		fmt.Fprintln(stdout, "database: problems (listed below)")
		return err
	}
	where := db.Describe(url)
	switch {
	case !in.Exists:
		fmt.Fprintf(stdout, "database: ok (%s does not exist yet; the bot creates it on start, at schema version %d)\n", where, in.Latest)
	case in.SchemaVersion < in.Latest:
		fmt.Fprintf(stdout, "database: ok (%s, schema version %d; the bot migrates it to %d on start)\n", where, in.SchemaVersion, in.Latest)
	case in.SchemaVersion > in.Latest:
		fmt.Fprintf(stdout, "database: problems (listed below)\n")
		return fmt.Errorf("database: %s is at schema version %d, newer than this build knows (%d): run a newer Reflect", where, in.SchemaVersion, in.Latest)
	default:
		fmt.Fprintf(stdout, "database: ok (%s, schema version %d)\n", where, in.SchemaVersion)
	}
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

// migrateData copies the SQLite database at from into the PostgreSQL database DATABASE_URL names
// (empty, migrated on open), and prints each table's rows, checked by counts on both sides.
func migrateData(ctx context.Context, from string, stdout io.Writer) error {
	to, err := config.LoadDatabaseURL()
	if err != nil {
		return err
	}
	if !db.IsPostgres(to) {
		return errors.New("migrate-data: set DATABASE_URL to the PostgreSQL database to copy into (postgres://…)")
	}
	if db.IsPostgres(from) {
		return errors.New("migrate-data: the argument is the SQLite database to copy from; the target comes from DATABASE_URL")
	}
	// Opening a path that does not exist would create an empty database and copy nothing.
	file, err := db.SQLiteFile(from)
	if err != nil {
		return fmt.Errorf("migrate-data: %w", err)
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("migrate-data: the SQLite database to copy: %w", err)
	}
	src, err := db.Open(ctx, from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := db.Open(ctx, to)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := src.CopyInto(ctx, dst)
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(counts))
	for table := range counts {
		tables = append(tables, table)
	}
	sort.Strings(tables)
	total := 0
	for _, table := range tables {
		fmt.Fprintf(stdout, "  %-18s %d rows\n", table, counts[table])
		total += counts[table]
	}
	fmt.Fprintf(stdout, "migrate-data: copied %d rows from %s into %s; every table's count matches\n", total, from, db.Describe(to))
	return nil
}
