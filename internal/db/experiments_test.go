package db

import (
	"context"
	"errors"
	"testing"
)

func TestExperiments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		if err := s.CommitExperiment(ctx, Experiment{UserID: "UNOBODY", Month: "2026-04", ExperimentID: "x", Need: "balanced"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("CommitExperiment(unknown person) = %v, want ErrNotFound", err)
		}
		addPerson(t, s, "UA")
		if err := s.RecordExperimentOutcome(ctx, "UA", "2026-04", OutcomeWell, 0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("outcome without an experiment = %v, want ErrNotFound", err)
		}
		for _, ex := range []Experiment{
			{UserID: "UA", Month: "2026-04", ExperimentID: "first", Need: "balanced"},
			{UserID: "UA", Month: "2026-03", ExperimentID: "march", Need: "no-lean"},
		} {
			if err := s.CommitExperiment(ctx, ex); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RecordExperimentOutcome(ctx, "UA", "2026-04", "great", 0); err == nil {
			t.Error("an unknown outcome was taken")
		}
		if err := s.RecordExperimentOutcome(ctx, "UA", "2026-04", OutcomeMixed, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetExperimentNote(ctx, "UA", "2026-04", "harder than it looked"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Experiments(ctx, "UA")
		if err != nil || len(got) != 2 || got[0].Month != "2026-04" || got[0].Outcome != OutcomeMixed ||
			got[0].Note != "harder than it looked" || got[0].OutcomeAt == nil || got[1].ExperimentID != "march" {
			t.Fatalf("Experiments = %+v, %v; want April (mixed, with its note) then March", got, err)
		}
		// Committing another for the same month replaces it, outcome and note included.
		if err := s.CommitExperiment(ctx, Experiment{UserID: "UA", Month: "2026-04", ExperimentID: "second", Need: "balanced"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordExperimentOutcome(ctx, "UA", "2026-04", OutcomeWell, 0); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Experiments(ctx, "UA")
		if len(got) != 2 || got[0].ExperimentID != "second" || got[0].Note != "" || got[0].Outcome != OutcomeWell {
			t.Fatalf("after a second commitment: %+v, want it to replace the first, note cleared", got)
		}
	})
}
