package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Next returns the first occurrence of s strictly after `after`, with the spec read as wall-clock
// time in loc. The result is in UTC.
//
// Daylight-saving rules: a slot that falls in a spring-forward gap (02:30 on a day that jumps from
// 02:00 to 03:00) moves to the first valid minute after the gap (03:00); a slot that falls in a
// fall-back overlap (01:30 that happens twice) fires once, at its first instance.
//
// robfig/cron evaluated directly in loc can skip gap slots, so the spec is matched against a
// "floating" wall clock (the same clock fields in UTC, which has no DST) and each match is mapped back
// to a real instant in loc.
func (s Spec) Next(after time.Time, loc *time.Location) time.Time {
	wall := floating(after.In(loc))
	// A loop, because the mapped instant of a match can still be at or before `after` (the second
	// pass through a fall-back hour); two or three turns at most in practice.
	for i := 0; i < 1000; i++ {
		wall = s.sched.Next(wall)
		if wall.IsZero() {
			return time.Time{}
		}
		if at := instant(wall, loc); at.After(after) {
			return at.UTC()
		}
	}
	return time.Time{}
}

// floating returns t's wall-clock fields as a UTC time.
func floating(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// instant maps a floating wall-clock time to the real instant in loc: the earlier instant in an
// overlap, the end of the gap in a gap.
func instant(wall time.Time, loc *time.Location) time.Time {
	t := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), loc)
	if floating(t).Equal(wall) {
		// Valid wall time. In an overlap Go may pick either instance; prefer the earlier one.
		for _, back := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
			if e := t.Add(-back); floating(e).Equal(wall) {
				return e
			}
		}
		return t
	}
	// In a gap: the wall time does not exist. The gap ends at the zone transition; find it between
	// the instants the two offsets would give.
	_, off := t.Zone()
	lo := wall.Add(-time.Duration(off)*time.Second - 3*time.Hour)
	hi := lo.Add(6 * time.Hour)
	_, offLo := lo.In(loc).Zone()
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if _, o := mid.In(loc).Zone(); o == offLo {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi.Truncate(time.Second)
}

// days maps the accepted day names to cron's day-of-week numbers.
var days = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// Slot is a personal weekly prompt slot: a day and a time of day in the person's zone.
type Slot struct {
	Day    time.Weekday
	Hour   int
	Minute int
}

// ParseSlot reads a personal slot as typed after `/reflect schedule`: a day (mon..sun, or the full
// name) and a 24-hour time HH:MM, e.g. "tue 10:30". Errors are written for the person who typed it.
func ParseSlot(text string) (Slot, error) {
	f := strings.Fields(strings.ToLower(text))
	if len(f) != 2 {
		return Slot{}, fmt.Errorf("give a day and a time, like `tue 10:30`")
	}
	// Both halves are checked, so one reply names every problem.
	var problems []string
	day, ok := days[f[0]]
	if !ok {
		problems = append(problems, fmt.Sprintf("%q is not a day: use mon, tue, wed, thu, fri, sat or sun", f[0]))
	}
	hh, mm, ok := strings.Cut(f[1], ":")
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	if !ok || errH != nil || errM != nil || len(mm) != 2 || len(hh) < 1 || len(hh) > 2 || h < 0 || h > 23 || m < 0 || m > 59 {
		problems = append(problems, fmt.Sprintf("%q is not a time: use 24-hour HH:MM, from 00:00 to 23:59", f[1]))
	}
	if len(problems) > 0 {
		return Slot{}, errors.New(strings.Join(problems, "; and "))
	}
	return Slot{Day: day, Hour: h, Minute: m}, nil
}

// String writes the slot in the form ParseSlot reads, e.g. "tue 10:30".
func (s Slot) String() string {
	return fmt.Sprintf("%s %02d:%02d", strings.ToLower(s.Day.String()[:3]), s.Hour, s.Minute)
}

// Spec returns the weekly cron spec of the slot.
func (s Slot) Spec() Spec {
	spec, err := ParseSpec(fmt.Sprintf("%d %d * * %d", s.Minute, s.Hour, int(s.Day)))
	if err != nil {
		// A Slot is built by ParseSlot or by hand within range; out-of-range fields are a bug.
		panic(fmt.Sprintf("schedule: slot %v makes a bad spec: %v", s, err))
	}
	return spec
}
