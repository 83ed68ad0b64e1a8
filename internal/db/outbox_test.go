package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// claimIDs claims and returns the ids and attempts it got, in order.
func claimIDs(t *testing.T, s *Store, lease time.Duration, limit int) (ids []int64, attempts []int) {
	t.Helper()
	items, err := s.ClaimOutbox(context.Background(), lease, limit)
	if err != nil {
		t.Fatalf("ClaimOutbox: %v", err)
	}
	for _, it := range items {
		ids = append(ids, it.ID)
		attempts = append(attempts, it.Attempts)
	}
	return ids, attempts
}

func outboxRow(t *testing.T, s *Store, id int64) (state, lastError string) {
	t.Helper()
	err := s.read.QueryRow(`SELECT state, COALESCE(last_error, '') FROM outbox WHERE id = ?`, id).Scan(&state, &lastError)
	if err != nil {
		t.Fatal(err)
	}
	return state, lastError
}

func TestOutboxLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		addPerson(t, s, "U1")
		d := insertDelivery(t, s, "U1", t0, "scheduled")
		a, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", Kind: "prompt", DeliveryID: d, Payload: []byte(`{"prompt":"p1"}`)})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second) // b is created later than a
		b, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", ChannelID: "D1", Kind: "note", AvailableAt: t0.Add(10 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		const lease = time.Minute

		steps := []struct {
			name         string
			advanceTo    time.Duration // clock position after t0
			do           func() error
			wantIDs      []int64
			wantAttempts []int
			wantDepth    int
			wantNext     time.Duration // after t0; -1 = none
		}{
			{name: "claim takes the available item", advanceTo: time.Second,
				wantIDs: []int64{a}, wantAttempts: []int{1}, wantDepth: 2, wantNext: time.Second + lease},
			{name: "leased item is not handed out twice", advanceTo: 30 * time.Second,
				wantDepth: 2, wantNext: time.Second + lease},
			{name: "expired lease is claimed again", advanceTo: 2 * time.Minute,
				wantIDs: []int64{a}, wantAttempts: []int{2}, wantDepth: 2, wantNext: 3 * time.Minute},
			{name: "retry puts it back for later", advanceTo: 2 * time.Minute,
				do:        func() error { return s.RetryOutbox(ctx, a, 0, t0.Add(5*time.Minute), "ratelimited") },
				wantDepth: 2, wantNext: 5 * time.Minute},
			{name: "retried item waits", advanceTo: 4 * time.Minute,
				wantDepth: 2, wantNext: 5 * time.Minute},
			{name: "both available, the older goes first alone", advanceTo: 10 * time.Minute,
				wantIDs: []int64{a}, wantAttempts: []int{3}, wantDepth: 2, wantNext: 11 * time.Minute},
			{name: "the other waits its turn", advanceTo: 10 * time.Minute,
				wantDepth: 2, wantNext: 11 * time.Minute},
			{name: "complete one", advanceTo: 10 * time.Minute,
				do:        func() error { return s.CompleteOutbox(ctx, a, "D1", "1700000000.000100") },
				wantDepth: 1, wantNext: 10 * time.Minute},
			{name: "then the other", advanceTo: 10 * time.Minute,
				wantIDs: []int64{b}, wantAttempts: []int{1}, wantDepth: 1, wantNext: 11 * time.Minute},
			{name: "fail the other", advanceTo: 10 * time.Minute,
				do:        func() error { return s.FailOutbox(ctx, b, 0, "channel_not_found") },
				wantDepth: 0, wantNext: -1},
			{name: "nothing left", advanceTo: time.Hour, wantDepth: 0, wantNext: -1},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				clock.Advance(t0.Add(st.advanceTo).Sub(clock.Now()))
				if st.do != nil {
					if err := st.do(); err != nil {
						t.Fatal(err)
					}
				} else {
					ids, attempts := claimIDs(t, s, lease, 10)
					if !reflect.DeepEqual(ids, st.wantIDs) || !reflect.DeepEqual(attempts, st.wantAttempts) {
						t.Errorf("claimed %v with attempts %v, want %v with %v", ids, attempts, st.wantIDs, st.wantAttempts)
					}
				}
				if got, err := s.OutboxDepth(ctx); err != nil || got != st.wantDepth {
					t.Errorf("OutboxDepth = %d, %v; want %d", got, err, st.wantDepth)
				}
				next, ok, err := s.NextOutboxAt(ctx)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case st.wantNext < 0 && ok:
					t.Errorf("NextOutboxAt = %s, want none", next)
				case st.wantNext >= 0 && (!ok || !next.Equal(t0.Add(st.wantNext))):
					t.Errorf("NextOutboxAt = %s, %v; want %s", next, ok, t0.Add(st.wantNext))
				}
			})
		}

		if state, channel, ts := deliveryRow(t, s, d); state != "sent" || channel != "D1" || ts != "1700000000.000100" {
			t.Errorf("delivery = %s %s %s, want sent D1 1700000000.000100", state, channel, ts)
		}
		if state, reason := outboxRow(t, s, a); state != "sent" || reason != "ratelimited" {
			t.Errorf("item a = %s (%q), want sent with the last retry reason", state, reason)
		}
		if state, reason := outboxRow(t, s, b); state != "failed" || reason != "channel_not_found" {
			t.Errorf("item b = %s (%q), want failed (channel_not_found)", state, reason)
		}

		t.Run("settled items refuse changes", func(t *testing.T) {
			cases := []struct {
				name string
				err  error
				want error
			}{
				{name: "retry sent", err: s.RetryOutbox(ctx, a, 0, t0, "x"), want: ErrWrongState},
				{name: "fail sent", err: s.FailOutbox(ctx, a, 0, "x"), want: ErrWrongState},
				{name: "retry failed", err: s.RetryOutbox(ctx, b, 0, t0, "x"), want: ErrWrongState},
				{name: "complete sent again", err: s.CompleteOutbox(ctx, a, "D1", "other.ts"), want: nil},
				{name: "complete missing", err: s.CompleteOutbox(ctx, 9999, "D1", "1.2"), want: ErrNotFound},
				{name: "retry missing", err: s.RetryOutbox(ctx, 9999, 0, t0, "x"), want: ErrNotFound},
				{name: "fail missing", err: s.FailOutbox(ctx, 9999, 0, "x"), want: ErrNotFound},
			}
			for _, c := range cases {
				if !errors.Is(c.err, c.want) || (c.want == nil && c.err != nil) {
					t.Errorf("%s: error = %v, want %v", c.name, c.err, c.want)
				}
			}
			if _, _, ts := deliveryRow(t, s, d); ts != "1700000000.000100" {
				t.Errorf("delivery ts after a repeated complete = %s, want the first", ts)
			}
		})
	})
}

