package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// privateFixture is what fillPerson stored about one person.
type privateFixture struct {
	userID, dm, secret string
	channel            string // a channel they lead; its id does not contain theirs
	deliveries         []int64
	assessment         int64
}

// fillPerson stores a row in every table that can hold something about a person: enrolments by
// hand and by channel, a channel they lead, deliveries posted in their DM, an option answer and a
// typed answer quoting secret, an assessment with items, a monthly summary record, and outbox rows
// addressed to them and (like the reply to a typed answer) only to their DM channel, both quoting
// secret in their payloads.
func fillPerson(t *testing.T, s *Store, userID, secret string) privateFixture {
	t.Helper()
	ctx := context.Background()
	f := privateFixture{userID: userID, dm: "D" + userID, secret: secret, channel: "C-" + strings.ToLower(userID)}
	startPerson(t, s, userID, f.dm, t0.Add(7*24*time.Hour))
	if _, err := s.Enrol(ctx, userID, "channel:"+f.channel); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx,
		`INSERT INTO channels (channel_id, lead_user_id, opted_in_at) VALUES (?, ?, ?)`, f.channel, userID, millis(t0)); err != nil {
		t.Fatal(err)
	}
	f.deliveries = append(f.deliveries,
		create(t, s, userID, NewDelivery{Occurrence: t0, Kind: DeliveryOnDemand, PromptID: "direction-big-picture", WellbeingPromptID: "wellbeing-hours"}),
		create(t, s, userID, NewDelivery{Occurrence: t0.Add(time.Hour), Kind: DeliveryOnDemand, PromptID: "horizon-this-week"}))
	sendAll(t, s)
	for _, a := range []Answer{
		{UserID: userID, DeliveryID: f.deliveries[0], PromptID: "direction-big-picture", OptionIndex: intPtr(3), Lean: 0.5, Weight: 1,
			Explanation: "read as leadership — you chose “Paint the picture”", Source: "button"},
		{UserID: userID, DeliveryID: f.deliveries[0], PromptID: "wellbeing-hours", OptionIndex: intPtr(0), Weight: 1,
			Wellbeing: floatPtr(1), Explanation: "read as wellbeing", Source: "button"},
		{UserID: userID, DeliveryID: f.deliveries[1], PromptID: "horizon-this-week", Text: "I " + secret + " the team", Lean: 1, Weight: 0.5,
			Explanation: "read as leadership — because of “" + secret + "”", Source: "dm", MessageTS: "1741597200.000100"},
	} {
		if err := s.RecordAnswer(ctx, a); err != nil {
			t.Fatalf("RecordAnswer: %v", err)
		}
	}
	id, err := s.SaveAssessment(ctx, Assessment{UserID: userID, TakenAt: t0.Add(2 * time.Hour), Lean: 0.25, Label: "leadership",
		Items: []AssessmentItem{{PromptID: "assess-direction", OptionIndex: 4, Lean: floatPtr(1)}, {PromptID: "assess-hours", OptionIndex: 1, Wellbeing: floatPtr(-1)}}})
	if err != nil {
		t.Fatal(err)
	}
	f.assessment = id
	if _, err := s.write.ExecContext(ctx,
		`INSERT INTO summaries_sent (user_id, period, kind, sent_at) VALUES (?, '2025-02', 'person', ?)`, userID, millis(t0)); err != nil {
		t.Fatal(err)
	}
	// The mirror: the person leads f.channel with the mirror on and a month asked, was asked a
	// month of another channel's mirror and answered one question, and stopped it.
	if _, err := s.SetMirror(ctx, f.channel, userID, true); err != nil {
		t.Fatal(err)
	}
	lean := 2
	if _, err := s.QueueMirror(ctx, f.channel, userID, "2025-03", nil,
		[]MirrorOption{{ItemID: "m-one", Dimension: "people", Choice: 0, Lean: &lean}}); err != nil {
		t.Fatal(err)
	}
	for _, item := range []string{mirrorAsked, "m-one"} {
		if _, err := s.write.ExecContext(ctx, `INSERT INTO mirror_marks (user_id, channel_id, period, item_id) VALUES (?, ?, ?, ?)`,
			userID, "C-other", "2025-03", item); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.StopMirror(ctx, userID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitExperiment(ctx, Experiment{UserID: userID, Month: "2025-03", ExperimentID: "direction-open-with-why", Need: "direction-management"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordExperimentOutcome(ctx, userID, "2025-03", OutcomeWell, f.deliveries[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.SetExperimentNote(ctx, userID, "2025-03", "we "+secret+" more"); err != nil {
		t.Fatal(err)
	}
	quote, _ := json.Marshal(map[string]string{"text": "Thanks, recorded: because of “" + secret + "”"})
	for _, m := range []OutboxMessage{
		{ChannelID: f.dm, Kind: "message", Payload: quote},                 // a reply queued by DM channel only
		{UserID: userID, Kind: "message", Payload: quote},                  // a DM to the person, pending
		{UserID: userID, ChannelID: f.dm, Kind: KindSummary, Payload: nil}, // sent below
	} {
		if _, err := s.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	items, err := s.ClaimOutbox(ctx, time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Kind == KindSummary {
			if err := s.CompleteOutbox(ctx, it.ID, f.dm, "9.1"); err != nil {
				t.Fatal(err)
			}
		} else if err := s.RetryOutbox(ctx, it.ID, 0, t0, "unsent"); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// traces counts, in every column of every table, the values that contain any of needles.
func traces(t *testing.T, s *Store, needles ...string) map[string]int {
	t.Helper()
	found := map[string]int{}
	for _, table := range userTables(t, s) {
		for _, col := range columns(t, s, table) {
			for _, n := range needles {
				var c int
				find := "instr"
				if s.pg {
					find = "strpos"
				}
				q := `SELECT COUNT(*) FROM ` + table + ` WHERE ` + find + `(CAST(` + col + ` AS TEXT), ?) > 0`
				if err := s.read.QueryRow(q, n).Scan(&c); err != nil {
					t.Fatal(err)
				}
				if c > 0 {
					found[table+"."+col+" ∋ "+n] += c
				}
			}
		}
	}
	return found
}

// onDisk reports whether needle is anywhere in the database file or its write-ahead log.
func onDisk(t *testing.T, path, needle string) bool {
	t.Helper()
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(needle)) {
			return true
		}
	}
	return false
}

func TestForget(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		tests := []struct {
			name     string
			forget   string
			wantKnew bool
		}{
			{name: "a person with data everywhere", forget: "UA", wantKnew: true},
			{name: "someone Reflect never knew", forget: "UNOBODY", wantKnew: false},
			{name: "an empty id", forget: "", wantKnew: false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				s, _, path := e.newStore(t)
				fillPerson(t, s, "UA", "mentorzork")
				fillPerson(t, s, "UB", "visionquux")
				keepB := mustExport(t, s, "UB")
				before, err := s.Stats(ctx)
				if err != nil {
					t.Fatal(err)
				}

				knew, err := s.Forget(ctx, tt.forget)
				if tt.forget == "" {
					if err == nil {
						t.Fatal("Forget(\"\") error = nil, want an error")
					}
				} else if err != nil {
					t.Fatalf("Forget: %v", err)
				}
				if knew != tt.wantKnew {
					t.Errorf("Forget = %v, want %v", knew, tt.wantKnew)
				}

				// The other person is untouched, row for row.
				gotB := mustExport(t, s, "UB")
				gotB.ExportedAt = keepB.ExportedAt
				if !reflect.DeepEqual(gotB, keepB) {
					t.Errorf("UB's data changed:\ngot  %+v\nwant %+v", gotB, keepB)
				}
				after, err := s.Stats(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !tt.wantKnew {
					if !reflect.DeepEqual(after, before) {
						t.Errorf("rows changed: %v → %v", before, after)
					}
					return
				}
				if got := traces(t, s, "UA", "DUA", "mentorzork"); len(got) > 0 {
					t.Errorf("traces of UA left: %v", got)
				}
				if !s.pg && onDisk(t, path, "mentorzork") {
					t.Errorf("UA's words are still in the database file or its log")
				}
				if _, err := s.Export(ctx, "UA"); !errors.Is(err, ErrNotFound) {
					t.Errorf("Export after Forget error = %v, want ErrNotFound", err)
				}
				// UA's channel stays opted in for its members, without a lead.
				var lead *string
				if err := s.read.QueryRow(`SELECT lead_user_id FROM channels WHERE channel_id = 'C-ua'`).Scan(&lead); err != nil {
					t.Fatalf("UA's channel: %v", err)
				}
				if lead != nil {
					t.Errorf("UA's channel lead = %q, want NULL", *lead)
				}
				for table, n := range before {
					want := n / 2
					switch table {
					case "schema_migrations", "seen_events", "app_state", "channels":
						want = n
					}
					if after[table] != want {
						t.Errorf("%s rows = %d, want %d (before %d)", table, after[table], want, n)
					}
				}
				if again, err := s.Forget(ctx, "UA"); err != nil || again {
					t.Errorf("Forget again = %v, %v; want false, nil", again, err)
				}
			})
		}
	})
}

// TestForgetErasesFromDisk: the words are on disk before (so the check can see them), and gone
// after, not only unlinked from the tables: including earlier versions of a row, which updates
// left in the file's free space before anyone asked to forget.
func TestForgetErasesFromDisk(t *testing.T) {
	ctx := context.Background()
	s, _, path := newStore(t)
	fillPerson(t, s, "UA", "mentorzork")
	fillPerson(t, s, "UB", "visionquux")
	// A row rewritten smaller leaves its earlier version in the page's free space. Here it is done
	// by hand, to be sure of it; in the running bot a post's state changes do the same.
	quote, _ := json.Marshal(map[string]string{"text": strings.Repeat("Thanks, ", 40) + "because of “earlierzork”"})
	id, err := s.Enqueue(ctx, OutboxMessage{ChannelID: "DUA", Kind: "message", Payload: quote})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `UPDATE outbox SET payload = '{}' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	for _, words := range []string{"mentorzork", "earlierzork"} {
		if !onDisk(t, path, words) {
			t.Fatalf("%q is not on disk before Forget: the check cannot see it", words)
		}
	}
	if got := traces(t, s, "earlierzork"); len(got) > 0 {
		t.Fatalf("the earlier version is in a table (%v), want it only in free space", got)
	}
	if _, err := s.Forget(ctx, "UA"); err != nil {
		t.Fatal(err)
	}
	for _, words := range []string{"mentorzork", "earlierzork"} {
		if onDisk(t, path, words) {
			t.Errorf("%q is still in the database file or its log after Forget", words)
		}
	}
	if !onDisk(t, path, "visionquux") {
		t.Error("UB's words are gone from disk, want them kept")
	}
	var secure int
	if err := s.write.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&secure); err != nil {
		t.Fatal(err)
	}
	if secure != 0 {
		t.Errorf("secure_delete = %d after Forget, want it put back to 0", secure)
	}
}

func TestPurgeAnswers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		cutoff := t0.AddDate(0, 1, 0)
		tests := []struct {
			name string
			at   time.Time
			gone bool
		}{
			{name: "long before", at: cutoff.AddDate(-1, 0, 0), gone: true},
			{name: "a millisecond before", at: cutoff.Add(-time.Millisecond), gone: true},
			{name: "at the cutoff", at: cutoff, gone: false},
			{name: "after", at: cutoff.Add(time.Hour), gone: false},
		}
		s, _, path := e.newStore(t)
		startPerson(t, s, "UA", "DUA", t0)
		wantGone := int64(0)
		for i, tt := range tests {
			d := create(t, s, "UA", NewDelivery{Occurrence: t0.Add(time.Duration(i) * time.Minute), Kind: DeliveryOnDemand, PromptID: "horizon-this-week"})
			if err := s.RecordAnswer(ctx, Answer{UserID: "UA", DeliveryID: d, PromptID: "horizon-this-week",
				Text: "words-" + tt.name, Weight: 0.5, Source: "modal", AnsweredAt: tt.at}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.SaveAssessment(ctx, Assessment{UserID: "UA", TakenAt: tt.at, Label: "balanced",
				Items: []AssessmentItem{{PromptID: "assess-" + strings.ReplaceAll(tt.name, " ", "-"), OptionIndex: 0}}}); err != nil {
				t.Fatal(err)
			}
			if tt.gone {
				wantGone += 2
			}
		}

		n, err := s.PurgeAnswers(ctx, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		if n != wantGone {
			t.Errorf("PurgeAnswers = %d, want %d (answers and assessments)", n, wantGone)
		}
		ex := mustExport(t, s, "UA")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var answer, assessment bool
				for _, a := range ex.Answers {
					answer = answer || (a.Text != nil && *a.Text == "words-"+tt.name)
				}
				for _, a := range ex.Assessments {
					assessment = assessment || a.TakenAt.Equal(tt.at)
				}
				if answer == tt.gone || assessment == tt.gone {
					t.Errorf("answer kept %v, assessment kept %v; want both %v", answer, assessment, !tt.gone)
				}
				if got := onDisk(t, path, "words-"+tt.name); !s.pg && got == tt.gone {
					t.Errorf("words on disk = %v, want %v", got, !tt.gone)
				}
			})
		}
		// Items go with their assessments; deliveries stay for the rotation.
		var items int
		if err := s.read.QueryRow(`SELECT COUNT(*) FROM assessment_items`).Scan(&items); err != nil {
			t.Fatal(err)
		}
		if want := len(tests) - int(wantGone/2); items != want {
			t.Errorf("assessment items = %d, want %d", items, want)
		}
		if len(ex.Deliveries) != len(tests) {
			t.Errorf("deliveries = %d, want all %d kept", len(ex.Deliveries), len(tests))
		}
		if n, err := s.PurgeAnswers(ctx, cutoff); err != nil || n != 0 {
			t.Errorf("PurgeAnswers again = %d, %v; want 0, nil", n, err)
		}
	})
}

// completeSending completes every item still leased, as a relay would.
func completeSending(t *testing.T, s *Store) {
	t.Helper()
	rows, err := s.read.Query(`SELECT id FROM outbox WHERE state = 'sending'`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := s.CompleteOutbox(context.Background(), id, "DUA", "1.1"); err != nil {
			t.Fatal(err)
		}
	}
}

// holdReader starts a read transaction on a connection of its own that keeps the snapshot it
// took, as a backup's VACUUM INTO does, and returns the function that ends it.
func holdReader(t *testing.T, path string) func() {
	t.Helper()
	pool, err := openPool(path + "?" + pragmas)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := pool.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM answers`).Scan(&n); err != nil { // the snapshot starts here
		t.Fatal(err)
	}
	var once sync.Once
	end := func() {
		once.Do(func() {
			tx.Rollback()
			pool.Close()
		})
	}
	t.Cleanup(end)
	return end
}

// TestForgetWithLongReader: Forget says done only once the words are gone from the file and its
// log, although a long reader blocks the checkpoint; past its wait it says the erasure is pending,
// and FinishErase completes it, after a restart too, once the reader has ended.
func TestForgetWithLongReader(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T, wait time.Duration) (*Store, string) {
		path := filepath.Join(t.TempDir(), "reflect.db")
		s, err := Open(ctx, path, WithNow(func() time.Time { return t0 }), WithEraseWait(wait))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fillPerson(t, s, "UA", "mentorzork")
		fillPerson(t, s, "UB", "visionquux")
		if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			t.Fatal(err)
		}
		if !onDisk(t, path, "mentorzork") {
			t.Fatal("the words are not on disk before Forget: the check cannot see them")
		}
		return s, path
	}

	t.Run("the reader outlasts the wait", func(t *testing.T) {
		s, path := setup(t, 200*time.Millisecond)
		endReader := holdReader(t, path)
		known, err := s.Forget(ctx, "UA")
		if !errors.Is(err, ErrErasePending) || !known {
			t.Fatalf("Forget with a reader holding the log = %v, %v; want true, ErrErasePending", known, err)
		}
		if got := traces(t, s, "mentorzork"); len(got) > 0 {
			t.Errorf("the rows are still there while the erasure is pending: %v", got)
		}
		if pending, err := s.FinishErase(ctx); err != nil || !pending {
			t.Errorf("FinishErase with the reader still there = %v, %v; want true, nil", pending, err)
		}
		// The record survives a restart.
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		endReader()
		s2 := openAt(t, path)
		if pending, err := s2.FinishErase(ctx); err != nil || pending {
			t.Fatalf("FinishErase after the reader ended = %v, %v; want false, nil", pending, err)
		}
		if onDisk(t, path, "mentorzork") {
			t.Error("the words are still in the database file or its log after FinishErase")
		}
		if !onDisk(t, path, "visionquux") {
			t.Error("UB's words are gone from disk, want them kept")
		}
		if pending, err := s2.FinishErase(ctx); err != nil || pending {
			t.Errorf("FinishErase with nothing pending = %v, %v; want false, nil", pending, err)
		}
	})

	t.Run("the reader ends during the wait", func(t *testing.T) {
		s, path := setup(t, time.Minute)
		endReader := holdReader(t, path)
		type result struct {
			known bool
			err   error
		}
		done := make(chan result, 1)
		go func() {
			known, err := s.Forget(ctx, "UA")
			done <- result{known, err}
		}()
		// Once the deletion is committed, Forget is waiting on the reader: end it.
		deadline := time.Now().Add(30 * time.Second)
		for {
			var n int
			if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE user_id = 'UA'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("Forget never committed")
			}
			time.Sleep(10 * time.Millisecond)
		}
		endReader()
		r := <-done
		if r.err != nil || !r.known {
			t.Fatalf("Forget = %v, %v; want true, nil", r.known, r.err)
		}
		if onDisk(t, path, "mentorzork") {
			t.Error("Forget said done, but the words are still in the database file or its log")
		}
	})
}

