package config

import (
	"os"
	"testing"
)

// unsetenv removes k for the rest of the test (t.Setenv records and restores the old value first).
func unsetenv(t *testing.T, k string) {
	t.Helper()
	t.Setenv(k, "")
	os.Unsetenv(k)
}