func TestClaimOutboxArguments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		s, _, _ := e.newStore(t)
		tests := []struct {
			name  string
			lease time.Duration
			limit int
		}{
			{name: "zero lease", lease: 0, limit: 1},
			{name: "negative lease", lease: -time.Second, limit: 1},
			{name: "zero limit", lease: time.Second, limit: 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := s.ClaimOutbox(context.Background(), tt.lease, tt.limit); err == nil {
					t.Errorf("ClaimOutbox(%s, %d) succeeded, want an error", tt.lease, tt.limit)
				}
			})
		}
	})
}

func TestEnqueue(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		d := insertDelivery(t, s, "U1", t0, "scheduled")
		later := t0.Add(time.Hour)
		tests := []struct {
			name        string
			msg         OutboxMessage
			wantErr     string
			wantPayload string
			wantAt      time.Time
		}{
			{name: "full", msg: OutboxMessage{UserID: "U1", ChannelID: "D1", Kind: "prompt", DeliveryID: d, Payload: []byte(`{"x":[1,2]}`), AvailableAt: later},
				wantPayload: `{"x":[1,2]}`, wantAt: later},
			{name: "no payload, available now", msg: OutboxMessage{UserID: "U1", Kind: "welcome"}, wantPayload: `{}`, wantAt: t0},
			{name: "non-person post", msg: OutboxMessage{ChannelID: "C1", Kind: "team"}, wantPayload: `{}`, wantAt: t0},
			{name: "empty kind", msg: OutboxMessage{UserID: "U1"}, wantErr: "empty kind"},
			{name: "bad JSON", msg: OutboxMessage{UserID: "U1", Kind: "prompt", Payload: []byte(`{"x":`)}, wantErr: "not valid JSON"},
			{name: "unknown person", msg: OutboxMessage{UserID: "UNOBODY", Kind: "prompt"}, wantErr: "foreign key"},
			{name: "unknown delivery", msg: OutboxMessage{UserID: "U1", Kind: "prompt", DeliveryID: 424242}, wantErr: "foreign key"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id, err := s.Enqueue(ctx, tt.msg)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.wantErr)) {
						t.Fatalf("Enqueue error = %v, want one containing %q", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var payload string
				var at int64
				if err := s.read.QueryRow(`SELECT payload, available_at FROM outbox WHERE id = ?`, id).Scan(&payload, &at); err != nil {
					t.Fatal(err)
				}
				if payload != tt.wantPayload || !fromMillis(at).Equal(tt.wantAt) {
					t.Errorf("stored payload %s at %s, want %s at %s", payload, fromMillis(at), tt.wantPayload, tt.wantAt)
				}
			})
		}
	})
}

