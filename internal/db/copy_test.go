package db

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCopyOrderCoversEveryTable(t *testing.T) {
	got := append([]string{"schema_migrations"}, copyOrder...)
	want := tableNames()
	slices.Sort(got)
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("copied tables (and schema_migrations) %v, want every table %v", got, want)
	}
}

// CopyInto moves a SQLite database with a row in every table into PostgreSQL: the counts match,
// each person's export is the same on both sides, new rows get fresh ids, and a second copy into
// the now non-empty target is refused without writing.
func TestCopyInto(t *testing.T) {
	ctx := context.Background()
	src, _, _ := newStore(t)
	dst, _, _ := postgresEngine.newStore(t)
	fillPerson(t, src, "UA", "mentorzork")
	fillPerson(t, src, "UB", "coachzork")
	if _, err := src.ClaimEvent(ctx, "Ev1"); err != nil {
		t.Fatal(err)
	}
	if err := src.SetAppState(ctx, "sending_stopped", "app_uninstalled"); err != nil {
		t.Fatal(err)
	}
	// An opt-in job half-way: it must carry on after the move.
	if _, err := src.StartOptIn(ctx, "CCOPY", "UA", "T1", true); err != nil {
		t.Fatal(err)
	}
	if err := src.AddOptInMembers(ctx, "CCOPY", []string{"UA", "UB"}, "next-page"); err != nil {
		t.Fatal(err)
	}
	if _, err := src.SaveTeamFigure(ctx, "C1", "2026-03", []byte(`{"Respondents":5}`)); err != nil {
		t.Fatal(err)
	}
	if tok, err := src.ClaimJob(ctx, "retention", "2026-03-10", t0, time.Minute); err != nil || tok == 0 {
		t.Fatalf("ClaimJob = %d, %v", tok, err)
	}
	before, err := src.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range copyOrder {
		if before[table] == 0 {
			t.Fatalf("the fixture leaves %s empty: the copy of it would go unchecked", table)
		}
	}

	counts, err := src.CopyInto(ctx, dst)
	if err != nil {
		t.Fatalf("CopyInto: %v", err)
	}
	after, err := dst.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range copyOrder {
		if counts[table] != before[table] || after[table] != before[table] {
			t.Errorf("%s: %d rows in the source, %d copied, %d in the target", table, before[table], counts[table], after[table])
		}
	}
	for _, user := range []string{"UA", "UB"} {
		a, _ := json.Marshal(mustExport(t, src, user))
		b, _ := json.Marshal(mustExport(t, dst, user))
		if string(a) != string(b) {
			t.Errorf("%s's export differs after the copy:\nSQLite     %s\nPostgreSQL %s", user, a, b)
		}
	}
	if v, ok, err := dst.AppState(ctx, "sending_stopped"); err != nil || !ok || v != "app_uninstalled" {
		t.Errorf("AppState on the target = %q, %v, %v; want the copied flag", v, ok, err)
	}
	var maxID int64
	if err := dst.read.QueryRow(`SELECT MAX(id) FROM outbox`).Scan(&maxID); err != nil {
		t.Fatal(err)
	}
	if id, err := dst.Enqueue(ctx, OutboxMessage{UserID: "UA", Kind: "message"}); err != nil || id <= maxID {
		t.Errorf("Enqueue after the copy = %d, %v; want an id above the copied %d", id, err, maxID)
	}

	again, err := dst.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.CopyInto(ctx, dst); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("second CopyInto = %v, want a refusal naming the data already there", err)
	}
	if now, _ := dst.Stats(ctx); !reflect.DeepEqual(now, again) {
		t.Errorf("a refused copy changed the target: %v → %v", again, now)
	}
	if _, err := dst.CopyInto(ctx, src); err == nil || !strings.Contains(err.Error(), "source must be a SQLite") {
		t.Errorf("CopyInto from PostgreSQL = %v, want a refusal", err)
	}
}
