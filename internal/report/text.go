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
		if s.Open {
			b.WriteString("Once you answer a weekly prompt, the summary will show your lean, its trend and a suggestion.\n")
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%s\n", s.EvidenceLine())

	if len(s.Dimensions) > 0 {
		fmt.Fprintf(&b, "\nBy dimension, %s\n", s.Lean.Span(s.Period))
	}
	for _, d := range s.Dimensions {
		if !d.HasData {
			fmt.Fprintf(&b, "• %s: no answers yet\n", d.Name)
			continue
		}
		fmt.Fprintf(&b, "• %s: %s, %d answer%s\n", d.Name, prompts.Headline(d.Lean), d.Count, plural(d.Count))
	}
	b.WriteString("\nShared skills (listening, empathy, trust, delegating)\n")
	if s.SharedCount == 0 {
		b.WriteString("No answers on the shared skills in this stretch; they carry no lean, but both roles need them.\n")
	} else {
		fmt.Fprintf(&b, "%d answer%s on the skills both roles need; they carry no lean.", s.SharedCount, plural(s.SharedCount))
		if s.SharedQuote != "" {
			fmt.Fprintf(&b, " Latest: “%s”", s.SharedQuote)
		}
		b.WriteByte('\n')
	}

	if len(s.Trend) > 0 {
		fmt.Fprintf(&b, "\nTrend, %s to %s (each month read over the months before it)\n", s.Trend[0].Month.Title(), s.Trend[len(s.Trend)-1].Month.Title())
	}
	for _, p := range s.Trend {
		b.WriteString("• ")
		b.WriteString(p.Month.short())
		fmt.Fprintf(&b, " %d: ", p.Month.Year)
		switch {
		case p.HasScore:
			b.WriteString(prompts.Headline(p.Score))
		case p.Answers == 0:
			b.WriteString("no answers")
		default:
			b.WriteString("too little to read")
		}
		if p.HasWellbeing {
			b.WriteString(", wellbeing ")
			b.WriteString(signed(p.Wellbeing))
		}
		b.WriteByte('\n')
	}

	b.WriteString("\nWellbeing (from −1 strained to +1 sustainable, kept apart from the lean)\n")
	if s.WellbeingAvg == nil {
		b.WriteString("No wellbeing checks answered this month.")
	} else {
		fmt.Fprintf(&b, "Average %s this month (%s).", signed(*s.WellbeingAvg), wellbeingWords(*s.WellbeingAvg))
	}
	if s.WellbeingTrend != "" {
		fmt.Fprintf(&b, " Over six months: %s.", s.WellbeingTrend)
	}
	b.WriteByte('\n')

	if s.Support != "" {
		b.WriteString("\nSupport\n")
		b.WriteString(s.Support)
		b.WriteByte('\n')
	}

	b.WriteString("\nResponses\n")
	if s.Asked == 0 {
		b.WriteString("No scheduled prompts this month.")
	} else {
		fmt.Fprintf(&b, "Answered %d of %d scheduled prompt%s this month (%.0f%%).", s.Answered, s.Asked, plural(s.Asked), 100*s.ResponseRate)
	}
	if s.Checks > 0 {
		fmt.Fprintf(&b, " Wellbeing checks answered: %d.", s.Checks)
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

	if s.Written != "" {
		b.WriteString("\nIn your own words this month\n")
		fmt.Fprintf(&b, "“%s”\n", s.Written)
	}

	if s.Suggestion != "" {
		b.WriteString("\nSuggestion\n")
		if s.SuggestionQuote != "" {
			fmt.Fprintf(&b, "Prompted by your answer: “%s”\n", s.SuggestionQuote)
		}
		b.WriteString(s.Suggestion)
		b.WriteByte('\n')
	}

	b.WriteByte('\n')
	b.WriteString(s.Caveat)
	b.WriteByte('\n')
	return b.String()
}

func wellbeingWords(w float64) string { return prompts.WellbeingSide(w) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// EvidenceLine says how many answers stand behind the headline and over which months, with the
// month's own figure beside it, e.g. "From 14 answers that lean, January to March 2026. This
// month alone: leaning leadership (+0.30) from 5."
func (s Summary) EvidenceLine() string {
	l := s.Lean
	line := fmt.Sprintf("From %d answer%s that lean, %s.", l.Answers, plural(l.Answers), l.Span(s.Period))
	m := s.MonthLean
	switch {
	case m.Answers == 0:
		line += " None of this month's answers leaned either way."
	case m.HasLabel():
		line += fmt.Sprintf(" This month alone: %s from %d.", prompts.Headline(m.Score), m.Answers)
	default:
		line += fmt.Sprintf(" This month alone: %d, too few to read on their own.", m.Answers)
	}
	return line
}

// Span names the months a reading covers, e.g. "January to March 2026" or "March 2026".
func (l LeanReading) Span(period Month) string {
	if l.Months <= 1 {
		return period.Title()
	}
	from := l.From
	if from.Year == period.Year {
		return fmt.Sprintf("%s to %s", from.Month, period.Title())
	}
	return fmt.Sprintf("%s to %s", from.Title(), period.Title())
}