func TestClaimOutboxReturnsFields(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		d := insertDelivery(t, s, "U1", t0, "scheduled")
		want := OutboxItem{UserID: "U1", ChannelID: "D1", Kind: "prompt", DeliveryID: d, Payload: []byte(`{"k":"v"}`), Attempts: 1, CreatedAt: t0, Token: 1}
		id, err := s.Enqueue(ctx, OutboxMessage{UserID: want.UserID, ChannelID: want.ChannelID, Kind: want.Kind, DeliveryID: d, Payload: want.Payload})
		if err != nil {
			t.Fatal(err)
		}
		want.ID = id
		items, err := s.ClaimOutbox(ctx, time.Minute, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || !reflect.DeepEqual(items[0], want) {
			t.Fatalf("ClaimOutbox = %+v, want [%+v]", items, want)
		}
	})
}

// TestClaimOutboxConcurrent runs claimers on two stores over one file (two processes) and checks
// that every item is handed out exactly once.
func TestClaimOutboxConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, path := e.newStore(t)
		other := openAt(t, path, WithNow(newClock().Now))
		const items = 120
		for i := 0; i < items; i++ {
			// One each: a person's second post would wait for their first to be completed.
			user := fmt.Sprintf("U%03d", i)
			addPerson(t, s, user)
			if _, err := s.Enqueue(ctx, OutboxMessage{UserID: user, Kind: "prompt"}); err != nil {
				t.Fatal(err)
			}
		}
		var (
			mu      sync.Mutex
			claimed = map[int64]int{}
			errs    []error
			wg      sync.WaitGroup
		)
		for i := 0; i < 4; i++ {
			st := s
			if i%2 == 1 {
				st = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each round takes at least one item or stops, so items rounds are plenty; the
				// bound turns a claimer that re-takes leased items into a failure, not a hang.
				for round := 0; round < items; round++ {
					got, err := st.ClaimOutbox(ctx, time.Hour, 7)
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					}
					for _, it := range got {
						claimed[it.ID]++
					}
					mu.Unlock()
					if err != nil || len(got) == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("ClaimOutbox errors: %v", errs)
		}
		if len(claimed) != items {
			t.Errorf("distinct items claimed = %d, want %d", len(claimed), items)
		}
		var twice []int64
		for id, n := range claimed {
			if n != 1 {
				twice = append(twice, id)
			}
		}
		sort.Slice(twice, func(i, j int) bool { return twice[i] < twice[j] })
		if len(twice) > 0 {
			t.Errorf("items claimed more than once: %v", twice)
		}
	})
}

func TestCompleteOutboxUpdatesDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		tests := []struct {
			name         string
			deliveryWas  string // state before; "" = no delivery
			tsWas        string // with channel D1 when set
			enqueuedChan string
			completeChan string
			wantState    string
			wantChannel  string
			wantTS       string
			wantOutboxCh string
		}{
			{name: "pending delivery is sent", deliveryWas: "pending", completeChan: "D1",
				wantState: "sent", wantChannel: "D1", wantTS: "2.2", wantOutboxCh: "D1"},
			{name: "answered ahead stays answered", deliveryWas: "answered", completeChan: "D1",
				wantState: "answered", wantChannel: "D1", wantTS: "2.2", wantOutboxCh: "D1"},
			{name: "second message keeps the first ts", deliveryWas: "sent", tsWas: "1.1", completeChan: "D1",
				wantState: "sent", wantChannel: "D1", wantTS: "1.1", wantOutboxCh: "D1"},
			{name: "empty channel keeps the enqueued one", deliveryWas: "pending", enqueuedChan: "D9",
				wantState: "sent", wantChannel: "D9", wantTS: "2.2", wantOutboxCh: "D9"},
			{name: "no delivery", completeChan: "C1", wantOutboxCh: "C1"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _, _ := e.newStore(t)
				addPerson(t, s, "U1")
				var d int64
				if tt.deliveryWas != "" {
					d = insertDelivery(t, s, "U1", t0, "scheduled")
					if _, err := s.write.Exec(`
					UPDATE deliveries SET state = ?, ts = NULLIF(?, ''),
					       channel_id = CASE WHEN ? = '' THEN NULL ELSE 'D1' END
					WHERE id = ?`,
						tt.deliveryWas, tt.tsWas, tt.tsWas, d); err != nil {
						t.Fatal(err)
					}
				}
				id, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", ChannelID: tt.enqueuedChan, Kind: "prompt", DeliveryID: d})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.ClaimOutbox(ctx, time.Minute, 1); err != nil {
					t.Fatal(err)
				}
				if err := s.CompleteOutbox(ctx, id, tt.completeChan, "2.2"); err != nil {
					t.Fatal(err)
				}
				var state, channel, ts string
				if err := s.read.QueryRow(`SELECT state, COALESCE(channel_id, ''), COALESCE(ts, '') FROM outbox WHERE id = ?`, id).Scan(&state, &channel, &ts); err != nil {
					t.Fatal(err)
				}
				if state != "sent" || channel != tt.wantOutboxCh || ts != "2.2" {
					t.Errorf("outbox = %s %s %s, want sent %s 2.2", state, channel, ts, tt.wantOutboxCh)
				}
				if d == 0 {
					return
				}
				if state, channel, ts := deliveryRow(t, s, d); state != tt.wantState || channel != tt.wantChannel || ts != tt.wantTS {
					t.Errorf("delivery = %q %q %q, want %q %q %q", state, channel, ts, tt.wantState, tt.wantChannel, tt.wantTS)
				}
			})
		}
	})
}

func TestRetryReasonIsShort(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		id, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", Kind: "prompt"})
		if err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("é", maxReason) // two bytes each: the cut lands mid-rune
		if err := s.RetryOutbox(ctx, id, 0, t0, long); err != nil {
			t.Fatal(err)
		}
		_, got := outboxRow(t, s, id)
		if len(got) > maxReason || !strings.HasPrefix(long, got) || len(got) < maxReason-1 {
			t.Errorf("stored reason has %d bytes, want a whole-rune prefix of at most %d", len(got), maxReason)
		}
	})
}

func TestPurgeOutbox(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		addPerson(t, s, "U1")
		var ids []int64
		for i := 0; i < 4; i++ {
			id, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", Kind: "prompt"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if _, err := s.ClaimOutbox(ctx, time.Minute, 3); err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteOutbox(ctx, ids[0], "D1", "1.1"); err != nil {
			t.Fatal(err)
		}
		if err := s.FailOutbox(ctx, ids[1], 0, "x"); err != nil {
			t.Fatal(err)
		}
		// ids[2] is sending, ids[3] pending: neither may be purged.
		clock.Advance(time.Hour)
		n, err := s.PurgeOutbox(ctx, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("PurgeOutbox = %d, want 2 (sent and failed only)", n)
		}
		if depth, err := s.OutboxDepth(ctx); err != nil || depth != 2 {
			t.Errorf("OutboxDepth after purge = %d, %v; want 2", depth, err)
		}
	})
}

