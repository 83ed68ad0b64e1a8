package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// memSettle is how long the bot runs after it is ready before its resident size is read: long
// enough for the start-up garbage to be collected and the due loop to have run.
const memSettle = 10 * time.Second

// BenchmarkMemory runs the real binary, built as the Dockerfile builds it (CGO_ENABLED=0,
// -trimpath, -ldflags '-s -w'), as a child process against an in-process emulator, with an empty
// database, with 100,000 people enrolled (created beforehand with db.Store.Start, next prompt a
// week away, so nothing is due), and with 10,000 people whose prompt was due a minute before the
// start (a restart at 9:00: the catch-up round plans them all before connecting, then the relay
// sends). It reports the time from exec to ready (/readyz answering 200: database reachable and
// Socket Mode connected), the resident set size (VmRSS of /proc/<pid>/status) 10 s after ready,
// the peak (VmHWM), and the stripped binary's size. Skipped under -short.
//
//	go test -run '^$' -bench Memory -benchtime 1x -timeout 30m ./cmd/bot/
func BenchmarkMemory(b *testing.B) {
	if testing.Short() {
		b.Skip("builds the binary and enrols 100,000 people")
	}
	bin, size := buildStripped(b)
	for _, tc := range []struct {
		people int
		due    bool
	}{{0, false}, {100000, false}, {10000, true}} {
		name := fmt.Sprintf("people=%d", tc.people)
		if tc.due {
			name += "/due"
		}
		b.Run(name, func(b *testing.B) {
			b.StopTimer()
			seed := filepath.Join(b.TempDir(), "seed.db")
			next := time.Now().Add(7 * 24 * time.Hour).Truncate(time.Hour)
			if tc.due {
				next = time.Now().Add(-time.Minute).Truncate(time.Minute)
			}
			enrol(b, seed, tc.people, next)
			for range b.N {
				dbPath := filepath.Join(b.TempDir(), "reflect.db")
				copyFile(b, seed, dbPath)
				b.StartTimer()
				ready, rss, hwm := measureBinary(b, bin, dbPath)
				b.StopTimer()
				b.ReportMetric(float64(ready.Microseconds())/1000, "ready-ms")
				b.ReportMetric(rss, "rss-MB")
				b.ReportMetric(hwm, "peak-rss-MB")
				b.ReportMetric(float64(size)/(1<<20), "binary-MB")
			}
		})
	}
}

// buildStripped builds the bot as the Dockerfile does and returns its path and size.
func buildStripped(b *testing.B) (string, int64) {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "bot")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.buildVersion=bench", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	return bin, st.Size()
}

// enrol creates a database at path with n people enrolled through db.Store.Start, next due at
// next, and logs how long that took.
func enrol(b *testing.B, path string, n int, next time.Time) {
	b.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	zones := []string{"UTC", "Europe/London", "America/New_York", "Asia/Tokyo"}
	start := time.Now()
	for i := range n {
		p := db.Person{UserID: fmt.Sprintf("U%07d", i), TeamID: slackemu.TeamID, TZ: zones[i%len(zones)]}
		if _, err := store.Start(ctx, p, "self", next); err != nil {
			b.Fatal(err)
		}
	}
	if n > 0 {
		d := time.Since(start)
		b.Logf("enrolled %d people with Store.Start in %s (%.0f a second)", n, d.Round(time.Millisecond), float64(n)/d.Seconds())
	}
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

// measureBinary runs the bot on dbPath against a fresh emulator until it is ready, lets it settle,
// and returns the time to ready and its resident set size now and at its peak, in MB.
func measureBinary(b *testing.B, bin, dbPath string) (ready time.Duration, rssMB, hwmMB float64) {
	b.Helper()
	emu := slackemu.New(slackemu.WithT(b))
	defer emu.Close()
	addr := freeBenchAddr(b)
	cmd := exec.Command(bin, "run")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"SLACK_BOT_TOKEN=" + emu.BotToken(), "SLACK_APP_TOKEN=" + emu.AppToken(), "SLACK_API_URL=" + emu.APIURL(),
		"DATABASE_URL=" + dbPath, "HTTP_ADDR=" + addr, "LOG_LEVEL=info",
	}
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	started := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
	}()

	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	deadline := started.Add(10 * time.Minute)
	for {
		if resp, err := client.Get("http://" + addr + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ready = time.Since(started)
				break
			}
		}
		select {
		case err := <-exited:
			b.Fatalf("the bot exited before it was ready: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			b.Fatalf("not ready after 10 minutes; log:\n%s", logs.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	if emu.Connections() != 1 {
		b.Errorf("ready with %d Socket Mode connections, want 1", emu.Connections())
	}
	time.Sleep(memSettle)
	rss, hwm := procMemory(b, cmd.Process.Pid)
	b.Logf("ready %s after exec; VmRSS %.1f MB after %s, VmHWM %.1f MB; %d posts made by then",
		ready.Round(time.Millisecond), rss, memSettle, hwm, emu.Calls("chat.postMessage"))
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		b.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the deferred wait
		if err != nil {
			b.Errorf("exit after SIGINT: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		b.Errorf("still running 30 s after SIGINT")
	}
	return ready, rss, hwm
}

// procMemory reads VmRSS and VmHWM of a process, in MB.
func procMemory(b *testing.B, pid int) (rss, hwm float64) {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 64)
		if err != nil {
			b.Fatalf("%s: %q: %v", key, val, err)
		}
		if key == "VmRSS" {
			rss = kb / 1024
		} else {
			hwm = kb / 1024
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return rss, hwm
}

// freeBenchAddr is freeAddr for a benchmark.
func freeBenchAddr(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
