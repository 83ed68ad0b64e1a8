// Command bot runs Reflect, the Slack app that sends managers a weekly reflection prompt and a
// monthly trend summary. Subcommands: run (default), try, check, simulate, backup, migrate-data,
// healthcheck, version.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		for line := range strings.Lines(err.Error()) {
			fmt.Fprint(os.Stderr, "bot: ", line)
		}
		fmt.Fprintln(os.Stderr)
		os.Exit(exitCode(err))
	}
}

// Exit statuses beyond 0: 1 for an error, 2 for a mistake in the command line, 3 when Slack
// rejects a token, which no restart fixes (an operator or supervisor can tell it apart).
const (
	exitError         = 1
	exitUsage         = 2
	exitTokenRejected = 3
)

// exitCode is the status err ends the process with.
func exitCode(err error) int {
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, slackapp.ErrTokenRejected):
		return exitTokenRejected
	}
	return exitError
}

// usageError is a mistake in the command line; it exits 2.
type usageError string

func (e usageError) Error() string { return string(e) }

const usage = `usage: bot [command]

commands:
  run            connect to Slack and run (the default)
  try [-port N] [-db PATH] [-start TIME]
                 try Reflect without Slack: the real bot against a local Slack emulator, in a
                 page on http://127.0.0.1:N (default 8085; 0 picks a free port); -start sets
                 the playground's clock (RFC 3339, default now)
  check          validate the configuration, the prompt catalogue and the database, and report,
                 with an audit of the catalogue (dimensions per block, where the leadership end
                 sits, lexicon words inside prompt texts)
  simulate [-months N] [-start YYYY-MM] [-json] PERSONAS.json
                 run simulated people through the real planner, rotation, scoring and report,
                 without Slack or a database, and print each one's monthly first line (-json:
                 one object per line); see testdata/personas.json
  backup PATH    write a consistent copy of the database to PATH
  migrate-data SQLITE_PATH
                 copy a SQLite database (bot stopped) into the empty PostgreSQL database that
                 DATABASE_URL names, and check the row counts of every table
  healthcheck    ask the running bot's /healthz on HTTP_ADDR; exit 0 if it answers 200
  version        print the version

Configuration comes from the environment (bot help lists it); see the README.`

// help is the usage followed by every environment variable, its default and what it takes.
func help() string {
	var b strings.Builder
	b.WriteString(usage)
	b.WriteString("\n\nenvironment:\n")
	for _, v := range config.Variables() {
		def := v.Default
		if def == "" {
			def = "none"
		}
		fmt.Fprintf(&b, "  %-21s %s (default: %s)\n", v.Name, v.Expected, def)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// run is the whole program, given its arguments and output streams; main only adds signals and
// the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		if len(args) != 0 {
			return usageError("run takes no arguments\n" + usage)
		}
		return runBot(ctx, stderr)
	case "try":
		return tryBot(ctx, args, stdout, stderr)
	case "check":
		if len(args) != 0 {
			return usageError("check takes no arguments\n" + usage)
		}
		return check(ctx, stdout)
	case "simulate":
		return simulate(args, stdout, stderr, time.Now)
	case "backup":
		if len(args) != 1 {
			return usageError("backup takes one argument, the path of the copy\n" + usage)
		}
		return backup(ctx, args[0], stdout)
	case "migrate-data":
		if len(args) != 1 {
			return usageError("migrate-data takes one argument, the SQLite database to copy\n" + usage)
		}
		return migrateData(ctx, args[0], stdout)
	case "healthcheck":
		if len(args) != 0 {
			return usageError("healthcheck takes no arguments\n" + usage)
		}
		return healthcheck(ctx, stdout)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "reflect", version())
		return nil
	case "help", "--help", "-h":
		fmt.Fprintln(stdout, help())
		return nil
	default:
		return usageError(fmt.Sprintf("unknown command %q\n%s", cmd, usage))
	}
}