func TestDeferOutboxUndoesTheFirstTry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		id, err := s.Enqueue(ctx, OutboxMessage{ChannelID: "D1", Kind: "message"})
		if err != nil {
			t.Fatal(err)
		}
		claim := func() OutboxItem {
			t.Helper()
			items, err := s.ClaimOutbox(ctx, time.Minute, 10)
			if err != nil || len(items) != 1 {
				t.Fatalf("claim: %v, %v", items, err)
			}
			return items[0]
		}
		if it := claim(); it.Attempts != 1 {
			t.Fatalf("got attempts %d, want 1", it.Attempts)
		}
		if err := s.DeferOutbox(ctx, id, 0, t0, "ratelimited chat.postMessage"); err != nil {
			t.Fatal(err)
		}
		// The next claim is a first try again.
		it := claim()
		if it.Attempts != 1 {
			t.Errorf("got attempts %d after a deferred first try, want 1", it.Attempts)
		}
		// A second try that may follow a landed first one cannot be deferred.
		if err := s.RetryOutbox(ctx, id, 0, t0, "ambiguous"); err != nil {
			t.Fatal(err)
		}
		if it := claim(); it.Attempts != 2 {
			t.Fatalf("got attempts %d, want 2", it.Attempts)
		}
		if err := s.DeferOutbox(ctx, id, 0, t0, "ratelimited"); err == nil {
			t.Errorf("got nil error deferring a second try, want a refusal")
		}
	})
}

func TestClaimOutboxPutsRepliesFirst(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		for range 3 {
			if _, err := s.Enqueue(ctx, OutboxMessage{ChannelID: "D1", Kind: KindPrompt}); err != nil {
				t.Fatal(err)
			}
		}
		reply, err := s.Enqueue(ctx, OutboxMessage{ChannelID: "D2", Kind: "message"})
		if err != nil {
			t.Fatal(err)
		}
		items, err := s.ClaimOutbox(ctx, time.Minute, 1)
		if err != nil || len(items) != 1 || items[0].ID != reply {
			t.Errorf("got %+v, %v; want the reply %d claimed before the queued prompts", items, err, reply)
		}
	})
}

// A person's posts go out in the order they were queued, whichever claimer takes them: the next
// waits while an earlier one is pending or in flight (in another store too), replies and other
// people's posts do not wait, and the relay sleeps until the one in flight could be taken over.
func TestClaimKeepsAPersonsOrder(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, url := e.newStore(t)
		other := openAt(t, url, WithNow(newClock().Now))
		addPerson(t, s, "U1")
		addPerson(t, s, "U2")
		enqueue := func(user string, kind Kind) int64 {
			id, err := s.Enqueue(ctx, OutboxMessage{UserID: user, Kind: kind})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		p1, p2 := enqueue("U1", KindPrompt), enqueue("U1", KindWellbeing)
		q1 := enqueue("U2", KindPrompt)
		r := enqueue("U1", "message")
		const lease = time.Minute

		if ids, _ := claimIDs(t, s, lease, 10); !reflect.DeepEqual(ids, []int64{p1, q1, r}) {
			t.Fatalf("first claim = %v, want U1's first post, U2's and the reply: %v", ids, []int64{p1, q1, r})
		}
		if ids, _ := claimIDs(t, other, lease, 10); len(ids) != 0 {
			t.Fatalf("a second claimer took %v while U1's first post is in flight, want nothing", ids)
		}
		var owner string
		if err := s.read.QueryRow(`SELECT lease_owner FROM outbox WHERE id = ?`, p1).Scan(&owner); err != nil || owner != processOwner() {
			t.Errorf("lease_owner = %q, %v; want this process, %q", owner, err, processOwner())
		}
		if next, ok, err := s.NextOutboxAt(ctx); err != nil || !ok || !next.Equal(t0.Add(lease)) {
			t.Errorf("NextOutboxAt = %s, %v, %v; want the lease's end %s", next, ok, err, t0.Add(lease))
		}
		if err := s.CompleteOutbox(ctx, p1, "D1", "1.1"); err != nil {
			t.Fatal(err)
		}
		if ids, _ := claimIDs(t, other, lease, 10); !reflect.DeepEqual(ids, []int64{p2}) {
			t.Errorf("after the first post, claim = %v, want [%d]", ids, p2)
		}
	})
}

