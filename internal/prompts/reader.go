package prompts

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the free-text reader: it turns an answer into tokens and clauses, finds the lexicon's
// words and phrases in it, drops the ones that are negated or that echo the prompt, and counts the
// rest. Every step works on whole words, so each decision can be shown to the person word by word.

// endings are the word endings a lexicon word may carry and still count as that word: inflections
// ("plans", "planned", "planning") and common derived forms ("leadership", "inspiration"). A word
// is stripped of at most maxStrips endings when looking for its lexicon form. A lone "e" is an
// ending so that stems written for the older, start-of-word format ("inspir") still read "inspire".
var endings = []string{
	"s", "es", "ed", "d", "ing", "ings", "er", "ers", "or", "ors", "e", "y", "ly", "ily",
	"ion", "ions", "ation", "ations", "ment", "ments", "al", "ally", "ive", "ives", "ively",
	"ity", "ities", "ic", "ics", "ical", "ism", "ist", "ists", "ship", "ships", "ness", "ful",
	"able", "ably", "ance", "ances", "ence", "ences", "ant", "ants", "ent", "'s", "s'",
}

const maxStrips = 2

// negators are words that negate what follows them in the same clause ("I did not set a vision").
// Words ending in n't ("didn't", "can't") are negators too; see isNegator.
var negators = map[string]bool{
	"not": true, "no": true, "never": true, "none": true, "nothing": true, "nobody": true,
	"neither": true, "nor": true, "without": true, "zero": true, "cannot": true, "hardly": true,
	"barely": true, "lack": true, "lacked": true, "lacking": true, "less": true, "fewer": true,
	"stop": true, "stops": true, "stopped": true, "stopping": true, "quit": true, "skip": true,
	"skips": true, "skipped": true, "skipping": true, "cancel": true, "cancelled": true,
	"canceled": true, "cancelling": true, "dropped": true, "avoid": true, "avoided": true,
	"avoiding": true, "postponed": true, "ditched": true, "resisted": true, "resist": true,
	"dont": true, "didnt": true, "doesnt": true, "wont": true, "cant": true, "isnt": true,
	"arent": true, "wasnt": true, "werent": true, "havent": true, "hasnt": true, "hadnt": true,
	"couldnt": true, "wouldnt": true, "shouldnt": true,
}

// negatorPhrases negate like negators but take more than one word.
var negatorPhrases = [][]string{
	{"instead", "of"}, {"rather", "than"}, {"let", "go", "of"}, {"letting", "go", "of"},
	{"gave", "up"}, {"give", "up"}, {"giving", "up"}, {"no", "longer"}, {"in", "place", "of"},
	{"away", "from"},
}

// notNegating are words that, right after a negator, turn it into something else: "not only",
// "not just", "no doubt", "nothing but", "can't wait".
var notNegating = map[string]bool{
	"only": true, "just": true, "but": true, "doubt": true, "matter": true, "wait": true,
}

// clauseWords end a clause, and with it the reach of a negation: "I didn't plan it, but we coached".
var clauseWords = map[string]bool{
	"but": true, "however": true, "though": true, "although": true, "yet": true, "whereas": true,
	"while": true, "so": true, "because": true, "since": true, "then": true, "instead": true,
	"except": true, "still": true,
}

// subjects after "and" or "or" start a new clause: "no agenda and we came up with ideas".
var subjects = map[string]bool{
	"i": true, "we": true, "they": true, "he": true, "she": true, "you": true, "it": true,
	"everyone": true, "everybody": true, "people": true, "i'm": true, "we're": true, "they're": true,
	"i've": true, "we've": true, "i'd": true, "we'd": true,
}

// maxNegationReach caps how many words a negation governs, so a long run-on clause is not negated
// as a whole.
const maxNegationReach = 12

// isClausePunct reports whether r ends a clause: sentence and clause punctuation and line breaks.
func isClausePunct(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', '(', ')', '[', ']', '{', '}', '"', '“', '”', '…', '—', '–', '\n', '\r', '•':
		return true
	}
	return false
}

// token is one word of a text, with where it is in the lower-cased text (so a phrase can be shown
// as written) and whether a clause starts at it.
type token struct {
	match      string   // lower-cased, typographic apostrophes made ASCII
	forms      []string // bases(match), computed once
	start, end int      // byte span in the lower-cased text
	clause     bool     // a clause starts here
}