// TestForgetCascades fills every table with rows about two people, deletes one, and scans
// every column of every table for the deleted person's id.
func TestForgetCascades(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		for _, u := range []string{"UGONE", "UKEEP"} {
			addPerson(t, s, u)
			if _, err := s.Enrol(ctx, u, "self"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Enrol(ctx, u, "channel:C1"); err != nil {
				t.Fatal(err)
			}
			d := insertDelivery(t, s, u, t0, "scheduled")
			if _, err := s.Enqueue(ctx, OutboxMessage{UserID: u, Kind: "prompt", DeliveryID: d}); err != nil {
				t.Fatal(err)
			}
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO answers (user_id, delivery_id, prompt_id, option_index, lean, weight, source, answered_at)
			  VALUES (?, ?, 'p', 1, 0.5, 1, 'button', 0)`, []any{u, d}},
				{`INSERT INTO answers (user_id, prompt_id, text, lean, weight, source, message_ts, answered_at)
			  VALUES (?, 'q', 'typed words', 0, 0.5, 'dm', '1700.1', 0)`, []any{u}},
				{`INSERT INTO assessments (user_id, taken_at, lean, label) VALUES (?, 0, 0.3, 'leadership')`, []any{u}},
				{`INSERT INTO assessment_items (assessment_id, prompt_id, option_index, lean)
			  SELECT id, 'a1', 0, 1 FROM assessments WHERE user_id = ?`, []any{u}},
				{`INSERT INTO summaries_sent (user_id, period, kind, sent_at) VALUES (?, '2025-02', 'person', 0)`, []any{u}},
				{`INSERT INTO channels (channel_id, lead_user_id, opted_in_at) VALUES (?, ?, 0)`, []any{"C-" + u, u}},
			} {
				if _, err := s.write.ExecContext(ctx, q.sql, q.args...); err != nil {
					t.Fatalf("%s: %v", q.sql, err)
				}
			}
		}
		var goneAssessment int64
		if err := s.read.QueryRow(`SELECT id FROM assessments WHERE user_id = 'UGONE'`).Scan(&goneAssessment); err != nil {
			t.Fatal(err)
		}
		before, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}

		if ok, err := s.Forget(ctx, "UGONE"); err != nil || !ok {
			t.Fatalf("Forget = %v, %v; want true, nil", ok, err)
		}
		if ok, err := s.Forget(ctx, "UGONE"); err != nil || ok {
			t.Fatalf("Forget again = %v, %v; want false, nil", ok, err)
		}

		for _, table := range userTables(t, s) {
			cols := columns(t, s, table)
			for _, col := range cols {
				var n int
				if err := s.read.QueryRow(`SELECT COUNT(*) FROM ` + table + ` WHERE CAST(` + col + ` AS TEXT) = 'UGONE'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					t.Errorf("%s.%s: %d rows still name the deleted person", table, col, n)
				}
			}
		}
		var items int
		if err := s.read.QueryRow(`SELECT COUNT(*) FROM assessment_items WHERE assessment_id = ?`, goneAssessment).Scan(&items); err != nil {
			t.Fatal(err)
		}
		if items != 0 {
			t.Errorf("assessment_items of the deleted person = %d, want 0", items)
		}

		after, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The other person's rows are all still there: every per-person table lost exactly the
		// deleted person's share, and the channel they led survives without a lead.
		for table, n := range before {
			want := n / 2
			switch table {
			case "schema_migrations", "seen_events", "app_state", "channels":
				want = n
			}
			if after[table] != want {
				t.Errorf("%s rows after delete = %d, want %d (before %d)", table, after[table], want, n)
			}
		}
	})
}
