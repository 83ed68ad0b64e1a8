package weekly

import (
	"context"
	"fmt"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Extra is another feature's answerable part of a weekly prompt's message (an experiment's
// check-in, say): blocks added under the prompt and its wellbeing check. Its buttons are its own
// (their action ids registered by its feature, their block ids unique in the message); their
// handler records the answer and calls Handle.Refresh, which shows the whole message again as it
// stands, so answering one part keeps the others. It may return no blocks.
type Extra interface {
	// DeliveryBlocks are the blocks for the message of a person's delivery deliveryID, the
	// prompt of occurrence.
	DeliveryBlocks(ctx context.Context, userID string, deliveryID int64, occurrence time.Time) ([]slackapp.Block, error)
}

// maxMessageBlocks is Slack's limit on blocks in a message.
// https://docs.slack.dev/reference/block-kit/blocks
const maxMessageBlocks = 50

// Handle lets other features show a delivery's message again after a change to their part of it.
type Handle struct{ w *weekly }

// Refresh updates the message of a person's delivery, once posted, to show where every part of
// it stands now.
func (h *Handle) Refresh(ctx context.Context, userID string, deliveryID int64) error {
	d, err := h.w.Store.Delivery(ctx, userID, deliveryID)
	if err != nil {
		return err
	}
	return h.w.showDelivery(ctx, userID, d)
}

// withExtras adds each Extra's blocks to a delivery's message, each after a divider of its own.
// One that fails, or would take the message past Slack's block limit, is left out and logged:
// the week's prompt always goes out.
func (w *weekly) withExtras(ctx context.Context, userID string, d db.Delivery, m slackapp.Message) slackapp.Message {
	for i, x := range w.Extras {
		if x == nil {
			continue
		}
		bs, err := x.DeliveryBlocks(ctx, userID, d.ID, d.Occurrence)
		if err != nil {
			w.app.Logger().Warn("part of a weekly message left out", "error", err)
			continue
		}
		if len(bs) == 0 {
			continue
		}
		var ok bool
		if m, ok = withPart(m, i, bs); !ok {
			w.app.Logger().Warn("part of a weekly message left out", "error", "past Slack's block limit")
		}
	}
	return m
}

// withPart is m with the i-th Extra's blocks after a divider of their own; false (and m as it
// was) when they would take it past Slack's block limit.
func withPart(m slackapp.Message, i int, bs []slackapp.Block) (slackapp.Message, bool) {
	if len(m.Blocks)+1+len(bs) > maxMessageBlocks {
		return m, false
	}
	blocks := make([]slackapp.Block, 0, len(m.Blocks)+1+len(bs))
	blocks = append(append(blocks, m.Blocks...), slackapp.Divider(fmt.Sprintf("extra_%d_divider", i)))
	m.Blocks = append(blocks, bs...)
	return m, true
}
