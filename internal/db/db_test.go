package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestSQLitePath(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "plain relative", in: "reflect.db", want: "reflect.db"},
		{name: "plain absolute", in: "/data/reflect.db", want: "/data/reflect.db"},
		{name: "surrounding space", in: "  reflect.db\n", want: "reflect.db"},
		{name: "sqlite prefix", in: "sqlite:/data/reflect.db", want: "/data/reflect.db"},
		{name: "sqlite URL", in: "sqlite:///data/reflect.db", want: "/data/reflect.db"},
		{name: "file prefix", in: "file:reflect.db", want: "reflect.db"},
		{name: "file URL", in: "file:///data/reflect.db", want: "/data/reflect.db"},
		{name: "upper-case scheme", in: "SQLITE:reflect.db", want: "reflect.db"},
		{name: "other scheme", in: "mysql://host/db", wantErr: "unsupported database URL scheme"},
		{name: "empty", in: "", wantErr: "empty database path"},
		{name: "bare prefix", in: "sqlite:", wantErr: "empty database path"},
		{name: "query", in: "file:reflect.db?mode=ro", wantErr: "query or fragment"},
		{name: "memory", in: ":memory:", wantErr: "in-memory"},
		{name: "memory with prefix", in: "sqlite::memory:", wantErr: "in-memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sqlitePath(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("sqlitePath(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("sqlitePath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzSQLitePath(f *testing.F) {
	for _, s := range []string{"reflect.db", "sqlite:x.db", "file:///a/b", "postgres://h/d", ":memory:", "a?b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := sqlitePath(in)
		if err != nil {
			return
		}
		// Whatever is accepted must be safe to append our own DSN query to.
		if got == "" || strings.ContainsAny(got, "?#\x00") || strings.Contains(got, "://") {
			t.Fatalf("sqlitePath(%q) = %q, want a plain non-empty path", in, got)
		}
	})
}

// A PostgreSQL URL that cannot be used fails with a message that names the problem and never
// repeats the password.
func TestOpenBadPostgresURL(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"bad port", "postgres://reflect:hunter2@localhost:notaport/reflect", "not a valid PostgreSQL URL"},
		{"nobody listening", "postgres://reflect:hunter2@127.0.0.1:1/reflect?connect_timeout=2", "open PostgreSQL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.url)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("Open error = %q, want one containing %q and not the password", err, tt.want)
			}
		})
	}
}

// The two migration histories have the same versions and names, and build the same tables with
// the same columns: PostgreSQL's files differ only in types.
func TestSchemasMatch(t *testing.T) {
	lite, err := loadMigrations(migrationFiles, false)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(migrationFiles, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(lite), len(pg))
	}
	for i := range lite {
		if path.Base(lite[i].name) != path.Base(pg[i].name) {
			t.Errorf("migration %d: %s on SQLite, %s on PostgreSQL", i+1, lite[i].name, pg[i].name)
		}
	}
	a, _, _ := newStore(t)
	b, _, _ := postgresEngine.newStore(t)
	tables := userTables(t, a)
	if got := userTables(t, b); !reflect.DeepEqual(got, tables) {
		t.Fatalf("PostgreSQL tables %v, SQLite's %v", got, tables)
	}
	for _, table := range tables {
		if got, want := columns(t, b, table), columns(t, a, table); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: PostgreSQL columns %v, SQLite's %v", table, got, want)
		}
	}
	if err := b.Backup(context.Background(), filepath.Join(t.TempDir(), "b.db")); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("Backup on PostgreSQL = %v, want an error pointing to pg_dump", err)
	}
}

func TestOpenMigratesFromEmpty(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, path := e.newStore(t)
		ms, err := loadMigrations(migrationFiles, false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := ms[len(ms)-1].version; got != want {
			t.Errorf("SchemaVersion = %d, want %d", got, want)
		}
		if _, err := os.Stat(path); err != nil && !s.pg {
			t.Errorf("database file: %v", err)
		}
		stats, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := stats["schema_migrations"], len(ms); got != want {
			t.Errorf("schema_migrations rows = %d, want %d", got, want)
		}
	})
}

