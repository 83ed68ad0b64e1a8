package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// A claim takes at most its limit whatever plan the database picks. PostgreSQL plans the claim
// from the statistics it took while the outbox was nearly empty; a limited subquery planned as the
// inner side of a nested loop re-ran per row, and one claim of 8 took all 1,000 open posts.
func TestClaimLimitHoldsWithQuietStatistics(t *testing.T) {
	ctx := context.Background()
	s, _, _ := postgresEngine.newStore(t)
	// The quiet table: a few people, one sent post, and statistics taken then.
	const people = 1000
	for i := range people {
		addPerson(t, s, fmt.Sprintf("U%04d", i))
	}
	id, err := s.Enqueue(ctx, OutboxMessage{UserID: "U0000", Kind: KindPrompt})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimOutbox(ctx, time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteOutbox(ctx, id, "D0", "1.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `ANALYZE outbox`); err != nil {
		t.Fatal(err)
	}
	// Then a fan-out fills it, and the statistics lag behind.
	for i := range people {
		if _, err := s.Enqueue(ctx, OutboxMessage{UserID: fmt.Sprintf("U%04d", i), Kind: KindPrompt}); err != nil {
			t.Fatal(err)
		}
	}
	const limit = 8
	items, err := s.ClaimOutbox(ctx, 30*time.Second, limit)
	if err != nil {
		t.Fatal(err)
	}
	var sending int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE state = 'sending'`).Scan(&sending); err != nil {
		t.Fatal(err)
	}
	if len(items) != limit || sending != limit {
		t.Fatalf("a claim of %d returned %d items and marked %d of %d open posts sending, want %d",
			limit, len(items), sending, people, limit)
	}
}

// A post that is not due yet (a reminder for tomorrow) holds up none of the person's other posts;
// a due post that waits for a retry keeps its place ahead of the later ones.
func TestNotDueHoldsNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		addPerson(t, s, "U1")
		enqueue := func(kind Kind, at time.Time) int64 {
			t.Helper()
			id, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", ChannelID: "D1", Kind: kind, AvailableAt: at})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		reminder := enqueue(KindReminder, t0.Add(24*time.Hour))
		export := enqueue(KindExport, time.Time{})
		const lease = time.Minute
		if next, ok, err := s.NextOutboxAt(ctx); err != nil || !ok || next.After(t0) {
			t.Errorf("NextOutboxAt = %s, %v, %v; want now (the export is due)", next, ok, err)
		}
		if ids, _ := claimIDs(t, s, lease, 10); !reflect.DeepEqual(ids, []int64{export}) {
			t.Fatalf("claim with a reminder queued for tomorrow = %v, want the export %d at once", ids, export)
		}
		if err := s.CompleteOutbox(ctx, export, "D1", "1.1"); err != nil {
			t.Fatal(err)
		}

		// Due posts keep their order: a prompt waiting for a retry holds its wellbeing check.
		prompt := enqueue(KindPrompt, time.Time{})
		check := enqueue(KindWellbeing, time.Time{})
		items, err := s.ClaimOutbox(ctx, lease, 10)
		if err != nil || len(items) != 1 || items[0].ID != prompt {
			t.Fatalf("claim = %+v, %v; want the prompt alone", items, err)
		}
		if err := s.RetryOutbox(ctx, prompt, items[0].Token, t0.Add(time.Hour), "ambiguous"); err != nil {
			t.Fatal(err)
		}
		if ids, _ := claimIDs(t, s, lease, 10); len(ids) != 0 {
			t.Fatalf("claim while the prompt waits for its retry = %v, want nothing (the check waits)", ids)
		}
		clock.Advance(time.Hour)
		if ids, _ := claimIDs(t, s, lease, 10); !reflect.DeepEqual(ids, []int64{prompt}) {
			t.Fatalf("claim at the retry = %v, want the prompt %d", ids, prompt)
		}
		if err := s.CompleteOutbox(ctx, prompt, "D1", "1.2"); err != nil {
			t.Fatal(err)
		}
		if ids, _ := claimIDs(t, s, lease, 10); !reflect.DeepEqual(ids, []int64{check}) {
			t.Fatalf("claim after the prompt = %v, want the check %d", ids, check)
		}
		if err := s.CompleteOutbox(ctx, check, "D1", "1.3"); err != nil {
			t.Fatal(err)
		}
		// Tomorrow the reminder goes, in its turn.
		clock.Advance(24 * time.Hour)
		if ids, _ := claimIDs(t, s, lease, 10); !reflect.DeepEqual(ids, []int64{reminder}) {
			t.Fatalf("claim tomorrow = %v, want the reminder %d", ids, reminder)
		}
	})
}

// A relay may start a post, renew its lease or settle it only under its own claim with the lease
// not run out: one whose lease was taken over (or merely ran out) gives the item up.
func TestStartOutboxFencesTheLease(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, url := e.newStore(t)
		other := openAt(t, url, WithNow(clock.Now))
		addPerson(t, s, "U1")
		id, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", ChannelID: "D1", Kind: KindPrompt})
		if err != nil {
			t.Fatal(err)
		}
		const lease = 30 * time.Second
		first, err := s.ClaimOutbox(ctx, lease, 1)
		if err != nil || len(first) != 1 {
			t.Fatalf("claim = %+v, %v", first, err)
		}
		mine := first[0]
		if ok, err := s.StartOutbox(ctx, id, mine.Token, lease); err != nil || !ok {
			t.Fatalf("StartOutbox under a live lease = %v, %v; want true", ok, err)
		}
		clock.Advance(20 * time.Second)
		if held, err := s.RenewOutbox(ctx, []OutboxItem{mine}, lease); err != nil || !held[id] {
			t.Fatalf("RenewOutbox under a live lease = %v, %v; want held", held, err)
		}
		// Renewed at t0+20s: at t0+45s the lease still holds and nobody can take the item.
		clock.Advance(25 * time.Second)
		if ids, _ := claimIDs(t, other, lease, 1); len(ids) != 0 {
			t.Fatalf("another relay claimed %v under a renewed lease", ids)
		}
		// The relay is paused past its lease: it ran out, and nobody took it yet.
		clock.Advance(10 * time.Second)
		if ok, err := s.StartOutbox(ctx, id, mine.Token, lease); err != nil || ok {
			t.Fatalf("StartOutbox after the lease ran out = %v, %v; want false", ok, err)
		}
		// Another relay takes it over.
		theirs, err := other.ClaimOutbox(ctx, lease, 1)
		if err != nil || len(theirs) != 1 || theirs[0].Token == mine.Token {
			t.Fatalf("takeover claim = %+v, %v; want the item under a new token", theirs, err)
		}
		if ok, err := s.StartOutbox(ctx, id, mine.Token, lease); err != nil || ok {
			t.Errorf("StartOutbox with the old claim after a takeover = %v, %v; want false", ok, err)
		}
		if held, err := s.RenewOutbox(ctx, []OutboxItem{mine}, lease); err != nil || held[id] {
			t.Errorf("RenewOutbox with the old claim = %v, %v; want lost", held, err)
		}
		for name, err := range map[string]error{
			"retry": s.RetryOutbox(ctx, id, mine.Token, t0, "x"),
			"defer": s.DeferOutbox(ctx, id, mine.Token, t0, "x"),
			"fail":  s.FailOutbox(ctx, id, mine.Token, "x"),
		} {
			if !errors.Is(err, ErrWrongState) {
				t.Errorf("%s with the old claim = %v, want ErrWrongState", name, err)
			}
		}
		if ok, err := other.StartOutbox(ctx, id, theirs[0].Token, lease); err != nil || !ok {
			t.Errorf("StartOutbox by the new holder = %v, %v; want true", ok, err)
		}
		if err := other.CompleteOutbox(ctx, id, "D1", "1.1"); err != nil {
			t.Fatal(err)
		}
		if ok, err := other.StartOutbox(ctx, id, theirs[0].Token, lease); err != nil || ok {
			t.Errorf("StartOutbox of a sent item = %v, %v; want false", ok, err)
		}
	})
}

// A prompt given up for good takes its wellbeing check with it: the check never goes alone. It is
// asked in the prompt's own message, so nothing of it is left to send; a check an earlier version
// queued as a post of its own is given up with its prompt.
func TestFailedPromptTakesItsCheck(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		for _, legacy := range []bool{false, true} {
			name := "one post"
			if legacy {
				name = "a check queued on its own by an earlier version"
			}
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				s, _, _ := e.newStore(t)
				addPerson(t, s, "U1")
				d := NewDelivery{Occurrence: t0, Kind: DeliveryOnDemand, PromptID: "direction-big-picture", WellbeingPromptID: "wellbeing-energy"}
				if legacy {
					legacyDelivery(t, s, "U1", "", d)
				} else if _, err := s.CreateDelivery(ctx, "U1", d); err != nil {
					t.Fatal(err)
				}
				items, err := s.ClaimOutbox(ctx, time.Minute, 10)
				if err != nil || len(items) != 1 || items[0].Kind != KindPrompt {
					t.Fatalf("claim = %+v, %v; want the prompt", items, err)
				}
				if err := s.FailOutbox(ctx, items[0].ID, items[0].Token, "chat.postMessage: channel_not_found"); err != nil {
					t.Fatal(err)
				}
				if ids, _ := claimIDs(t, s, time.Minute, 10); len(ids) != 0 {
					t.Fatalf("claim after the prompt failed = %v, want nothing: the check must not go alone", ids)
				}
				var left int
				if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = 'wellbeing' AND state <> 'failed'`).
					Scan(&left); err != nil {
					t.Fatal(err)
				}
				if left != 0 {
					t.Errorf("%d checks still to send after their prompt failed, want none", left)
				}
				if !legacy {
					return
				}
				var state, reason string
				if err := s.read.QueryRowContext(ctx, `SELECT state, last_error FROM outbox WHERE kind = 'wellbeing'`).
					Scan(&state, &reason); err != nil {
					t.Fatal(err)
				}
				if state != "failed" {
					t.Errorf("the check is %s (%s), want failed", state, reason)
				}
			})
		}
	})
}

