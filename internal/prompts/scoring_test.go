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

// TestBuiltinLexiconSparesNeutralWords lists ordinary words that look like a lexicon word but carry
// no lean; none may count, or everyday answers would be mis-read.
func TestBuiltinLexiconSparesNeutralWords(t *testing.T) {
	c := builtin(t)
	neutral := []string{
		"explain", "explanation", "organization", "organisation", "executive", "executives", "ideal",
		"ideally", "marketing", "directly", "director", "success", "possible", "reports", "immediately",
		"optimism", "optimistic", "rewarding", "disrupted", "development", "developer", "legacy",
		"manager", "managers", "system", "people", "team", "meeting", "family", "weekend", "status",
		"trust", "recognise", "recognize", "benefits", "change", "changed", "valuable", "workload",
		"week", "today", "tomorrow", "planet", "planets", "plant", "plants", "planted", "plane", "planes",
		"planetarium", "leaderboard", "leaderboards", "police", "adapter", "trendy", "procession",
		"stables", "ledger", "taskbar", "trackpad", "growl", "documentary", "television", "division",
		"inventory", "competitive", "honestly", "payments", "paying attention", "it paid off",
	}
	p := Prompt{ID: "any-text", Dimension: Horizon, Kind: Text, Text: "What happened?"}
	for _, w := range neutral {
		if r := c.ReadText(p, w); r.Weight != 0 {
			t.Errorf("%q: got read as %s (%s), want nothing counted", w, r.Pole(), r.Explain())
		}
	}
}

