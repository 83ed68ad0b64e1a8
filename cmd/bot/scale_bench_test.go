package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/pgtest"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// BenchmarkReplicaScale measures a fan-out at scale by three bot processes on one PostgreSQL
// database, the emulator allowing R = 200 posts a second across the workspace: the people's next
// occurrence is set 20 s ahead and the replicas started, as on a Monday morning, while a person
// runs /reflect help in a channel 20 times a second. It reports the time from the occurrence to
// the last prompt against N / R, the planning time (occurrence to every post queued), the share
// of Web API calls answered 429, the database's active time per person (pg_stat_database: the
// whole database, so other sessions on it count too), the replicas' CPU per person, their largest
// peak RSS, and the p99 of the acks during the fan-out. Each case takes N / R at least: pick it
// by name.
//
//	REFLECT_TEST_POSTGRES_URL=… go test -run '^$' -bench 'ReplicaScale/people=100000$/' -benchtime 1x -timeout 60m ./cmd/bot
func BenchmarkReplicaScale(b *testing.B) {
	for _, people := range []int{20000, 50000, 100000} {
		b.Run(fmt.Sprintf("people=%d/rate=200/replicas=3", people), func(b *testing.B) {
			for range b.N {
				replicaScale(b, people, 200, 3)
			}
		})
	}
}

// scaleMethods are the Web API methods a fan-out can call, for the share answered 429.
var scaleMethods = []string{
	"chat.postMessage", "chat.postEphemeral", "chat.update", "conversations.open", "conversations.history",
	"views.publish", "users.info", "auth.test", "apps.connections.open",
}

