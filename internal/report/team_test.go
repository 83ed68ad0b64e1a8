package report

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// member answers one lean prompt per lean given, a week apart from 2 March 2026 (UTC), with a
// wellbeing check beside each when well is not nil, and has a scheduled delivery for each week
// in weeks, answered for the first len(leans).
func member(leans []float64, well *float64, weeks int) TeamMember {
	var m TeamMember
	start := day(2026, time.March, 2)
	for i := range weeks {
		at := start.AddDate(0, 0, 7*i)
		m.Deliveries = append(m.Deliveries, delivered(at, i < len(leans)))
	}
	for i, l := range leans {
		at := start.AddDate(0, 0, 7*i).Add(time.Hour)
		m.Answers = append(m.Answers, chosen(prompts.Direction, at, l))
		if well != nil {
			m.Answers = append(m.Answers, checked(at, *well))
		}
	}
	return m
}

func ptr(f float64) *float64 { return &f }

// team is four members whose person means are +1, +0.65, −0.5 and +0.1: the mean of means is
// +0.3125, while the pooled mean of their six answers would be +0.54 (Ada answered three times).
// Three of them checked their wellbeing. A fifth member lives in Tokyo and answered only at
// 23:30 UTC on 31 March, which is April on her clock. February had two members with a lean.
func team() TeamInput {
	in := TeamInput{Channel: "leads", Period: march2026, MinRespondents: 3}
	ada := member([]float64{1, 1, 1}, ptr(0.5), 4)
	ada.Answers = append(ada.Answers, chosen(prompts.Change, day(2026, time.February, 10), 0.5))
	bo := member([]float64{0.65}, ptr(0), 4)
	bo.Answers = append(bo.Answers, chosen(prompts.Change, day(2026, time.February, 11), -0.5))
	cy := member([]float64{-0.5}, ptr(-0.5), 4)
	di := member([]float64{0.1}, nil, 4)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	eve := TeamMember{Loc: tokyo, Answers: []Answer{chosen(prompts.Direction, time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), -1)}}
	in.Members = []TeamMember{ada, bo, cy, di, eve}
	return in
}

func TestBuildTeam(t *testing.T) {
	s := BuildTeam(team())
	if want := "#leads, March 2026: leaning leadership (+0.31) across 4 people"; s.FirstLine != want {
		t.Errorf("FirstLine = %q, want %q", s.FirstLine, want)
	}
	if !strings.HasPrefix(s.Text(), s.FirstLine+"\n") {
		t.Errorf("Text does not start with FirstLine:\n%s", s.Text())
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"members", s.Members, 5},
		{"respondents (Eve's answer is April on her clock)", s.Respondents, 4},
		{"enough", s.Enough, true},
		{"lean people", s.LeanPeople, 4},
		{"leadership", s.Leadership, 2},
		{"management", s.Management, 1},
		{"balanced", s.Balanced, 1},
		{"mean of person means", math.Round(s.Lean*1e4) / 1e4, 0.3125},
		{"wellbeing people", s.WellbeingPeople, 3},
		{"has wellbeing", s.HasWellbeing, true},
		{"wellbeing mean", s.Wellbeing, 0.0},
		{"asked", s.Asked, 16},
		{"answered", s.Answered, 6},
		{"response rate", s.ResponseRate, 6.0 / 16},
		{"trend months", len(s.Trend), TrendMonths},
		{"February: two people, not shown", s.Trend[4].HasLean, false},
		{"February people", s.Trend[4].People, 2},
		{"March shown", s.Trend[5].HasLean, true},
		{"March mean", s.Trend[5].Lean, s.Lean},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	text := s.Text()
	for _, want := range []string{
		"4 of the 5 enrolled members answered",
		"• Leadership: 2\n• Balanced: 1\n• Management: 1",
		"Average +0.00 (in the middle) across 3 people.",
		"6 of 16 scheduled prompts answered (38%).",
		"• Feb 2026: fewer than 3 people",
		"• Mar 2026: leaning leadership (+0.31), 4 people",
		TeamCaveat,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Text lacks %q:\n%s", want, text)
		}
	}
}

