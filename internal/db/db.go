// Package db is Reflect's store: one SQLite file with embedded, ordered migrations, raw SQL and one
// transaction per public method. It is the only package that imports the SQLite driver; callers see
// plain Go types.
//
// Conventions, chosen so that a PostgreSQL adapter can reuse the queries:
//   - Times are stored as integer milliseconds since the Unix epoch (UTC) in BIGINT columns named
//     *_at, *_until or occurrence. Integers sort and compare correctly, which RFC 3339 text with
//     trimmed fractional seconds does not ("…:00Z" sorts after "…:00.5Z").
//   - Booleans are integers 0 and 1.
//   - Upserts use ON CONFLICT … DO NOTHING / DO UPDATE; RETURNING is used where it saves a query.
//   - Every write transaction goes through transact (tx.go).
//
// Files by topic: people.go (people and enrolment), deliveries.go (weekly deliveries, the due
// read and its plans, reminders), answers.go (answers and assessments), summaries.go, teams.go
// and optin_jobs.go (channel opt-in), export.go and privacy.go (export, forget, retention),
// events.go (seen events, process-wide state), kinds.go (the one list of outbox kinds and what a
// sent post of a kind changes), outbox.go (the generic queue, which knows no feature).
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// ErrNotFound is returned (wrapped) when the row a method needs does not exist.
var ErrNotFound = errors.New("db: not found")

// ErrWrongState is returned (wrapped) when a row exists but its state does not allow the change,
// such as retrying an outbox item that was already sent.
var ErrWrongState = errors.New("db: wrong state")

// Store is the SQLite store. It holds one writer connection, so writes never contend inside the
// process and every write transaction takes the write lock at BEGIN (_txlock=immediate) instead
// of failing half-way with SQLITE_BUSY; reads go to a separate read-only pool and run beside the
// writer thanks to WAL.
//
// On PostgreSQL (a postgres:// URL) both are one pool, and several replicas may share the
// database: correctness then comes from the unique constraints, guarded updates and the outbox
// claim's row locks, as it already does between SQLite's single writer and a restarted process.
type Store struct {
	write *sql.DB
	read  *sql.DB
	file  string // the SQLite database file, for Backup's own connection
	pg    bool   // PostgreSQL rather than SQLite
	owner string // "host/pid", recorded on the outbox posts this process claims
	now   func() time.Time
	// eraseWait bounds how long an erasure waits for readers to let its checkpoint finish.
	eraseWait time.Duration
}

// Option configures a Store.
type Option func(*Store)

// WithNow sets the store's clock (default time.Now). Methods read it once per transaction, so one
// call sees one instant.
func WithNow(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// readConns bounds the read pool: the machine this runs on is small and SQLite readers are cheap,
// but an unbounded pool would only queue on the file system.
const readConns = 4

// pragmas are the per-connection settings, written in the order the design asks for. They live in
// the DSN so that every pooled connection gets them, not only the first. The driver runs
// busy_timeout first whatever the order (then the rest alphabetically), so the journal_mode change
// waits for another process holding the file instead of failing with SQLITE_BUSY.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"

// Open opens the database DATABASE_URL names and runs pending migrations: a "postgres://" URL
// selects PostgreSQL; anything else is a SQLite file (created if needed), given as a plain path
// or as "sqlite:<path>" / "file:<path>".
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if IsPostgres(path) {
		return openPostgresStore(ctx, path, opts...)
	}
	file, err := sqlitePath(path)
	if err != nil {
		return nil, fmt.Errorf("db: open: %w", err)
	}
	s := &Store{file: file, owner: processOwner(), now: time.Now, eraseWait: defaultEraseWait}
	for _, o := range opts {
		o(s)
	}
	if err := createPrivate(file); err != nil {
		return nil, fmt.Errorf("db: open %s: %w", file, err)
	}

	s.write, err = openPool(file + "?" + pragmas + "&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("db: open writer: %w", err)
	}
	// One writer: SQLite allows one anyway, and queuing in database/sql is cheaper and fairer
	// than spinning on busy_timeout. The connection is kept for the life of the store.
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	s.write.SetConnMaxIdleTime(0)

	if err := s.write.PingContext(ctx); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("db: open %s: %w", file, err)
	}
	// The writer has now created the file and switched it to WAL; the read pool comes after the
	// migrations because a query-only connection can do neither and should see the final schema.
	if err := migrate(ctx, s.write, migrationFiles, false, s.now); err != nil {
		s.write.Close()
		return nil, err
	}

	// _query_only makes a write through the read pool fail loudly instead of bypassing the
	// single writer. The driver applies it after the other pragmas.
	s.read, err = openPool(file + "?" + pragmas + "&_query_only=1")
	if err != nil {
		s.write.Close()
		return nil, fmt.Errorf("db: open reader: %w", err)
	}
	s.read.SetMaxOpenConns(readConns)
	s.read.SetMaxIdleConns(readConns)
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("db: open: %w", err)
	}
	return s, nil
}

