// Package schedule decides when things are due: the next prompt occurrence for each person (a cron
// spec or a personal weekly slot, read in the person's own time zone), the due loop, catch-up and
// reminders. It is the only package that imports robfig/cron.
package schedule

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// specParser reads standard five-field cron specs (minute hour day-of-month month day-of-week) and
// the @weekly-style descriptors. Seconds are not accepted: prompts are planned to the minute.
var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Spec is a parsed PROMPT_SCHEDULE.
type Spec struct {
	text  string
	sched cron.Schedule
}

// ParseSpec parses a five-field cron spec such as "0 9 * * MON". The spec carries no time zone: it is
// read in each person's own zone, so a CRON_TZ= or TZ= prefix is refused.
func ParseSpec(text string) (Spec, error) {
	if len(text) >= 3 && (text[:3] == "TZ=" || (len(text) >= 8 && text[:8] == "CRON_TZ=")) {
		return Spec{}, fmt.Errorf("a time zone prefix is not allowed: the spec is read in each person's own time zone")
	}
	s, err := specParser.Parse(text)
	if err != nil {
		return Spec{}, err
	}
	// cron gives up after five years without a match ("0 0 30 2 *", February 30th) and returns the
	// zero time; such a spec would leave everyone due forever.
	if s.Next(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return Spec{}, fmt.Errorf("it never fires")
	}
	return Spec{text: text, sched: s}, nil
}

// String returns the spec as it was written.
func (s Spec) String() string { return s.text }
