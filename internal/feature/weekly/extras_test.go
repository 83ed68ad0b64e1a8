package weekly

import (
	"fmt"
	"testing"

	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackapp/slacktest"
)

func TestWithPart(t *testing.T) {
	open := DeliveryMessage(Delivery{ID: 12, Prompt: Question{Prompt: scalePrompt},
		Check: &Question{Prompt: wellbeingPrompt, Order: []int{1, 0}}})
	part := func(n int) []slackapp.Block {
		var bs []slackapp.Block
		for i := range n {
			bs = append(bs, slackapp.Section(fmt.Sprintf("part_%d", i), "how is it going?"))
		}
		return bs
	}
	// Another feature's part goes under the prompt and its check, after a divider of its own,
	// and leaves them as they were.
	m, ok := withPart(open, 0, part(2))
	if !ok || len(m.Blocks) != len(open.Blocks)+3 {
		t.Fatalf("withPart = %d blocks, %v; want %d, true", len(m.Blocks), ok, len(open.Blocks)+3)
	}
	for i, b := range open.Blocks {
		if m.Blocks[i] != b {
			t.Errorf("block %d changed", i)
		}
	}
	if m.Blocks[len(open.Blocks)].ID() != "extra_0_divider" || m.Blocks[len(m.Blocks)-1].ID() != "part_1" {
		t.Errorf("got %s … %s, want the divider then the part", m.Blocks[len(open.Blocks)].ID(), m.Blocks[len(m.Blocks)-1].ID())
	}
	slacktest.CheckLimits(t, m)
	// A part that would take the message past 50 blocks is left out; one that just fits is not.
	fits := maxMessageBlocks - len(open.Blocks) - 1
	if got, ok := withPart(open, 1, part(fits+1)); ok || len(got.Blocks) != len(open.Blocks) {
		t.Errorf("a part of %d blocks: %d blocks, %v; want it left out", fits+1, len(got.Blocks), ok)
	}
	if got, ok := withPart(open, 1, part(fits)); !ok || len(got.Blocks) != maxMessageBlocks {
		t.Errorf("a part of %d blocks: %d blocks, %v; want exactly %d", fits, len(got.Blocks), ok, maxMessageBlocks)
	}
}