// TestReadText pins the reader's rules on a small lexicon. The expectations changed with issue 18:
// words match whole (with their endings) instead of by prefix, one word reads ±0.5 rather than ±1,
// negated and echoed words do not count, and a word counts for one entry only.
func TestReadText(t *testing.T) {
	c := &Catalogue{Lexicon: Lexicon{
		Leadership: []string{"vision", "lead", "leader", "team's", "équipe", "coach", "long term", "why it matters", "inspir", "mentor", "curio*"},
		Management: []string{"plan", "task", "leadtime", "budget", "sprint", "schedule", "strategy", "deadline", "kpi*"},
		Exceptions: []string{"planet", "plant", "plane", "took the coach", "by coach"},
	}}
	p := Prompt{ID: "t", Dimension: Culture, Kind: Text, Text: "What did you do this week?"}
	L, M := PoleLeadership, PoleManagement
	w := func(text, pole string) Word { return Word{Text: text, Pole: pole} }
	tests := []struct {
		name      string
		prompt    string // the prompt's text when not p's
		text      string
		wantLean  float64
		wantW     float64
		wantWords []string
		wantNeg   []Word
		wantEcho  []Word
	}{
		{name: "empty", text: ""},
		{name: "no hits", text: "quiet week, nothing to add"},
		{name: "whole words only", text: "I explained the supervision rules"},
		{name: "case-insensitive", text: "VISION and Plan", wantW: TextWeight, wantWords: []string{"vision", "plan"}},
		{name: "one leadership word reads +0.5", text: "a vision", wantLean: 0.5, wantW: TextWeight, wantWords: []string{"vision"}},
		{name: "one management word reads -0.5", text: "a plan", wantLean: -0.5, wantW: TextWeight, wantWords: []string{"plan"}},
		{name: "endings", text: "plans, planned, planning and schedules", wantLean: -2.0 / 3, wantW: TextWeight,
			wantWords: []string{"plans", "schedules"}},
		{name: "dropped e and doubled consonant", text: "we were scheduling; she was coaching", wantLean: 0, wantW: TextWeight,
			wantWords: []string{"scheduling", "coaching"}},
		{name: "y to i", text: "two strategies", wantLean: -0.5, wantW: TextWeight, wantWords: []string{"strategies"}},
		{name: "old-style stem reads its endings", text: "it was inspiring", wantLean: 0.5, wantW: TextWeight, wantWords: []string{"inspiring"}},
		{name: "star stem reads any word it starts", text: "curiosity and KPIs matter", wantLean: 0, wantW: TextWeight,
			wantWords: []string{"curiosity", "kpis"}},
		{name: "look-alikes do not match", text: "a planet, a plant, a plane, a planetarium, a leaderboard and a planer"},
		{name: "exceptions win over entries", text: "the plans for the planets", wantLean: -0.5, wantW: TextWeight, wantWords: []string{"plans"}},
		{name: "exception phrase", text: "we took the coach to Leeds, then went by coach", wantLean: 0, wantW: 0},
		{name: "phrase", text: "thinking long-term, and why it matters", wantLean: 2.0 / 3, wantW: TextWeight,
			wantWords: []string{"long-term", "why it matters"}},
		{name: "phrase does not cross a clause", text: "it was long. term ends soon"},
		{name: "two to one", text: "vision, plans and leading", wantLean: 0.25, wantW: TextWeight, wantWords: []string{"vision", "plans", "leading"}},
		{name: "repeated word counts once", text: "plan plan plan vision", wantLean: 0, wantW: TextWeight, wantWords: []string{"plan", "vision"}},
		{name: "forms of one entry count once", text: "plan, plans, planned. Vision.", wantLean: 0, wantW: TextWeight,
			wantWords: []string{"plan", "vision"}},
		{name: "neighbouring words of a pole are one idea", text: "the sprint budget and the vision", wantLean: 0, wantW: TextWeight,
			wantWords: []string{"sprint", "budget", "vision"}},
		{name: "and separates ideas", text: "the budget and the sprint; a vision", wantLean: -0.25, wantW: TextWeight,
			wantWords: []string{"budget", "sprint", "vision"}},
		{name: "a word counts for one entry", text: "leadtime vision", wantLean: 0, wantW: TextWeight, wantWords: []string{"leadtime", "vision"}},
		{name: "apostrophe kept inside a word", text: "the team's vision", wantLean: 0.5, wantW: TextWeight, wantWords: []string{"team's", "vision"}},
		{name: "typographic apostrophe matches an ascii entry", text: "the team’s week", wantLean: 0.5, wantW: TextWeight, wantWords: []string{"team’s"}},
		{name: "quotes are not part of a word", text: "my 'plan' was ‘vision’", wantLean: 0, wantW: TextWeight, wantWords: []string{"plan", "vision"}},
		{name: "unicode lower-casing", text: "ÉQUIPES", wantLean: 0.5, wantW: TextWeight, wantWords: []string{"équipes"}},
		{name: "digits stay in words", text: "plan2 vision", wantLean: 0.5, wantW: TextWeight, wantWords: []string{"vision"}},
		{name: "not", text: "I did not set a vision this week", wantNeg: []Word{w("vision", L)}},
		{name: "n't", text: "I didn't plan the sprint", wantNeg: []Word{w("plan", M), w("sprint", M)}},
		{name: "typographic n't", text: "I didn’t plan", wantNeg: []Word{w("plan", M)}},
		{name: "no time for", text: "no time for coaching", wantNeg: []Word{w("coaching", L)}},
		{name: "stopped", text: "stopped tracking the budget", wantNeg: []Word{w("budget", M)}},
		{name: "instead of", text: "I coached instead of planning", wantLean: 0.5, wantW: TextWeight, wantWords: []string{"coached"},
			wantNeg: []Word{w("planning", M)}},
		{name: "negation ends with the clause", text: "No plan, but a clear vision", wantLean: 0.5, wantW: TextWeight,
			wantWords: []string{"vision"}, wantNeg: []Word{w("plan", M)}},
		{name: "negation ends at and with a new subject", text: "no budget and we set a vision", wantLean: 0.5, wantW: TextWeight,
			wantWords: []string{"vision"}, wantNeg: []Word{w("budget", M)}},
		{name: "negation carries over or", text: "no budget or deadline", wantNeg: []Word{w("budget", M), w("deadline", M)}},
		{name: "not only is no negation", text: "not only the plan but the vision", wantLean: 0, wantW: TextWeight, wantWords: []string{"plan", "vision"}},
		{name: "a clause word right after the negator", text: "not so much planning", wantNeg: []Word{w("planning", M)}},
		{name: "more or less is no negation", text: "more or less on plan", wantLean: -0.5, wantW: TextWeight, wantWords: []string{"plan"}},
		{name: "double negation", text: "I never stopped coaching", wantLean: 0.5, wantW: TextWeight, wantWords: []string{"coaching"}},
		{name: "negated then counted elsewhere", text: "no plan. Later a plan.", wantLean: -0.5, wantW: TextWeight, wantWords: []string{"plan"},
			wantNeg: []Word{w("plan", M)}},
		{name: "words of the prompt do not count", prompt: "What small experiment could your team plan next week?",
			text: "No experiment; we planned the sprint", wantLean: -0.5, wantW: TextWeight, wantWords: []string{"sprint"},
			wantEcho: []Word{w("planned", M)}},
		{name: "phrase ending in a prompt word does not count", prompt: "Why does it matter?", text: "why it matters",
			wantEcho: []Word{w("why it matters", L)}},
		{name: "at most eight words listed", text: "vision, lead, coach, mentor, inspire, curious, team's, équipe, long term", wantLean: 9.0 / 10,
			wantW: TextWeight, wantWords: []string{"vision", "lead", "coach", "mentor", "inspire", "curious", "team's", "équipe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pp := p
			if tt.prompt != "" {
				pp.Text = tt.prompt
			}
			got := c.ReadText(pp, tt.text)
			if math.Abs(got.Lean-tt.wantLean) > 1e-9 {
				t.Errorf("lean: got %v, want %v (%s)", got.Lean, tt.wantLean, got.Explain())
			}
			if got.Weight != tt.wantW {
				t.Errorf("weight: got %v, want %v", got.Weight, tt.wantW)
			}
			if !slices.Equal(got.Words, tt.wantWords) {
				t.Errorf("words: got %q, want %q", got.Words, tt.wantWords)
			}
			if !slices.Equal(got.Negated, tt.wantNeg) {
				t.Errorf("negated: got %q, want %q", got.Negated, tt.wantNeg)
			}
			if !slices.Equal(got.Echoed, tt.wantEcho) {
				t.Errorf("echoed: got %q, want %q", got.Echoed, tt.wantEcho)
			}
			if got.Wellbeing != nil {
				t.Errorf("wellbeing: got %v, want nil", *got.Wellbeing)
			}
			if !got.Text {
				t.Error("text: got false, want true")
			}
		})
	}
}

