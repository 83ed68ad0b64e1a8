package prompts

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func intp(i int) *int { return &i }

func floatp(f float64) *float64 { return &f }

// builtin parses the built-in catalogue or stops the test.
func builtin(t testing.TB) *Catalogue {
	t.Helper()
	c, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return c
}

// TestReadTextBuiltinLexicon reads sentences written as a busy manager might answer, through the
// built-in lexicon. Each must read as the pole it was written for.
func TestReadTextBuiltinLexicon(t *testing.T) {
	c := builtin(t)
	p := Prompt{ID: "any-text", Dimension: Horizon, Kind: Text}
	tests := []struct {
		want     string
		sentence string
	}{
		{PoleLeadership, "I spent time mentoring Sam and coaching Priya before her first big presentation."},
		{PoleLeadership, "We talked about our vision for next year and what inspires the team."},
		{PoleLeadership, "I encouraged the team to experiment with a new approach and learn from it."},
		{PoleLeadership, "Shared a trend I'd been reading about and what it could mean for our future."},
		{PoleLeadership, "I tried to be the face of our values at the all-hands."},
		{PoleLeadership, "Gave the team more autonomy over how they work, and it sparked some creative thinking."},
		{PoleLeadership, "Helped Ana grow into a leadership role by letting her run the retro."},
		{PoleLeadership, "I explored where the industry is heading and how we might transform what we offer."},
		{PoleLeadership, "Took a step back to rethink our strategy instead of diving into the details."},
		{PoleLeadership, "I want people to feel empowered and curious, not just busy."},
		{PoleLeadership, "Spent the week on our direction and the purpose behind it."},
		{PoleLeadership, "Asked what motivates each person and what they'd like to learn next."},
		{PoleLeadership, "We imagined what the team could look like in three years, which was energising."},
		{PoleManagement, "Mostly planning the sprint and updating the schedule."},
		{PoleManagement, "I tracked progress against our deadlines and chased the overdue tasks."},
		{PoleManagement, "Reviewed the budget and allocated headcount for next quarter."},
		{PoleManagement, "Set clear targets for each person and checked the metrics daily."},
		{PoleManagement, "Wrote up the release process so everyone follows the same checklist."},
		{PoleManagement, "Fixed the urgent issues first and kept operations running."},
		{PoleManagement, "Worked out bonuses and compensation for the team."},
		{PoleManagement, "Assigned tickets from the backlog and ran the standup."},
		{PoleManagement, "I made sure we stayed on schedule and delivered what we promised."},
		{PoleManagement, "Tightened our protocols to keep things predictable and consistent."},
		{PoleManagement, "Coordinated resources across two teams to hit the milestone."},
		{PoleManagement, "Monitored efficiency and productivity closely all week."},
		{PoleManagement, "Approved the new on-call policy and escalated the open incidents."},
		{PoleNeutral, "It was a quiet week."},
		{PoleNeutral, "I was out sick for two days."},
		{PoleNeutral, "We had lunch together on Thursday."},
		{PoleNeutral, "Nothing much to report, honestly."},
		{PoleNeutral, "I took my kids to the dentist and answered email in the evening."},
		{PoleNeutral, "The office move took most of my attention."},
		{PoleNeutral, "Spent a lot of time in meetings with other departments."},
		{PoleNeutral, "I had a good conversation with my manager about the team."},
		{PoleNeutral, "We hired a new engineer who starts next month."},
		{PoleNeutral, "I'm not sure yet, still thinking about it."},
		{PoleNeutral, "I explained the situation to the client and they understood."},
		{PoleNeutral, "Our organization announced a reorg, and the executive team visited the office."},
		{PoleNeutral, "Marketing asked for a few slides, which I sent over immediately."},
		{PoleNeutral, "Ideally I'd have more time for my direct reports; it was a rewarding week anyway."},
	}
	counts := map[string]int{}
	for _, tt := range tests {
		counts[tt.want]++
		t.Run(tt.sentence, func(t *testing.T) {
			r := c.ReadText(p, tt.sentence)
			if got := r.Pole(); got != tt.want {
				t.Errorf("got %s (lean %+.2f, words %q), want %s", got, r.Lean, r.Words, tt.want)
			}
		})
	}
	for _, pole := range []string{PoleLeadership, PoleManagement, PoleNeutral} {
		if counts[pole] < 10 {
			t.Errorf("got %d %s sentences, want at least 10", counts[pole], pole)
		}
	}
}