func replicaScale(b *testing.B, people int, rate float64, replicas int) {
	b.StopTimer()
	url := pgtest.Schema(b)
	bin := buildBinary(b)
	emu := startEmulator(b)
	emu.SetMessageRate(rate)
	env := emulatorEnv(b, emu)
	env["DATABASE_URL"] = url
	env["LOG_LEVEL"] = "warn"
	ctx := context.Background()

	// Enrol everyone, due far ahead, a few at a time in parallel (each a commit on PostgreSQL).
	seeded := time.Now()
	ids := make([]string, people)
	for i := range ids {
		ids[i] = fmt.Sprintf("UR%06d", i)
		emu.AddUser(slackemu.User{ID: ids[i], Name: ids[i], TZ: "UTC"})
	}
	store, err := db.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	far := time.Now().AddDate(0, 0, 7).Truncate(time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < people; i += 8 {
				if _, err := store.Start(ctx, db.Person{UserID: ids[i], TZ: "UTC"}, "self", far); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	// The occurrence: 20 s from now, on the second, so the replicas are up and waiting for it.
	occ := time.Now().Add(20 * time.Second).Truncate(time.Second)
	if _, err := raw.ExecContext(ctx, `UPDATE people SET next_due_at = $1`, occ.UnixMilli()); err != nil {
		b.Fatal(err)
	}
	// Statistics as autovacuum keeps them for a workspace enrolled over days, not minutes: fresh
	// from a bulk load, PostgreSQL would plan the due claim for the few people it last counted.
	if _, err := raw.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("enrolled %d people in %s", people, time.Since(seeded).Round(time.Second))
	activeTime := func() float64 {
		var ms float64
		if err := raw.QueryRowContext(ctx, `SELECT active_time FROM pg_stat_database WHERE datname = current_database()`).Scan(&ms); err != nil {
			b.Fatal(err)
		}
		return ms
	}
	activeBefore := activeTime()

	f := &fleet{t: b, bin: bin, env: env, emu: emu}
	for i := range replicas {
		f.start(fmt.Sprint("r", i))
	}
	poll(b, "the replicas connected", time.Minute, func() bool { return emu.Connections() >= replicas })
	if wait := time.Until(occ); wait < 0 {
		b.Fatalf("the replicas took %s past the occurrence to connect", -wait)
	}
	acksBefore := len(emu.AckLatencies())
	callsBefore := map[string]int{}
	for _, m := range scaleMethods {
		callsBefore[m] = emu.Calls(m)
	}

	stop := make(chan struct{})
	var commands sync.WaitGroup
	commands.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				emu.SlashCommand("U1", "C1", "help")
			}
		}
	})

	// Autovacuum analyzes a table once a tenth of it changed, a minute apart at most; the test
	// server runs with it off, so the benchmark does its part: without it the outbox's statistics
	// still say it is empty once the fan-out has queued 100,000 posts, and PostgreSQL plans each
	// claim as a sort of all of them (0.2-0.7 s a claim instead of 2 ms).
	commands.Go(func() {
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := raw.ExecContext(ctx, `ANALYZE people, enrolments, outbox`); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})

	b.StartTimer()
	time.Sleep(time.Until(occ))
	var planned, lastPrompt time.Duration
	posted := func() int { return emu.Calls("chat.postMessage") - emu.RateLimited()["chat.postMessage"] }
	limit := 3*time.Duration(float64(people)/rate*float64(time.Second)) + 5*time.Minute
	for lastPrompt == 0 {
		since := time.Since(occ)
		if since > limit {
			b.Fatalf("fan-out not finished %s after the occurrence: %d of %d posts", limit, posted(), people)
		}
		if planned == 0 {
			var queued int
			if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&queued); err != nil {
				b.Fatal(err)
			}
			if queued >= people {
				planned = since
			}
		}
		if posted() >= people {
			if total, _ := botPosts(emu, ids); total >= people {
				lastPrompt = since
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	b.StopTimer()
	close(stop)
	commands.Wait()

	// Each replica's CPU time and peak RSS, read before they stop.
	var cpu time.Duration
	var hwm int64
	for _, r := range f.runs {
		c, m := procUsage(b, r.cmd.Process.Pid)
		cpu += c
		hwm = max(hwm, m)
	}
	for _, r := range f.runs {
		f.stop(r)
	}
	dbMillis := activeTime() - activeBefore // sessions report their active time as they end

	total, worst := botPosts(emu, ids)
	if total != people || worst != 1 {
		b.Errorf("got %d posts (at most %d for one person), want %d: one each", total, worst, people)
	}
	limited, calls := 0, 0
	var detail []string
	for _, m := range scaleMethods {
		c := emu.Calls(m) - callsBefore[m]
		n := emu.RateLimited()[m]
		calls += c
		limited += n
		if c > 0 {
			detail = append(detail, fmt.Sprintf("%s %d (429: %d)", m, c, n))
		}
	}
	lat := slices.Clone(emu.AckLatencies()[acksBefore:])
	slices.Sort(lat)
	p99 := time.Duration(0)
	if len(lat) > 0 {
		p99 = lat[len(lat)*99/100]
	}
	floor := float64(people) / rate
	b.ReportMetric(lastPrompt.Seconds()/floor, "last-prompt/(N/R)")
	b.ReportMetric(lastPrompt.Seconds(), "last-prompt-s")
	b.ReportMetric(planned.Seconds(), "plan-s")
	b.ReportMetric(100*float64(limited)/float64(max(calls, 1)), "429-%calls")
	b.ReportMetric(dbMillis/float64(people), "db-ms/person")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(people), "bot-cpu-ms/person")
	b.ReportMetric(float64(hwm)/(1<<20), "max-replica-RSS-MiB")
	b.ReportMetric(float64(p99.Microseconds())/1000, "ack-p99-ms")
	b.Logf("%d people, %d replicas, R=%g/s (N/R = %.0f s): last prompt %s after the occurrence, all queued after %s; calls: %s; %d acks, p50 %s, p99 %s, max %s; database active %.1f s; replicas' CPU %s; peak RSS %.1f MiB",
		people, replicas, rate, floor, lastPrompt.Round(time.Millisecond), planned.Round(time.Millisecond), strings.Join(detail, ", "),
		len(lat), at(lat, 50), p99, at(lat, 100), dbMillis/1000, cpu.Round(time.Millisecond), float64(hwm)/(1<<20))
}

// at is the p-th percentile of sorted latencies (0 when there are none).
func at(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)*p/100, len(sorted)-1)]
}

// procUsage reads a running process's CPU time (user and system) and peak RSS in bytes.
func procUsage(b *testing.B, pid int) (time.Duration, int64) {
	b.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	cpu := time.Duration(utime+stime) * time.Second / 100 // USER_HZ
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	var hwm int64
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			hwm = kb * 1024
		}
	}
	return cpu, hwm
}
