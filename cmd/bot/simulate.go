package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/schedule"
	"github.com/reflect-bot/reflect/internal/simulation"
)

// simulate runs the personas of a persona file through the real planner, rotation, scoring and
// report on a simulated clock, and prints each persona's monthly first line (or, with -json, one
// object per line). Nothing touches Slack or a database. now gives the default start: the month
// -months before the current one.
func simulate(args []string, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	months := fs.Int("months", 12, "how many months to simulate")
	startFlag := fs.String("start", "", "the first month, YYYY-MM (default: -months before this month)")
	asJSON := fs.Bool("json", false, "print one JSON object per persona and month")
	if err := fs.Parse(args); err != nil {
		return usageError("simulate: " + err.Error() + "\n" + usage)
	}
	if fs.NArg() != 1 {
		return usageError("simulate takes one persona file after its flags\n" + usage)
	}
	if *months < 1 || *months > 120 {
		return usageError(fmt.Sprintf("simulate: -months must be from 1 to 120, got %d", *months))
	}
	start := report.MonthOf(now(), time.UTC).Add(-*months)
	if *startFlag != "" {
		m, err := report.ParseMonth(*startFlag)
		if err != nil {
			return usageError("simulate: -start: " + err.Error())
		}
		start = m
	}
	cfg, err := config.LoadCatalogue()
	if err != nil {
		return err
	}
	cat, err := prompts.Load(cfg.PromptsFile)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	personas, err := simulation.ParsePersonas(data)
	if err != nil {
		return fmt.Errorf("simulate: %s: %w", fs.Arg(0), err)
	}
	rows := simulation.Run(cat, schedule.Planner{Default: cfg.Schedule, Catalogue: cat}, personas, start, *months)
	enc := json.NewEncoder(stdout)
	for i, r := range rows {
		if *asJSON {
			if err := enc.Encode(r); err != nil {
				return err
			}
			continue
		}
		if i == 0 || rows[i-1].Persona != r.Persona {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "%s\n", r.Persona)
		}
		fmt.Fprintf(stdout, "  %s\n", r.FirstLine)
		if r.Mirror != "" {
			fmt.Fprintf(stdout, "    %s\n", r.Mirror)
		}
	}
	return nil
}
