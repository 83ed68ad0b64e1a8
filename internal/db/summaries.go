package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SummaryPayload is the outbox payload of summary and chart posts.
type SummaryPayload struct {
	Period string `json:"period"` // YYYY-MM
}

// queueSummary queues a month's summary and its chart for a person. With once, it records the
// month in summaries_sent first and queues nothing if it was already there.
func queueSummary(ctx context.Context, tx *sql.Tx, now time.Time, userID, dmChannel, period string, once bool) error {
	if once {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO summaries_sent (user_id, period, kind, sent_at) VALUES (?, ?, 'person', ?)
			ON CONFLICT (user_id, period, kind) DO NOTHING`, userID, period, millis(now))
		if err != nil {
			return fmt.Errorf("record summary: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
	}
	payload, _ := json.Marshal(SummaryPayload{Period: period})
	for _, m := range []OutboxMessage{
		{UserID: userID, ChannelID: dmChannel, Kind: KindSummary, Payload: payload},
		{UserID: userID, ChannelID: dmChannel, Kind: KindChart, Payload: payload},
	} {
		if _, err := enqueue(ctx, tx, now, m); err != nil {
			return fmt.Errorf("queue %s: %w", m.Kind, err)
		}
	}
	return nil
}

// QueueSummary queues a month's summary and chart for a person now (/reflect summary), whether
// or not the monthly one was sent.
func (s *Store) QueueSummary(ctx context.Context, userID, period string) error {
	now := s.now()
	return s.inTx(ctx, "queue summary", func(tx *sql.Tx) error {
		var err error
		var dm sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT dm_channel_id FROM people WHERE user_id = ?`, userID).Scan(&dm)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("db: queue summary for %s: %w", userID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("db: queue summary: %w", err)
		}
		if err := queueSummary(ctx, tx, now, userID, dm.String, period, false); err != nil {
			return fmt.Errorf("db: queue summary: %w", err)
		}
		return nil
	})
}

// rememberChart records the latest trend chart shared with a person (a shared chart's ts is its
// file id), which the App Home shows.
func rememberChart(ctx context.Context, tx *sql.Tx, sent sentPost) error {
	if sent.UserID == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE people SET chart_file_id = ? WHERE user_id = ?`, sent.TS, sent.UserID); err != nil {
		return fmt.Errorf("remember chart: %w", err)
	}
	return nil
}