// tokenize lower-cases text and splits it into words (runs of letters, digits and apostrophes, with
// apostrophes at either end trimmed as quotes), marking where clauses start.
func tokenize(text string) (string, []token) {
	lower := strings.ToLower(text)
	var toks []token
	clause := true
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		s, e := start, end
		for s < e {
			r, size := utf8.DecodeRuneInString(lower[s:e])
			if !isApostrophe(r) {
				break
			}
			s += size
		}
		for e > s {
			r, size := utf8.DecodeLastRuneInString(lower[s:e])
			if !isApostrophe(r) {
				break
			}
			e -= size
		}
		if s < e {
			m := normaliseApostrophes(lower[s:e])
			toks = append(toks, token{match: m, forms: bases(m), start: s, end: e, clause: clause})
			clause = false
		}
		start = -1
	}
	for i, r := range lower {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		if isClausePunct(r) {
			clause = true
		}
	}
	flush(len(lower))
	return lower, toks
}

func normaliseApostrophes(s string) string {
	return strings.Map(func(r rune) rune {
		if isApostrophe(r) {
			return '\''
		}
		return r
	}, s)
}

// bases returns the forms a word may take in the lexicon: the word itself, and the word with up to
// maxStrips endings taken off, each time also trying a dropped final e ("scheduling" → "schedule"),
// an undoubled final consonant ("planning" → "plan") and y for i ("strategies" → "strategy").
func bases(w string) []string {
	out := []string{w}
	frontier := []string{w}
	for range maxStrips {
		var next []string
		for _, f := range frontier {
			for _, e := range endings {
				b, ok := strings.CutSuffix(f, e)
				if !ok || len(b) < 2 {
					continue
				}
				next = append(next, b)
				if startsWithVowel(e) {
					next = append(next, b+"e")
					if n := len(b); n >= 3 && b[n-1] == b[n-2] && !isVowelByte(b[n-1]) {
						next = append(next, b[:n-1])
					}
				}
				if strings.HasSuffix(b, "i") {
					next = append(next, b[:len(b)-1]+"y")
				}
			}
		}
		out = append(out, next...)
		frontier = next
	}
	return out
}

func startsWithVowel(s string) bool { return s != "" && isVowelByte(s[0]) }

func isVowelByte(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// entry is one compiled lexicon entry: a word, a start-of-word stem (written with a trailing *), or
// a phrase of several of those.
type entry struct {
	text  string   // as written in the catalogue
	words []string // the phrase's words; one for a single word
	stem  bool     // the last word matches any word starting with it
	pole  string   // PoleLeadership, PoleManagement, or "" for an exception
}

// matcher is a lexicon compiled for reading.
type matcher struct {
	words   map[string]*entry // single whole words, exceptions included
	stems   []*entry          // single start-of-word stems, longest first
	phrases []*entry          // entries of several words, longest first
}

// splitEntry splits a lexicon entry into its words: spaces and hyphens separate them, and a trailing
// * marks the last one as a start-of-word stem.
func splitEntry(s string) (words []string, stem bool) {
	s, stem = strings.CutSuffix(strings.TrimSpace(s), "*")
	words = strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '-' })
	for i, w := range words {
		words[i] = normaliseApostrophes(strings.ToLower(w))
	}
	return words, stem
}

func compile(l Lexicon) *matcher {
	m := &matcher{words: map[string]*entry{}}
	add := func(list []string, pole string) {
		for _, s := range list {
			words, stem := splitEntry(s)
			if len(words) == 0 {
				continue
			}
			e := &entry{text: s, words: words, stem: stem, pole: pole}
			switch {
			case len(words) > 1:
				m.phrases = append(m.phrases, e)
			case stem:
				m.stems = append(m.stems, e)
			default:
				if old, ok := m.words[words[0]]; ok && old.pole == "" {
					continue // an exception stays an exception
				}
				m.words[words[0]] = e
			}
		}
	}
	// Exceptions first, so that a word listed both as an entry and as an exception is an exception.
	add(l.Exceptions, "")
	add(l.Leadership, PoleLeadership)
	add(l.Management, PoleManagement)
	longestFirst := func(es []*entry, size func(*entry) int) {
		// Insertion sort keeps the catalogue's order among equals (stable) without importing sort.
		for i := 1; i < len(es); i++ {
			for j := i; j > 0 && size(es[j]) > size(es[j-1]); j-- {
				es[j], es[j-1] = es[j-1], es[j]
			}
		}
	}
	longestFirst(m.stems, func(e *entry) int { return len(e.words[0]) })
	longestFirst(m.phrases, func(e *entry) int { return len(e.words) })
	return m
}

