//go:build unix

package db

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFilesOwnerOnly checks that the database, its -wal and -shm files and a backup are readable by
// their owner only, under the usual umask that would otherwise leave them world-readable.
func TestFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "reflect.db")
	s := openAt(t, file)
	addPerson(t, s, "U1") // a write, so the log and shared-memory files exist
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want os.FileMode
	}{
		{"database", file, 0o600},
		{"write-ahead log", file + "-wal", 0o600},
		{"shared memory", file + "-shm", 0o600},
		{"backup", backup, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fi, err := os.Stat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode() & (os.ModePerm | os.ModeDir); got != tt.want {
				t.Errorf("mode of %s = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
	if err := s.Backup(ctx, backup); err == nil {
		t.Error("Backup over an existing file succeeded, want an error")
	}
}