func TestOpenTwiceIsNoOp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reflect.db")
	first, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	addPerson(t, first, "U1")
	v1, err := first.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := openAt(t, path)
	v2, err := second.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v2 != v1 {
		t.Errorf("version after reopen = %d, want %d", v2, v1)
	}
	stats, err := second.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats["schema_migrations"] != v1 {
		t.Errorf("schema_migrations rows = %d, want %d (nothing re-applied)", stats["schema_migrations"], v1)
	}
	if p, err := second.Person(ctx, "U1"); err != nil || p.TZ != "Europe/Paris" {
		t.Errorf("Person(U1) after reopen = %+v, %v; want the stored person", p, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reflect.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, v+1); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if s, err := Open(ctx, path); err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded, want an error")
	} else if !strings.Contains(err.Error(), "newer than this binary") {
		t.Fatalf("Open error = %v, want one saying the schema is newer", err)
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(sql string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(sql)} }
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []int
		wantErr string
	}{
		{name: "ordered", fsys: fstest.MapFS{
			"migrations/0002_b.sql": file("B"), "migrations/0001_a.sql": file("A"),
		}, want: []int{1, 2}},
		{name: "gap", fsys: fstest.MapFS{
			"migrations/0001_a.sql": file("A"), "migrations/0003_c.sql": file("C"),
		}, wantErr: "want 2"},
		{name: "duplicate", fsys: fstest.MapFS{
			"migrations/0001_a.sql": file("A"), "migrations/0001_b.sql": file("B"),
		}, wantErr: "want 2"},
		{name: "bad name", fsys: fstest.MapFS{"migrations/init.sql": file("A")}, wantErr: "name must look like"},
		{name: "zero", fsys: fstest.MapFS{"migrations/0000_a.sql": file("A")}, wantErr: "positive"},
		{name: "none", fsys: fstest.MapFS{}, wantErr: "no migrations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.fsys, false)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("loadMigrations error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("versions = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMigrateIsAtomicPerMigration checks that a failing migration leaves nothing of itself behind
// and that applied ones are not re-run.
func TestMigrateIsAtomicPerMigration(t *testing.T) {
	ctx := context.Background()
	w, err := openPool(filepath.Join(t.TempDir(), "m.db") + "?" + pragmas + "&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	now := func() time.Time { return t0 }
	good := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);`)},
	}
	bad := fstest.MapFS{
		"migrations/0001_a.sql": good["migrations/0001_a.sql"],
		"migrations/0002_b.sql": {Data: []byte(`CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);`)},
	}
	if err := migrate(ctx, w, good, false, now); err != nil {
		t.Fatalf("migrate(good): %v", err)
	}
	if err := migrate(ctx, w, good, false, now); err != nil {
		t.Fatalf("migrate(good) again: %v", err)
	}
	if err := migrate(ctx, w, bad, false, now); err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("migrate(bad) error = %v, want one naming 0002_b.sql", err)
	}
	var rows, version, tablesB int
	if err := w.QueryRow(`SELECT COUNT(*) FROM a`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("rows in a = %d, want 1 (migration 1 applied once)", rows)
	}
	if err := w.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != 1 {
		t.Errorf("version = %d, want 1 (failed migration not recorded)", version)
	}
	if err := w.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'`).Scan(&tablesB); err != nil {
		t.Fatal(err)
	}
	if tablesB != 0 {
		t.Errorf("table b exists after its migration failed, want it rolled back")
	}
}

// TestPragmas checks the settings on several pooled connections at once, not just the first.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	want := map[string]string{
		"busy_timeout": "5000",
		"journal_mode": "wal",
		"synchronous":  "1", // NORMAL
		"foreign_keys": "1",
	}
	check := func(t *testing.T, name string, c *sql.Conn, extra map[string]string) {
		t.Helper()
		all := map[string]string{}
		for k, v := range want {
			all[k] = v
		}
		for k, v := range extra {
			all[k] = v
		}
		for pragma, w := range all {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", name, pragma, err)
			}
			if got != w {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, w)
			}
		}
	}

	// Hold every read connection at once so each is a distinct physical connection.
	var held []*sql.Conn
	for i := 0; i < readConns; i++ {
		c, err := s.read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	for i, c := range held {
		check(t, fmt.Sprintf("reader %d", i), c, map[string]string{"query_only": "1"})
	}
	for _, c := range held {
		c.Close()
	}
	wc, err := s.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "writer", wc, map[string]string{"query_only": "0"})
	wc.Close()

	if _, err := s.read.ExecContext(ctx, `INSERT INTO app_state (key, value, updated_at) VALUES ('x', 'y', 0)`); err == nil {
		t.Error("write through the read pool succeeded, want it refused")
	}
}