// wordEntry returns the single-word entry w reads as: an exception before anything else, then a
// whole word (with its endings), then the longest stem w starts with.
func (m *matcher) wordEntry(t token) *entry {
	w := t.match
	var found *entry
	for _, b := range t.forms {
		e, ok := m.words[b]
		if !ok {
			continue
		}
		if e.pole == "" {
			return e
		}
		if found == nil {
			found = e
		}
	}
	if found != nil {
		return found
	}
	for _, e := range m.stems {
		if strings.HasPrefix(w, e.words[0]) {
			return e
		}
	}
	return nil
}

// wordIs reports whether the answer word t is the lexicon word want, with its endings, or starts
// with it when stem is set.
func wordIs(t token, want string, stem bool) bool {
	if stem {
		return strings.HasPrefix(t.match, want)
	}
	return slices.Contains(t.forms, want)
}

// phraseAt returns the longest phrase that starts at toks[i] and stays within one clause, exceptions
// winning ties.
func (m *matcher) phraseAt(toks []token, i int) *entry {
	var best *entry
	for _, e := range m.phrases {
		n := len(e.words)
		if best != nil && n < len(best.words) {
			break // sorted longest first
		}
		if i+n > len(toks) {
			continue
		}
		ok := true
		for k, want := range e.words {
			if k > 0 && toks[i+k].clause {
				ok = false
				break
			}
			if !wordIs(toks[i+k], want, e.stem && k == n-1) {
				ok = false
				break
			}
		}
		if ok && (best == nil || e.pole == "" && best.pole != "") {
			best = e
		}
	}
	return best
}

// hit is one lexicon entry found in a text.
type hit struct {
	e          *entry
	start, end int // token span, end exclusive
}

// find returns the lexicon entries of toks in order, phrases before the words inside them.
func (m *matcher) find(toks []token) []hit {
	var out []hit
	for i := 0; i < len(toks); {
		if e := m.phraseAt(toks, i); e != nil {
			out = append(out, hit{e: e, start: i, end: i + len(e.words)})
			i += len(e.words)
			continue
		}
		if e := m.wordEntry(toks[i]); e != nil {
			out = append(out, hit{e: e, start: i, end: i + 1})
		}
		i++
	}
	return out
}

// isNegator reports whether a word negates what follows it.
func isNegator(w string) bool {
	return negators[w] || strings.HasSuffix(w, "n't")
}

// negated marks the tokens that a negation governs: those after a negator, up to the end of its
// clause or maxNegationReach words. A second negator right after the first, before any word it
// governs, cancels it ("never stopped coaching").
func negated(toks []token) []bool {
	out := make([]bool, len(toks))
	on, reach, fresh := false, 0, false
	for i := 0; i < len(toks); i++ {
		w := toks[i].match
		// A clause word right after the negator is part of it ("not so much planning").
		if toks[i].clause || clauseWords[w] && !(on && fresh) || (w == "and" || w == "or") && i+1 < len(toks) && subjects[toks[i+1].match] {
			on = false
		}
		if n := negatorPhraseAt(toks, i); n > 0 {
			switch {
			case on && fresh:
				on = false
			default:
				on, reach, fresh = true, maxNegationReach, true
			}
			i += n - 1
			continue
		}
		moreOrLess := w == "less" && i >= 2 && toks[i-1].match == "or" && toks[i-2].match == "more"
		if isNegator(w) && !moreOrLess && !(i+1 < len(toks) && notNegating[toks[i+1].match] && !toks[i+1].clause) {
			switch {
			case on && fresh:
				on = false
			default:
				on, reach, fresh = true, maxNegationReach, true
			}
			continue
		}
		if on {
			out[i] = true
			reach--
			if reach == 0 {
				on = false
			}
		}
		fresh = false
	}
	return out
}

