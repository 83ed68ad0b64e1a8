package slackemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// surface is where blocks are shown; limits and allowed block types differ.
// https://docs.slack.dev/reference/block-kit/blocks
type surface int

const (
	surfaceMessage surface = iota
	surfaceModal
	surfaceHome
)

// String names the surface in messages.
func (sf surface) String() string {
	switch sf {
	case surfaceModal:
		return "modal"
	case surfaceHome:
		return "home"
	}
	return "message"
}

// maxBlocks: 50 blocks in a message, 100 in a modal or Home tab.
// https://docs.slack.dev/reference/block-kit/blocks
func (sf surface) maxBlocks() int {
	if sf == surfaceMessage {
		return 50
	}
	return 100
}

// problem is one Block Kit finding. reject marks what Slack itself refuses (invalid_blocks);
// the rest are house rules, stricter than Slack, recorded as violations only.
type problem struct {
	msg    string
	reject bool
}

// checker walks one set of blocks.
type checker struct {
	surface   surface
	problems  []problem
	blockIDs  map[string]bool
	actionIDs map[string]bool
	hasInput  bool
}

func newChecker(sf surface) *checker {
	return &checker{surface: sf, blockIDs: map[string]bool{}, actionIDs: map[string]bool{}}
}

// fail records a problem in Slack's own wording style: "[ERROR] … [json-pointer:/blocks/0]".
func (ck *checker) fail(path string, reject bool, format string, args ...any) {
	ck.problems = append(ck.problems, problem{
		msg:    fmt.Sprintf("[ERROR] %s [json-pointer:%s]", fmt.Sprintf(format, args...), path),
		reject: reject,
	})
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// decodeJSON decodes keeping numbers exact, so blocks re-encode as they came.
func decodeJSON(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

// checkBlocks checks a blocks array for a surface and fills in the block_id and action_id
// values Slack generates when an app leaves them out. ok is false when raw is not a JSON array
// of objects.
func checkBlocks(raw json.RawMessage, sf surface) (norm []any, ck *checker, ok bool) {
	var blocks []any
	if err := decodeJSON(raw, &blocks); err != nil {
		return nil, nil, false
	}
	ck = newChecker(sf)
	ck.blocks("/blocks", blocks)
	return blocks, ck, true
}

func (ck *checker) blocks(path string, blocks []any) {
	if len(blocks) > ck.surface.maxBlocks() {
		ck.fail(path, true, "no more than %d items allowed in a %s", ck.surface.maxBlocks(), ck.surface)
	}
	for i, b := range blocks {
		p := fmt.Sprintf("%s/%d", path, i)
		m, ok := b.(map[string]any)
		if !ok {
			ck.fail(p, true, "must be an object")
			continue
		}
		ck.block(p, m)
	}
	// block_ids are filled in last, so a generated one never takes an id the app chose.
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok {
			if _, has := m["block_id"]; !has {
				m["block_id"] = ck.freshID(ck.blockIDs)
			}
		}
	}
}

func (ck *checker) freshID(used map[string]bool) string {
	for {
		id := randomHex(3)
		if !used[id] {
			used[id] = true
			return id
		}
	}
}

func str(m map[string]any, k string) (string, bool) {
	v, ok := m[k].(string)
	return v, ok
}

func list(m map[string]any, k string) ([]any, bool) {
	v, ok := m[k].([]any)
	return v, ok
}

func obj(m map[string]any, k string) (map[string]any, bool) {
	v, ok := m[k].(map[string]any)
	return v, ok
}

// block checks one layout block.
// https://docs.slack.dev/reference/block-kit/blocks
func (ck *checker) block(p string, b map[string]any) {
	if id, has := b["block_id"]; has {
		s, ok := id.(string)
		switch {
		case !ok || s == "":
			ck.fail(p+"/block_id", true, "must be a non-empty string")
		case runes(s) > 255:
			// https://docs.slack.dev/reference/block-kit/blocks/section-block (block_id ≤ 255)
			ck.fail(p+"/block_id", true, "must be less than 256 characters")
		case ck.blockIDs[s]:
			ck.fail(p+"/block_id", true, "duplicate block_id %q", s)
		default:
			ck.blockIDs[s] = true
		}
	}
	typ, _ := str(b, "type")
	onlyIn := func(allowed ...surface) bool {
		for _, a := range allowed {
			if a == ck.surface {
				return true
			}
		}
		ck.fail(p+"/type", true, "%s blocks are not allowed in a %s", typ, ck.surface)
		return false
	}
	switch typ {
	case "section":
		// https://docs.slack.dev/reference/block-kit/blocks/section-block
		_, hasText := b["text"]
		fields, hasFields := list(b, "fields")
		if !hasText && !hasFields {
			ck.fail(p, true, "must provide text or fields")
		}
		if hasText {
			ck.text(p+"/text", b["text"], 3000, false)
		}
		if hasFields {
			if len(fields) > 10 {
				ck.fail(p+"/fields", true, "no more than 10 items allowed")
			}
			for i, f := range fields {
				ck.text(fmt.Sprintf("%s/fields/%d", p, i), f, 2000, false)
			}
		}
		if acc, ok := obj(b, "accessory"); ok {
			ck.element(p+"/accessory", acc, ctxAccessory)
		}
	case "divider":
	case "header":
		// https://docs.slack.dev/reference/block-kit/blocks/header-block
		ck.text(p+"/text", b["text"], 150, true)
	case "image":
		// https://docs.slack.dev/reference/block-kit/blocks/image-block
		ck.image(p, b)
		if t, ok := b["title"]; ok {
			ck.text(p+"/title", t, 2000, true)
		}
	case "actions":
		// https://docs.slack.dev/reference/block-kit/blocks/actions-block (≤ 25 elements)
		els, ok := list(b, "elements")
		if !ok || len(els) == 0 {
			ck.fail(p+"/elements", true, "must provide at least 1 item")
		}
		if len(els) > 25 {
			ck.fail(p+"/elements", true, "no more than 25 items allowed")
		}
		for i, e := range els {
			ep := fmt.Sprintf("%s/elements/%d", p, i)
			if m, ok := e.(map[string]any); ok {
				ck.element(ep, m, ctxActions)
			} else {
				ck.fail(ep, true, "must be an object")
			}
		}
	case "context":
		// https://docs.slack.dev/reference/block-kit/blocks/context-block (≤ 10 elements)
		els, ok := list(b, "elements")
		if !ok || len(els) == 0 {
			ck.fail(p+"/elements", true, "must provide at least 1 item")
		}
		if len(els) > 10 {
			ck.fail(p+"/elements", true, "no more than 10 items allowed")
		}
		for i, e := range els {
			ep := fmt.Sprintf("%s/elements/%d", p, i)
			m, ok := e.(map[string]any)
			if !ok {
				ck.fail(ep, true, "must be an object")
				continue
			}
			if t, _ := str(m, "type"); t == "image" {
				ck.image(ep, m)
			} else {
				ck.text(ep, m, 3000, false)
			}
		}
	case "input":
		// https://docs.slack.dev/reference/block-kit/blocks/input-block
		ck.hasInput = true
		if ck.surface != surfaceModal {
			// Slack renders input blocks in messages and Home tabs too, but there is no submit
			// there: this app collects input in modals only, where validation exists.
			ck.fail(p+"/type", false, "input blocks belong in modals, not a %s", ck.surface)
		}
		ck.text(p+"/label", b["label"], 2000, true)
		if h, ok := b["hint"]; ok {
			ck.text(p+"/hint", h, 2000, true)
		}
		el, ok := obj(b, "element")
		if !ok {
			ck.fail(p+"/element", true, "is required")
		} else {
			ck.element(p+"/element", el, ctxInput)
		}
	case "rich_text":
		// https://docs.slack.dev/reference/block-kit/blocks/rich-text-block
		if _, ok := list(b, "elements"); !ok {
			ck.fail(p+"/elements", true, "is required")
		}
	case "video":
		// https://docs.slack.dev/reference/block-kit/blocks/video-block
		for _, k := range []string{"alt_text", "video_url", "thumbnail_url"} {
			if v, _ := str(b, k); v == "" {
				ck.fail(p+"/"+k, true, "is required")
			}
		}
		ck.text(p+"/title", b["title"], 200, true)
	case "markdown":
		// https://docs.slack.dev/reference/block-kit/blocks/markdown-block (messages only)
		if onlyIn(surfaceMessage) {
			if t, ok := str(b, "text"); !ok || t == "" {
				ck.fail(p+"/text", true, "is required")
			} else if runes(t) > 12000 {
				ck.fail(p+"/text", true, "must be less than 12001 characters")
			}
		}
	case "file":
		// https://docs.slack.dev/reference/block-kit/blocks/file-block (messages only)
		if onlyIn(surfaceMessage) {
			if v, _ := str(b, "external_id"); v == "" {
				ck.fail(p+"/external_id", true, "is required")
			}
		}
	case "":
		ck.fail(p+"/type", true, "is required")
	default:
		ck.fail(p+"/type", true, "unsupported block type %q", typ)
	}
}

// text checks a text object: plain_text or mrkdwn, non-empty, at most maxLen characters.
// https://docs.slack.dev/reference/block-kit/composition-objects/text-object
func (ck *checker) text(p string, v any, maxLen int, plainOnly bool) {
	m, ok := v.(map[string]any)
	if !ok {
		ck.fail(p, true, "must be a text object")
		return
	}
	typ, _ := str(m, "type")
	switch typ {
	case "plain_text":
	case "mrkdwn":
		if plainOnly {
			ck.fail(p+"/type", true, "must be plain_text")
		}
		if _, ok := m["emoji"]; ok {
			ck.fail(p+"/emoji", true, "emoji is only allowed on plain_text")
		}
	default:
		ck.fail(p+"/type", true, "must be plain_text or mrkdwn")
	}
	t, ok := str(m, "text")
	if !ok || t == "" {
		ck.fail(p+"/text", true, "must be more than 0 characters")
		return
	}
	if n := runes(t); n > maxLen {
		ck.fail(p+"/text", true, "must be less than %d characters (got %d)", maxLen+1, n)
	}
}

func (ck *checker) image(p string, m map[string]any) {
	_, hasFile := m["slack_file"]
	if u, _ := str(m, "image_url"); u == "" && !hasFile {
		ck.fail(p+"/image_url", true, "image_url or slack_file is required")
	} else if runes(u) > 3000 {
		ck.fail(p+"/image_url", true, "must be less than 3001 characters")
	}
	if a, _ := str(m, "alt_text"); a == "" {
		ck.fail(p+"/alt_text", true, "is required")
	} else if runes(a) > 2000 {
		ck.fail(p+"/alt_text", true, "must be less than 2001 characters")
	}
}

// elementContext is where an element sits; each allows different element types.
type elementContext int

const (
	ctxActions elementContext = iota
	ctxAccessory
	ctxInput
)

// elementAllowed lists which elements each container takes.
// https://docs.slack.dev/reference/block-kit/block-elements
func elementAllowed(typ string, ctx elementContext) (known, allowed bool) {
	selects := strings.HasSuffix(typ, "_select")
	switch {
	case typ == "button", typ == "overflow", typ == "workflow_button":
		return true, ctx != ctxInput
	case typ == "image":
		return true, ctx == ctxAccessory
	case typ == "checkboxes", typ == "radio_buttons", typ == "datepicker", typ == "timepicker", selects:
		return true, true
	case typ == "datetimepicker":
		return true, ctx != ctxAccessory
	case typ == "plain_text_input", typ == "email_text_input", typ == "url_text_input",
		typ == "number_input", typ == "rich_text_input", typ == "file_input":
		return true, ctx == ctxInput
	}
	return false, false
}

// element checks one interactive element.
func (ck *checker) element(p string, e map[string]any, ctx elementContext) {
	typ, _ := str(e, "type")
	known, allowed := elementAllowed(typ, ctx)
	if !known {
		ck.fail(p+"/type", true, "unsupported element type %q", typ)
		return
	}
	if !allowed {
		ck.fail(p+"/type", true, "%s is not allowed here", typ)
		return
	}
	if typ == "image" {
		ck.image(p, e)
		return
	}
	if id, has := e["action_id"]; has {
		s, ok := id.(string)
		switch {
		case !ok || s == "":
			ck.fail(p+"/action_id", true, "must be a non-empty string")
		case runes(s) > 255:
			// https://docs.slack.dev/reference/block-kit/block-elements/button-element (≤ 255)
			ck.fail(p+"/action_id", true, "must be less than 256 characters")
		case ck.actionIDs[s]:
			// action_id must be unique among the elements of a message or view.
			ck.fail(p+"/action_id", true, "duplicate action_id %q", s)
		default:
			ck.actionIDs[s] = true
		}
	} else {
		e["action_id"] = ck.freshID(ck.actionIDs)
	}
	if ph, ok := e["placeholder"]; ok {
		ck.text(p+"/placeholder", ph, 150, true)
	}
	if c, ok := obj(e, "confirm"); ok {
		// https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object
		ck.text(p+"/confirm/title", c["title"], 100, true)
		ck.text(p+"/confirm/text", c["text"], 300, false)
		ck.text(p+"/confirm/confirm", c["confirm"], 30, true)
		ck.text(p+"/confirm/deny", c["deny"], 30, true)
	}
	switch typ {
	case "button":
		// https://docs.slack.dev/reference/block-kit/block-elements/button-element
		ck.text(p+"/text", e["text"], 75, true)
		if v, _ := str(e, "value"); runes(v) > 2000 {
			ck.fail(p+"/value", true, "must be less than 2001 characters")
		}
		if u, _ := str(e, "url"); runes(u) > 3000 {
			ck.fail(p+"/url", true, "must be less than 3001 characters")
		}
		if st, has := e["style"]; has && st != "primary" && st != "danger" {
			ck.fail(p+"/style", true, "must be primary or danger")
		}
	case "overflow":
		// https://docs.slack.dev/reference/block-kit/block-elements/overflow-menu-element
		ck.options(p, e, 2, 5, true)
	case "radio_buttons", "checkboxes":
		// https://docs.slack.dev/reference/block-kit/block-elements/radio-button-group-element
		ck.options(p, e, 1, 10, false)
	case "static_select", "multi_static_select":
		// https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element
		if _, ok := e["option_groups"]; ok {
			groups, _ := list(e, "option_groups")
			if len(groups) > 100 {
				ck.fail(p+"/option_groups", true, "no more than 100 items allowed")
			}
			for i, g := range groups {
				if gm, ok := g.(map[string]any); ok {
					ck.text(fmt.Sprintf("%s/option_groups/%d/label", p, i), gm["label"], 75, true)
					ck.options(fmt.Sprintf("%s/option_groups/%d", p, i), gm, 1, 100, true)
				}
			}
		} else {
			ck.options(p, e, 1, 100, true)
		}
	case "plain_text_input":
		// https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element
		for _, k := range []string{"min_length", "max_length"} {
			if n, ok := e[k].(json.Number); ok {
				if v, err := n.Int64(); err != nil || v < 0 || v > 3000 {
					ck.fail(p+"/"+k, true, "must be between 0 and 3000")
				}
			}
		}
	}
}

// options checks an element's options and that any initial option is one of them.
// https://docs.slack.dev/reference/block-kit/composition-objects/option-object
func (ck *checker) options(p string, e map[string]any, minN, maxN int, plainOnly bool) {
	opts, ok := list(e, "options")
	if !ok || len(opts) < minN {
		ck.fail(p+"/options", true, "must provide at least %d items", minN)
		return
	}
	if len(opts) > maxN {
		ck.fail(p+"/options", true, "no more than %d items allowed", maxN)
	}
	values := map[string]bool{}
	for i, o := range opts {
		op := fmt.Sprintf("%s/options/%d", p, i)
		m, ok := o.(map[string]any)
		if !ok {
			ck.fail(op, true, "must be an object")
			continue
		}
		ck.text(op+"/text", m["text"], 75, plainOnly)
		v, _ := str(m, "value")
		if v == "" {
			ck.fail(op+"/value", true, "is required")
		} else if runes(v) > 150 {
			ck.fail(op+"/value", true, "must be less than 151 characters")
		}
		values[v] = true
		if d, ok := m["description"]; ok {
			ck.text(op+"/description", d, 75, plainOnly)
		}
	}
	if io, ok := obj(e, "initial_option"); ok {
		if v, _ := str(io, "value"); !values[v] {
			ck.fail(p+"/initial_option", true, "must match one of the options")
		}
	}
}

// checkBlocksLocked runs the checker for a call, records what it finds, and answers as Slack
// would: invalid_blocks_format for a malformed array, invalid_blocks for a rejected one.
func (s *Server) checkBlocksLocked(raw json.RawMessage, sf surface, where string) (json.RawMessage, *apiError) {
	norm, ck, ok := checkBlocks(raw, sf)
	if !ok {
		s.violationLocked("%s: blocks are not a JSON array of objects", where)
		return nil, errCode("invalid_blocks_format")
	}
	var rejected []string
	for _, pr := range ck.problems {
		s.violationLocked("%s: %s", where, pr.msg)
		if pr.reject {
			rejected = append(rejected, pr.msg)
		}
	}
	if len(rejected) > 0 {
		return nil, errCode("invalid_blocks", rejected...)
	}
	out, err := json.Marshal(norm)
	if err != nil {
		return nil, errCode("invalid_blocks_format")
	}
	return out, nil
}
