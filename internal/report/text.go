package report

import (
	"fmt"
	"strings"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// Text renders the whole summary as plain text: FirstLine first, exactly, then the dimensions,
// the trend (one line per month, so the chart has a text fallback), wellbeing, responses, how
// lean and wellbeing moved together, assessments, the suggestion and the caveat. An Empty month
// gets its note and one line on what would fill it.
func (s Summary) Text() string {
	var b strings.Builder
	b.WriteString(s.FirstLine)
	b.WriteByte('\n')
	if s.Empty {
		b.WriteString("Once you answer a weekly prompt, the summary will show your lean, its trend and a suggestion.\n")
		return b.String()
	}
	n := s.Reading.Count
	if len(s.Trend) > 0 {
		n = s.Trend[len(s.Trend)-1].Answers
	}
	fmt.Fprintf(&b, "From %d answer%s this month, %d of them carrying a lean.\n", n, plural(n), s.Reading.Count)

	b.WriteString("\nBy dimension\n")
	for _, d := range s.Dimensions {
		if !d.HasData {
			fmt.Fprintf(&b, "• %s: no answers this month\n", d.Name)
			continue
		}
		fmt.Fprintf(&b, "• %s: %s, %d answer%s\n", d.Name, prompts.Headline(d.Lean), d.Count, plural(d.Count))
	}

	if len(s.Trend) > 0 {
		fmt.Fprintf(&b, "\nTrend, %s to %s\n", s.Trend[0].Month.Title(), s.Trend[len(s.Trend)-1].Month.Title())
	}
	for _, p := range s.Trend {
		b.WriteString("• ")
		b.WriteString(p.Month.short())
		fmt.Fprintf(&b, " %d: ", p.Month.Year)
		switch {
		case p.Answers == 0:
			b.WriteString("no answers")
		case p.HasLean:
			b.WriteString(prompts.Headline(p.Lean))
		default:
			b.WriteString("no lean")
		}
		if p.HasWellbeing {
			b.WriteString(", wellbeing ")
			b.WriteString(signed(p.Wellbeing))
		}
		b.WriteByte('\n')
	}

	b.WriteString("\nWellbeing\n")
	if s.WellbeingAvg == nil {
		b.WriteString("No wellbeing checks answered this month.")
	} else {
		fmt.Fprintf(&b, "Average %s this month (%s).", signed(*s.WellbeingAvg), wellbeingWords(*s.WellbeingAvg))
	}
	if s.WellbeingTrend != "" {
		fmt.Fprintf(&b, " Over six months: %s.", s.WellbeingTrend)
	}
	b.WriteByte('\n')

	b.WriteString("\nResponses\n")
	if s.Asked == 0 {
		b.WriteString("No scheduled prompts this month.")
	} else {
		fmt.Fprintf(&b, "Answered %d of %d scheduled prompt%s (%.0f%%).", s.Answered, s.Asked, plural(s.Asked), 100*s.ResponseRate)
	}
	switch s.Streak {
	case 0:
		b.WriteString(" No current streak.")
	case 1:
		b.WriteString(" Streak: the latest prompt answered.")
	default:
		fmt.Fprintf(&b, " Streak: %d answered in a row.", s.Streak)
	}
	b.WriteByte('\n')

	if s.Together != "" {
		b.WriteString("\nLean and wellbeing together, last six months\n")
		b.WriteString(s.Together)
		b.WriteByte('\n')
	}

	if len(s.Assessments) > 0 {
		b.WriteString("\nAssessments (kept apart from the weekly lean)\n")
		for _, a := range s.Assessments {
			fmt.Fprintf(&b, "• %s: %s\n", a.At.Format("2 Jan"), prompts.Headline(a.Lean))
		}
	}

	if s.Suggestion != "" {
		b.WriteString("\nSuggestion\n")
		b.WriteString(s.Suggestion)
		b.WriteByte('\n')
	}

	b.WriteByte('\n')
	b.WriteString(s.Caveat)
	b.WriteByte('\n')
	return b.String()
}

func wellbeingWords(w float64) string {
	switch {
	case w <= strained:
		return "on the strained side"
	case w >= sustainable:
		return "on the sustainable side"
	}
	return "in the middle"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