func negatorPhraseAt(toks []token, i int) int {
	for _, p := range negatorPhrases {
		if i+len(p) > len(toks) {
			continue
		}
		ok := true
		for k, w := range p {
			if toks[i+k].match != w || k > 0 && toks[i+k].clause {
				ok = false
				break
			}
		}
		if ok {
			return len(p)
		}
	}
	return 0
}

// ideaGap is how many other words may stand between two words of the same pole for them to count as
// one idea ("budget approval", "fix three production bugs"), unless and, or, then or also separates
// them.
const ideaGap = 3

// read reads text, an answer to a prompt whose own text is promptText.
func (m *matcher) read(promptText, text string) Reading {
	_, ptoks := tokenize(promptText)
	echoedEntries := map[*entry]bool{}
	for _, h := range m.find(ptoks) {
		echoedEntries[h.e] = true
	}
	promptWords, promptForms := map[string]bool{}, map[string]bool{}
	for _, t := range ptoks {
		promptWords[t.match] = true
		for _, f := range t.forms {
			promptForms[f] = true
		}
	}
	// echoes reports whether a hit only repeats the prompt: the prompt holds the same entry, or the
	// hit's last word in one of its forms ("where we're heading" after "where is your team heading").
	echoes := func(h hit, toks []token) bool {
		if echoedEntries[h.e] {
			return true
		}
		last := toks[h.end-1]
		if promptForms[last.match] {
			return true
		}
		for _, f := range last.forms {
			if promptWords[f] {
				return true
			}
		}
		return false
	}
	lower, toks := tokenize(text)
	neg := negated(toks)
	var r Reading
	counted := map[*entry]bool{}
	skipped := map[*entry]bool{}
	var lead, manage int
	lastPole, lastEnd := "", -100
	for _, h := range m.find(toks) {
		if h.e.pole == "" {
			continue
		}
		shown := lower[toks[h.start].start:toks[h.end-1].end]
		switch {
		case echoes(h, toks):
			if !skipped[h.e] && !counted[h.e] {
				skipped[h.e] = true
				r.Echoed = appendCapped(r.Echoed, Word{Text: shown, Pole: h.e.pole})
			}
		case neg[h.start]:
			if !skipped[h.e] && !counted[h.e] {
				skipped[h.e] = true
				r.Negated = appendCapped(r.Negated, Word{Text: shown, Pole: h.e.pole})
			}
		case !counted[h.e]:
			counted[h.e] = true
			sameIdea := h.e.pole == lastPole && h.start-lastEnd <= ideaGap && !clauseBetween(toks, lastEnd, h.start)
			lastPole, lastEnd = h.e.pole, h.end
			if h.e.pole == PoleLeadership {
				if !sameIdea {
					lead++
				}
				r.Leadership = appendCapped(r.Leadership, Word{Text: shown, Pole: h.e.pole})
			} else {
				if !sameIdea {
					manage++
				}
				r.Management = appendCapped(r.Management, Word{Text: shown, Pole: h.e.pole})
			}
			if len(r.Words) < maxWords && !slices.Contains(r.Words, shown) {
				r.Words = append(r.Words, shown)
			}
		}
	}
	r.Text = true
	if lead+manage > 0 {
		// One more in the denominator than ideas counted: a single word reads ±0.5, not ±1, and an
		// idea of each pole reads as balanced.
		r.Lean = float64(lead-manage) / float64(lead+manage+1)
		r.Weight = TextWeight
	}
	return r
}

// clauseBetween reports whether a clause starts at any token in toks[from:to+1], or "and", "or",
// "then" or "also" stands between them: "the budget and the sprint" are two ideas.
func clauseBetween(toks []token, from, to int) bool {
	for i := max(from, 0); i <= to && i < len(toks); i++ {
		if toks[i].clause || i < to && ideaBreaks[toks[i].match] {
			return true
		}
	}
	return false
}

var ideaBreaks = map[string]bool{"and": true, "or": true, "then": true, "also": true, "plus": true}

func appendCapped(ws []Word, w Word) []Word {
	if len(ws) >= maxWords {
		return ws
	}
	return append(ws, w)
}
