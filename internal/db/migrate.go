package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrationFiles is the migration set built into the binary. migrations/ holds the history both
// engines share; a file of the same name under migrations/postgres/ replaces one on PostgreSQL,
// only where the SQL must differ (column types: SQLite's INTEGER PRIMARY KEY is PostgreSQL's
// identity column, its REAL a double precision).
//
//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrationLock is the PostgreSQL advisory lock key migrations run under, so replicas starting
// together apply each migration once ("reflect" in ASCII).
const migrationLock = 0x7265666c656374

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads NNNN_name.sql files from fsys, with PostgreSQL's replacements when pg is
// set. Versions must run 1, 2, 3… without gaps or duplicates, so a mis-numbered file fails every
// test instead of reaching a database.
func loadMigrations(fsys fs.FS, pg bool) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		num, _, ok := strings.Cut(strings.TrimSuffix(path.Base(name), ".sql"), "_")
		if !ok || len(num) != 4 {
			return nil, fmt.Errorf("migration %s: name must look like 0001_description.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive four-digit number", name)
		}
		if pg {
			alt := path.Join(path.Dir(name), "postgres", path.Base(name))
			if _, err := fs.Stat(fsys, alt); err == nil {
				name = alt
			}
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d (no gaps or duplicates)", m.name, m.version, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations found")
	}
	return ms, nil
}

// migrate applies pending migrations in order, each in its own transaction together with its
// schema_migrations row, so a crash leaves the schema at a whole version. A database newer than
// the migrations known here is refused: running old code on a newer schema could corrupt data.
//
// On PostgreSQL the whole run holds an advisory lock on one connection: there the transaction
// alone would not keep two replicas from creating the same table at once.
func migrate(ctx context.Context, pool *sql.DB, fsys fs.FS, pg bool, now func() time.Time) error {
	ms, err := loadMigrations(fsys, pg)
	if err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	w, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: migrate: %w", err)
	}
	defer w.Close()
	if pg {
		if _, err := w.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, migrationLock); err != nil {
			return fmt.Errorf("db: migrate: lock: %w", err)
		}
		defer w.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, migrationLock)
	}
	if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at BIGINT  NOT NULL
	)`); err != nil {
		return fmt.Errorf("db: migrate: create schema_migrations: %w", err)
	}
	var current int
	if err := w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("db: migrate: read version: %w", err)
	}
	if latest := ms[len(ms)-1].version; current > latest {
		return fmt.Errorf("db: migrate: database schema version %d is newer than this binary knows (%d): run a newer release, do not downgrade", current, latest)
	}
	for _, m := range ms {
		if err := applyMigration(ctx, w, m, now()); err != nil {
			return fmt.Errorf("db: migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// applyMigration runs one migration unless it is already recorded. The check is inside the
// (immediate) transaction, so two processes starting together cannot both apply it.
func applyMigration(ctx context.Context, w *sql.Conn, m migration, now time.Time) error {
	_, err := transact(ctx, w, nil, "", func(tx *sql.Tx) (struct{}, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
			return struct{}{}, err
		}
		if n > 0 {
			return struct{}{}, nil
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return struct{}{}, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.version, millis(now))
		return struct{}{}, err
	})
	return err
}

// SchemaVersion returns the highest applied migration number.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("db: schema version: %w", err)
	}
	return v, nil
}