func TestReadTextOnWellbeingAndSharedPromptsUsesLexicon(t *testing.T) {
	c := &Catalogue{Lexicon: Lexicon{Leadership: []string{"vision"}, Management: []string{"plan"}}}
	for _, d := range []Dimension{Wellbeing, Shared} {
		got := c.ReadText(Prompt{ID: "x", Dimension: d, Kind: Text}, "a vision")
		if got.Lean != 0.5 || got.Weight != TextWeight || got.Wellbeing != nil {
			t.Errorf("%s: got lean %v weight %v wellbeing %v, want 0.5, %v, nil", d, got.Lean, got.Weight, got.Wellbeing, TextWeight)
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
	L, M := PoleLeadership, PoleManagement
	word := func(text, pole string) Word { return Word{Text: text, Pole: pole} }
	tests := []struct {
		name        string
		r           Reading
		wantPole    string
		wantExplain string
	}{
		{"text leadership", Reading{Text: true, Lean: 2.0 / 3, Weight: TextWeight, Leadership: []Word{word("mentor", L), word("vision", L)}},
			PoleLeadership, "read as leadership: “mentor”, “vision” (leadership)"},
		{"text management", Reading{Text: true, Lean: -0.5, Weight: TextWeight, Management: []Word{word("budget", M)}},
			PoleManagement, "read as management: “budget” (management)"},
		{"text management outweighs", Reading{Text: true, Lean: -0.25, Weight: TextWeight,
			Management: []Word{word("budget", M), word("sprint", M)}, Leadership: []Word{word("coached", L)}},
			PoleManagement, "read as management: “budget”, “sprint” (management) outweigh “coached” (leadership)"},
		{"text leadership outweighs", Reading{Text: true, Lean: 0.25, Weight: TextWeight,
			Management: []Word{word("budget", M)}, Leadership: []Word{word("coached", L), word("long term", L)}},
			PoleLeadership, "read as leadership: “coached”, “long term” (leadership) outweigh “budget” (management)"},
		{"text balanced", Reading{Text: true, Lean: 0, Weight: TextWeight, Leadership: []Word{word("vision", L)}, Management: []Word{word("plan", M)}},
			PoleNeutral, "read as neutral: “vision” (leadership) and “plan” (management) balance out"},
		{"text with negated and echoed words", Reading{Text: true, Lean: -0.5, Weight: TextWeight, Management: []Word{word("sprint", M)},
			Negated: []Word{word("vision", L)}, Echoed: []Word{word("experiment", L)}},
			PoleManagement, "read as management: “sprint” (management); not counted: “vision” (leadership, negated), “experiment” (leadership, from the question)"},
		{"text with only negated words", Reading{Text: true, Negated: []Word{word("vision", L)}},
			PoleNeutral, "read as neutral: no leadership or management words counted; not counted: “vision” (leadership, negated)"},
		{"text with nothing found", Reading{Text: true},
			PoleNeutral, "read as neutral: no leadership or management words found"},
		{"text described by its words alone", Reading{Lean: 1, Weight: TextWeight, Words: []string{"mentor", "vision"}},
			PoleLeadership, "read as leadership: because of “mentor”, “vision”"},
		{"empty reading", Reading{},
			PoleNeutral, "read as neutral: no leadership or management words found"},
		{"option leadership", Reading{Lean: 0.5, Weight: 1, Words: []string{"Mostly where"}},
			PoleLeadership, "read as leadership — you chose “Mostly where”"},
		{"option management", Reading{Lean: -1, Weight: 1, Words: []string{"Keep the plan"}},
			PoleManagement, "read as management — you chose “Keep the plan”"},
		{"option middle", Reading{Lean: 0, Weight: 1, Words: []string{"Both"}},
			PoleNeutral, "read as neutral — you chose “Both”"},
		{"shared option", Reading{Words: []string{"Listened"}},
			PoleNeutral, "read as neutral — you chose “Listened”"},
		{"wellbeing option", Reading{Wellbeing: floatp(-1), Words: []string{"Running on empty"}},
			PoleWellbeing, "read as wellbeing, on the strained side — you chose “Running on empty”"},
		{"wellbeing option at the strained bound", Reading{Wellbeing: floatp(-0.25), Words: []string{"41 to 50"}},
			PoleWellbeing, "read as wellbeing, on the strained side — you chose “41 to 50”"},
		{"wellbeing option in the middle", Reading{Wellbeing: floatp(0), Words: []string{"About usual"}},
			PoleWellbeing, "read as wellbeing, in the middle — you chose “About usual”"},
		{"wellbeing option sustainable", Reading{Wellbeing: floatp(0.5), Words: []string{"Under 40"}},
			PoleWellbeing, "read as wellbeing, on the sustainable side — you chose “Under 40”"},
		{"threshold: +0.2 is leadership", Reading{Text: true, Lean: 0.2, Weight: TextWeight, Leadership: []Word{word("x", L)}},
			PoleLeadership, "read as leadership: “x” (leadership)"},
		{"threshold: −0.2 is management", Reading{Text: true, Lean: -0.2, Weight: TextWeight, Management: []Word{word("x", M)}},
			PoleManagement, "read as management: “x” (management)"},
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

// TestOldStyleLexiconStillReads: a catalogue written for the earlier format, where each entry was a
// stem matched at the start of a word, loads unchanged and still reads the usual forms of its
// stems, while look-alikes no longer match.
func TestOldStyleLexiconStillReads(t *testing.T) {
	c, err := Parse([]byte(`{"version": 1,
		"lexicon": {"leadership": ["vision", "inspir", "mentor", "strateg", "curiosit"],
		            "management": ["plan", "schedul", "budget", "optimiz", "kpi"]},
		"prompts": [{"id": "a", "dimension": "horizon", "kind": "text", "section": "s", "text": "What happened?"}]}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	p, _ := c.Prompt("a")
	tests := []struct {
		text string
		want string
	}{
		{"It was inspiring", PoleLeadership},
		{"an inspiration", PoleLeadership},
		{"we were mentoring", PoleLeadership},
		{"two strategies", PoleLeadership},
		{"her curiosity", PoleLeadership},
		{"the scheduling", PoleManagement},
		{"we optimized it", PoleManagement},
		{"our KPIs", PoleManagement},
		{"budgets", PoleManagement},
		{"a planet and a plant", PoleNeutral},
	}
	for _, tt := range tests {
		if got := c.ReadText(p, tt.text); got.Pole() != tt.want {
			t.Errorf("%q: got %s (%s), want %s", tt.text, got.Pole(), got.Explain(), tt.want)
		}
	}
}

func TestExplainShortensLongWords(t *testing.T) {
	c := &Catalogue{Lexicon: Lexicon{Leadership: []string{"vision*"}, Management: []string{"plan"}}}
	long := "vision" + strings.Repeat("x", 3000)
	got := c.ReadText(Prompt{ID: "p", Text: "?"}, "no "+long+" and a "+long).Explain()
	if n := len([]rune(got)); n > 200 {
		t.Errorf("explain: got %d characters, want a short line: %q", n, got)
	}
}
