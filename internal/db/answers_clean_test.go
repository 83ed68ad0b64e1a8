package db

import (
	"context"
	"testing"
)

// A typed answer with a NUL byte or bytes that are not UTF-8 is stored the same way on both
// engines, cleaned (PostgreSQL used to refuse it, and the answer was lost).
func TestRecordAnswerCleansText(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		d, err := s.CreateDelivery(ctx, "U1", NewDelivery{Occurrence: t0, Kind: DeliveryOnDemand, PromptID: "P1"})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct{ name, text, ts, want string }{
			{name: "NUL byte", text: "I lead\x00 by example", ts: "1.1", want: "I lead by example"},
			{name: "not UTF-8", text: "caf\xe9 chats", ts: "1.2", want: "caf\uFFFD chats"},
			{name: "both", text: "\x00\xff\x00ok", ts: "1.3", want: "\uFFFDok"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := s.RecordAnswer(ctx, Answer{UserID: "U1", DeliveryID: d, PromptID: "P1", Text: tt.text,
					Explanation: tt.text, Weight: 1, Source: "dm", MessageTS: tt.ts}); err != nil {
					t.Fatalf("RecordAnswer(%q): %v", tt.text, err)
				}
				got, err := s.AnswerByMessage(ctx, "U1", tt.ts)
				if err != nil {
					t.Fatal(err)
				}
				if got.Text != tt.want || got.Explanation != tt.want {
					t.Errorf("stored %q / %q, want %q", got.Text, got.Explanation, tt.want)
				}
			})
		}
	})
}
