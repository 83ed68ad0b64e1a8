package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

const week = 7 * 24 * time.Hour

// outboxRec is one outbox row as the weekly tests look at it.
type outboxRec struct {
	ID          int64
	ChannelID   string
	Kind        Kind
	DeliveryID  int64 // 0 = none
	Payload     string
	State       string
	LastError   string
	AvailableAt time.Time
}

// outboxOf returns a person's outbox items in the order they were queued.
func outboxOf(t testing.TB, s *Store, userID string) []outboxRec {
	t.Helper()
	rows, err := s.read.Query(`
		SELECT id, COALESCE(channel_id, ''), kind, COALESCE(delivery_id, 0), payload, state,
		       COALESCE(last_error, ''), available_at
		FROM outbox WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxRec
	for rows.Next() {
		var r outboxRec
		var at int64
		if err := rows.Scan(&r.ID, &r.ChannelID, &r.Kind, &r.DeliveryID, &r.Payload, &r.State, &r.LastError, &at); err != nil {
			t.Fatal(err)
		}
		r.AvailableAt = fromMillis(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// outboxByDelivery returns the items of one kind linked to a delivery.
func outboxByDelivery(t testing.TB, s *Store, userID string, kind Kind, deliveryID int64) []outboxRec {
	t.Helper()
	var out []outboxRec
	for _, r := range outboxOf(t, s, userID) {
		if r.Kind == kind && r.DeliveryID == deliveryID {
			out = append(out, r)
		}
	}
	return out
}

// deliveriesOf returns a person's deliveries, oldest occurrence first.
func deliveriesOf(t testing.TB, s *Store, userID string) []Delivery {
	t.Helper()
	rows, err := s.read.Query(`SELECT `+deliveryColumns+` FROM deliveries WHERE user_id = ? ORDER BY occurrence, id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// mustDelivery reads one delivery of a person's.
func mustDelivery(t testing.TB, s *Store, userID string, id int64) Delivery {
	t.Helper()
	d, err := s.Delivery(context.Background(), userID, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// mustPerson reads a person.
func mustPerson(t testing.TB, s *Store, userID string) Person {
	t.Helper()
	p, err := s.Person(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startPerson enrols a person ("self") with a known DM channel (may be empty), due at next.
func startPerson(t testing.TB, s *Store, userID, dm string, next time.Time) {
	t.Helper()
	p := Person{UserID: userID, TeamID: "T1", TZ: "Europe/Paris", DMChannelID: dm}
	if _, err := s.Start(context.Background(), p, "self", next); err != nil {
		t.Fatalf("Start(%s): %v", userID, err)
	}
}

// create makes a delivery through CreateDelivery.
func create(t testing.TB, s *Store, userID string, d NewDelivery) int64 {
	t.Helper()
	id, err := s.CreateDelivery(context.Background(), userID, d)
	if err != nil {
		t.Fatalf("CreateDelivery(%s, %+v): %v", userID, d, err)
	}
	return id
}

// sendAll plays the relay: it claims every available item and completes it in the item's channel,
// else in "D-<user>", with ts "<id>.1".
func sendAll(t testing.TB, s *Store) {
	t.Helper()
	ctx := context.Background()
	for {
		// A claim takes one post per person (the next waits for it), so claim until none is left.
		items, err := s.ClaimOutbox(ctx, time.Minute, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			return
		}
		for _, it := range items {
			ch := it.ChannelID
			if ch == "" {
				ch = "D-" + it.UserID
			}
			if err := s.CompleteOutbox(ctx, it.ID, ch, fmt.Sprintf("%d.1", it.ID)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// setPersonState writes schedule state the API only reaches through long paths.
func setPersonState(t testing.TB, s *Store, userID string, streak int, asked bool) {
	t.Helper()
	if _, err := s.write.Exec(`UPDATE people SET unanswered_streak = ?, asked_to_continue = ? WHERE user_id = ?`,
		streak, boolInt(asked), userID); err != nil {
		t.Fatal(err)
	}
}

// setDeliveryState forces a delivery's state, for states that need a long path to reach.
func setDeliveryState(t testing.TB, s *Store, id int64, state string) {
	t.Helper()
	if _, err := s.write.Exec(`UPDATE deliveries SET state = ? WHERE id = ?`, state, id); err != nil {
		t.Fatal(err)
	}
}

// answerCount counts the answers stored for a person.
func answerCount(t testing.TB, s *Store, userID string) int {
	t.Helper()
	var n int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM answers WHERE user_id = ?`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// payloadJSON is the payload a delivery post must carry.
func payloadJSON(t testing.TB, id int64, prompt string, check ...string) string {
	t.Helper()
	pl := DeliveryPayload{DeliveryID: id, PromptID: prompt}
	if len(check) > 0 {
		pl.WellbeingPromptID = check[0]
	}
	b, err := json.Marshal(pl)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// samePayload compares two JSON payloads by value.
func samePayload(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// checkErr fails the test unless err matches want: nil, errAny or a sentinel.
func checkErr(t testing.TB, op string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: %v", op, err)
	case want == errAny && err == nil:
		t.Fatalf("%s error = nil, want an error", op)
	case want != nil && want != errAny && !errors.Is(err, want):
		t.Fatalf("%s error = %v, want %v", op, err, want)
	}
}

func timeOrNil(p *time.Time) string {
	if p == nil {
		return "nil"
	}
	return p.Format(time.RFC3339Nano)
}

// postWant is an outbox item a plan should queue. Prompt names the delivery it belongs to (by
// its main or wellbeing prompt); "" = no payload beyond {}.
type postWant struct {
	Kind    Kind
	Channel string
	Linked  bool   // DeliveryID is the delivery's id (only the prompt post)
	Prompt  string // the payload's prompt_id; "" for the continue question
	Check   string // the payload's wellbeing_prompt_id: the check asked in the prompt's message
}

type deliveryWant struct {
	Occurrence time.Time
	Kind       DeliveryKind
	PromptID   string
	Wellbeing  string
	State      DeliveryState
}

func TestApplyDue(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		plan := func(mod func(*DuePlan)) DuePlan {
			p := DuePlan{UserID: "U1", WasDue: t0, NextDue: t0.Add(week), Expire: t0}
			if mod != nil {
				mod(&p)
			}
			return p
		}
		deliver := func(prompt, wellbeing string) func(*DuePlan) {
			return func(p *DuePlan) {
				p.Deliver = &NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, PromptID: prompt, WellbeingPromptID: wellbeing}
			}
		}
		withPW := plan(deliver("P1", "W1"))
		tests := []struct {
			name           string
			dm             string // the person's DM channel, if known
			setup          func(t *testing.T, s *Store)
			calls          [][]DuePlan
			wantApplied    []int
			wantDeliveries []deliveryWant
			wantPosts      []postWant
			wantNext       time.Time // zero = unscheduled
			wantStreak     int
			wantAsked      bool
		}{
			{
				name: "prompt and wellbeing check", dm: "D1",
				calls: [][]DuePlan{{plan(func(p *DuePlan) { deliver("P1", "W1")(p); p.Streak = 1 })}}, wantApplied: []int{1},
				wantDeliveries: []deliveryWant{{t0, DeliveryScheduled, "P1", "W1", "pending"}},
				wantPosts: []postWant{
					// One post: the check is asked in the prompt's message, never alone.
					{Kind: KindPrompt, Channel: "D1", Linked: true, Prompt: "P1", Check: "W1"},
				},
				wantNext: t0.Add(week), wantStreak: 1,
			},
			{
				name:  "prompt alone, DM not known yet",
				calls: [][]DuePlan{{plan(deliver("P1", ""))}}, wantApplied: []int{1},
				wantDeliveries: []deliveryWant{{t0, DeliveryScheduled, "P1", "", "pending"}},
				wantPosts:      []postWant{{Kind: KindPrompt, Linked: true, Prompt: "P1"}},
				wantNext:       t0.Add(week),
			},
			{
				name: "same plan twice in one call", dm: "D1",
				calls: [][]DuePlan{{withPW, withPW}}, wantApplied: []int{1},
				wantDeliveries: []deliveryWant{{t0, DeliveryScheduled, "P1", "W1", "pending"}},
				wantPosts: []postWant{
					// One post: the check is asked in the prompt's message, never alone.
					{Kind: KindPrompt, Channel: "D1", Linked: true, Prompt: "P1", Check: "W1"},
				},
				wantNext: t0.Add(week),
			},
			{
				name: "same plan in two calls", dm: "D1",
				calls: [][]DuePlan{{withPW}, {withPW}}, wantApplied: []int{1, 0},
				wantDeliveries: []deliveryWant{{t0, DeliveryScheduled, "P1", "W1", "pending"}},
				wantPosts: []postWant{
					// One post: the check is asked in the prompt's message, never alone.
					{Kind: KindPrompt, Channel: "D1", Linked: true, Prompt: "P1", Check: "W1"},
				},
				wantNext: t0.Add(week),
			},
			{
				name: "two plans read the same next_due_at", dm: "D1",
				calls: [][]DuePlan{
					{plan(deliver("P1", ""))},
					{plan(func(p *DuePlan) {
						p.NextDue = t0.Add(2 * week)
						p.Deliver = &NewDelivery{Occurrence: t0.Add(time.Hour), Kind: DeliveryScheduled, PromptID: "P2"}
					})},
				},
				wantApplied:    []int{1, 0},
				wantDeliveries: []deliveryWant{{t0, DeliveryScheduled, "P1", "", "pending"}},
				wantPosts:      []postWant{{Kind: KindPrompt, Channel: "D1", Linked: true, Prompt: "P1"}},
				wantNext:       t0.Add(week),
			},
			{
				name: "stale WasDue is dropped", dm: "D1",
				calls: [][]DuePlan{{plan(func(p *DuePlan) {
					deliver("P1", "W1")(p)
					p.WasDue, p.Streak, p.Ask, p.Asked = t0.Add(-week), 3, true, true
				})}},
				wantApplied: []int{0},
				wantNext:    t0,
			},
			{
				name: "answered ahead: a skipped row, nothing sent", dm: "D1",
				calls: [][]DuePlan{{plan(func(p *DuePlan) {
					p.Deliver = &NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, Skip: true}
				})}},
				wantApplied:    []int{1},
				wantDeliveries: []deliveryWant{{t0, DeliveryScheduled, "", "", "skipped"}},
				wantNext:       t0.Add(week),
			},
			{
				name: "ask to continue", dm: "D1",
				calls:       [][]DuePlan{{plan(func(p *DuePlan) { p.Streak, p.Ask, p.Asked = 4, true, true })}},
				wantApplied: []int{1},
				wantPosts:   []postWant{{Kind: KindContinue, Channel: "D1"}},
				wantNext:    t0.Add(week), wantStreak: 4, wantAsked: true,
			},
			{
				name: "already asked: nothing queued", dm: "D1",
				calls:       [][]DuePlan{{plan(func(p *DuePlan) { p.Streak, p.Asked = 5, true })}},
				wantApplied: []int{1},
				wantNext:    t0.Add(week), wantStreak: 5, wantAsked: true,
			},
			{
				name: "occurrence already has a delivery", dm: "D1",
				setup: func(t *testing.T, s *Store) { insertDelivery(t, s, "U1", t0, DeliveryScheduled) },
				calls: [][]DuePlan{{withPW}}, wantApplied: []int{1},
				wantDeliveries: []deliveryWant{{t0, DeliveryScheduled, "direction-big-picture", "", "pending"}},
				wantNext:       t0.Add(week),
			},
			{
				name: "deleted person", dm: "D1",
				// Only the deleted flag: next_due_at still matches, so the guard is what drops it.
				setup: func(t *testing.T, s *Store) {
					if _, err := s.write.Exec(`UPDATE people SET deleted = 1 WHERE user_id = 'U1'`); err != nil {
						t.Fatal(err)
					}
				},
				calls: [][]DuePlan{{withPW}}, wantApplied: []int{0},
				wantNext: t0,
			},
			{
				name: "stopped person", dm: "D1",
				setup: func(t *testing.T, s *Store) {
					if _, err := s.Stop(ctx, "U1"); err != nil {
						t.Fatal(err)
					}
				},
				calls: [][]DuePlan{{withPW}}, wantApplied: []int{0},
			},
			{
				name: "unknown person beside a known one", dm: "D1",
				calls:          [][]DuePlan{{plan(func(p *DuePlan) { deliver("P9", "")(p); p.UserID = "U9" }), plan(deliver("P1", ""))}},
				wantApplied:    []int{1},
				wantDeliveries: []deliveryWant{{t0, DeliveryScheduled, "P1", "", "pending"}},
				wantPosts:      []postWant{{Kind: KindPrompt, Channel: "D1", Linked: true, Prompt: "P1"}},
				wantNext:       t0.Add(week),
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _, _ := e.newStore(t)
				startPerson(t, s, "U1", tt.dm, t0)
				if tt.setup != nil {
					tt.setup(t, s)
				}
				for i, plans := range tt.calls {
					got, err := s.ApplyDue(ctx, plans)
					if err != nil {
						t.Fatalf("ApplyDue call %d: %v", i+1, err)
					}
					if got != tt.wantApplied[i] {
						t.Errorf("ApplyDue call %d applied %d, want %d", i+1, got, tt.wantApplied[i])
					}
				}

				ds := deliveriesOf(t, s, "U1")
				var gotD []deliveryWant
				for _, d := range ds {
					gotD = append(gotD, deliveryWant{d.Occurrence, d.Kind, d.PromptID, d.WellbeingPromptID, d.State})
				}
				if !reflect.DeepEqual(gotD, tt.wantDeliveries) {
					t.Errorf("deliveries = %+v\nwant %+v", gotD, tt.wantDeliveries)
				}
				byPrompt := map[string]int64{}
				for _, d := range ds {
					byPrompt[d.PromptID], byPrompt[d.WellbeingPromptID] = d.ID, d.ID
				}

				posts := outboxOf(t, s, "U1")
				if len(posts) != len(tt.wantPosts) {
					t.Fatalf("outbox has %d items %+v, want %d %+v", len(posts), posts, len(tt.wantPosts), tt.wantPosts)
				}
				for i, w := range tt.wantPosts {
					got := posts[i]
					wantPayload, wantDelivery := "{}", int64(0)
					if w.Prompt != "" {
						wantPayload = payloadJSON(t, byPrompt[w.Prompt], w.Prompt, w.Check)
					}
					if w.Linked {
						wantDelivery = byPrompt[w.Prompt]
					}
					if got.Kind != w.Kind || got.ChannelID != w.Channel || got.DeliveryID != wantDelivery ||
						!samePayload(got.Payload, wantPayload) || got.State != "pending" || !got.AvailableAt.Equal(t0) {
						t.Errorf("outbox item %d = %s %q delivery %d %s %s at %s, want %s %q delivery %d %s pending at %s",
							i, got.Kind, got.ChannelID, got.DeliveryID, got.Payload, got.State, got.AvailableAt,
							w.Kind, w.Channel, wantDelivery, wantPayload, t0)
					}
				}

				p := mustPerson(t, s, "U1")
				wantNext := "nil"
				if !tt.wantNext.IsZero() {
					wantNext = tt.wantNext.Format(time.RFC3339Nano)
				}
				if got := timeOrNil(p.NextDueAt); got != wantNext {
					t.Errorf("next_due_at = %s, want %s", got, wantNext)
				}
				if p.UnansweredStreak != tt.wantStreak || p.AskedToContinue != tt.wantAsked {
					t.Errorf("streak, asked = %d, %v; want %d, %v", p.UnansweredStreak, p.AskedToContinue, tt.wantStreak, tt.wantAsked)
				}
			})
		}
	})
}

// TestApplyDueExpires checks that a plan closes the person's older open scheduled deliveries and
// gives up their queued reminders, and nothing else.
func TestApplyDueExpires(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		startPerson(t, s, "U2", "D2", t0)
		sched := func(occ time.Time, prompt string) NewDelivery {
			return NewDelivery{Occurrence: occ, Kind: DeliveryScheduled, PromptID: prompt}
		}
		ids := map[string]int64{
			"sent with a reminder":    create(t, s, "U1", sched(t0.Add(-2*week), "P1")),
			"answered":                create(t, s, "U1", sched(t0.Add(-3*week), "P0")),
			"on demand":               create(t, s, "U1", NewDelivery{Occurrence: t0.Add(-week), Kind: DeliveryOnDemand, PromptID: "P3"}),
			"at the expiry instant":   create(t, s, "U1", sched(t0, "P4")),
			"another person's":        create(t, s, "U2", sched(t0.Add(-2*week), "P1")),
			"sent, reminder was sent": create(t, s, "U1", sched(t0.Add(-4*week), "P5")),
		}
		sendAll(t, s)
		for _, name := range []string{"sent with a reminder", "on demand", "another person's", "sent, reminder was sent"} {
			user := "U1"
			if name == "another person's" {
				user = "U2"
			}
			if ok, err := s.RemindLater(ctx, user, ids[name], t0); err != nil || !ok {
				t.Fatalf("RemindLater(%s) = %v, %v; want true", name, ok, err)
			}
		}
		sendAll(t, s) // every reminder is available at t0: all sent
		if ok, err := s.RemindLater(ctx, "U1", ids["sent with a reminder"], t0.Add(time.Hour)); err != nil || !ok {
			t.Fatalf("RemindLater = %v, %v; want true", ok, err)
		}
		if ok, err := s.RemindLater(ctx, "U1", ids["on demand"], t0.Add(time.Hour)); err != nil || !ok {
			t.Fatalf("RemindLater = %v, %v; want true", ok, err)
		}
		if ok, err := s.RemindLater(ctx, "U2", ids["another person's"], t0.Add(time.Hour)); err != nil || !ok {
			t.Fatalf("RemindLater = %v, %v; want true", ok, err)
		}
		if err := s.RecordAnswer(ctx, Answer{UserID: "U1", DeliveryID: ids["answered"], PromptID: "P0", Source: "button"}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		ids["never posted"] = create(t, s, "U1", sched(t0.Add(-week), "P2"))
		ids["skipped"] = create(t, s, "U1", NewDelivery{Occurrence: t0.Add(-week - time.Hour), Kind: DeliveryScheduled, Skip: true})

		n, err := s.ApplyDue(ctx, []DuePlan{{UserID: "U1", WasDue: t0, NextDue: t0.Add(week), Expire: t0}})
		if err != nil || n != 1 {
			t.Fatalf("ApplyDue = %d, %v; want 1", n, err)
		}

		tests := []struct {
			name          string
			user          string
			wantState     DeliveryState
			wantReminders []string // states of its reminder items, oldest first
		}{
			{name: "sent with a reminder", user: "U1", wantState: "expired", wantReminders: []string{"sent", "failed"}},
			{name: "never posted", user: "U1", wantState: "expired"},
			{name: "sent, reminder was sent", user: "U1", wantState: "expired", wantReminders: []string{"sent"}},
			{name: "answered", user: "U1", wantState: "answered"},
			{name: "skipped", user: "U1", wantState: "skipped"},
			{name: "on demand", user: "U1", wantState: "sent", wantReminders: []string{"sent", "pending"}},
			{name: "at the expiry instant", user: "U1", wantState: "sent"},
			{name: "another person's", user: "U2", wantState: "sent", wantReminders: []string{"sent", "pending"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := mustDelivery(t, s, tt.user, ids[tt.name]).State; got != tt.wantState {
					t.Errorf("state = %s, want %s", got, tt.wantState)
				}
				var got []string
				for _, r := range outboxByDelivery(t, s, tt.user, KindReminder, ids[tt.name]) {
					got = append(got, r.State)
					if r.State == "failed" && r.LastError != "expired" {
						t.Errorf("failed reminder's last_error = %q, want expired", r.LastError)
					}
				}
				if !reflect.DeepEqual(got, tt.wantReminders) {
					t.Errorf("reminder states = %v, want %v", got, tt.wantReminders)
				}
			})
		}
		// A prompt never posted is stale once its occurrence has gone: it is given up, not sent late.
		if p := outboxByDelivery(t, s, "U1", KindPrompt, ids["never posted"]); len(p) != 1 || p[0].State != "failed" || p[0].LastError != "expired" {
			t.Errorf("never-posted prompt items = %+v, want one failed as expired", p)
		}
	})
}

// TestApplyDueConcurrent runs the same plan from several goroutines on two stores over one file
// (two replicas): the occurrence is delivered and queued exactly once.
func TestApplyDueConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, path := e.newStore(t)
		other := openAt(t, path, WithNow(newClock().Now))
		startPerson(t, s, "U1", "D1", t0)
		plan := DuePlan{UserID: "U1", WasDue: t0, NextDue: t0.Add(week), Expire: t0,
			Deliver: &NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, PromptID: "P1", WellbeingPromptID: "W1"}}
		const workers = 12
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			applied int
			errs    []error
			start   = make(chan struct{})
		)
		for i := 0; i < workers; i++ {
			st := s
			if i%2 == 1 {
				st = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				n, err := st.ApplyDue(ctx, []DuePlan{plan})
				mu.Lock()
				defer mu.Unlock()
				applied += n
				if err != nil {
					errs = append(errs, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("ApplyDue errors: %v", errs)
		}
		if applied != 1 {
			t.Errorf("plans applied = %d, want 1", applied)
		}
		if ds := deliveriesOf(t, s, "U1"); len(ds) != 1 {
			t.Errorf("deliveries = %d, want 1", len(ds))
		}
		kinds := map[Kind]int{}
		for _, r := range outboxOf(t, s, "U1") {
			kinds[r.Kind]++
		}
		if want := map[Kind]int{KindPrompt: 1}; !reflect.DeepEqual(kinds, want) {
			t.Errorf("outbox kinds = %v, want %v", kinds, want)
		}
	})
}

func TestDuePeopleSelection(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		startPerson(t, s, "UA", "", t0.Add(-2*time.Hour))
		if _, err := s.Enrol(ctx, "UA", "channel:C1"); err != nil { // two sources, one row
			t.Fatal(err)
		}
		startPerson(t, s, "UC", "", t0.Add(-time.Hour)) // same instant as UB: user id breaks the tie
		startPerson(t, s, "UB", "", t0.Add(-time.Hour))
		startPerson(t, s, "UD", "", t0)
		startPerson(t, s, "UE", "", t0.Add(time.Millisecond))
		startPerson(t, s, "UF", "", t0.Add(-3*time.Hour)) // unenrolled below
		if _, err := s.Unenrol(ctx, "UF", "self"); err != nil {
			t.Fatal(err)
		}
		startPerson(t, s, "UG", "", t0.Add(-3*time.Hour)) // deleted in Slack, still scheduled
		if _, err := s.write.Exec(`UPDATE people SET deleted = 1 WHERE user_id = 'UG'`); err != nil {
			t.Fatal(err)
		}
		startPerson(t, s, "UH", "", t0.Add(-3*time.Hour)) // enrolled but unscheduled
		if _, err := s.write.Exec(`UPDATE people SET next_due_at = NULL WHERE user_id = 'UH'`); err != nil {
			t.Fatal(err)
		}
		addPerson(t, s, "UI") // never started

		tests := []struct {
			name  string
			now   time.Time
			limit int
			want  []string
		}{
			{name: "due at or before now, earliest first", now: t0, limit: 10, want: []string{"UA", "UB", "UC", "UD"}},
			{name: "limit", now: t0, limit: 2, want: []string{"UA", "UB"}},
			{name: "a millisecond later", now: t0.Add(time.Millisecond), limit: 10, want: []string{"UA", "UB", "UC", "UD", "UE"}},
			{name: "only the excluded are due", now: t0.Add(-2*time.Hour - time.Millisecond), limit: 10},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				due, err := s.DuePeople(ctx, tt.now, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, d := range due {
					got = append(got, d.UserID)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("DuePeople = %v, want %v", got, tt.want)
				}
			})
		}
	})
}

func TestDuePeopleHistory(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		startPerson(t, s, "U2", "D2", t0)
		startPerson(t, s, "U3", "D3", t0)
		sched := func(occ time.Time, p, w string) NewDelivery {
			return NewDelivery{Occurrence: occ, Kind: DeliveryScheduled, PromptID: p, WellbeingPromptID: w}
		}
		answer := func(user string, d int64, prompt string, at time.Time) {
			t.Helper()
			if err := s.RecordAnswer(ctx, Answer{UserID: user, DeliveryID: d, PromptID: prompt, Source: "button", AnsweredAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		// Created out of occurrence order, so "oldest first" cannot come from the ids.
		open := create(t, s, "U1", sched(t0.Add(-week), "P2", "W2"))
		expired := create(t, s, "U1", sched(t0.Add(-4*week), "P0", ""))
		setDeliveryState(t, s, expired, "expired")
		answered := create(t, s, "U1", sched(t0.Add(-3*week), "P1", "W1"))
		create(t, s, "U1", NewDelivery{Occurrence: t0.Add(-2 * week), Kind: DeliveryScheduled, Skip: true})
		onDemand := create(t, s, "U1", NewDelivery{Occurrence: t0.Add(-10 * 24 * time.Hour), Kind: DeliveryOnDemand, PromptID: "P3", WellbeingPromptID: "W3"})
		create(t, s, "U1", NewDelivery{Occurrence: t0.Add(-24 * time.Hour), Kind: DeliveryOnDemand, PromptID: "P4"}) // open on-demand
		sendAll(t, s)
		answer("U1", answered, "P1", t0.Add(-3*week+time.Hour))
		mainAt := t0.Add(-10*24*time.Hour + time.Hour)
		answer("U1", onDemand, "P3", mainAt)
		answer("U1", onDemand, "W3", t0.Add(-9*24*time.Hour)) // later, but a wellbeing answer
		answer("U1", open, "W2", t0.Add(-6*24*time.Hour))     // later still, but scheduled

		// U2 answered an on-demand prompt but has no scheduled history.
		od2 := create(t, s, "U2", NewDelivery{Occurrence: t0.Add(-time.Hour), Kind: DeliveryOnDemand, PromptID: "P7"})
		answer("U2", od2, "P7", t0.Add(-30*time.Minute))
		// U3 has a pending (not yet posted) scheduled delivery: it is open too.
		create(t, s, "U3", sched(t0.Add(-week), "P5", ""))

		tests := []struct {
			user              string
			wantLastScheduled time.Time
			wantLastOnDemand  time.Time
			wantOpenScheduled int
			wantAsked         []string
		}{
			{user: "U1", wantLastScheduled: t0.Add(-week), wantLastOnDemand: mainAt, wantOpenScheduled: 1,
				wantAsked: []string{"P0", "P1", "W1", "P3", "W3", "P2", "W2", "P4"}},
			{user: "U2", wantLastOnDemand: t0.Add(-30 * time.Minute), wantAsked: []string{"P7"}},
			{user: "U3", wantLastScheduled: t0.Add(-week), wantOpenScheduled: 1, wantAsked: []string{"P5"}},
		}
		due, err := s.DuePeople(ctx, t0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != len(tests) {
			t.Fatalf("DuePeople returned %d people, want %d", len(due), len(tests))
		}
		for i, tt := range tests {
			t.Run(tt.user, func(t *testing.T) {
				got := due[i]
				if got.UserID != tt.user {
					t.Fatalf("person %d = %s, want %s", i, got.UserID, tt.user)
				}
				if got.NextDueAt == nil || !got.NextDueAt.Equal(t0) || got.TZ != "Europe/Paris" {
					t.Errorf("Person = next %s tz %s, want next %s tz Europe/Paris", timeOrNil(got.NextDueAt), got.TZ, t0)
				}
				if !got.LastScheduled.Equal(tt.wantLastScheduled) {
					t.Errorf("LastScheduled = %s, want %s", got.LastScheduled, tt.wantLastScheduled)
				}
				if !got.LastOnDemandAnswer.Equal(tt.wantLastOnDemand) {
					t.Errorf("LastOnDemandAnswer = %s, want %s", got.LastOnDemandAnswer, tt.wantLastOnDemand)
				}
				if got.OpenScheduled != tt.wantOpenScheduled {
					t.Errorf("OpenScheduled = %d, want %d", got.OpenScheduled, tt.wantOpenScheduled)
				}
				if !reflect.DeepEqual(got.Asked, tt.wantAsked) {
					t.Errorf("Asked = %v, want %v", got.Asked, tt.wantAsked)
				}
				asked, err := s.AskedPrompts(ctx, tt.user)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(asked, tt.wantAsked) {
					t.Errorf("AskedPrompts = %v, want %v", asked, tt.wantAsked)
				}
			})
		}
		// Read with the history in chunks smaller than the batch, the batch comes out the same.
		defer func(n int) { askedIDs = n }(askedIDs)
		askedIDs = 2
		again, err := s.DuePeople(ctx, t0, 10)
		if err != nil || !reflect.DeepEqual(again, due) {
			t.Errorf("DuePeople in chunks of 2 = %+v, %v; want %+v", again, err, due)
		}
	})
}

func TestCreateDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		addPerson(t, s, "U2") // no DM yet, not enrolled: on-demand works for anyone known
		at := t0.Add(time.Hour)
		tests := []struct {
			name      string
			user      string
			d         NewDelivery
			wantErr   error
			wantPosts []postWant
		}{
			{name: "on demand with wellbeing", user: "U1",
				d: NewDelivery{Occurrence: at, Kind: DeliveryOnDemand, PromptID: "P1", WellbeingPromptID: "W1"},
				wantPosts: []postWant{
					// One post: the check is asked in the prompt's message, never alone.
					{Kind: KindPrompt, Channel: "D1", Linked: true, Prompt: "P1", Check: "W1"},
				}},
			{name: "same occurrence again", user: "U1",
				d:       NewDelivery{Occurrence: at, Kind: DeliveryOnDemand, PromptID: "P2"},
				wantErr: ErrWrongState},
			{name: "same instant, scheduled", user: "U1",
				d:         NewDelivery{Occurrence: at, Kind: DeliveryScheduled, PromptID: "P3"},
				wantPosts: []postWant{{Kind: KindPrompt, Channel: "D1", Linked: true, Prompt: "P3"}}},
			{name: "no DM known", user: "U2",
				d:         NewDelivery{Occurrence: at, Kind: DeliveryOnDemand, PromptID: "P1"},
				wantPosts: []postWant{{Kind: KindPrompt, Linked: true, Prompt: "P1"}}},
			{name: "unknown person", user: "U9",
				d:       NewDelivery{Occurrence: at, Kind: DeliveryOnDemand, PromptID: "P1"},
				wantErr: ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := len(outboxOf(t, s, tt.user))
				id, err := s.CreateDelivery(ctx, tt.user, tt.d)
				checkErr(t, "CreateDelivery", err, tt.wantErr)
				posts := outboxOf(t, s, tt.user)[before:]
				if tt.wantErr != nil {
					if id != 0 || len(posts) != 0 {
						t.Errorf("failed CreateDelivery = id %d and %d posts, want 0 and none", id, len(posts))
					}
					return
				}
				d := mustDelivery(t, s, tt.user, id)
				if !d.Occurrence.Equal(tt.d.Occurrence) || d.Kind != tt.d.Kind || d.PromptID != tt.d.PromptID ||
					d.WellbeingPromptID != tt.d.WellbeingPromptID || d.State != "pending" {
					t.Errorf("delivery = %+v, want %+v pending", d, tt.d)
				}
				if len(posts) != len(tt.wantPosts) {
					t.Fatalf("queued %d posts %+v, want %d", len(posts), posts, len(tt.wantPosts))
				}
				for i, w := range tt.wantPosts {
					wantDelivery := int64(0)
					if w.Linked {
						wantDelivery = id
					}
					got := posts[i]
					if got.Kind != w.Kind || got.ChannelID != w.Channel || got.DeliveryID != wantDelivery ||
						!samePayload(got.Payload, payloadJSON(t, id, w.Prompt, w.Check)) {
						t.Errorf("post %d = %s %q delivery %d %s, want %s %q delivery %d %s", i,
							got.Kind, got.ChannelID, got.DeliveryID, got.Payload, w.Kind, w.Channel, wantDelivery, payloadJSON(t, id, w.Prompt, w.Check))
					}
				}
			})
		}
	})
}

func TestCompleteOutboxPrompt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		tests := []struct {
			name        string
			dmBefore    string
			completeIn  string // "" = the channel it was queued with
			wantChannel string // the delivery's
			wantDM      string
		}{
			{name: "first DM is remembered", completeIn: "D7", wantChannel: "D7", wantDM: "D7"},
			{name: "a known DM is kept", dmBefore: "D1", completeIn: "D7", wantChannel: "D7", wantDM: "D1"},
			{name: "a channel is not a DM", completeIn: "C7", wantChannel: "C7"},
			{name: "the queued channel", dmBefore: "D1", wantChannel: "D1", wantDM: "D1"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _, _ := e.newStore(t)
				startPerson(t, s, "U1", tt.dmBefore, t0)
				// A check queued by an earlier version as a post of its own, after its prompt.
				id, _, _ := legacyDelivery(t, s, "U1", tt.dmBefore, NewDelivery{Occurrence: t0, Kind: DeliveryOnDemand, PromptID: "P1", WellbeingPromptID: "W1"})
				items, err := s.ClaimOutbox(ctx, time.Minute, 10)
				if err != nil || len(items) != 1 || items[0].Kind != KindPrompt {
					t.Fatalf("ClaimOutbox = %+v, %v; want the prompt, the wellbeing check waiting its turn", items, err)
				}
				if err := s.CompleteOutbox(ctx, items[0].ID, tt.completeIn, "1.1"); err != nil {
					t.Fatal(err)
				}
				next, err := s.ClaimOutbox(ctx, time.Minute, 10)
				if err != nil || len(next) != 1 || next[0].Kind != KindWellbeing {
					t.Fatalf("ClaimOutbox after the prompt = %+v, %v; want the wellbeing check", next, err)
				}
				items = append(items, next...)
				d := mustDelivery(t, s, "U1", id)
				if d.State != "sent" || d.ChannelID != tt.wantChannel || d.TS != "1.1" {
					t.Errorf("delivery = %s %q %q, want sent %q 1.1", d.State, d.ChannelID, d.TS, tt.wantChannel)
				}
				if got := mustPerson(t, s, "U1").DMChannelID; got != tt.wantDM {
					t.Errorf("dm_channel_id = %q, want %q", got, tt.wantDM)
				}
				// The wellbeing post is not the delivery's message.
				if err := s.CompleteOutbox(ctx, items[1].ID, tt.completeIn, "2.2"); err != nil {
					t.Fatal(err)
				}
				if d := mustDelivery(t, s, "U1", id); d.State != "sent" || d.ChannelID != tt.wantChannel || d.TS != "1.1" {
					t.Errorf("after the wellbeing post delivery = %s %q %q, want sent %q 1.1", d.State, d.ChannelID, d.TS, tt.wantChannel)
				}
			})
		}
	})
}

// legacyDelivery creates a delivery with a wellbeing check as an earlier version queued it: the
// prompt's post without the check, and the check as a post of its own that follows the prompt's.
// It returns the delivery's id and the two posts' ids.
func legacyDelivery(t testing.TB, s *Store, userID, dm string, d NewDelivery) (id, prompt, check int64) {
	t.Helper()
	ctx := context.Background()
	id, err := s.CreateDelivery(ctx, userID, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.write.QueryRowContext(ctx, `SELECT id FROM outbox WHERE delivery_id = ? AND kind = ?`, id, string(KindPrompt)).Scan(&prompt); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `UPDATE outbox SET payload = ? WHERE id = ?`, payloadJSON(t, id, d.PromptID), prompt); err != nil {
		t.Fatal(err)
	}
	check, err = s.Enqueue(ctx, OutboxMessage{UserID: userID, ChannelID: dm, Kind: KindWellbeing,
		Payload: []byte(payloadJSON(t, id, d.WellbeingPromptID)), Follows: prompt})
	if err != nil {
		t.Fatal(err)
	}
	return id, prompt, check
}

func intPtr(i int) *int                { return &i }
func floatPtr(f float64) *float64      { return &f }
func timePtrOf(t time.Time) *time.Time { return &t }

func TestOpenDeliveries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		startPerson(t, s, "U2", "D2", t0)
		mk := func(user string, occ time.Time, kind DeliveryKind, prompt string) int64 {
			return create(t, s, user, NewDelivery{Occurrence: occ, Kind: kind, PromptID: prompt})
		}
		old := mk("U1", t0.Add(-2*week), DeliveryScheduled, "P-old")
		newer := mk("U1", t0.Add(-week), DeliveryOnDemand, "P-new")
		answered := mk("U1", t0, DeliveryScheduled, "P-answered")
		skipped := mk("U1", t0.Add(time.Hour), DeliveryScheduled, "P-skipped")
		expired := mk("U1", t0.Add(2*time.Hour), DeliveryScheduled, "P-expired")
		mk("U2", t0.Add(3*time.Hour), DeliveryScheduled, "P-other")
		sendAll(t, s)
		mk("U1", t0.Add(4*time.Hour), DeliveryScheduled, "P-pending") // not posted yet
		if err := s.RecordAnswer(ctx, Answer{UserID: "U1", DeliveryID: answered, PromptID: "P-answered", Source: "button"}); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.SkipDelivery(ctx, "U1", skipped); err != nil || !ok {
			t.Fatalf("SkipDelivery = %v, %v", ok, err)
		}
		setDeliveryState(t, s, expired, "expired")

		tests := []struct {
			name  string
			user  string
			limit int
			want  []int64
		}{
			{name: "only posted and open, newest first", user: "U1", limit: 10, want: []int64{newer, old}},
			{name: "limit", user: "U1", limit: 1, want: []int64{newer}},
			{name: "nobody", user: "U9", limit: 10},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ds, err := s.OpenDeliveries(ctx, tt.user, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, d := range ds {
					got = append(got, d.ID)
					if d.State != "sent" || d.TS == "" || d.ChannelID != "D1" {
						t.Errorf("delivery %d = %s %q %q, want sent in D1 with a ts", d.ID, d.State, d.ChannelID, d.TS)
					}
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("OpenDeliveries = %v, want %v", got, tt.want)
				}
			})
		}
	})
}

func TestSkipDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		tests := []struct {
			name      string
			from      string // state before: pending, sent, expired, answered, skipped
			as        string // the user asking
			want      bool
			wantState DeliveryState
		}{
			{name: "pending", from: "pending", as: "U1", want: true, wantState: "skipped"},
			{name: "sent", from: "sent", as: "U1", want: true, wantState: "skipped"},
			{name: "expired", from: "expired", as: "U1", want: true, wantState: "skipped"},
			{name: "answered", from: "answered", as: "U1", want: false, wantState: "answered"},
			{name: "skipped twice", from: "skipped", as: "U1", want: false, wantState: "skipped"},
			{name: "someone else's", from: "sent", as: "U2", want: false, wantState: "sent"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _, _ := e.newStore(t)
				startPerson(t, s, "U1", "D1", t0)
				startPerson(t, s, "U2", "D2", t0)
				d := create(t, s, "U1", NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, PromptID: "P1"})
				if tt.from != "pending" {
					sendAll(t, s)
					if ok, err := s.RemindLater(ctx, "U1", d, t0.Add(time.Hour)); err != nil || !ok {
						t.Fatalf("RemindLater = %v, %v", ok, err)
					}
					if tt.from != "sent" {
						setDeliveryState(t, s, d, tt.from)
					}
				}
				setPersonState(t, s, "U1", 2, true)
				setPersonState(t, s, "U2", 2, true)

				got, err := s.SkipDelivery(ctx, tt.as, d)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("SkipDelivery = %v, want %v", got, tt.want)
				}
				if st := mustDelivery(t, s, "U1", d).State; st != tt.wantState {
					t.Errorf("state = %s, want %s", st, tt.wantState)
				}
				for _, u := range []string{"U1", "U2"} {
					p := mustPerson(t, s, u)
					wantStreak, wantAsked := 2, true
					if tt.want && u == tt.as {
						wantStreak, wantAsked = 0, false
					}
					if p.UnansweredStreak != wantStreak || p.AskedToContinue != wantAsked {
						t.Errorf("%s streak, asked = %d, %v; want %d, %v", u, p.UnansweredStreak, p.AskedToContinue, wantStreak, wantAsked)
					}
				}
				for _, r := range outboxByDelivery(t, s, "U1", KindReminder, d) {
					wantState, wantErr := "pending", ""
					if tt.want {
						wantState, wantErr = "failed", "skipped"
					}
					if r.State != wantState || r.LastError != wantErr {
						t.Errorf("reminder = %s %q, want %s %q", r.State, r.LastError, wantState, wantErr)
					}
				}
			})
		}
	})
}

func TestRemindLater(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		startPerson(t, s, "U1", "", t0)
		startPerson(t, s, "U2", "D2", t0)
		d := create(t, s, "U1", NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, PromptID: "P1", WellbeingPromptID: "W1"})
		answered := create(t, s, "U2", NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, PromptID: "P3"})
		sendAll(t, s) // U1's posts land in D-U1
		pending := create(t, s, "U1", NewDelivery{Occurrence: t0.Add(week), Kind: DeliveryScheduled, PromptID: "P2"})
		if err := s.RecordAnswer(ctx, Answer{UserID: "U2", DeliveryID: answered, PromptID: "P3", Source: "button"}); err != nil {
			t.Fatal(err)
		}

		steps := []struct {
			name          string
			advance       time.Duration
			user          string
			delivery      int64
			at            time.Time
			want          bool
			wantReminders []string // the delivery's reminder states, oldest first
		}{
			{name: "queues one at the time given", advance: time.Hour, user: "U1", delivery: d, at: t0.Add(25 * time.Hour),
				want: true, wantReminders: []string{"pending"}},
			{name: "a second replaces the first", advance: time.Hour, user: "U1", delivery: d, at: t0.Add(48 * time.Hour),
				want: true, wantReminders: []string{"failed", "pending"}},
			{name: "someone else's delivery", user: "U2", delivery: d, at: t0.Add(48 * time.Hour),
				want: false, wantReminders: []string{"failed", "pending"}},
			{name: "not posted yet", user: "U1", delivery: pending, at: t0.Add(48 * time.Hour)},
			{name: "answered", user: "U2", delivery: answered, at: t0.Add(48 * time.Hour)},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				clock.Advance(st.advance)
				owner := "U1"
				if st.delivery == answered {
					owner = "U2"
				}
				before := mustDelivery(t, s, owner, st.delivery).RemindedAt
				got, err := s.RemindLater(ctx, st.user, st.delivery, st.at)
				if err != nil {
					t.Fatal(err)
				}
				if got != st.want {
					t.Errorf("RemindLater = %v, want %v", got, st.want)
				}
				rems := outboxByDelivery(t, s, owner, KindReminder, st.delivery)
				var states []string
				for _, r := range rems {
					states = append(states, r.State)
				}
				if !reflect.DeepEqual(states, st.wantReminders) {
					t.Fatalf("reminder states = %v, want %v", states, st.wantReminders)
				}
				after := mustDelivery(t, s, owner, st.delivery)
				if !st.want {
					if timeOrNil(after.RemindedAt) != timeOrNil(before) {
						t.Errorf("reminded_at = %s, want unchanged %s", timeOrNil(after.RemindedAt), timeOrNil(before))
					}
					return
				}
				if timeOrNil(after.RemindedAt) != timeOrNil(timePtrOf(clock.Now())) {
					t.Errorf("reminded_at = %s, want %s", timeOrNil(after.RemindedAt), clock.Now())
				}
				last := rems[len(rems)-1]
				if !last.AvailableAt.Equal(st.at) || last.ChannelID != after.ChannelID || after.ChannelID != "D-U1" ||
					!samePayload(last.Payload, payloadJSON(t, st.delivery, "P1")) {
					t.Errorf("reminder = at %s in %q payload %s, want at %s in D-U1 payload %s",
						last.AvailableAt, last.ChannelID, last.Payload, st.at, payloadJSON(t, st.delivery, "P1"))
				}
				if len(rems) > 1 && rems[0].LastError != "replaced" {
					t.Errorf("replaced reminder's last_error = %q, want replaced", rems[0].LastError)
				}
			})
		}
	})
}

func TestQueueReminders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, clock, _ := e.newStore(t)
		cutoff := t0.Add(-24 * time.Hour)
		type reminderCase struct {
			name  string
			occ   time.Time
			kind  DeliveryKind                             // default scheduled
			setup func(t *testing.T, user string, d int64) // after every delivery was posted
			want  bool
		}
		tests := []reminderCase{
			{name: "due", occ: cutoff.Add(-time.Hour), want: true},
			{name: "at the cutoff", occ: cutoff, want: true},
			{name: "after the cutoff", occ: cutoff.Add(time.Millisecond)},
			{name: "on demand", occ: cutoff.Add(-time.Hour), kind: DeliveryOnDemand},
			{name: "pause ends now", occ: cutoff.Add(-time.Hour), want: true, setup: func(t *testing.T, user string, _ int64) {
				if err := s.SetPause(ctx, user, timePtrOf(t0.Add(time.Minute))); err != nil { // the clock at the call
					t.Fatal(err)
				}
			}},
			{name: "paused", occ: cutoff.Add(-time.Hour), setup: func(t *testing.T, user string, _ int64) {
				if err := s.SetPause(ctx, user, timePtrOf(t0.Add(week))); err != nil {
					t.Fatal(err)
				}
			}},
			{name: "answered", occ: cutoff.Add(-time.Hour), setup: func(t *testing.T, user string, d int64) {
				if err := s.RecordAnswer(ctx, Answer{UserID: user, DeliveryID: d, PromptID: "P1", Source: "button"}); err != nil {
					t.Fatal(err)
				}
			}},
			{name: "skipped", occ: cutoff.Add(-time.Hour), setup: func(t *testing.T, user string, d int64) {
				if _, err := s.SkipDelivery(ctx, user, d); err != nil {
					t.Fatal(err)
				}
			}},
			{name: "reminded already", occ: cutoff.Add(-time.Hour), setup: func(t *testing.T, user string, d int64) {
				if _, err := s.RemindLater(ctx, user, d, t0.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}},
			{name: "deleted in Slack", occ: cutoff.Add(-time.Hour), setup: func(t *testing.T, user string, _ int64) {
				if err := s.MarkPersonDeleted(ctx, user); err != nil {
					t.Fatal(err)
				}
			}},
			{name: "stopped", occ: cutoff.Add(-time.Hour), setup: func(t *testing.T, user string, _ int64) {
				if _, err := s.Stop(ctx, user); err != nil {
					t.Fatal(err)
				}
			}},
		}
		unposted := "not posted yet"
		users := map[string]string{}
		ids := map[string]int64{}
		for i, tt := range tests {
			user := fmt.Sprintf("U%02d", i)
			users[tt.name] = user
			startPerson(t, s, user, "D"+user, t0)
			kind := tt.kind
			if kind == "" {
				kind = DeliveryScheduled
			}
			ids[tt.name] = create(t, s, user, NewDelivery{Occurrence: tt.occ, Kind: kind, PromptID: "P1"})
		}
		sendAll(t, s)
		users[unposted] = "U99"
		startPerson(t, s, "U99", "DU99", t0)
		ids[unposted] = create(t, s, "U99", NewDelivery{Occurrence: cutoff.Add(-time.Hour), Kind: DeliveryScheduled, PromptID: "P1"})
		tests = append(tests, reminderCase{name: unposted})
		for _, tt := range tests {
			if tt.setup != nil {
				tt.setup(t, users[tt.name], ids[tt.name])
			}
		}
		clock.Advance(time.Minute)
		before := map[string]int{}
		for _, tt := range tests {
			before[tt.name] = len(outboxByDelivery(t, s, users[tt.name], KindReminder, ids[tt.name]))
		}

		n, err := s.QueueReminders(ctx, cutoff, 100)
		if err != nil {
			t.Fatal(err)
		}
		wantN := 0
		for _, tt := range tests {
			if tt.want {
				wantN++
			}
		}
		if n != wantN {
			t.Errorf("QueueReminders = %d, want %d", n, wantN)
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				user, d := users[tt.name], ids[tt.name]
				rems := outboxByDelivery(t, s, user, KindReminder, d)[before[tt.name]:]
				wantN := 0
				if tt.want {
					wantN = 1
				}
				if len(rems) != wantN {
					t.Fatalf("queued %d reminders, want %d", len(rems), wantN)
				}
				if !tt.want {
					return
				}
				r := rems[0]
				if r.State != "pending" || r.ChannelID != "D"+user || !r.AvailableAt.Equal(clock.Now()) ||
					!samePayload(r.Payload, payloadJSON(t, d, "P1")) {
					t.Errorf("reminder = %s in %q at %s payload %s, want pending in D%s at %s payload %s",
						r.State, r.ChannelID, r.AvailableAt, r.Payload, user, clock.Now(), payloadJSON(t, d, "P1"))
				}
				if got := mustDelivery(t, s, user, d).RemindedAt; timeOrNil(got) != timeOrNil(timePtrOf(clock.Now())) {
					t.Errorf("reminded_at = %s, want %s", timeOrNil(got), clock.Now())
				}
			})
		}
		clock.Advance(time.Hour)
		if n, err := s.QueueReminders(ctx, cutoff, 100); err != nil || n != 0 {
			t.Errorf("second QueueReminders = %d, %v; want 0", n, err)
		}
	})
}

func TestQueueRemindersLimit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		newer := create(t, s, "U1", NewDelivery{Occurrence: t0.Add(-week), Kind: DeliveryScheduled, PromptID: "P2"})
		older := create(t, s, "U1", NewDelivery{Occurrence: t0.Add(-2 * week), Kind: DeliveryScheduled, PromptID: "P1"})
		sendAll(t, s)
		steps := []struct {
			name     string
			want     int
			reminded []int64
		}{
			{name: "oldest first", want: 1, reminded: []int64{older}},
			{name: "then the next", want: 1, reminded: []int64{older, newer}},
			{name: "then none", want: 0, reminded: []int64{older, newer}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				n, err := s.QueueReminders(ctx, t0, 1)
				if err != nil {
					t.Fatal(err)
				}
				if n != st.want {
					t.Errorf("QueueReminders = %d, want %d", n, st.want)
				}
				var got []int64
				for _, id := range []int64{older, newer} {
					if len(outboxByDelivery(t, s, "U1", KindReminder, id)) == 1 {
						got = append(got, id)
					}
				}
				if !reflect.DeepEqual(got, st.reminded) {
					t.Errorf("deliveries with a reminder = %v, want %v", got, st.reminded)
				}
			})
		}
	})
}

func TestDeliveriesUnique(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		addPerson(t, s, "U1")
		addPerson(t, s, "U2")
		occ := t0.Add(time.Hour)
		insertDelivery(t, s, "U1", occ, "scheduled")

		insert := func(user string, at time.Time, kind string) (int64, error) {
			res, err := s.write.ExecContext(ctx, `
			INSERT INTO deliveries (user_id, occurrence, kind, prompt_id, created_at)
			VALUES (?, ?, ?, 'p', 0) ON CONFLICT (user_id, occurrence, kind) DO NOTHING`,
				user, millis(at), kind)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		}
		tests := []struct {
			name string
			user string
			at   time.Time
			kind string
			want int64
		}{
			{name: "same occurrence again", user: "U1", at: occ, kind: "scheduled", want: 0},
			{name: "same instant in another zone's clothes", user: "U1", at: occ.In(time.FixedZone("X", 3600)), kind: "scheduled", want: 0},
			{name: "on-demand at the same time", user: "U1", at: occ, kind: "on_demand", want: 1},
			{name: "next occurrence", user: "U1", at: occ.Add(7 * 24 * time.Hour), kind: "scheduled", want: 1},
			{name: "another person", user: "U2", at: occ, kind: "scheduled", want: 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := insert(tt.user, tt.at, tt.kind)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("rows inserted = %d, want %d", got, tt.want)
				}
			})
		}
		if _, err := s.write.ExecContext(ctx, `
		INSERT INTO deliveries (user_id, occurrence, kind, prompt_id, created_at) VALUES ('U1', ?, 'scheduled', 'p', 0)`,
			millis(occ)); err == nil {
			t.Error("plain duplicate insert succeeded, want a UNIQUE violation")
		}
	})
}