// TestWriterTakesLockAtBegin checks _txlock=immediate: a second writer must find the database
// locked as soon as the first one has begun, not only after its first write.
func TestWriterTakesLockAtBegin(t *testing.T) {
	ctx := context.Background()
	s, _, path := newStore(t)
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	other, err := openPool(path + "?_pragma=busy_timeout(0)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otx, err := other.BeginTx(ctx, nil)
	if err == nil {
		otx.Rollback()
		t.Fatal("second immediate transaction began while the store's was open, want SQLITE_BUSY")
	}
	if !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
		t.Fatalf("second BEGIN error = %v, want database locked", err)
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	addPerson(t, s, "U1")
	if _, err := s.Enrol(ctx, "U1", "self"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx, OutboxMessage{UserID: "U1", Kind: "prompt", Payload: []byte(`{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	wantStats, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}

	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(ctx, dst); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	copyStore := openAt(t, dst)
	gotStats, err := copyStore.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotStats, wantStats) {
		t.Errorf("backup stats = %v, want %v", gotStats, wantStats)
	}
	if got, err := copyStore.Enrolments(ctx, "U1"); err != nil || !reflect.DeepEqual(got, []string{"self"}) {
		t.Errorf("backup Enrolments(U1) = %v, %v; want [self]", got, err)
	}

	t.Run("runs beside an open write transaction", func(t *testing.T) {
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		// Only a deadline for a hung test: a backup through the single writer would wait
		// for this transaction forever.
		bctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := s.Backup(bctx, filepath.Join(t.TempDir(), "busy.db")); err != nil {
			t.Fatalf("Backup with a write transaction open: %v", err)
		}
	})

	t.Run("refuses an existing file", func(t *testing.T) {
		existing := filepath.Join(t.TempDir(), "keep.db")
		if err := os.WriteFile(existing, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		err := s.Backup(ctx, existing)
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("Backup(existing) error = %v, want already exists", err)
		}
		if fi, err := os.Stat(existing); err != nil || fi.Size() != 0 {
			t.Errorf("existing file changed: %v, %v", fi, err)
		}
	})
}

// userTables lists every user table in the schema, from the engine's catalogue.
func userTables(t *testing.T, s *Store) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if s.pg {
		q = `SELECT table_name FROM information_schema.tables
		     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return strings1(t, s, q)
}

// strings1 runs a query returning one text column.
func strings1(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.read.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestStatsCoversEveryTable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		s, _, _ := e.newStore(t)
		stats, err := s.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for k := range stats {
			got = append(got, k)
		}
		sort.Strings(got)
		if want := userTables(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("Stats tables = %v, want every table %v", got, want)
		}
	})
}

// columns lists a table's columns.
func columns(t *testing.T, s *Store, table string) []string {
	t.Helper()
	q := `SELECT name FROM pragma_table_info(?) ORDER BY cid`
	if s.pg {
		q = `SELECT column_name FROM information_schema.columns
		     WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`
	}
	cols := strings1(t, s, q, table)
	if len(cols) == 0 {
		t.Fatalf("table %s has no columns", table)
	}
	return cols
}

func TestErrorsWrapSentinels(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		_, err := s.Person(ctx, "UNOBODY")
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Person(absent) error = %v, want ErrNotFound", err)
		}
	})
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "reflect.db")
	s, err := Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open in a missing directory succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "db: open "+path) {
		t.Errorf("Open error = %v, want one naming the path", err)
	}
}