// TestBuiltinLexiconSparesNeutralWords lists ordinary words that start like a stem but carry no
// lean; none may match, or everyday answers would be mis-read.
func TestBuiltinLexiconSparesNeutralWords(t *testing.T) {
	c := builtin(t)
	neutral := []string{
		"explain", "explanation", "organization", "organisation", "executive", "executives", "ideal",
		"ideally", "marketing", "directly", "director", "success", "possible", "reports", "immediately",
		"optimism", "optimistic", "rewarding", "disrupted", "development", "developer", "legacy",
		"manager", "managers", "system", "people", "team", "meeting", "family", "weekend", "status",
		"trust", "recognise", "recognize", "benefits", "change", "changed",
		"value", "valuable", "lead", "led", "leads", "workload", "week", "today", "tomorrow",
	}
	for _, w := range neutral {
		var hits []string
		for _, s := range append(slices.Clone(c.Lexicon.Leadership), c.Lexicon.Management...) {
			for _, part := range splitWords(w) {
				if strings.HasPrefix(part.match, s) {
					hits = append(hits, s)
				}
			}
		}
		if len(hits) != 0 {
			t.Errorf("%q: got stems %q, want none", w, hits)
		}
	}
}

func TestReadText(t *testing.T) {
	c := &Catalogue{Lexicon: Lexicon{
		Leadership: []string{"vision", "lead", "leader", "team's", "équipe"},
		Management: []string{"plan", "task", "leadtime"},
	}}
	p := Prompt{ID: "t", Dimension: Culture, Kind: Text}
	tests := []struct {
		name      string
		text      string
		wantLean  float64
		wantW     float64
		wantWords []string
	}{
		{"empty", "", 0, 0, nil},
		{"no hits", "quiet week, nothing to add", 0, 0, nil},
		{"only at word start", "I explained the supervision rules", 0, 0, nil},
		{"case-insensitive", "VISION and Plan", 0, TextWeight, []string{"vision", "plan"}},
		{"one leadership word", "a vision", 1, TextWeight, []string{"vision"}},
		{"one management word", "a plan", -1, TextWeight, []string{"plan"}},
		{"two to one", "vision, plans and leading", 1.0 / 3, TextWeight, []string{"vision", "plans", "leading"}},
		{"repeated word counts once", "plan plan plan vision", 0, TextWeight, []string{"plan", "vision"}},
		{"word matching two stems of a pole counts once", "leadership plan", 0, TextWeight, []string{"leadership", "plan"}},
		{"word matching both poles counts for both", "leadtime vision", 1.0 / 3, TextWeight, []string{"leadtime", "vision"}},
		{"punctuation splits", "vision—plan/task", -1.0 / 3, TextWeight, []string{"vision", "plan", "task"}},
		{"apostrophe kept inside a word", "the team's vision", 1, TextWeight, []string{"team's", "vision"}},
		{"typographic apostrophe matches an ascii stem", "the team’s week", 1, TextWeight, []string{"team’s"}},
		{"quotes are not part of a word", "my 'plan' was ‘vision’", 0, TextWeight, []string{"plan", "vision"}},
		{"unicode lower-casing", "ÉQUIPES", 1, TextWeight, []string{"équipes"}},
		{"digits stay in words", "plan2 vision", 0, TextWeight, []string{"plan2", "vision"}},
		{"at most eight words listed", "plana planb planc pland plane planf plang planh plani vision", -0.8, TextWeight,
			[]string{"plana", "planb", "planc", "pland", "plane", "planf", "plang", "planh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.ReadText(p, tt.text)
			if math.Abs(got.Lean-tt.wantLean) > 1e-9 {
				t.Errorf("lean: got %v, want %v", got.Lean, tt.wantLean)
			}
			if got.Weight != tt.wantW {
				t.Errorf("weight: got %v, want %v", got.Weight, tt.wantW)
			}
			if !slices.Equal(got.Words, tt.wantWords) {
				t.Errorf("words: got %q, want %q", got.Words, tt.wantWords)
			}
			if got.Wellbeing != nil {
				t.Errorf("wellbeing: got %v, want nil", *got.Wellbeing)
			}
		})
	}
}

