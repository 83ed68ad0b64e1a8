package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/pgtest"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// waitLimit bounds every wait here; the operations themselves take milliseconds.
const waitLimit = 10 * time.Second

// envVars are every variable the bot reads; each test starts from none of them set.
var envVars = []string{
	"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL", "PROMPTS_FILE",
	"SLASH_COMMAND", "PROMPT_SCHEDULE", "REMINDER_AFTER", "OPTIN_POLICY", "TEAM_MIN_RESPONDENTS",
	"RETENTION_MONTHS", "HTTP_ADDR", "LOG_LEVEL", "LOG_FORMAT", "SUPPORT_TEXT", "SUPPORT_URL",
}

// cleanEnv unsets every variable the bot reads for the test, then sets the given ones.
func cleanEnv(t *testing.T, set map[string]string) {
	t.Helper()
	for _, k := range envVars {
		t.Setenv(k, "") // restores the old value after the test
		os.Unsetenv(k)
	}
	for k, v := range set {
		t.Setenv(k, v)
	}
}

// latestSchema is the schema version this build migrates a database to.
func latestSchema(t *testing.T) string {
	t.Helper()
	in, err := db.Inspect(context.Background(), filepath.Join(t.TempDir(), "none.db"))
	if err != nil || in.Latest < 1 {
		t.Fatalf("db.Inspect: %+v, %v", in, err)
	}
	return strconv.Itoa(in.Latest)
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
		wantOut   string
	}{
		{"version", []string{"version"}, false, "reflect dev"},
		{"help", []string{"help"}, false, "backup PATH"},
		{"help lists the environment", []string{"--help"}, false, "  TEAM_MIN_RESPONDENTS  a whole number"},
		{"unknown command", []string{"dance"}, true, ""},
		{"run with an argument", []string{"run", "now"}, true, ""},
		{"check with an argument", []string{"check", "x"}, true, ""},
		{"backup without a path", []string{"backup"}, true, ""},
		{"simulate without a persona file", []string{"simulate"}, true, ""},
		{"simulate with a bad month", []string{"simulate", "-start", "2026-13", "p.json"}, true, ""},
		{"simulate with too many months", []string{"simulate", "-months", "0", "p.json"}, true, ""},
		{"help names simulate", []string{"help"}, false, "simulate [-months N]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errb)
			var ue usageError
			if got := errors.As(err, &ue); got != tt.wantUsage {
				t.Fatalf("got error %v, want a usage error: %v", err, tt.wantUsage)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("got output %q, want it to contain %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	latest := latestSchema(t)
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		wantOut []string
	}{
		{
			// Nothing set: every missing variable at once, and the catalogue and the database
			// (the default reflect.db, which does not exist here) are still checked.
			name:    "no environment",
			env:     nil,
			wantErr: "SLACK_BOT_TOKEN: expected a bot token starting with xoxb- (it is not set)\nconfig: SLACK_APP_TOKEN",
			wantOut: []string{
				"config: problems",
				"catalogue: ok (built in)",
				"database: ok (reflect.db does not exist yet; the bot creates it on start, at schema version " + latest + ")",
			},
		},
		{
			name:    "bad app token is named, not echoed",
			env:     map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-secret", "SLACK_APP_TOKEN": "xoxb-2-secret"},
			wantErr: "SLACK_APP_TOKEN",
		},
		{
			name: "valid-looking tokens",
			env: map[string]string{
				"SLACK_BOT_TOKEN": "xoxb-1-secret", "SLACK_APP_TOKEN": "xapp-1-secret",
				"DATABASE_URL": filepath.Join(dir, "check.db"),
			},
			wantOut: []string{
				"config: ok",
				"catalogue: ok (built in): 66 weekly prompts (",
				"change 8", "culture 8", "direction 8", "people 8", "shared 8", "wellbeing 10",
				"15 assessment items",
				"audit: rotation: 8 blocks, 8 cover all six lean dimensions once",
				"audit: option sets whose leadership end cannot move: none",
				"audit: lexicon words in prompt texts",
				"check.db does not exist yet; the bot creates it on start, at schema version " + latest + ")",
			},
		},
		{
			name: "catalogue file that does not exist",
			env: map[string]string{
				"SLACK_BOT_TOKEN": "xoxb-1-secret", "SLACK_APP_TOKEN": "xapp-1-secret",
				"DATABASE_URL": filepath.Join(dir, "check2.db"), "PROMPTS_FILE": filepath.Join(dir, "nope.json"),
			},
			wantErr: "nope.json",
			wantOut: []string{"config: ok", "catalogue: problems", "database: ok (" + filepath.Join(dir, "check2.db") + " does not exist yet"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t, tt.env)
			before, _ := os.ReadDir(".")
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"check"}, &out, &errb)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one naming %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatalf("check: %v", err)
			case err != nil && strings.Contains(err.Error(), "secret"):
				t.Errorf("error %q echoes a token", err)
			}
			// check creates nothing: not the database file, not its WAL.
			if after, _ := os.ReadDir("."); len(after) != len(before) {
				t.Errorf("check changed the working directory: %d entries before, %d after", len(before), len(after))
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("check created %v", entries)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("got output\n%s\nwant it to contain %q", out.String(), w)
				}
			}
			if strings.Contains(out.String(), "secret") {
				t.Errorf("output echoes a token:\n%s", out.String())
			}
		})
	}
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	cleanEnv(t, map[string]string{"DATABASE_URL": filepath.Join(dir, "live.db")})
	copyPath := filepath.Join(dir, "copy.db")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"backup", copyPath}, &out, &errb); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if _, err := os.Stat(copyPath); err != nil {
		t.Fatalf("copy not written: %v", err)
	}
	// The copy is a working database: check can open it and read its schema.
	cleanEnv(t, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "DATABASE_URL": copyPath})
	out.Reset()
	if err := run(context.Background(), []string{"check"}, &out, &errb); err != nil {
		t.Fatalf("check on the copy: %v", err)
	}
	if want := "schema version " + latestSchema(t) + ")"; !strings.Contains(out.String(), want) {
		t.Errorf("got %q, want the copy at %s", out.String(), want)
	}
	// A second backup to the same path refuses rather than overwriting.
	cleanEnv(t, map[string]string{"DATABASE_URL": filepath.Join(dir, "live.db")})
	if err := run(context.Background(), []string{"backup", copyPath}, &out, &errb); err == nil {
		t.Errorf("got nil error backing up over an existing file, want a refusal")
	}
}

