package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Inspection is what a database holds, read without changing it (for `bot check`).
type Inspection struct {
	Exists        bool // false: a SQLite file that is not there yet (the bot would create it)
	SchemaVersion int  // the migrations already applied; 0 for an empty database
	Latest        int  // the migrations this binary carries; the bot applies the rest on start
}

// Inspect reads the schema version of the database url names without creating, migrating or
// writing anything: a missing SQLite file is reported, not created, and an existing one is opened
// read-only; PostgreSQL is only queried.
func Inspect(ctx context.Context, url string) (Inspection, error) {
	ms, err := loadMigrations(migrationFiles, IsPostgres(url))
	if err != nil {
		return Inspection{}, err
	}
	in := Inspection{Latest: len(ms)}
	var conn *sql.DB
	if IsPostgres(url) {
		if conn, err = openPostgres(url); err != nil {
			return in, fmt.Errorf("db: inspect %s: %w", Describe(url), err)
		}
	} else {
		file, err := sqlitePath(url)
		if err != nil {
			return in, fmt.Errorf("db: inspect: %w", err)
		}
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			return in, nil
		} else if err != nil {
			return in, fmt.Errorf("db: inspect %s: %w", file, err)
		}
		// mode=ro: SQLite refuses every write. Without a WAL file beside it (no bot running, or
		// one that closed cleanly) everything is in the main file, and immutable=1 reads it
		// without creating the -wal and -shm files a WAL database otherwise gets even read-only.
		dsn := "file:" + file + "?mode=ro&_pragma=busy_timeout(5000)"
		if _, err := os.Stat(file + "-wal"); errors.Is(err, fs.ErrNotExist) {
			dsn += "&immutable=1"
		}
		if conn, err = openPool(dsn); err != nil {
			return in, fmt.Errorf("db: inspect %s: %w", file, err)
		}
	}
	defer conn.Close()
	in.Exists = true
	var tables int
	if err := conn.QueryRowContext(ctx, countMigrationTables(IsPostgres(url))).Scan(&tables); err != nil {
		return in, fmt.Errorf("db: inspect %s: %w", Describe(url), err)
	}
	if tables == 0 {
		return in, nil // an empty database: the bot migrates it from the start
	}
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&in.SchemaVersion); err != nil {
		return in, fmt.Errorf("db: inspect %s: %w", Describe(url), err)
	}
	return in, nil
}

// countMigrationTables counts the tables named schema_migrations the connection can see.
func countMigrationTables(pg bool) string {
	if pg {
		return `SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()`
	}
	return `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
}