// An upload's file id is recorded only under the claim that holds the item, and the next claim
// of the item carries it, so a retry can look for that file.
func TestSetOutboxFileFenced(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		addPerson(t, s, "UA")
		id, err := s.Enqueue(ctx, OutboxMessage{UserID: "UA", Kind: KindPrompt})
		if err != nil {
			t.Fatal(err)
		}
		const lease = 30 * time.Second
		first, err := s.ClaimOutbox(ctx, lease, 1)
		if err != nil || len(first) != 1 || first[0].FileID != "" {
			t.Fatalf("first claim: %+v, %v; want one item without a file", first, err)
		}
		if ok, err := s.SetOutboxFile(ctx, id, first[0].Token+1, "FWRONG"); err != nil || ok {
			t.Errorf("a foreign token recorded a file: %v, %v", ok, err)
		}
		if ok, err := s.SetOutboxFile(ctx, id, first[0].Token, "F123"); err != nil || !ok {
			t.Fatalf("the holder's token: %v, %v; want recorded", ok, err)
		}
		clock.Advance(lease + time.Second)
		if ok, err := s.SetOutboxFile(ctx, id, first[0].Token, "FLATE"); err != nil || ok {
			t.Errorf("a run-out lease recorded a file: %v, %v", ok, err)
		}
		again, err := s.ClaimOutbox(ctx, lease, 1)
		if err != nil || len(again) != 1 || again[0].FileID != "F123" {
			t.Fatalf("second claim: %+v, %v; want the file recorded under the first claim (F123)", again, err)
		}
	})
}
