package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// DefaultMinRespondents is TEAM_MIN_RESPONDENTS's default.
const DefaultMinRespondents = 5

// FloorMinRespondents is the smallest minimum ever applied, whatever the input says: a mean of
// two people's answers tells each of them the other's.
const FloorMinRespondents = 3

// TeamCaveat is the sentence every team summary carries.
const TeamCaveat = "Anonymous totals of the team's own answers: never anyone's individual answers or names. " +
	"A tendency, not a validated diagnosis."

// TeamMember is one enrolled member's weekly answers and scheduled deliveries. It carries no name
// or id: a team summary never needs to know who is who.
type TeamMember struct {
	// Loc is the member's zone: their month is counted on their own clock, as in their own
	// summary (UTC if nil).
	Loc *time.Location
	// Answers and Deliveries are as in Input: at least the TrendMonths months ending with the
	// period; open deliveries left out.
	Answers    []Answer
	Deliveries []Delivery
}

// TeamInput is everything BuildTeam needs about one opted-in channel.
type TeamInput struct {
	// Channel is the channel's name without "#", e.g. "leads"; "" when it is not known.
	Channel string
	Period  Month
	// MinRespondents is the fewest people any figure may come from (TEAM_MIN_RESPONDENTS): 0
	// means DefaultMinRespondents, and it is never less than FloorMinRespondents.
	MinRespondents int
	Members        []TeamMember
}

// TeamMonthPoint is one month of a team's trend.
type TeamMonthPoint struct {
	Month Month
	// People counts the members whose month had a lean; Lean is the mean of their month leans,
	// set only when HasLean (People reached the minimum).
	People  int
	Lean    float64
	HasLean bool
}

// TeamSummary is one channel's month for its lead: aggregates only, rendered by Text. Every figure
// is left at zero unless enough people stand behind it.
type TeamSummary struct {
	Channel        string
	Period         Month
	MinRespondents int
	// Members counts the enrolled members; Respondents those who answered at least one weekly
	// prompt in the month.
	Members, Respondents int
	// Enough is Respondents >= MinRespondents. Without it no other figure is filled.
	Enough bool
	// LeanPeople counts respondents whose month carried a lean; Leadership, Management and Balanced
	// split them by the label of their own month's lean. Lean is the mean of their month leans
	// (each person counts once, however often they answered), with its Headline; all only when
	// HasLean (LeanPeople reached the minimum).
	LeanPeople                       int
	HasLean                          bool
	Leadership, Management, Balanced int
	Lean                             float64
	Headline                         string
	// WellbeingPeople counts respondents who answered a wellbeing check; Wellbeing is the mean of
	// their month means, only when HasWellbeing (WellbeingPeople reached the minimum).
	WellbeingPeople int
	HasWellbeing    bool
	Wellbeing       float64
	// Asked counts the members' scheduled prompts of the month, Answered those answered;
	// ResponseRate is Answered/Asked, 0 when nothing was asked.
	Asked, Answered int
	ResponseRate    float64
	// Trend holds the TrendMonths months ending with Period, oldest first (empty without Enough).
	Trend []TeamMonthPoint
	// FirstLine names the channel, the month and the headline, e.g. "#leads, March 2026: leaning
	// leadership (+0.31) across 4 people"; without enough respondents it says how many are needed.
	FirstLine string
	// Note, when set, is a paragraph Text puts after the first line (e.g. when this month's
	// figure will appear).
	Note   string
	Caveat string
}

// teamMin is the effective minimum of in.
func teamMin(n int) int {
	if n == 0 {
		return DefaultMinRespondents
	}
	return max(n, FloorMinRespondents)
}

// BuildTeam summarises in.Period for one channel. It is a pure function of its input.
func BuildTeam(in TeamInput) TeamSummary {
	s := TeamSummary{Channel: in.Channel, Period: in.Period, MinRespondents: teamMin(in.MinRespondents),
		Members: len(in.Members), Caveat: TeamCaveat}
	var (
		leans, wells []float64
		trend        = make([][]float64, TrendMonths)
		labels       = map[string]int{}
	)
	for _, m := range in.Members {
		own := Build(Input{Period: in.Period, Loc: m.Loc, Answers: m.Answers, Deliveries: m.Deliveries})
		s.Asked += own.Asked
		s.Answered += own.Answered
		for i, p := range own.Trend {
			if p.HasLean {
				trend[i] = append(trend[i], p.Lean)
			}
		}
		if own.Empty {
			continue
		}
		s.Respondents++
		if own.HasLean {
			leans = append(leans, own.Reading.Lean)
			labels[prompts.Label(own.Reading.Lean)]++
		}
		if own.WellbeingAvg != nil {
			wells = append(wells, *own.WellbeingAvg)
		}
	}
	s.Enough = s.Respondents >= s.MinRespondents
	if !s.Enough {
		// Nothing but the counts: a figure from fewer people could point at someone.
		s.Asked, s.Answered = 0, 0
		s.FirstLine = teamFirstLine(s)
		return s
	}
	if s.Asked > 0 {
		s.ResponseRate = float64(s.Answered) / float64(s.Asked)
	}
	s.LeanPeople = len(leans)
	if s.LeanPeople >= s.MinRespondents {
		s.HasLean = true
		s.Lean = mean(append([]float64(nil), leans...))
		s.Headline = prompts.Headline(s.Lean)
		s.Leadership, s.Management, s.Balanced = labels[prompts.LabelLeadership], labels[prompts.LabelManagement], labels[prompts.LabelBalanced]
	}
	s.WellbeingPeople = len(wells)
	if s.WellbeingPeople >= s.MinRespondents {
		s.HasWellbeing = true
		s.Wellbeing = mean(append([]float64(nil), wells...))
	}
	first := in.Period.add(1 - TrendMonths)
	s.Trend = make([]TeamMonthPoint, TrendMonths)
	for i := range s.Trend {
		p := TeamMonthPoint{Month: first.add(i), People: len(trend[i])}
		if p.People >= s.MinRespondents {
			p.Lean, p.HasLean = mean(append([]float64(nil), trend[i]...)), true
		}
		s.Trend[i] = p
	}
	s.FirstLine = teamFirstLine(s)
	return s
}