// A post enqueued to follow another is given up with it while it still waits, whatever its kind;
// a post whose leader went out, or that follows nothing, is left alone.
func TestFailedPostTakesItsFollowers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		addPerson(t, s, "U2")
		enqueue := func(user string, follows int64) int64 {
			t.Helper()
			id, err := s.Enqueue(ctx, OutboxMessage{UserID: user, Kind: KindMessage, Follows: follows})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		lead1 := enqueue("U1", 0)
		follower1 := enqueue("U1", lead1)
		lead2 := enqueue("U2", 0)
		follower2 := enqueue("U2", lead2)
		alone := enqueue("U2", 0)
		if err := s.FailOutbox(ctx, lead1, 0, "channel_not_found"); err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteOutbox(ctx, lead2, "D2", "1.1"); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			id   int64
			want string
		}{{lead1, "failed"}, {follower1, "failed"}, {lead2, "sent"}, {follower2, "pending"}, {alone, "pending"}} {
			if state, _ := outboxRow(t, s, tt.id); state != tt.want {
				t.Errorf("item %d is %s, want %s", tt.id, state, tt.want)
			}
		}
	})
}

// Migration 0009 links the wellbeing checks still waiting in an outbox written before it to
// their prompts, found by the delivery their payload names, so such a check still fails with its
// prompt after the upgrade.
func TestMigrationLinksWaitingChecks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		url := e.url(t)
		pool := migratedBefore(t, e, url, 9)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := pool.ExecContext(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		exec(`INSERT INTO people (user_id, team_id, tz, created_at, updated_at) VALUES ('U1', 'T1', 'UTC', 0, 0)`)
		for _, d := range []int64{7, 17} {
			exec(`INSERT INTO deliveries (id, user_id, occurrence, kind, prompt_id, state, created_at) VALUES (?, 'U1', ?, 'on_demand', 'p', 'pending', 0)`, d, d)
		}
		row := func(id int64, kind string, delivery any, payload, state string) {
			exec(`INSERT INTO outbox (id, user_id, kind, delivery_id, payload, state, attempts, available_at, due_at, created_at)
				VALUES (?, 'U1', ?, ?, ?, ?, 0, 0, 0, 0)`, id, kind, delivery, payload, state)
		}
		row(1, "prompt", int64(7), `{"delivery_id":7,"prompt_id":"p"}`, "pending")
		row(2, "prompt", int64(17), `{"delivery_id":17,"prompt_id":"p"}`, "pending")
		row(3, "wellbeing", nil, `{"delivery_id":17,"prompt_id":"w"}`, "pending") // 17's, not 7's
		row(4, "wellbeing", nil, `{"delivery_id":7,"prompt_id":"w"}`, "pending")
		row(5, "wellbeing", nil, `{"delivery_id":7,"prompt_id":"w"}`, "sent") // no longer waiting
		if err := pool.Close(); err != nil {
			t.Fatal(err)
		}
		s := openAt(t, url, WithNow(newClock().Now))
		want := map[int64]int64{1: 0, 2: 0, 3: 2, 4: 1, 5: 0}
		for id, follows := range want {
			var got sql.NullInt64
			if err := s.read.QueryRowContext(ctx, `SELECT follows_id FROM outbox WHERE id = ?`, id).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got.Int64 != follows {
				t.Errorf("item %d follows %d, want %d", id, got.Int64, follows)
			}
		}
	})
}
