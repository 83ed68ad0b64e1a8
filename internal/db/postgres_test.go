package db

import (
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT ? , ?", "SELECT $1 , $2"},
		{"WHERE a = ?1 OR b = ?1 AND c = ?", "WHERE a = $1 OR b = $1 AND c = $2"},
		{"SET a = ?2, b = ? WHERE c = ?1", "SET a = $2, b = $3 WHERE c = $1"},
		{"SELECT '?', \"a?\", ? -- why?\n, ?", "SELECT '?', \"a?\", $1 -- why?\n, $2"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"/* ? */ SELECT ?", "/* ? */ SELECT $1"},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
		{"SELECT ? -- trailing ?", "SELECT $1 -- trailing ?"},
	}
	for _, tt := range tests {
		if got := rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzRebind: rebind never panics, keeps every byte outside placeholders, and leaves no bare "?"
// outside quotes and comments in a query that has none of either.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{"SELECT ?", "a ?1 ? ?3 ?", "'?' \"?\" -- ?\n/* ? */", "?99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got := rebind(q)
		if !strings.ContainsAny(q, `'"-/`) && strings.Contains(got, "?") {
			t.Fatalf("rebind(%q) = %q still has a placeholder", q, got)
		}
		strip := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r == '?' || r == '$' || (r >= '0' && r <= '9') {
					return -1
				}
				return r
			}, s)
		}
		if strip(got) != strip(q) {
			t.Fatalf("rebind(%q) = %q changed more than placeholders", q, got)
		}
	})
}

func TestDescribeHidesPassword(t *testing.T) {
	tests := []struct{ in, want string }{
		{"reflect.db", "reflect.db"},
		{"postgres://reflect:hunter2@db:5432/reflect?sslmode=disable", "postgres://reflect:xxxxx@db:5432/reflect?sslmode=disable"},
		{"postgresql://db/reflect?password=hunter2&user=r", "postgresql://db/reflect?password=xxxxx&user=r"},
		{"postgres://reflect@db/reflect", "postgres://reflect@db/reflect"},
		{"postgres://%zz:hunter2@db", "postgres://(unparsable URL)"},
	}
	for _, tt := range tests {
		if got := Describe(tt.in); got != tt.want {
			t.Errorf("Describe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
