package db

import (
	"context"
	"testing"
)

// A shared chart's file id (the ts its upload completes with) is remembered on the person, for the
// App Home; other posts leave it as it is.
func TestSentChartIsRemembered(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		send := func(kind Kind, ts string) {
			t.Helper()
			id, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", Kind: kind})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CompleteOutbox(ctx, id, "D1", ts); err != nil {
				t.Fatal(err)
			}
		}
		send(KindChart, "F1")
		send(KindSummary, "1.1")
		send(KindChart, "F2")
		send(KindMessage, "1.2")
		if got := mustPerson(t, s, "U1").ChartFileID; got != "F2" {
			t.Errorf("chart file id = %q, want the latest chart's, F2", got)
		}
	})
}
