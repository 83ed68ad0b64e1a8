package results

import (
	"context"

	"github.com/reflect-bot/reflect/internal/report"
)

// Headline is a person's own headline lean of period as their summary reads it ("leaning
// management (−0.30)"), or "" when there is too little to read: for a feature that shows
// something beside it.
func (r *Handle) Headline(ctx context.Context, userID string, period report.Month) (string, error) {
	s, err := r.h.Summarise(ctx, userID, period)
	if err != nil || !s.Labelled {
		return "", err
	}
	return s.Headline, nil
}