func TestBuildTeamThresholds(t *testing.T) {
	tests := []struct {
		name          string
		in            func() TeamInput
		wantFirst     string
		wantEnough    bool
		wantLean      bool
		wantWellbeing bool
		wantMin       int
	}{
		{
			name: "two respondents of three needed",
			in: func() TeamInput {
				in := team()
				in.Members = in.Members[2:] // Cy, Di and Eve (April)
				return in
			},
			wantFirst: "#leads, March 2026: not enough answers for a team summary: it needs at least 3 people to answer a weekly prompt in the month",
			wantMin:   3,
		},
		{
			name: "a minimum of 0 means the default",
			in: func() TeamInput {
				in := team()
				in.MinRespondents = 0
				return in
			},
			// The default is 5: four people are not enough.
			wantFirst: "#leads, March 2026: not enough answers for a team summary: it needs at least 5 people to answer a weekly prompt in the month",
			wantMin:   DefaultMinRespondents,
		},
		{
			name: "a minimum of 1 is raised to 3",
			in: func() TeamInput {
				in := team()
				in.MinRespondents = 1
				in.Members = in.Members[2:4] // Cy and Di
				return in
			},
			wantFirst: "#leads, March 2026: not enough answers for a team summary: it needs at least 3 people to answer a weekly prompt in the month",
			wantMin:   3,
		},
		{
			name: "wellbeing from fewer people than the minimum is not shown",
			in: func() TeamInput {
				in := team()
				in.MinRespondents = 4
				return in
			},
			wantFirst:  "#leads, March 2026: leaning leadership (+0.31) across 4 people",
			wantEnough: true, wantLean: true, wantMin: 4,
		},
		{
			name: "enough respondents, too few with a lean",
			in: func() TeamInput {
				in := team()
				in.Members = []TeamMember{member(nil, nil, 2), member([]float64{0.5}, nil, 2), member([]float64{0.5}, nil, 2)}
				wb := checked(day(2026, time.March, 3), 0.5)
				in.Members[0].Answers = []Answer{wb}
				return in
			},
			wantFirst:  "#leads, March 2026: no team lean to show, as fewer than 3 people's answers leaned either way",
			wantEnough: true, wantMin: 3,
		},
		{
			name: "an unnamed channel",
			in: func() TeamInput {
				in := team()
				in.Channel = ""
				return in
			},
			wantFirst:  "Your channel, March 2026: leaning leadership (+0.31) across 4 people",
			wantEnough: true, wantLean: true, wantWellbeing: true, wantMin: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := BuildTeam(tt.in())
			if s.FirstLine != tt.wantFirst {
				t.Errorf("FirstLine = %q, want %q", s.FirstLine, tt.wantFirst)
			}
			if s.Enough != tt.wantEnough || s.HasLean != tt.wantLean || s.HasWellbeing != tt.wantWellbeing || s.MinRespondents != tt.wantMin {
				t.Errorf("got enough %v, lean %v, wellbeing %v, min %d; want %v, %v, %v, %d",
					s.Enough, s.HasLean, s.HasWellbeing, s.MinRespondents, tt.wantEnough, tt.wantLean, tt.wantWellbeing, tt.wantMin)
			}
			text := s.Text()
			if !s.Enough {
				// Below the minimum: no figure at all, not even the response rate or trend.
				if s.Asked != 0 || s.Answered != 0 || s.Lean != 0 || s.Trend != nil || strings.ContainsAny(text, "+−%") {
					t.Errorf("got figures below the minimum: %+v\n%s", s, text)
				}
				if !strings.Contains(text, fmt.Sprintf("at least %d", tt.wantMin)) {
					t.Errorf("Text does not say how many are needed:\n%s", text)
				}
			}
			if !s.HasLean && (s.Leadership+s.Management+s.Balanced != 0 || s.Headline != "") {
				t.Errorf("got lean counts %d/%d/%d and headline %q without enough people", s.Leadership, s.Management, s.Balanced, s.Headline)
			}
			if !s.HasWellbeing && (s.Wellbeing != 0 || strings.Contains(text, "Average")) {
				t.Errorf("got a wellbeing figure without enough people:\n%s", text)
			}
		})
	}
}

func TestBuildTeamEmpty(t *testing.T) {
	s := BuildTeam(TeamInput{Channel: "leads", Period: march2026})
	if s.Enough || s.Members != 0 || s.Respondents != 0 {
		t.Errorf("got %+v, want an empty team below the minimum", s)
	}
	if !strings.HasPrefix(s.FirstLine, "#leads, March 2026: not enough answers") {
		t.Errorf("FirstLine = %q", s.FirstLine)
	}
}