// startEmulator starts a Slack emulator with one person and one channel.
func startEmulator(t testing.TB) *slackemu.Server {
	t.Helper()
	emu := slackemu.New(slackemu.WithT(t), slackemu.WithPingInterval(100*time.Millisecond))
	t.Cleanup(emu.Close)
	emu.AddUser(slackemu.User{ID: "U1", Name: "ada", RealName: "Ada Lovelace", TZ: "Europe/London"})
	emu.AddChannel(slackemu.Channel{ID: "C1", Name: "leads", Creator: "U1", Members: []string{"U1", emu.BotUserID()}})
	return emu
}

func emulatorEnv(t testing.TB, emu *slackemu.Server) map[string]string {
	return map[string]string{
		"SLACK_BOT_TOKEN": emu.BotToken(), "SLACK_APP_TOKEN": emu.AppToken(), "SLACK_API_URL": emu.APIURL(),
		"DATABASE_URL": filepath.Join(t.TempDir(), "reflect.db"), "LOG_LEVEL": "debug",
		"HTTP_ADDR": "", // off: tests that want the endpoints pick a free port
	}
}

func waitFor(t *testing.T, emu *slackemu.Server, what string, cond func() bool, limit ...time.Duration) {
	t.Helper()
	wait := waitLimit
	if len(limit) > 0 {
		wait = limit[0]
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := emu.WaitFor(ctx, cond); err != nil {
		t.Fatalf("gave up waiting for %s: %v", what, err)
	}
}

func botReplies(emu *slackemu.Server) (dms, ephemerals int) {
	for _, m := range emu.DMs("U1") {
		if m.BotID != "" && !m.Ephemeral {
			dms++
		}
	}
	for _, m := range emu.Messages("C1") {
		if m.Ephemeral && m.To == "U1" {
			ephemerals++
		}
	}
	return dms, ephemerals
}

// TestRunAgainstEmulator boots the real run, as main calls it, against the emulator.
func TestRunAgainstEmulator(t *testing.T) {
	emu := startEmulator(t)
	cleanEnv(t, emulatorEnv(t, emu))
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, &logs, &logs) }()

	waitFor(t, emu, "the connection", func() bool { return emu.Connections() == 1 })
	emu.SlashCommand("U1", "C1", "help")
	emu.SendDM("U1", "a private thought about my week")
	waitFor(t, emu, "both replies", func() bool { dms, eph := botReplies(emu); return dms == 1 && eph == 1 })
	// Slack sends the bot's own reply back as an event; let it be handled before stopping.
	for deadline := time.Now().Add(waitLimit); !strings.Contains(logs.String(), `"level":"DEBUG","msg":"envelope handled"`); {
		if time.Now().After(deadline) {
			t.Fatalf("the echo of the bot's reply was never handled; log:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after cancel, want nil", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("run did not return within %s of cancel", waitLimit)
	}
	for _, want := range []string{
		`"level":"INFO","msg":"envelope handled","component":"slackapp","type":"slash_commands","latency_ms":`,
		`"level":"INFO","msg":"envelope handled","component":"slackapp","type":"events_api"`,
		// The bot's own reply comes back as an event: handled quietly.
		`"level":"DEBUG","msg":"envelope handled","component":"slackapp","type":"events_api"`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("got log\n%s\nwant a line per handled envelope containing %s", logs.String(), want)
		}
	}
	for _, secret := range []string{emu.BotToken(), emu.AppToken(), "private thought"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log contains %q:\n%s", secret, logs.String())
		}
	}
}