// createPrivate creates the database file, empty and readable by its owner only, unless it exists.
// SQLite gives the -wal and -shm files it creates the mode of the database file, so they are
// owner-only as well; left to SQLite, all three would be created under the umask, usually
// world-readable, answers included. An existing file keeps the mode its operator gave it. A
// missing directory is not created: it is more likely a mistyped DATABASE_URL than a wish.
func createPrivate(file string) error {
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// processOwner names this process among replicas: its host and process id.
func processOwner() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

func openPool(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// SQLiteFile returns the file a SQLite DATABASE_URL names, or why it names none.
func SQLiteFile(raw string) (string, error) { return sqlitePath(raw) }

// sqlitePath turns DATABASE_URL into a plain file path. The store adds its own DSN parameters, so
// a query string in the value is refused rather than silently dropped or merged.
func sqlitePath(raw string) (string, error) {
	p := strings.TrimSpace(raw)
	lower := strings.ToLower(p)
	switch {
	case strings.HasPrefix(lower, "sqlite://"):
		p = p[len("sqlite://"):]
	case strings.HasPrefix(lower, "sqlite:"):
		p = p[len("sqlite:"):]
	case strings.HasPrefix(lower, "file://"):
		p = p[len("file://"):]
	case strings.HasPrefix(lower, "file:"):
		p = p[len("file:"):]
	}
	switch {
	case p == "":
		return "", errors.New("empty database path")
	case strings.Contains(p, "://"):
		return "", fmt.Errorf("unsupported database URL scheme in %q: give a SQLite file path or a postgres:// URL", raw)
	case strings.ContainsAny(p, "?#"):
		return "", fmt.Errorf("database path %q has a query or fragment: give a plain file path, the store sets its own options", raw)
	case p == ":memory:" || strings.HasPrefix(p, ":memory:"):
		// The writer and the read pool are separate connections and would see separate
		// in-memory databases.
		return "", errors.New("an in-memory database is not supported: give a file path")
	case strings.ContainsRune(p, 0):
		return "", errors.New("database path contains a NUL byte")
	}
	return p, nil
}

// openPostgresStore opens a PostgreSQL store: one pool for reads and writes.
func openPostgresStore(ctx context.Context, url string, opts ...Option) (*Store, error) {
	pool, err := openPostgres(url)
	if err != nil {
		return nil, fmt.Errorf("db: open: %w", err)
	}
	s := &Store{write: pool, read: pool, pg: true, owner: processOwner(), now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: open PostgreSQL: %w", err)
	}
	if err := migrate(ctx, pool, migrationFiles, true, s.now); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	var errs []error
	if s.read != nil && s.read != s.write {
		if err := s.read.Close(); err != nil {
			errs = append(errs, fmt.Errorf("db: close reader: %w", err))
		}
	}
	if err := s.write.Close(); err != nil {
		errs = append(errs, fmt.Errorf("db: close writer: %w", err))
	}
	return errors.Join(errs...)
}

// Ping checks that both the writer and the read pool answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("db: ping writer: %w", err)
	}
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("db: ping reader: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of the database to path with VACUUM INTO, while the store keeps
// serving. It refuses to overwrite an existing file, so a typo cannot destroy an earlier backup.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.pg {
		return errors.New("db: backup: the database is PostgreSQL: back it up with pg_dump")
	}
	if path == "" {
		return errors.New("db: backup: empty path")
	}
	// The copy holds everyone's answers: it is created here, empty and owner-only, as VACUUM
	// INTO accepts an empty file and would otherwise create one under the umask (usually
	// world-readable). O_EXCL also refuses an existing file without a gap to race in.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("db: backup: %s already exists", path)
	}
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.Remove(path) // only the empty file made above, or a partial copy
		}
	}()
	// VACUUM INTO only reads the source, inside one read transaction, so the copy is a
	// consistent snapshot. A query-only connection refuses it, and the writer would hold up
	// every write for the length of the copy; a connection of its own does neither.
	c, err := openPool(s.file + "?" + pragmas)
	if err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	if err := c.Close(); err != nil {
		return fmt.Errorf("db: backup: %w", err)
	}
	done = true
	return nil
}

// tableNames lists every table, for Stats; a test checks it against the schema so a table added by
// a migration is not forgotten.
func tableNames() []string {
	return []string{
		"schema_migrations", "people", "enrolments", "channels", "deliveries", "answers",
		"assessments", "assessment_items", "seen_events", "outbox", "summaries_sent", "app_state", "optin_jobs", "optin_members",
		"team_figures", "job_runs", "experiments",
		"mirror_channels", "mirror_stops", "mirror_marks", "mirror_months", "mirror_answers",
	}
}

// Stats returns row counts per table (for `bot check` and tests).
func (s *Store) Stats(ctx context.Context) (map[string]int, error) {
	counts := make(map[string]int)
	err := s.inReadTx(ctx, "stats", func(tx *sql.Tx) error {
		for _, t := range tableNames() {
			var n int
			// t comes from the constant list above, never from input.
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
				return fmt.Errorf("db: stats: %s: %w", t, err)
			}
			counts[t] = n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// millis converts a time to the stored representation.
func millis(t time.Time) int64 { return t.UTC().UnixMilli() }

// fromMillis converts a stored time back, in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// nullMillis stores a nil time as NULL.
func nullMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: millis(*t), Valid: true}
}

// timePtr reads a nullable stored time.
func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMillis(v.Int64)
	return &t
}

// nullString stores an empty string as NULL, for optional identifiers.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// nullID stores a zero id as NULL, for optional foreign keys.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// boolInt stores a boolean as 0 or 1.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Store) countBy(ctx context.Context, op, query string) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", op, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("db: %s: %w", op, err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: %s: %w", op, err)
	}
	return out, nil
}
