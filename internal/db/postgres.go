package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL adapter. The store's queries are written once, with SQLite's "?" and "?N"
// placeholders; a thin driver wrapper rewrites them to PostgreSQL's "$N" on the way to pgx, so the
// domain code needs no dialect switch for them. What must differ is named where it is used
// (s.pg): the outbox claim's FOR UPDATE SKIP LOCKED, the migrations' column types, backup and
// the file rebuild after a forget.

// pgConns bounds each replica's pool: enough for the relay, the due loop and the handlers to run
// side by side, few enough that several replicas stay far below a default max_connections (100).
const pgConns = 8

// IsPostgres reports whether DATABASE_URL names a PostgreSQL server (postgres:// or
// postgresql://) rather than a SQLite file.
func IsPostgres(raw string) bool {
	lower := strings.ToLower(strings.TrimSpace(raw))
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// Describe renders DATABASE_URL for logs and `bot check`: a PostgreSQL URL without its password,
// a SQLite path as given.
func Describe(raw string) string {
	if !IsPostgres(raw) {
		return raw
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// openPostgres opens a pool on a PostgreSQL URL. Queries go over the simple protocol with the
// arguments quoted by pgx: the store's statements are short and varied, and it lets PostgreSQL
// type a parameter from where it is used (a NULL in COALESCE, a bare "? IS NULL") as SQLite does.
func openPostgres(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(strings.TrimSpace(url))
	if err != nil {
		// pgx's message can quote the URL, password included: say only what kind of error.
		return nil, fmt.Errorf("DATABASE_URL is not a valid PostgreSQL URL (expected postgres://user:password@host:port/dbname)")
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "reflect"
	db := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(pgConns)
	db.SetMaxIdleConns(pgConns)
	return db, nil
}

// rebindConnector hands out connections whose queries are rewritten from "?" to "$N".
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("db: unexpected pgx connection type %T", conn)
	}
	return rebindConn{sc}, nil
}

// rebindConn is a pgx connection with the query methods rewritten; every other method
// (transactions, ping, session reset, value checks) is pgx's own.
type rebindConn struct{ *stdlib.Conn }

func (c rebindConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// rebind rewrites SQLite placeholders to PostgreSQL's: "?N" becomes "$N" and each bare "?" the
// next number after the highest seen so far, as SQLite numbers them. Placeholders inside string
// literals, quoted identifiers and comments are left alone.
func rebind(query string) string {
	if !strings.ContainsRune(query, '?') {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			// A doubled quote inside a literal is two adjacent literals here, which copies the
			// same bytes.
			b.WriteString(query[i : i+end+2])
			i += end + 2
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+1])
			i += end + 1
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+4])
			i += end + 4
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			if j > i+1 {
				var k int
				fmt.Sscan(query[i+1:j], &k)
				n = max(n, k)
				b.WriteByte('$')
				b.WriteString(query[i+1 : j])
			} else {
				n++
				fmt.Fprintf(&b, "$%d", n)
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}