// TestBinary builds the real binary, runs it against the emulator and stops it with SIGTERM.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)

	t.Run("version", func(t *testing.T) {
		out, err := exec.Command(bin, "version").Output()
		if err != nil || strings.TrimSpace(string(out)) != "reflect test-1" {
			t.Errorf("got %q, %v, want %q", out, err, "reflect test-1")
		}
	})

	t.Run("check without environment exits non-zero", func(t *testing.T) {
		cmd := exec.Command(bin, "check")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("got %v, want exit status 1", err)
		}
		if !regexp.MustCompile(`(?m)^bot: config: SLACK_BOT_TOKEN: `).Match(out) {
			t.Errorf("got %q, want one line naming SLACK_BOT_TOKEN", out)
		}
	})

	t.Run("a bot token Slack rejects exits 3 before anything is touched", func(t *testing.T) {
		emu := startEmulator(t)
		env := emulatorEnv(t, emu)
		env["SLACK_BOT_TOKEN"] = "xoxb-not-this-workspaces-token"
		dir := t.TempDir()
		env["DATABASE_URL"] = filepath.Join(dir, "reflect.db")
		cmd := exec.Command(bin)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 {
			t.Fatalf("got %v, want exit status 3; output:\n%s", err, out)
		}
		want := "bot: Slack rejected SLACK_BOT_TOKEN (invalid_auth): copy the Bot User OAuth Token again from the app's OAuth & Permissions page, or reinstall the app\n"
		if string(out) != want {
			t.Errorf("got output %q, want the one line %q", out, want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("a rejected token left %v behind; want no database file", entries)
		}
		if strings.Contains(string(out), "not-this") {
			t.Errorf("output %q echoes the token", out)
		}
	})

	t.Run("unknown command exits 2", func(t *testing.T) {
		err := exec.Command(bin, "dance").Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("got %v, want exit status 2", err)
		}
	})

	t.Run("SIGTERM exits 0", func(t *testing.T) {
		emu := startEmulator(t)
		cmd, exited, logs := startBinary(t, bin, emulatorEnv(t, emu))

		waitFor(t, emu, "the connection", func() bool { return emu.Connections() == 1 })
		emu.SendDM("U1", "hello")
		waitFor(t, emu, "the reply", func() bool { dms, _ := botReplies(emu); return dms == 1 })

		start := time.Now()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("got %v after SIGTERM, want exit status 0; log:\n%s", err, logs.String())
			}
			t.Logf("exited 0 %s after SIGTERM", time.Since(start).Round(time.Millisecond))
		case <-time.After(waitLimit):
			t.Fatalf("still running %s after SIGTERM", waitLimit)
		}
		if !strings.Contains(logs.String(), `"msg":"stopped"`) {
			t.Errorf("got log\n%s\nwant a JSON line saying it stopped", logs.String())
		}
	})
}