func TestReadTextOnWellbeingAndSharedPromptsUsesLexicon(t *testing.T) {
	c := &Catalogue{Lexicon: Lexicon{Leadership: []string{"vision"}, Management: []string{"plan"}}}
	for _, d := range []Dimension{Wellbeing, Shared} {
		got := c.ReadText(Prompt{ID: "x", Dimension: d, Kind: Text}, "a vision")
		if got.Lean != 1 || got.Weight != TextWeight || got.Wellbeing != nil {
			t.Errorf("%s: got lean %v weight %v wellbeing %v, want 1, %v, nil", d, got.Lean, got.Weight, got.Wellbeing, TextWeight)
		}
	}
}

func TestReadOption(t *testing.T) {
	c := &Catalogue{}
	scale := Prompt{ID: "d", Dimension: Direction, Kind: Scale, Options: []Option{
		{Label: "How", Lean: intp(-2)}, {Label: "Mostly how", Lean: intp(-1)}, {Label: "Both", Lean: intp(0)},
		{Label: "Mostly where", Lean: intp(1)}, {Label: "Where", Lean: intp(2)},
	}}
	well := Prompt{ID: "w", Dimension: Wellbeing, Kind: Choice, Options: []Option{
		{Label: "Calm", Wellbeing: intp(2)}, {Label: "Strained", Wellbeing: intp(-1)},
	}}
	shared := Prompt{ID: "s", Dimension: Shared, Kind: Choice, Options: []Option{
		{Label: "Listened", Lean: intp(0)}, {Label: "Talked"},
	}}
	text := Prompt{ID: "t", Dimension: Horizon, Kind: Text}
	tests := []struct {
		name      string
		p         Prompt
		index     int
		wantErr   bool
		wantLean  float64
		wantW     float64
		wantWell  *float64
		wantPhase string
	}{
		{"management end", scale, 0, false, -1, 1, nil, "read as management"},
		{"leaning management", scale, 1, false, -0.5, 1, nil, "read as management"},
		{"middle is neutral but counts", scale, 2, false, 0, 1, nil, "read as neutral"},
		{"leadership end", scale, 4, false, 1, 1, nil, "read as leadership"},
		{"wellbeing high", well, 0, false, 0, 0, floatp(1), "read as wellbeing"},
		{"wellbeing low", well, 1, false, 0, 0, floatp(-0.5), "read as wellbeing"},
		{"shared carries no lean", shared, 0, false, 0, 0, nil, "read as neutral"},
		{"shared without lean field", shared, 1, false, 0, 0, nil, "read as neutral"},
		{"negative index", scale, -1, true, 0, 0, nil, ""},
		{"index past the end", scale, 5, true, 0, 0, nil, ""},
		{"text prompt", text, 0, true, 0, 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.ReadOption(tt.p, tt.index)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got reading %+v, want an error", got)
				}
				if !strings.Contains(err.Error(), tt.p.ID) {
					t.Errorf("error %q: want it to name prompt %q", err, tt.p.ID)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got.Lean != tt.wantLean || got.Weight != tt.wantW {
				t.Errorf("got lean %v weight %v, want %v, %v", got.Lean, got.Weight, tt.wantLean, tt.wantW)
			}
			switch {
			case (got.Wellbeing == nil) != (tt.wantWell == nil):
				t.Errorf("got wellbeing %v, want %v", got.Wellbeing, tt.wantWell)
			case got.Wellbeing != nil && *got.Wellbeing != *tt.wantWell:
				t.Errorf("got wellbeing %v, want %v", *got.Wellbeing, *tt.wantWell)
			}
			if want := []string{tt.p.Options[tt.index].Label}; !slices.Equal(got.Words, want) {
				t.Errorf("words: got %q, want %q", got.Words, want)
			}
			if got.Phrase() != tt.wantPhase {
				t.Errorf("phrase: got %q, want %q", got.Phrase(), tt.wantPhase)
			}
		})
	}
}

