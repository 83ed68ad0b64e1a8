package db

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TestInspect reads a database's schema version and changes nothing: a missing SQLite file stays
// missing, an existing one gains no file beside it, and an empty PostgreSQL schema stays empty.
func TestInspect(t *testing.T) {
	ctx := context.Background()
	forEachEngine(t, func(t *testing.T, e engine) {
		url := e.url(t)
		latest := len(mustMigrations(t, IsPostgres(url)))

		before := dirList(t, url)
		in, err := Inspect(ctx, url)
		if err != nil {
			t.Fatalf("Inspect of a new database: %v", err)
		}
		if got := (Inspection{Exists: IsPostgres(url), Latest: latest}); in != got {
			t.Errorf("new database: got %+v, want %+v", in, got)
		}
		if after := dirList(t, url); len(after) != len(before) {
			t.Errorf("Inspect created files: before %v, after %v", before, after)
		}

		s, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		before = dirList(t, url)
		if in, err = Inspect(ctx, url); err != nil {
			t.Fatalf("Inspect of a migrated database: %v", err)
		}
		if want := (Inspection{Exists: true, SchemaVersion: latest, Latest: latest}); in != want {
			t.Errorf("migrated database: got %+v, want %+v", in, want)
		}
		if after := dirList(t, url); len(after) != len(before) {
			t.Errorf("Inspect created files: before %v, after %v", before, after)
		}
	})
}

func mustMigrations(t *testing.T, pg bool) []migration {
	t.Helper()
	ms, err := loadMigrations(migrationFiles, pg)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// dirList lists the files beside a SQLite database (nothing for PostgreSQL).
func dirList(t *testing.T, url string) []string {
	t.Helper()
	if IsPostgres(url) {
		return nil
	}
	entries, err := os.ReadDir(filepath.Dir(url))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}
