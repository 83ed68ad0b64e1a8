package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/pgtest"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// replica is one bot process of several sharing a database.
type replica struct {
	name   string
	cmd    *exec.Cmd
	exited <-chan error
	logs   *syncBuffer
}

// fleet runs bot processes against one emulator and one database.
type fleet struct {
	t    testing.TB
	bin  string
	env  map[string]string
	emu  *slackemu.Server
	runs []*replica // every process started, in order
}

func (f *fleet) start(name string) *replica {
	f.t.Helper()
	env := map[string]string{}
	for k, v := range f.env {
		env[k] = v
	}
	cmd, exited, logs := startBinary(f.t, f.bin, env)
	r := &replica{name: name, cmd: cmd, exited: exited, logs: logs}
	f.runs = append(f.runs, r)
	return r
}

func (f *fleet) kill(r *replica) {
	f.t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		f.t.Fatal(err)
	}
	<-r.exited
}

func (f *fleet) stop(r *replica) {
	f.t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		f.t.Fatal(err)
	}
	select {
	case err := <-r.exited:
		if err != nil {
			f.t.Fatalf("%s: got %v after SIGTERM, want exit 0; log:\n%s", r.name, err, r.logs.String())
		}
	case <-time.After(waitLimit):
		f.t.Fatalf("%s did not stop within %s of SIGTERM", r.name, waitLimit)
	}
}

// logLines counts, over every process started, the log lines containing all of parts.
func (f *fleet) logLines(parts ...string) int {
	n := 0
	for _, r := range f.runs {
		for line := range strings.Lines(r.logs.String()) {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				n++
			}
		}
	}
	return n
}

