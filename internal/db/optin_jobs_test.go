package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

func personKnown(t testing.TB, s *Store, userID string) bool {
	t.Helper()
	_, err := s.Person(context.Background(), userID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// TestOptInJob walks a channel's opt-in job through its life: members listed page by page (a page
// read twice adds nobody twice), each member enrolled or skipped once (a repeat welcomes nobody
// again), the lead told once when it is done, a late join reopening it without a second report,
// and an opt-out cancelling it.
func TestOptInJob(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		next := t0.Add(7 * 24 * time.Hour)
		if err := s.UpsertPerson(ctx, Person{UserID: "ULEAD", TZ: "UTC"}); err != nil {
			t.Fatal(err)
		}
		if err := s.OptInChannel(ctx, "C1", "ULEAD"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Start(ctx, Person{UserID: "USELF", TZ: "UTC"}, "self", next); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertPerson(ctx, Person{UserID: "USTOP", TZ: "UTC"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stop(ctx, "USTOP"); err != nil {
			t.Fatal(err)
		}
		started, err := s.StartOptIn(ctx, "C1", "ULEAD", "T1", true)
		if err != nil || !started {
			t.Fatalf("StartOptIn: %v, %v; want started", started, err)
		}
		if again, err := s.StartOptIn(ctx, "C1", "ULEAD", "T1", true); err != nil || again {
			t.Fatalf("StartOptIn while running: %v, %v; want not started again", again, err)
		}
		if err := s.AddOptInMembers(ctx, "C1", []string{"ULEAD", "UA", "UB"}, "page2"); err != nil {
			t.Fatal(err)
		}
		// A restart reads page 2 twice.
		for range 2 {
			if err := s.AddOptInMembers(ctx, "C1", []string{"USELF", "USTOP", "UBOT", "UB"}, ""); err != nil && !errors.Is(err, ErrOptInCancelled) {
				t.Fatal(err)
			}
		}
		j, err := s.OptInJob(ctx, "C1")
		if err != nil || j.Phase != OptInProfiles || !j.Report {
			t.Fatalf("job %+v, %v; want profiles, to report", j, err)
		}
		pending, err := s.PendingOptInMembers(ctx, "C1")
		if want := []string{"UA", "UB", "UBOT", "ULEAD", "USELF", "USTOP"}; err != nil || !reflect.DeepEqual(pending, want) {
			t.Fatalf("pending %v, %v; want %v", pending, err, want)
		}
		if _, done, err := s.FinishOptIn(ctx, "C1"); err != nil || done {
			t.Fatalf("FinishOptIn with members pending: done %v, %v", done, err)
		}
		wantOutcome := map[string]string{"ULEAD": OutcomeLead, "UA": OutcomeWelcomed, "UB": OutcomeWelcomed,
			"USELF": OutcomeEnrolled, "USTOP": OutcomeStopped}
		ids := []string{"ULEAD", "UA", "UB", "USELF", "USTOP"}
		var batch []OptInEnrolment
		for _, id := range ids {
			batch = append(batch, OptInEnrolment{Person: Person{UserID: id, TZ: "UTC"}, Next: next})
		}
		outcomes, welcomed, err := s.EnrolOptInMembers(ctx, "C1", "ULEAD", batch)
		if err != nil || welcomed != 2 {
			t.Fatalf("EnrolOptInMembers: %v, %d welcomed; want 2", err, welcomed)
		}
		for i, id := range ids {
			if outcomes[i] != wantOutcome[id] {
				t.Errorf("%s: outcome %q, want %q", id, outcomes[i], wantOutcome[id])
			}
		}
		// Handled already (a crash after the commit, then a retry): nothing happens again.
		if got, welcomed, err := s.EnrolOptInMembers(ctx, "C1", "ULEAD", batch[1:2]); err != nil || welcomed != 0 || got[0] != "" {
			t.Errorf("second enrol of UA: %q %d %v; want nothing done", got, welcomed, err)
		}
		if got, _, err := s.EnrolOptInMembers(ctx, "C1", "ULEAD", []OptInEnrolment{{Person: Person{UserID: "UBOT"}, Skip: OutcomeBot}}); err != nil || got[0] != OutcomeBot {
			t.Fatalf("skip UBOT: %q %v", got, err)
		}
		if personKnown(t, s, "UBOT") {
			t.Error("a skipped bot was stored as a person")
		}
		for id, want := range map[string][]string{"UA": {"team_welcome/pending"}, "ULEAD": nil, "USELF": nil, "USTOP": nil} {
			if got := teamOutbox(t, s, id); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: outbox %v, want %v", id, got, want)
			}
		}
		r, done, err := s.FinishOptIn(ctx, "C1")
		want := OptInReport{ChannelID: "C1", Welcomed: 2, Enrolled: 1, Lead: true, Stopped: 1, Bots: 1}
		if err != nil || !done || r != want {
			t.Fatalf("FinishOptIn: %+v %v %v; want %+v, done", r, done, err, want)
		}
		if _, _, err := s.FinishOptIn(ctx, "C1"); err != nil {
			t.Fatal(err)
		}
		got := teamOutbox(t, s, "ULEAD")
		if !reflect.DeepEqual(got, []string{"team_optin_done/pending"}) {
			t.Fatalf("lead's outbox %v, want one report", got)
		}
		var payload []byte
		if err := s.read.QueryRow(`SELECT payload FROM outbox WHERE user_id = 'ULEAD'`).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var pr OptInReport
		if err := json.Unmarshal(payload, &pr); err != nil || pr != want {
			t.Errorf("report payload %+v, %v; want %+v", pr, err, want)
		}

		// A late join reopens the job; finishing it tells the lead nothing new.
		if ok, err := s.AddLateJoin(ctx, "C1", "UNEW"); err != nil || !ok {
			t.Fatalf("AddLateJoin: %v %v", ok, err)
		}
		if ok, err := s.AddLateJoin(ctx, "CNONE", "UNEW"); err != nil || ok {
			t.Fatalf("AddLateJoin without a job: %v %v; want false", ok, err)
		}
		if out, _, err := s.EnrolOptInMembers(ctx, "C1", "ULEAD", []OptInEnrolment{{Person: Person{UserID: "UNEW", TZ: "UTC"}, Next: next}}); err != nil || out[0] != OutcomeWelcomed {
			t.Fatalf("late join: %q %v", out, err)
		}
		if _, done, err := s.FinishOptIn(ctx, "C1"); err != nil || !done {
			t.Fatalf("finish after a late join: %v %v", done, err)
		}
		if got := teamOutbox(t, s, "ULEAD"); len(got) != 1 {
			t.Errorf("lead's outbox %v after a late join, want still one report", got)
		}

		// Opting out cancels a running job: nothing more is enrolled through it.
		if _, err := s.AddLateJoin(ctx, "C1", "ULATE"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.OptOutChannel(ctx, "C1"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.EnrolOptInMembers(ctx, "C1", "ULEAD", []OptInEnrolment{{Person: Person{UserID: "ULATE", TZ: "UTC"}, Next: next}}); !errors.Is(err, ErrOptInCancelled) {
			t.Errorf("enrol after opt-out: %v, want ErrOptInCancelled", err)
		}
		if err := s.SkipOptInMember(ctx, "C1", "ULATE", OutcomeBot); !errors.Is(err, ErrOptInCancelled) {
			t.Errorf("skip after opt-out: %v, want ErrOptInCancelled", err)
		}
		if got := teamEnrolments(t, s, "ULATE"); len(got) != 0 {
			t.Errorf("ULATE enrolled after the opt-out: %v", got)
		}
		if jobs, err := s.UnfinishedOptIns(ctx); err != nil || len(jobs) != 0 {
			t.Errorf("unfinished jobs after opt-out: %v %v", jobs, err)
		}
	})
}

// TestOptInJobForget: forgetting a member removes their place in a running job; forgetting the
// lead removes their id from it, and the job then reports to nobody.
func TestOptInJobForget(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		if err := s.UpsertPerson(ctx, Person{UserID: "ULEAD", TZ: "UTC"}); err != nil {
			t.Fatal(err)
		}
		if err := s.OptInChannel(ctx, "C1", "ULEAD"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartOptIn(ctx, "C1", "ULEAD", "T1", true); err != nil {
			t.Fatal(err)
		}
		if err := s.AddOptInMembers(ctx, "C1", []string{"ULEAD", "UA", "UB"}, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertPerson(ctx, Person{UserID: "UA", TZ: "UTC"}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"UA", "ULEAD"} {
			if _, err := s.Forget(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := s.read.QueryRow(`SELECT COUNT(*) FROM optin_members WHERE user_id IN ('UA', 'ULEAD')`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d opt-in rows of forgotten people (%v), want 0", n, err)
		}
		if j, err := s.OptInJob(ctx, "C1"); err != nil || j.LeadUserID != "" {
			t.Errorf("job %+v (%v), want the forgotten lead's id gone", j, err)
		}
		if _, _, err := s.EnrolOptInMembers(ctx, "C1", "", []OptInEnrolment{{Person: Person{UserID: "UB", TZ: "UTC"}, Next: t0}}); err != nil {
			t.Fatal(err)
		}
		if _, done, err := s.FinishOptIn(ctx, "C1"); err != nil || !done {
			t.Fatalf("FinishOptIn: %v %v", done, err)
		}
		if err := s.read.QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = ?`, KindTeamOptInDone).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d reports queued with the lead forgotten (%v), want 0", n, err)
		}
	})
}

// TestFinishOptInOnce: two processes finishing the same job at once (replicas on PostgreSQL)
// queue one report between them. The test holds the job's row locked until both are waiting on
// it, so their transactions overlap for certain. (On SQLite writers are serialized already.)
func TestFinishOptInOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		if err := s.UpsertPerson(ctx, Person{UserID: "ULEAD", TZ: "UTC"}); err != nil {
			t.Fatal(err)
		}
		if err := s.OptInChannel(ctx, "C1", "ULEAD"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartOptIn(ctx, "C1", "ULEAD", "T1", true); err != nil {
			t.Fatal(err)
		}
		if err := s.AddOptInMembers(ctx, "C1", []string{"UA"}, ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.EnrolOptInMembers(ctx, "C1", "ULEAD", []OptInEnrolment{{Person: Person{UserID: "UA", TZ: "UTC"}, Next: t0}}); err != nil {
			t.Fatal(err)
		}
		var hold *sql.Tx
		if s.pg {
			var err error
			if hold, err = s.write.BeginTx(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := hold.ExecContext(ctx, `UPDATE optin_jobs SET updated_at = updated_at WHERE channel_id = 'C1'`); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if _, _, err := s.FinishOptIn(ctx, "C1"); err != nil {
					t.Error(err)
				}
			})
		}
		if hold != nil {
			deadline := time.Now().Add(10 * time.Second)
			for {
				var waiting int
				if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_locks WHERE NOT granted`).Scan(&waiting); err != nil {
					t.Fatal(err)
				}
				if waiting >= 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of 2 finishers waiting on the job's row", waiting)
				}
				time.Sleep(time.Millisecond)
			}
			if err := hold.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		wg.Wait()
		if got := teamOutbox(t, s, "ULEAD"); !reflect.DeepEqual(got, []string{"team_optin_done/pending"}) {
			t.Errorf("lead's outbox %v, want one report", got)
		}
	})
}

// TestLockOptIn: on PostgreSQL one process at a time works a channel's job (another gets ok
// false until the first unlocks); jobs of other channels are not held up. SQLite has one process.
func TestLockOptIn(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		unlock, ok, err := s.LockOptIn(ctx, "C1")
		if err != nil || !ok {
			t.Fatalf("first lock: %v %v", ok, err)
		}
		_, again, err := s.LockOptIn(ctx, "C1")
		if err != nil || again != !s.pg {
			t.Errorf("second lock of C1: ok %v (%v); want %v", again, err, !s.pg)
		}
		other, ok, err := s.LockOptIn(ctx, "C2")
		if err != nil || !ok {
			t.Fatalf("lock of C2: %v %v", ok, err)
		}
		other()
		unlock()
		unlock2, ok, err := s.LockOptIn(ctx, "C1")
		if err != nil || !ok {
			t.Fatalf("lock after unlock: %v %v", ok, err)
		}
		unlock2()
	})
}
