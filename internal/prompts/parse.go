package prompts

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits of the public catalogue format (prompt text at most 300 characters, option labels at most
// 75, leans from −2 to +2, scales of exactly five options, choices of two to four), plus an id
// length cap: ids travel in Slack action ids and block ids, and a short cap keeps them well inside
// Slack's limits whatever the app appends.
//
// The text limits keep every Slack surface a prompt appears on within Block Kit's limits, counted
// as slackLen counts them (characters as sent, in UTF-16 units, so an emoji counts as two): an
// option label is a button's or a radio option's text (75,
// https://docs.slack.dev/reference/block-kit/block-elements/button-element); a prompt's text is
// a section's bold line and an assessment item's input label (3000 and 2000, far above 300 even
// with every character escaped); a section name goes into a context line ("From the article's
// section “…”") and is kept to a header's 150. The assessment is one modal: an introduction and
// one input block per item, within a modal's 100 blocks
// (https://docs.slack.dev/surfaces/modals), so at most 99 items.
const (
	maxTextRunes    = 300
	maxLabelRunes   = 75
	maxSectionRunes = 150
	maxModalItems   = 99
	maxIDLen        = 64
	minLean         = -2
	maxLean         = 2
	minScaleOpts    = 5
	minChoiceOpts   = 2
	maxChoiceOpts   = 4
)

// isKebabCase reports whether id is lower-case kebab-case: words of a–z and 0–9 joined by single
// hyphens, with no hyphen at either end.
func isKebabCase(id string) bool {
	if id == "" || id[0] == '-' || id[len(id)-1] == '-' || strings.Contains(id, "--") {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ValidationError is a catalogue that decodes but breaks a rule of the catalogue format. It names
// the prompt (by id, or by position when the id is missing) and the JSON field, because a team
// editing its own file needs to find the line to fix.
type ValidationError struct {
	// Source is the file the catalogue came from ("prompts.json" for the built-in one).
	Source string
	// PromptID is the offending prompt's id as written; empty for file-level fields or when the
	// prompt has no usable id.
	PromptID string
	// Position locates the prompt, e.g. "prompts[3]" or "assessment[0]"; empty for file-level
	// fields.
	Position string
	// Field is the JSON field, e.g. "options[2].lean", "version" or "lexicon.leadership".
	Field string
	// Msg says what is wrong.
	Msg string
}

// Error formats the error as `source: prompt "id": field "f": msg`, naming the position instead of
// the id when there is none.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(cmp.Or(e.Source, "prompts.json"))
	switch {
	case e.PromptID != "":
		fmt.Fprintf(&b, ": prompt %q", e.PromptID)
	case e.Position != "":
		fmt.Fprintf(&b, ": %s", e.Position)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Parse decodes and validates a catalogue. Unknown JSON fields are allowed, since the format may
// gain fields; every rule the format fixes is checked. A rule broken yields a *ValidationError; JSON
// that does not parse yields an error with its line, column and byte offset.
func Parse(data []byte) (*Catalogue, error) {
	return parse(data, "prompts.json")
}

// rawCatalogue defers decoding of each prompt so that a type error inside one (a string where a
// number belongs) can still name that prompt.
type rawCatalogue struct {
	Version    *int              `json:"version"`
	Lexicon    Lexicon           `json:"lexicon"`
	Prompts    []json.RawMessage `json:"prompts"`
	Assessment []json.RawMessage `json:"assessment"`
	Mirror     []json.RawMessage `json:"mirror"`
}

// rawPrompt is a Prompt whose options are decoded one at a time, for the same reason.
type rawPrompt struct {
	ID        string            `json:"id"`
	Dimension Dimension         `json:"dimension"`
	Kind      Kind              `json:"kind"`
	Section   string            `json:"section"`
	Text      string            `json:"text"`
	Options   []json.RawMessage `json:"options"`
	Private   bool              `json:"private"`
}

// utf8BOM is the byte-order mark some editors put at the start of a file.
const utf8BOM = "\xEF\xBB\xBF"

func parse(data []byte, source string) (*Catalogue, error) {
	// Editors on Windows like to start files with a byte-order mark; it is not JSON but means no harm.
	skipped := 0
	if bytes.HasPrefix(data, []byte(utf8BOM)) {
		data, skipped = data[len(utf8BOM):], len(utf8BOM)
	}
	var raw rawCatalogue
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, decodeError(err, data, skipped, source, "", "", "")
	}
	verr := func(id, pos, field, format string, args ...any) error {
		return &ValidationError{Source: source, PromptID: id, Position: pos, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case raw.Version == nil:
		return nil, verr("", "", "version", "is missing; want 1")
	case *raw.Version != 1:
		return nil, verr("", "", "version", "unsupported version %d; want 1", *raw.Version)
	}
	if err := checkLexicon(raw.Lexicon); err != nil {
		err.Source = source
		return nil, err
	}
	if len(raw.Prompts) == 0 {
		return nil, verr("", "", "prompts", "needs at least one prompt")
	}
	c := &Catalogue{
		Version: 1,
		Lexicon: raw.Lexicon,
		index:   make(map[string]Prompt, len(raw.Prompts)+len(raw.Assessment)),
		mirror:  make(map[string]Prompt, len(raw.Mirror)),
		matcher: compile(raw.Lexicon),
	}
	seen := make(map[string]string) // id → position of its first use
	decodeList := func(list string, raws []json.RawMessage) ([]Prompt, error) {
		out := make([]Prompt, 0, len(raws))
		for i, r := range raws {
			pos := fmt.Sprintf("%s[%d]", list, i)
			p, err := decodePrompt(r, data, source, pos)
			if err != nil {
				return nil, err
			}
			if bad := checkPrompt(p); bad != nil {
				bad.Source, bad.Position = source, pos
				return nil, bad
			}
			if first, dup := seen[p.ID]; dup {
				return nil, &ValidationError{Source: source, PromptID: p.ID, Position: pos, Field: "id",
					Msg: fmt.Sprintf("duplicate id, already used by %s", first)}
			}
			seen[p.ID] = pos
			c.index[p.ID] = p
			out = append(out, p)
		}
		return out, nil
	}
	var err error
	if c.Prompts, err = decodeList("prompts", raw.Prompts); err != nil {
		return nil, err
	}
	if len(raw.Assessment) > maxModalItems {
		return nil, verr("", fmt.Sprintf("assessment[%d]", maxModalItems), "assessment",
			"has %d items, at most %d allowed (the assessment is one Slack modal of at most 100 blocks, one of them its introduction)",
			len(raw.Assessment), maxModalItems)
	}
	if c.Assessment, err = decodeList("assessment", raw.Assessment); err != nil {
		return nil, err
	}
	if err := c.parseMirror(raw.Mirror, data, source, seen); err != nil {
		return nil, err
	}
	return c, nil
}

// decodePrompt decodes one prompt, turning a type error into a ValidationError that names the
// prompt and the field.
func decodePrompt(r json.RawMessage, doc []byte, source, pos string) (Prompt, error) {
	// The id is read leniently first so that a type error elsewhere can still name the prompt.
	var probe struct {
		ID any `json:"id"`
	}
	if err := json.Unmarshal(r, &probe); err != nil {
		return Prompt{}, decodeError(err, doc, 0, source, "", pos, "")
	}
	id, _ := probe.ID.(string)
	if id != "" && !validID(id) {
		// An id that is not kebab-case may be garbage; name the prompt by position instead.
		id = ""
	}
	var rp rawPrompt
	if err := json.Unmarshal(r, &rp); err != nil {
		return Prompt{}, decodeError(err, doc, 0, source, id, pos, "")
	}
	p := Prompt{ID: rp.ID, Dimension: rp.Dimension, Kind: rp.Kind, Section: rp.Section, Text: rp.Text, Private: rp.Private}
	for i, ro := range rp.Options {
		var o Option
		if err := json.Unmarshal(ro, &o); err != nil {
			return Prompt{}, decodeError(err, doc, 0, source, id, pos, fmt.Sprintf("options[%d]", i))
		}
		p.Options = append(p.Options, o)
	}
	return p, nil
}

// decodeError explains a JSON decoding failure: a syntax error by line, column and byte offset in
// the whole document, a type error by prompt and field.
func decodeError(err error, doc []byte, skipped int, source, id, pos, fieldPrefix string) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		// Offset counts the bytes read, the offending one included; point at that byte instead,
		// unless the input simply ran out.
		at := syn.Offset
		if at > 0 && !strings.HasPrefix(syn.Error(), "unexpected end") {
			at--
		}
		line, col := lineCol(doc, at)
		return fmt.Errorf("%s: invalid JSON at line %d, column %d (byte %d): %w", source, line, col, at+int64(skipped), err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := typ.Field
		if fieldPrefix != "" {
			field = strings.TrimSuffix(fieldPrefix+"."+field, ".")
		}
		msg := fmt.Sprintf("want %s, got a JSON %s", describeType(typ.Type), typ.Value)
		if field == "" && pos != "" {
			msg = fmt.Sprintf("a prompt must be a JSON object, got a JSON %s", typ.Value)
		}
		return &ValidationError{Source: source, PromptID: id, Position: pos, Field: field, Msg: msg}
	}
	return fmt.Errorf("%s: decode: %w", source, err)
}

// lineCol turns a byte offset into a 1-based line and column, for a person looking at the file.
func lineCol(doc []byte, offset int64) (line, col int) {
	if offset > int64(len(doc)) {
		offset = int64(len(doc))
	}
	if offset < 0 {
		offset = 0
	}
	before := doc[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

func describeType(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.Bool:
		return "true or false"
	}
	return t.String()
}

// slackLen is a text's length as Slack's limits count it, or more: UTF-16 code units, never fewer
// than characters (slackapp counts the same way).
func slackLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func validID(id string) bool { return len(id) <= maxIDLen && isKebabCase(id) }

// checkPrompt applies the per-prompt rules of the catalogue format. Source and Position are filled
// in by the caller.
func checkPrompt(p Prompt) *ValidationError {
	fail := func(field, format string, args ...any) *ValidationError {
		return &ValidationError{PromptID: p.ID, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case p.ID == "":
		return fail("id", "is missing")
	case len(p.ID) > maxIDLen:
		return fail("id", "is %d bytes long, at most %d allowed", len(p.ID), maxIDLen)
	case !isKebabCase(p.ID):
		return fail("id", "must be lower-case kebab-case (a-z, 0-9 and single hyphens)")
	}
	if !p.Dimension.valid() {
		return fail("dimension", "unknown dimension %q; want one of %s", p.Dimension, joinDimensions())
	}
	if !p.Kind.valid() {
		return fail("kind", "unknown kind %q; want scale, choice or text", p.Kind)
	}
	if strings.TrimSpace(p.Section) == "" {
		return fail("section", "is missing; name the article heading the prompt draws on")
	}
	if n := slackLen(p.Section); n > maxSectionRunes {
		return fail("section", "is %d characters long as Slack counts them, at most %d allowed (Slack's header limit)", n, maxSectionRunes)
	}
	switch n := slackLen(p.Text); {
	case strings.TrimSpace(p.Text) == "":
		return fail("text", "is empty")
	case n > maxTextRunes:
		return fail("text", "is %d characters long as Slack counts them, at most %d allowed", n, maxTextRunes)
	}
	switch n := len(p.Options); p.Kind {
	case Scale:
		if n != minScaleOpts {
			return fail("options", "a scale needs exactly %d options, got %d", minScaleOpts, n)
		}
	case Choice:
		if n < minChoiceOpts || n > maxChoiceOpts {
			return fail("options", "a choice needs %d to %d options, got %d", minChoiceOpts, maxChoiceOpts, n)
		}
	case Text:
		if n != 0 {
			return fail("options", "a text prompt takes a free answer and has no options, got %d", n)
		}
	}
	for i, o := range p.Options {
		if err := checkOption(p, i, o); err != nil {
			return err
		}
	}
	if p.Kind == Scale {
		return checkScaleOrder(p)
	}
	return nil
}

func checkOption(p Prompt, i int, o Option) *ValidationError {
	fail := func(field, format string, args ...any) *ValidationError {
		return &ValidationError{PromptID: p.ID, Field: fmt.Sprintf("options[%d]%s", i, field), Msg: fmt.Sprintf(format, args...)}
	}
	switch n := slackLen(o.Label); {
	case strings.TrimSpace(o.Label) == "":
		return fail(".label", "is empty")
	case n > maxLabelRunes:
		return fail(".label", "is %d characters long as Slack counts them (an emoji counts as two), at most %d allowed (Slack's button and option limit)", n, maxLabelRunes)
	}
	switch {
	case p.Dimension == Wellbeing:
		if o.Lean != nil {
			return fail(".lean", "wellbeing options carry no lean; use \"wellbeing\" instead")
		}
		if o.Wellbeing == nil {
			return fail(".wellbeing", "is missing; want a value from -2 (strained) to 2 (sustainable)")
		}
		if *o.Wellbeing < minLean || *o.Wellbeing > maxLean {
			return fail(".wellbeing", "%d is outside -2..2", *o.Wellbeing)
		}
	case p.Dimension == Shared:
		if o.Wellbeing != nil {
			return fail(".wellbeing", "only wellbeing prompts carry a wellbeing value")
		}
		if o.Lean != nil && *o.Lean != 0 {
			return fail(".lean", "shared prompts carry no lean; want 0 or none, got %d", *o.Lean)
		}
	default:
		if o.Wellbeing != nil {
			return fail(".wellbeing", "only wellbeing prompts carry a wellbeing value")
		}
		if o.Lean == nil {
			return fail(".lean", "is missing; want a value from -2 (management) to 2 (leadership)")
		}
		if *o.Lean < minLean || *o.Lean > maxLean {
			return fail(".lean", "%d is outside -2..2", *o.Lean)
		}
	}
	return nil
}

// checkScaleOrder requires a scale's options to climb strictly: from management to leadership for
// lean dimensions, from strained to sustainable for wellbeing. Shared scales carry no value to
// order by. With five options in −2..2 this pins a lean scale to exactly −2, −1, 0, 1, 2.
func checkScaleOrder(p Prompt) *ValidationError {
	value := func(o Option) (int, string) {
		if p.Dimension == Wellbeing {
			return *o.Wellbeing, "wellbeing"
		}
		return *o.Lean, "lean"
	}
	if p.Dimension == Shared {
		return nil
	}
	for i := 1; i < len(p.Options); i++ {
		prev, _ := value(p.Options[i-1])
		cur, name := value(p.Options[i])
		if cur <= prev {
			return &ValidationError{PromptID: p.ID, Field: fmt.Sprintf("options[%d].%s", i, name),
				Msg: fmt.Sprintf("scale options must be in increasing %s order, got %d after %d", name, cur, prev)}
		}
	}
	return nil
}

func joinDimensions() string {
	names := make([]string, 0, len(allDimensions()))
	for _, d := range allDimensions() {
		names = append(names, string(d))
	}
	return strings.Join(names, ", ")
}

// checkLexicon requires both entry lists to be non-empty and every entry (exceptions included) to
// be something the reader can find in an answer: lower-case words made only of letters, digits and
// apostrophes (the characters kept in a word), separated by single spaces or hyphens, with an
// optional * at the very end for a start-of-word stem. An entry in both lists would cancel itself
// out, and an entry that is also an exception would never count, so both are refused.
func checkLexicon(l Lexicon) *ValidationError {
	owner := make(map[string]string) // normalised entry → the list it first appeared in
	for _, list := range []struct {
		field   string
		entries []string
	}{{"lexicon.exceptions", l.Exceptions}, {"lexicon.leadership", l.Leadership}, {"lexicon.management", l.Management}} {
		if len(list.entries) == 0 && list.field != "lexicon.exceptions" {
			return &ValidationError{Field: list.field, Msg: "needs at least one stem"}
		}
		for i, s := range list.entries {
			fail := func(format string, args ...any) *ValidationError {
				return &ValidationError{Field: list.field, Msg: fmt.Sprintf("stem %d %q ", i, s) + fmt.Sprintf(format, args...)}
			}
			if msg := entryProblem(s); msg != "" {
				return fail("%s", msg)
			}
			words, stem := splitEntry(s)
			key := strings.Join(words, " ")
			if stem {
				key += "*"
			}
			switch first, dup := owner[key]; {
			case !dup:
				owner[key] = list.field
			case first == list.field:
				// listed twice in the same list: harmless
			case first == "lexicon.exceptions":
				return fail("is also in lexicon.exceptions, so it would never count")
			case first != list.field:
				return fail("is also a leadership stem")
			}
		}
	}
	return nil
}

// entryProblem says what is wrong with one lexicon entry, or returns "".
func entryProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	if strings.ToLower(s) != s {
		return "must be lower-case"
	}
	body, _ := strings.CutSuffix(s, "*")
	prev := ' ' // so a leading separator is refused
	for _, r := range body {
		sep := r == ' ' || r == '-'
		switch {
		case sep && (prev == ' ' || prev == '-'):
			return "has a space or hyphen at its start or two in a row; separate the words of a phrase with single spaces"
		case unicode.IsSpace(r) && r != ' ':
			return "contains a tab or line break; separate the words of a phrase with single spaces"
		case r == '*':
			return "has a * before its end; only a trailing * (a start-of-word stem) is allowed"
		case !sep && !isWordRune(r):
			return fmt.Sprintf("contains %s, which never occurs inside a word", strconv.QuoteRune(r))
		}
		prev = r
	}
	if body == "" || prev == ' ' || prev == '-' {
		return "must end with a letter, a digit or a trailing *"
	}
	return ""
}