// Point is the summary's own month as a point of a trend.
func (s TeamSummary) Point() TeamMonthPoint {
	return TeamMonthPoint{Month: s.Period, People: s.LeanPeople, Lean: s.Lean, HasLean: s.HasLean}
}

// Present returns s for showing: named channel, with trend as its Trend (left empty without
// Enough) and its first line written again. A stored figure is shown this way with the trend of
// other stored figures, so nothing in it is worked out again.
func (s TeamSummary) Present(channel string, trend []TeamMonthPoint) TeamSummary {
	s.Channel, s.Trend = channel, nil
	if s.Enough {
		s.Trend = trend
	}
	s.Caveat = TeamCaveat
	s.FirstLine = teamFirstLine(s)
	return s
}

// channelLabel is how the text names the channel.
func (s TeamSummary) channelLabel() string {
	if s.Channel == "" {
		return "Your channel"
	}
	return "#" + s.Channel
}

func teamFirstLine(s TeamSummary) string {
	head := s.channelLabel() + ", " + s.Period.Title() + ": "
	switch {
	case !s.Enough:
		return head + fmt.Sprintf("not enough answers for a team summary: it needs at least %d people to answer a weekly prompt in the month",
			s.MinRespondents)
	case !s.HasLean:
		return head + fmt.Sprintf("no team lean to show, as fewer than %d people's answers leaned either way", s.MinRespondents)
	}
	return head + fmt.Sprintf("%s across %d %s", s.Headline, s.LeanPeople, people(s.LeanPeople))
}

func people(n int) string {
	if n == 1 {
		return "person"
	}
	return "people"
}

// Text renders the team summary as plain text: FirstLine first, exactly, then how people lean,
// wellbeing, responses, the trend of the mean lean and the caveat. Below the minimum it is the
// note alone.
func (s TeamSummary) Text() string {
	var b strings.Builder
	b.WriteString(s.FirstLine)
	b.WriteByte('\n')
	if s.Note != "" {
		b.WriteString(s.Note)
		b.WriteString("\n\n")
	}
	if !s.Enough {
		fmt.Fprintf(&b, "The summary appears once at least %d of the channel's members have answered; "+
			"until then nothing about anyone's answers is shown.\n\n%s\n", s.MinRespondents, s.Caveat)
		return b.String()
	}
	fmt.Fprintf(&b, "%d of the %d enrolled member%s answered at least one weekly prompt this month "+
		"(everyone enrolled through the channel but its lead, who is never counted).\n",
		s.Respondents, s.Members, plural(s.Members))

	b.WriteString("\nHow people lean\n")
	if s.HasLean {
		fmt.Fprintf(&b, "• Leadership: %d\n• Balanced: %d\n• Management: %d\n", s.Leadership, s.Balanced, s.Management)
		fmt.Fprintf(&b, "Mean lean %s (each person's month counts once).\n", signed(s.Lean))
	} else {
		fmt.Fprintf(&b, "Fewer than %d people's answers leaned either way, so the lean isn't shown.\n", s.MinRespondents)
	}

	b.WriteString("\nWellbeing\n")
	if s.HasWellbeing {
		fmt.Fprintf(&b, "Average %s (%s) across %d %s.\n", signed(s.Wellbeing), wellbeingWords(s.Wellbeing),
			s.WellbeingPeople, people(s.WellbeingPeople))
	} else {
		fmt.Fprintf(&b, "Fewer than %d people answered a wellbeing check, so it isn't shown.\n", s.MinRespondents)
	}

	b.WriteString("\nResponses\n")
	if s.Asked == 0 {
		b.WriteString("No scheduled prompts were answered or missed yet this month.\n")
	} else {
		fmt.Fprintf(&b, "%d of %d scheduled prompt%s answered (%.0f%%).\n", s.Answered, s.Asked, plural(s.Asked), 100*s.ResponseRate)
	}

	switch {
	case len(s.Trend) == 1:
		fmt.Fprintf(&b, "\nMean lean, %s\n", s.Trend[0].Month.Title())
	case len(s.Trend) > 1:
		fmt.Fprintf(&b, "\nMean lean, %s to %s\n", s.Trend[0].Month.Title(), s.Trend[len(s.Trend)-1].Month.Title())
	}
	for _, p := range s.Trend {
		fmt.Fprintf(&b, "• %s %d: ", p.Month.short(), p.Month.Year)
		if p.HasLean {
			fmt.Fprintf(&b, "%s, %d %s\n", prompts.Headline(p.Lean), p.People, people(p.People))
		} else {
			fmt.Fprintf(&b, "fewer than %d people\n", s.MinRespondents)
		}
	}

	b.WriteByte('\n')
	b.WriteString(s.Caveat)
	b.WriteByte('\n')
	return b.String()
}
