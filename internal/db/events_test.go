package db

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestClaimEvent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		steps := []struct {
			name    string
			op      string // claim or release
			id      string
			want    bool
			wantErr bool
		}{
			{name: "first claim", op: "claim", id: "Ev1", want: true},
			{name: "retry is a duplicate", op: "claim", id: "Ev1", want: false},
			{name: "other event", op: "claim", id: "Ev2", want: true},
			{name: "release after failure", op: "release", id: "Ev1"},
			{name: "retry after release", op: "claim", id: "Ev1", want: true},
			{name: "duplicate again", op: "claim", id: "Ev1", want: false},
			{name: "release unknown is fine", op: "release", id: "Ev9"},
			{name: "empty id", op: "claim", id: "", wantErr: true},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				if st.op == "release" {
					if err := s.ReleaseEvent(ctx, st.id); err != nil {
						t.Fatalf("ReleaseEvent(%q): %v", st.id, err)
					}
					return
				}
				got, err := s.ClaimEvent(ctx, st.id)
				if (err != nil) != st.wantErr {
					t.Fatalf("ClaimEvent(%q) error = %v, want error %v", st.id, err, st.wantErr)
				}
				if got != st.want {
					t.Errorf("ClaimEvent(%q) = %v, want %v", st.id, got, st.want)
				}
			})
		}
	})
}

func TestClaimEventConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, path := e.newStore(t)
		other := openAt(t, path) // a second process on the same file
		const claimers = 16
		var (
			wg    sync.WaitGroup
			wins  atomic.Int32
			errMu sync.Mutex
			errs  []error
		)
		for i := 0; i < claimers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := s
				if i%2 == 1 {
					st = other
				}
				ok, err := st.ClaimEvent(ctx, "EvSame")
				if err != nil {
					errMu.Lock()
					errs = append(errs, err)
					errMu.Unlock()
					return
				}
				if ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("ClaimEvent errors: %v", errs)
		}
		if got := wins.Load(); got != 1 {
			t.Errorf("claims that won = %d, want exactly 1", got)
		}
	})
}

func TestPurgeEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		for i := 0; i < 3; i++ {
			if _, err := s.ClaimEvent(ctx, fmt.Sprintf("old%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(2 * time.Hour)
		if _, err := s.ClaimEvent(ctx, "new"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name      string
			olderThan time.Time
			want      int64
		}{
			{name: "nothing older than the first", olderThan: t0, want: 0},
			{name: "the old ones", olderThan: t0.Add(time.Hour), want: 3},
			{name: "already gone", olderThan: t0.Add(time.Hour), want: 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.PurgeEvents(ctx, tt.olderThan)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("PurgeEvents(%s) = %d, want %d", tt.olderThan, got, tt.want)
				}
			})
		}
		if ok, err := s.ClaimEvent(ctx, "new"); err != nil || ok {
			t.Errorf("ClaimEvent(new) after purge = %v, %v; want false (kept)", ok, err)
		}
		if ok, err := s.ClaimEvent(ctx, "old0"); err != nil || !ok {
			t.Errorf("ClaimEvent(old0) after purge = %v, %v; want true (purged)", ok, err)
		}
	})
}

func TestAppState(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		steps := []struct {
			name   string
			set    *string
			want   string
			wantOK bool
		}{
			{name: "unset", want: "", wantOK: false},
			{name: "set", set: ptr("app_uninstalled"), want: "app_uninstalled", wantOK: true},
			{name: "overwrite", set: ptr("tokens_revoked"), want: "tokens_revoked", wantOK: true},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				if st.set != nil {
					if err := s.SetAppState(ctx, "sending_stopped", *st.set); err != nil {
						t.Fatal(err)
					}
				}
				got, ok, err := s.AppState(ctx, "sending_stopped")
				if err != nil {
					t.Fatal(err)
				}
				if got != st.want || ok != st.wantOK {
					t.Errorf("AppState = %q, %v; want %q, %v", got, ok, st.want, st.wantOK)
				}
			})
		}
		if err := s.SetAppState(ctx, "", "x"); err == nil {
			t.Error("SetAppState with an empty key succeeded, want an error")
		}
	})
}
