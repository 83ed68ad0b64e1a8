// Package pgtest gives tests a PostgreSQL database of their own: a fresh schema on the server
// named by REFLECT_TEST_POSTGRES_URL, dropped when the test ends. Without that variable the test
// is skipped, saying so; in CI (CI set) it fails instead, so PostgreSQL tests never skip quietly
// there.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// EnvVar names the server the tests use, such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvVar = "REFLECT_TEST_POSTGRES_URL"

// T is the part of a test (*testing.T, *testing.B, testing.TB) that this package uses, declared
// here so that a non-test file does not import the testing package.
type T interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// URL returns the test server's URL, or skips (fails in CI) when there is none.
func URL(t T) string {
	t.Helper()
	u := os.Getenv(EnvVar)
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL tests need %s in CI (.ci/run sets it)", EnvVar)
		}
		t.Skipf("PostgreSQL test skipped: set %s to a server's URL, such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable", EnvVar)
	}
	return u
}

// Schema creates an empty schema for this test and returns a URL whose connections use it (its
// search_path), so tests running side by side on one server never see each other's tables.
func Schema(t T) string {
	t.Helper()
	base := URL(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "reflect_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		admin.Close()
		t.Fatalf("pgtest: create schema on %s: %v", EnvVar, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+name+` CASCADE`); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: %s is not a URL", EnvVar)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}