func TestReadingPolePhraseExplain(t *testing.T) {
	tests := []struct {
		name        string
		r           Reading
		wantPole    string
		wantExplain string
	}{
		{"text leadership", Reading{Lean: 1, Weight: TextWeight, Words: []string{"mentor", "vision"}},
			PoleLeadership, "read as leadership — because of “mentor”, “vision”"},
		{"text management", Reading{Lean: -1.0 / 3, Weight: TextWeight, Words: []string{"plan", "budget", "vision"}},
			PoleManagement, "read as management — because of “plan”, “budget”, “vision”"},
		{"text balanced", Reading{Lean: 0, Weight: TextWeight, Words: []string{"plan", "vision"}},
			PoleNeutral, "read as neutral — “plan”, “vision” balance out"},
		{"text weakly leaning stays neutral", Reading{Lean: 0.1, Weight: TextWeight, Words: []string{"a", "b"}},
			PoleNeutral, "read as neutral — “a”, “b” balance out"},
		{"text with no hits", Reading{},
			PoleNeutral, "read as neutral — no leadership or management words found"},
		{"option leadership", Reading{Lean: 0.5, Weight: 1, Words: []string{"Mostly where"}},
			PoleLeadership, "read as leadership — you chose “Mostly where”"},
		{"option management", Reading{Lean: -1, Weight: 1, Words: []string{"Keep the plan"}},
			PoleManagement, "read as management — you chose “Keep the plan”"},
		{"option middle", Reading{Lean: 0, Weight: 1, Words: []string{"Both"}},
			PoleNeutral, "read as neutral — you chose “Both”"},
		{"shared option", Reading{Words: []string{"Listened"}},
			PoleNeutral, "read as neutral — you chose “Listened”"},
		{"wellbeing option", Reading{Wellbeing: floatp(-1), Words: []string{"Running on empty"}},
			PoleWellbeing, "read as wellbeing — you chose “Running on empty”"},
		{"threshold: +0.2 is leadership", Reading{Lean: 0.2, Weight: TextWeight, Words: []string{"x"}},
			PoleLeadership, "read as leadership — because of “x”"},
		{"threshold: −0.2 is management", Reading{Lean: -0.2, Weight: TextWeight, Words: []string{"x"}},
			PoleManagement, "read as management — because of “x”"},
	}
	phrases := []string{"read as leadership", "read as management", "read as neutral", "read as wellbeing"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Pole(); got != tt.wantPole {
				t.Errorf("pole: got %q, want %q", got, tt.wantPole)
			}
			if got, want := tt.r.Phrase(), "read as "+tt.wantPole; got != want {
				t.Errorf("phrase: got %q, want %q", got, want)
			}
			got := tt.r.Explain()
			if got != tt.wantExplain {
				t.Errorf("explain: got %q, want %q", got, tt.wantExplain)
			}
			found := 0
			for _, ph := range phrases {
				found += strings.Count(got, ph)
			}
			if found != 1 {
				t.Errorf("explain %q: got %d read-as phrases, want exactly 1", got, found)
			}
		})
	}
}