// syncBuffer is a bytes.Buffer safe to write from the program and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildBinary builds the bot once per test run.
func buildBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "reflect-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "bot")
		out, err := exec.Command("go", "build", "-o", builtBin, "-ldflags", "-X main.buildVersion=test-1", ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// startBinary starts the built bot with env and kills it when the test ends.
func startBinary(t testing.TB, bin string, env map[string]string) (*exec.Cmd, <-chan error, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, exited, logs
}

// TestBinaryKilledMidFanOut kills the real binary with SIGKILL while it is sending a fan-out of
// prompts, starts it again, and checks that every person got this week's prompt, with its
// wellbeing check in the same post, exactly once: on SQLite, and on PostgreSQL when a server is
// configured (see pgtest).
func TestBinaryKilledMidFanOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits out an outbox lease")
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { killedMidFanOut(t, engine) })
	}
}

func killedMidFanOut(t *testing.T, engine string) {
	bin := buildBinary(t)
	const people = 300
	emu := startEmulator(t)
	emu.SetMessageRate(30) // 300 posts take about ten seconds: time to kill it half-way
	env := emulatorEnv(t, emu)
	env["LOG_LEVEL"] = "info"
	if engine == "postgres" {
		env["DATABASE_URL"] = pgtest.Schema(t) // skips without a server, outside CI
	}

	// Everyone is due a minute ago.
	ctx := context.Background()
	store, err := db.Open(ctx, env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(-time.Minute).Truncate(time.Minute)
	for i := range people {
		id := fmt.Sprintf("UP%04d", i)
		emu.AddUser(slackemu.User{ID: id, Name: id, TZ: "UTC"})
		if _, err := store.Start(ctx, db.Person{UserID: id, TZ: "UTC"}, "self", due); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	// posts counts the bot's posts, and those of them that carry a wellbeing check: one post
	// each, the prompt with its check in the same message.
	posts := func() (total, worst, checks int) {
		for i := range people {
			n := 0
			for _, m := range emu.DMs(fmt.Sprintf("UP%04d", i)) {
				if m.BotID != "" {
					n++
					if strings.Contains(string(m.Blocks), `"block_id":"check_`) && strings.Contains(string(m.Blocks), `"block_id":"prompt_question`) {
						checks++
					}
				}
			}
			total += n
			worst = max(worst, n)
		}
		return total, worst, checks
	}

	for round := 1; ; round++ {
		cmd, exited, logs := startBinary(t, bin, env)
		if round == 3 {
			waitFor(t, emu, "the rest of the fan-out", func() bool { total, _, _ := posts(); return total >= people }, time.Minute)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := <-exited; err != nil {
				t.Fatalf("got %v after SIGTERM, want exit 0; log:\n%s", err, logs.String())
			}
			break
		}
		// Kill it a third and then two thirds of the way through.
		target := round * people / 3
		waitFor(t, emu, "part of the fan-out", func() bool { total, _, _ := posts(); return total >= target }, time.Minute)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-exited
		total, _, _ := posts()
		st, err := db.Open(ctx, env["DATABASE_URL"])
		if err != nil {
			t.Fatal(err)
		}
		inFlight, _ := st.OutboxDepth(ctx)
		st.Close()
		t.Logf("round %d: killed after %d of %d posts, %d queued or in flight", round, total, people, inFlight)
	}
	total, worst, checks := posts()
	if total != people || worst != 1 || checks != people {
		t.Errorf("got %d posts (at most %d for one person), %d with a prompt and its check; want %d: one post each, the prompt with its wellbeing check",
			total, worst, checks, people)
	}
}

// A token Slack rejects ends the process with its own status, so a supervisor can tell it from a
// crash worth restarting.
func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{name: "usage", err: usageError("unknown command"), want: 2},
		{name: "app token rejected", err: fmt.Errorf("run: %w", &slackapp.TokenError{Var: "SLACK_APP_TOKEN", Code: "invalid_auth"}), want: 3},
		{name: "bot token rejected", err: &slackapp.TokenError{Var: "SLACK_BOT_TOKEN", Code: "token_revoked"}, want: 3},
		{name: "other", err: errors.New("database unreachable"), want: 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exitCode = %d, want %d", tt.name, got, tt.want)
		}
	}
}