// poll waits for cond, checking every 100 ms, for at most limit.
func poll(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// seedDue enrols people in the emulated workspace and the database, all due a minute ago, and
// returns their ids.
func seedDue(t testing.TB, emu *slackemu.Server, url string, people int) []string {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	due := time.Now().Add(-time.Minute).Truncate(time.Minute)
	ids := make([]string, people)
	for i := range people {
		ids[i] = fmt.Sprintf("UR%04d", i)
		emu.AddUser(slackemu.User{ID: ids[i], Name: ids[i], TZ: "UTC"})
		if _, err := store.Start(ctx, db.Person{UserID: ids[i], TZ: "UTC"}, "self", due); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// postsEach is the posts a due person gets: one, the prompt with its wellbeing check in the same
// message.
const postsEach = 1

// withCheck counts the people whose posts include one carrying both the prompt and its
// wellbeing check.
func withCheck(emu *slackemu.Server, ids []string) int {
	n := 0
	for _, id := range ids {
		for _, m := range emu.DMs(id) {
			if m.BotID != "" && !m.Ephemeral && strings.Contains(string(m.Blocks), `"block_id":"prompt_question`) &&
				strings.Contains(string(m.Blocks), `"block_id":"check_`) {
				n++
				break
			}
		}
	}
	return n
}

// botPosts counts the bot's posts in the people's DMs, in all and for the person with most.
func botPosts(emu *slackemu.Server, ids []string) (total, worst int) {
	for _, id := range ids {
		n := 0
		for _, m := range emu.DMs(id) {
			if m.BotID != "" && !m.Ephemeral {
				n++
			}
		}
		total += n
		worst = max(worst, n)
	}
	return total, worst
}

// TestReplicasOnPostgres runs three bot processes on one PostgreSQL database and one emulated
// workspace. 2,000 people are due in the same minute; one replica is SIGKILLed a third of the way
// through the fan-out (and replaced, as an orchestrator would) and another restarted two thirds
// of the way. Every person must get exactly one post, the prompt with its wellbeing check; then everyone
// answers by tapping, the envelopes spread over the three connections, and each is handled and
// recorded once.
func TestReplicasOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three of it against PostgreSQL")
	}
	url := pgtest.Schema(t)
	bin := buildBinary(t)
	const people = 2000
	emu := startEmulator(t)
	// Slack allows about one message a second per channel with bursts, and a workspace-wide
	// budget; 2,000 posts (one each) at 100 a second take about twenty seconds, time to kill and
	// restart.
	emu.SetMessageRate(100)
	env := emulatorEnv(t, emu)
	env["DATABASE_URL"] = url
	env["LOG_LEVEL"] = "info"

	ctx := context.Background()
	ids := seedDue(t, emu, url, people)
	store, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	posts := func() (total, worst int) { return botPosts(emu, ids) }

	// The outbox as the replicas leave it, read beside them.
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// sending lists the posts a process holds (its host/pid is the lease's owner).
	host, _ := os.Hostname()
	sending := func(r *replica) map[int64]bool {
		ids := map[int64]bool{}
		rows, err := raw.QueryContext(ctx, `SELECT id FROM outbox WHERE state = 'sending' AND lease_owner = $1`,
			fmt.Sprintf("%s/%d", host, r.cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids[id] = true
		}
		return ids
	}
	sent := func(ids map[int64]bool) bool {
		for id := range ids {
			var state string
			if err := raw.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = $1`, id).Scan(&state); err != nil {
				t.Fatal(err)
			}
			if state != "sent" {
				return false
			}
		}
		return true
	}

	f := &fleet{t: t, bin: bin, env: env, emu: emu}
	t.Cleanup(func() {
		if t.Failed() {
			for _, r := range f.runs {
				_ = os.WriteFile(filepath.Join(os.TempDir(), "replica-"+r.name+".log"), []byte(r.logs.String()), 0o600)
			}
			t.Logf("replica logs written to %s/replica-*.log", os.TempDir())
		}
	})
	start := time.Now()
	a, b := f.start("a"), f.start("b")
	f.start("c")

	poll(t, "a third of the fan-out", 2*time.Minute, func() bool { n, _ := posts(); return n >= postsEach*people/3 })
	// Kill a while it holds posts, so others must take them over when the leases run out: freeze
	// it, look at what it holds, and kill it if it holds any (else let it go on and look again).
	var orphans map[int64]bool
	poll(t, "a holding posts", time.Minute, func() bool {
		if err := a.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if orphans = sending(a); len(orphans) > 0 {
			return true
		}
		if err := a.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		return false
	})
	f.kill(a)
	killedAt := time.Now()
	f.start("a2")
	killedPosts, _ := posts()
	t.Logf("a killed after %d of %d posts (%.1f s), holding %d", killedPosts, postsEach*people, killedAt.Sub(start).Seconds(), len(orphans))

	poll(t, "two thirds of the fan-out", 2*time.Minute, func() bool { n, _ := posts(); return n >= 2*postsEach*people/3 })
	f.stop(b)
	f.start("b2")
	restartedPosts, _ := posts()
	t.Logf("b restarted after %d of %d posts", restartedPosts, postsEach*people)

	poll(t, "the posts a held when killed", time.Minute, func() bool { return sent(orphans) })
	takeover := time.Since(killedAt)

	poll(t, "the whole fan-out", 3*time.Minute, func() bool { n, _ := posts(); return n >= postsEach*people })
	fanOut := time.Since(start)
	// Anything still to come would be a duplicate: give a dead replica's leases time to expire
	// and be taken over before counting.
	poll(t, "an empty outbox", 2*time.Minute, func() bool { d, err := store.OutboxDepth(ctx); return err == nil && d == 0 })
	// The replicas' due loops claimed the people due batch by batch, and each claim ended with
	// the plan applied for it: none is left, not even one the killed replica held.
	var claimed int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE due_claim IS NOT NULL OR due_claim_until IS NOT NULL`).Scan(&claimed); err != nil {
		t.Fatal(err)
	}
	if claimed != 0 {
		t.Errorf("%d people still claimed by a due loop after the fan-out, want none", claimed)
	}

	total, worst := posts()
	if total != postsEach*people || worst != postsEach {
		for _, id := range ids {
			var got []string
			for _, m := range emu.DMs(id) {
				if m.BotID != "" && !m.Ephemeral {
					md := ""
					if m.Metadata != nil {
						md = fmt.Sprint(m.Metadata.EventPayload)
					}
					got = append(got, m.TS+" "+md)
				}
			}
			if len(got) > postsEach {
				// What the database says of them, to tell a second delivery from a second post.
				var outbox, deliveries sql.NullString
				if err := raw.QueryRowContext(ctx, `SELECT
					(SELECT string_agg(id || ' ' || kind || ' ' || state || ' x' || attempts, ', ' ORDER BY id) FROM outbox WHERE user_id = $1),
					(SELECT string_agg(id || ' ' || to_timestamp(occurrence / 1000.0) || ' ' || state, ', ' ORDER BY id) FROM deliveries WHERE user_id = $1)`,
					id).Scan(&outbox, &deliveries); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: posts %v; outbox %s; deliveries %s", id, got, outbox.String, deliveries.String)
			}
		}
		t.Fatalf("got %d posts (at most %d for one person), want %d: one post each, the prompt with its wellbeing check", total, worst, postsEach*people)
	}
	if n := withCheck(emu, ids); n != people {
		t.Errorf("%d of %d people got their prompt with its wellbeing check in the one post", n, people)
	}
	// Each DM reads in the order the posts were queued.
	outOfOrder := 0
	for _, id := range ids {
		var prev float64
		for _, m := range emu.DMs(id) {
			if m.BotID == "" || m.Metadata == nil {
				continue
			}
			oid, _ := m.Metadata.EventPayload["outbox_id"].(float64)
			if oid < prev {
				outOfOrder++
			}
			prev = oid
		}
	}
	if outOfOrder > 0 {
		t.Errorf("%d people got a later post before an earlier one", outOfOrder)
	}
	t.Logf("fan-out of %d posts over 3 replicas: %.1f s (%.0f posts/s); the %d posts a held when killed were sent %.1f s after the kill",
		postsEach*people, fanOut.Seconds(), float64(postsEach*people)/fanOut.Seconds(), len(orphans), takeover.Seconds())

	// Everyone taps the first option of their prompt.
	before := emu.EnvelopesPerConnection()
	clicks := 0
	for _, id := range ids {
		for _, m := range emu.DMs(id) {
			if m.BotID == "" || !strings.Contains(string(m.Blocks), `"answer:0"`) {
				continue
			}
			if err := emu.Click(id, m.Channel, m.TS, "answer:0"); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			clicks++
			break
		}
	}
	if clicks < people*9/10 {
		t.Fatalf("only %d of %d people had a prompt with buttons", clicks, people)
	}
	poll(t, "every tap recorded", 2*time.Minute, func() bool {
		st, err := store.Stats(ctx)
		return err == nil && st["answers"] >= clicks
	})
	time.Sleep(time.Second) // a duplicate would land now
	st, err := store.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st["answers"] != clicks {
		t.Errorf("%d answers recorded for %d taps", st["answers"], clicks)
	}
	after := emu.EnvelopesPerConnection()
	var spread []int
	for i, n := range after {
		if i < len(before) {
			n -= before[i]
		}
		if n > 0 {
			spread = append(spread, n)
		}
	}
	// Three live replicas, three connections (a fourth if one reconnected meanwhile).
	if len(spread) < 3 {
		t.Errorf("taps went to %d connections (%v), want the three live replicas", len(spread), spread)
	}
	if n := f.logLines(`"envelope handled"`, `"type":"interactive"`); n != clicks {
		t.Errorf("%d interactive envelopes handled across replicas, want %d (one per tap)", n, clicks)
	}
	t.Logf("%d taps, %d answers; envelopes (taps and the message events they cause) per connection: %v", clicks, st["answers"], spread)
	for _, r := range f.runs[len(f.runs)-3:] {
		f.stop(r)
	}
}

// TestMigrateData copies a SQLite database into PostgreSQL with the command the README gives,
// and refuses a second copy into the now non-empty target, a missing source, and a SQLite target.
func TestMigrateData(t *testing.T) {
	ctx := context.Background()
	from := filepath.Join(t.TempDir(), "reflect.db")
	src, err := db.Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"U1", "U2", "U3"} {
		if _, err := src.Start(ctx, db.Person{UserID: id, TZ: "UTC"}, "self", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	src.Close()
	url := pgtest.Schema(t)

	tests := []struct {
		name, dbURL, arg string
		wantErr, wantOut string
	}{
		{name: "copy", dbURL: url, arg: from, wantOut: "every table's count matches"},
		{name: "again", dbURL: url, arg: from, wantErr: "already holds data"},
		{name: "missing source", dbURL: url, arg: filepath.Join(t.TempDir(), "nope.db"), wantErr: "no such file"},
		{name: "SQLite target", dbURL: filepath.Join(t.TempDir(), "other.db"), arg: from, wantErr: "set DATABASE_URL to the PostgreSQL database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t, map[string]string{"DATABASE_URL": tt.dbURL})
			var stdout, stderr syncBuffer
			err := run(ctx, []string{"migrate-data", tt.arg}, &stdout, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("migrate-data error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out := stdout.String(); !strings.Contains(out, tt.wantOut) || !strings.Contains(out, "people             3 rows") {
				t.Errorf("output %q, want the per-table counts and %q", out, tt.wantOut)
			}
		})
	}
	dst, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if p, err := dst.Person(ctx, "U2"); err != nil || p.NextDueAt == nil {
		t.Errorf("U2 on PostgreSQL = %+v, %v; want them copied with their schedule", p, err)
	}
}

// BenchmarkReplicaFanOut times a fan-out of 2,000 people (2,000 posts: one each) by one and by three bot
// processes on PostgreSQL: with Slack's pace (the emulator allowing 200 posts a second across the
// workspace) and with no workspace limit, where the bot and the database set the pace.
//
//	REFLECT_TEST_POSTGRES_URL=… go test -run '^$' -bench ReplicaFanOut -benchtime 1x ./cmd/bot
func BenchmarkReplicaFanOut(b *testing.B) {
	const people = 2000
	bin := buildBinary(b)
	for _, rate := range []float64{200, 0} {
		for _, n := range []int{1, 3} {
			b.Run(fmt.Sprintf("rate=%g/replicas=%d", rate, n), func(b *testing.B) {
				var elapsed time.Duration
				for range b.N {
					url := pgtest.Schema(b)
					emu := startEmulator(b)
					emu.SetMessageRate(rate)
					env := emulatorEnv(b, emu)
					env["DATABASE_URL"] = url
					env["LOG_LEVEL"] = "warn"
					ids := seedDue(b, emu, url, people)
					f := &fleet{t: b, bin: bin, env: env, emu: emu}
					start := time.Now()
					for i := range n {
						f.start(fmt.Sprint("r", i))
					}
					poll(b, "the fan-out", 5*time.Minute, func() bool { total, _ := botPosts(emu, ids); return total >= postsEach*people })
					elapsed += time.Since(start)
					for _, r := range f.runs {
						f.stop(r)
					}
				}
				b.ReportMetric(float64(postsEach*people*b.N)/elapsed.Seconds(), "posts/s")
			})
		}
	}
}

// TestReplicaResumedAfterTakeover pauses a replica (SIGSTOP) while it holds posts, lets the other
// take them over once the lease runs out, and resumes it (SIGCONT), with the outbox's statistics
// gathered while it was quiet (as after a calm night) and Slack answering slowly. The resumed
// replica must post nothing it no longer holds: every person gets exactly their prompt with its
// wellbeing check, once.
func TestReplicaResumedAfterTakeover(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two of it against PostgreSQL for about a minute")
	}
	url := pgtest.Schema(t)
	bin := buildBinary(t)
	const people = 150
	emu := startEmulator(t)
	// Slack slowed down: a post takes a quarter of a second.
	emu.SetLatency("chat.postMessage", 250*time.Millisecond)
	env := emulatorEnv(t, emu)
	env["DATABASE_URL"] = url
	env["LOG_LEVEL"] = "info"
	ctx := context.Background()
	ids := seedDue(t, emu, url, people)

	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Quiet statistics: taken when the outbox held one old post, and kept (no autovacuum) while
	// the fan-out fills it.
	store, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	old, err := store.Enqueue(ctx, db.OutboxMessage{ChannelID: "C1", Kind: "message", Payload: []byte(`{"text":"old"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ClaimOutbox(ctx, time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	if err := store.CompleteOutbox(ctx, old, "C1", "1.1"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ALTER TABLE outbox SET (autovacuum_enabled = false)`, `ANALYZE outbox`} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	host, _ := os.Hostname()
	held := func(r *replica) []int64 {
		var ids []int64
		rows, err := raw.QueryContext(ctx, `SELECT id FROM outbox WHERE state = 'sending' AND lease_owner = $1`,
			fmt.Sprintf("%s/%d", host, r.cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	allSent := func(ids []int64) bool {
		var open int
		if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE id = ANY($1) AND state <> 'sent'`, ids).Scan(&open); err != nil {
			t.Fatal(err)
		}
		return open == 0
	}

	f := &fleet{t: t, bin: bin, env: env, emu: emu}
	t.Cleanup(func() {
		for _, r := range f.runs {
			_ = r.cmd.Process.Signal(syscall.SIGCONT) // never leave a stopped process behind
		}
		if t.Failed() {
			for _, r := range f.runs {
				_ = os.WriteFile(filepath.Join(os.TempDir(), "replica-"+r.name+".log"), []byte(r.logs.String()), 0o600)
			}
			t.Logf("replica logs written to %s/replica-*.log", os.TempDir())
		}
	})
	a, b := f.start("a"), f.start("b")
	// Pause a while it holds posts: freeze it, look, and let it go on if it holds none.
	var orphans []int64
	poll(t, "a holding posts", time.Minute, func() bool {
		if err := a.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if orphans = held(a); len(orphans) > 0 {
			return true
		}
		if err := a.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		return false
	})
	pausedAt := time.Now()
	atPause, _ := botPosts(emu, ids)
	// b takes them over once the 30 s lease has run out, and posts them (or finds them posted).
	poll(t, "b to take over and send what a held", 2*time.Minute, func() bool { return allSent(orphans) })
	if err := a.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	t.Logf("a paused holding %d posts after %d of %d posts; b sent them %.1f s later; a resumed",
		len(orphans), atPause, postsEach*people, time.Since(pausedAt).Seconds())
	poll(t, "the whole fan-out", 2*time.Minute, func() bool { n, _ := botPosts(emu, ids); return n >= postsEach*people })
	poll(t, "an empty outbox", time.Minute, func() bool { d, err := store.OutboxDepth(ctx); return err == nil && d == 0 })
	// Whatever a still meant to post it has tried once it has stopped.
	f.stop(a)
	f.stop(b)

	total, worst := botPosts(emu, ids)
	doubled := 0
	for _, id := range ids {
		n := 0
		for _, m := range emu.DMs(id) {
			if m.BotID != "" && !m.Ephemeral {
				n++
			}
		}
		if n != postsEach {
			doubled++
			t.Logf("%s got %d posts", id, n)
		}
	}
	given := f.logLines("outbox post given up: its lease went to another relay")
	t.Logf("%d posts for %d people (at most %d for one); %d people with other than one; a gave up %d posts it no longer held",
		total, people, worst, doubled, given)
	if total != postsEach*people || doubled != 0 {
		t.Fatalf("got %d posts, %d people with other than exactly one, want %d: one post each, the prompt with its check", total, doubled, postsEach*people)
	}
	if n := withCheck(emu, ids); n != people {
		t.Errorf("%d of %d people got their prompt with its wellbeing check in the one post", n, people)
	}
}
