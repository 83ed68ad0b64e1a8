package results

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

type fakeSection struct {
	ids []string
	err error
}

func (f fakeSection) blocks() ([]slackapp.Block, error) {
	if f.err != nil {
		return nil, f.err
	}
	var bs []slackapp.Block
	for _, id := range f.ids {
		bs = append(bs, slackapp.Section(id, id))
	}
	return bs, nil
}

func (f fakeSection) SummaryBlocks(context.Context, string, report.Month) ([]slackapp.Block, error) {
	return f.blocks()
}
func (f fakeSection) HomeBlocks(context.Context, string) ([]slackapp.Block, error) { return f.blocks() }

func blockIDs(bs []slackapp.Block) []string {
	var ids []string
	for _, b := range bs {
		switch b := b.(type) {
		case *slackapp.SectionBlock:
			ids = append(ids, b.BlockID)
		case *slackapp.ContextBlock:
			ids = append(ids, b.BlockID)
		case *slackapp.ActionBlock:
			ids = append(ids, b.BlockID)
		default:
			ids = append(ids, fmt.Sprintf("%T", b))
		}
	}
	return ids
}

func TestWithSections(t *testing.T) {
	base := []slackapp.Block{slackapp.Section("a", "a"), slackapp.Section("b", "b"), slackapp.ContextNote("note", "n")}
	boom := errors.New("boom")
	tests := []struct {
		name    string
		secs    []Section
		limit   int
		want    []string
		skipped int
	}{
		{"none", nil, 50, []string{"a", "b", "note"}, 0},
		{"nil section", []Section{nil}, 50, []string{"a", "b", "note"}, 0},
		{"in order before the notes", []Section{fakeSection{ids: []string{"x1", "x2"}}, fakeSection{ids: []string{"y"}}}, 50,
			[]string{"a", "b", "x1", "x2", "y", "note"}, 0},
		{"a failing section is left out, the rest kept", []Section{fakeSection{err: boom}, fakeSection{ids: []string{"y"}}}, 50,
			[]string{"a", "b", "y", "note"}, 1},
		{"a section past the limit is left out", []Section{fakeSection{ids: []string{"x1", "x2"}}, fakeSection{ids: []string{"y"}}}, 4,
			[]string{"a", "b", "y", "note"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skipped := 0
			got := withSections(base, beforeNotes(base), tt.limit, tt.secs,
				func(s Section) ([]slackapp.Block, error) {
					return s.SummaryBlocks(context.Background(), "U1", report.Month{})
				},
				func(error) { skipped++ })
			if ids := blockIDs(got); !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("blocks = %v, want %v", ids, tt.want)
			}
			if skipped != tt.skipped {
				t.Errorf("skipped %d, want %d", skipped, tt.skipped)
			}
			if ids := blockIDs(base); !reflect.DeepEqual(ids, []string{"a", "b", "note"}) {
				t.Errorf("base changed: %v", ids)
			}
		})
	}
}

func TestBeforeNotes(t *testing.T) {
	for _, tt := range []struct {
		blocks []slackapp.Block
		want   int
	}{
		{nil, 0},
		{[]slackapp.Block{slackapp.ContextNote("n", "n")}, 0},
		{[]slackapp.Block{slackapp.Section("a", "a")}, 1},
		{[]slackapp.Block{slackapp.Section("a", "a"), slackapp.ContextNote("m", "m"), slackapp.Section("b", "b"), slackapp.ContextNote("n", "n"), slackapp.ContextNote("o", "o")}, 3},
	} {
		if got := beforeNotes(tt.blocks); got != tt.want {
			t.Errorf("beforeNotes(%v) = %d, want %d", blockIDs(tt.blocks), got, tt.want)
		}
	}
}

type suggestingSection struct {
	fakeSection
	replaces bool
}

func (s suggestingSection) ReplacesSuggestion() bool { return s.replaces }

func TestSuggestionReplaced(t *testing.T) {
	for _, tt := range []struct {
		name string
		secs []Section
		want bool
	}{
		{"no sections: results says its own suggestion", nil, false},
		{"a nil section", []Section{nil}, false},
		{"a plain section", []Section{fakeSection{}}, false},
		{"a section that could but does not", []Section{suggestingSection{}}, false},
		{"a section that carries the suggestion", []Section{fakeSection{}, suggestingSection{replaces: true}}, true},
	} {
		if got := suggestionReplaced(tt.secs); got != tt.want {
			t.Errorf("%s: suggestionReplaced = %v, want %v", tt.name, got, tt.want)
		}
	}
}
