package results

import (
	"context"

	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Section is another feature's part of a person's monthly summary and App Home: a feature that
// has something to say there (an experiment, a team's view) gives results a Section through
// Deps.Sections instead of results knowing about it. Either method may return no blocks.
type Section interface {
	// SummaryBlocks are added to the person's summary of period, after its own content and
	// before its closing notes.
	SummaryBlocks(ctx context.Context, userID string, period report.Month) ([]slackapp.Block, error)
	// HomeBlocks are added to the person's App Home tab, before its buttons.
	HomeBlocks(ctx context.Context, userID string) ([]slackapp.Block, error)
}

// SuggestionSection is a Section that gives the summary's suggestion itself, say as an offer the
// person can take up: results then leaves its own suggestion paragraph out of the summary
// message, so a person reads one suggestion, not two.
type SuggestionSection interface {
	Section
	// ReplacesSuggestion is true when the section carries the summary's suggestion.
	ReplacesSuggestion() bool
}

// suggestionReplaced is true when one of secs carries the summary's suggestion.
func suggestionReplaced(secs []Section) bool {
	for _, s := range secs {
		if r, ok := s.(SuggestionSection); ok && r.ReplacesSuggestion() {
			return true
		}
	}
	return false
}

// Slack's limits on blocks: 50 in a message, 100 in a Home tab view.
// https://docs.slack.dev/reference/block-kit/blocks
const (
	maxMessageBlocks = 50
	maxHomeBlocks    = 100
)

// withSections inserts each section's blocks, in the order of secs, at index at of base. A nil
// section, or one that fails, is left out (the failure is passed to skipped, never returned, so
// one section never costs the rest of the message); so is one whose blocks would take the total
// past limit.
func withSections(base []slackapp.Block, at, limit int, secs []Section,
	get func(Section) ([]slackapp.Block, error), skipped func(error)) []slackapp.Block {
	var extra []slackapp.Block
	for _, s := range secs {
		if s == nil {
			continue
		}
		bs, err := get(s)
		if err != nil {
			skipped(err)
			continue
		}
		if len(base)+len(extra)+len(bs) > limit {
			skipped(errTooManyBlocks)
			continue
		}
		extra = append(extra, bs...)
	}
	if len(extra) == 0 {
		return base
	}
	out := make([]slackapp.Block, 0, len(base)+len(extra))
	out = append(out, base[:at]...)
	out = append(out, extra...)
	return append(out, base[at:]...)
}

type sectionError string

func (e sectionError) Error() string { return string(e) }

const errTooManyBlocks = sectionError("results: a section would take the message past Slack's block limit")

// beforeNotes is where sections go in a summary: before its trailing context notes (the caveat
// and the chart's note).
func beforeNotes(blocks []slackapp.Block) int {
	i := len(blocks)
	for i > 0 {
		if _, ok := blocks[i-1].(*slackapp.ContextBlock); !ok {
			break
		}
		i--
	}
	return i
}

// summaryWithSections is m with every section's summary blocks for period.
func (h *results) summaryWithSections(ctx context.Context, userID string, period report.Month, m slackapp.Message) slackapp.Message {
	m.Blocks = withSections(m.Blocks, beforeNotes(m.Blocks), maxMessageBlocks, h.Sections,
		func(s Section) ([]slackapp.Block, error) { return s.SummaryBlocks(ctx, userID, period) },
		func(err error) { h.app.Logger().Warn("summary section left out", "error", err) })
	return m
}

// homeWithSections is the Home tab's blocks with every section's home blocks, before its
// buttons and closing note.
func (h *results) homeWithSections(ctx context.Context, userID string, blocks []slackapp.Block) []slackapp.Block {
	at := len(blocks)
	for i, b := range blocks {
		if a, ok := b.(*slackapp.ActionBlock); ok && a.BlockID == "home_actions" {
			at = i
		}
	}
	return withSections(blocks, at, maxHomeBlocks, h.Sections,
		func(s Section) ([]slackapp.Block, error) { return s.HomeBlocks(ctx, userID) },
		func(err error) { h.app.Logger().Warn("home section left out", "error", err) })
}
