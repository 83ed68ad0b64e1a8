package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
)

// freeAddr returns a loopback address nothing listens on, found by listening on port 0 and
// closing. Another process could take the port in between; nothing here does.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// fetch GETs url and returns the status and body; code 0 means no answer.
func fetch(url string) (int, string) {
	client := &http.Client{Timeout: time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitForStatus polls url until it answers want, or fails the test.
func waitForStatus(t *testing.T, url string, want int) string {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		code, body := fetch(url)
		if code == want {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: still %d %q after %s, want %d", url, code, body, waitLimit, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sample returns the value of one series in a Prometheus text exposition.
func sample(body, series string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// TestRunServesOperationsEndpoints boots the real run with HTTP_ADDR on a free port and checks
// the endpoints through a connection, a slash command, a reconnect and the loss of Slack; and the
// healthcheck command against it.
func TestRunServesOperationsEndpoints(t *testing.T) {
	emu := startEmulator(t)
	addr := freeAddr(t)
	env := emulatorEnv(t, emu)
	env["HTTP_ADDR"] = addr
	cleanEnv(t, env)
	base := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, &logs, &logs) }()

	if body := waitForStatus(t, base+"/healthz", 200); body != "ok\n" {
		t.Errorf("GET /healthz: got %q, want %q", body, "ok\n")
	}
	waitFor(t, emu, "the connection", func() bool { return emu.Connections() == 1 })
	if body := waitForStatus(t, base+"/readyz", 200); body != "ready\n" {
		t.Errorf("GET /readyz: got %q, want %q", body, "ready\n")
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"healthcheck"}, &out, &out); err != nil || !strings.Contains(out.String(), "ok") {
		t.Errorf("healthcheck against the running bot: got %v, %q, want nil and ok", err, out.String())
	}

	emu.SlashCommand("U1", "C1", "help")
	waitFor(t, emu, "the reply", func() bool { _, eph := botReplies(emu); return eph == 1 })
	// A dropped socket is reconnected, and counted.
	emu.DropConnections()
	waitFor(t, emu, "the reconnection", func() bool { return emu.ConnectCount() == 2 && emu.Connections() == 1 })
	waitForStatus(t, base+"/readyz", 200)

	code, metrics := fetch(base + "/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics: got %d, want 200:\n%s", code, metrics)
	}
	checks := []struct {
		series  string
		atLeast float64
	}{
		{"reflect_envelopes_acked_total", 1},
		{"reflect_requests_handled_total", 1},
		{"reflect_ack_latency_seconds_count", 1},
		{"reflect_socket_reconnects_total", 1},
		{"reflect_socket_connected", 1},
		{`reflect_store_rows{table="people"}`, 0},
		{"reflect_outbox_depth", 0},
	}
	for _, c := range checks {
		if got, ok := sample(metrics, c.series); !ok || got < c.atLeast {
			t.Errorf("%s: got %v (present: %v), want at least %v", c.series, got, ok, c.atLeast)
		}
	}
	for _, personal := range []string{`="U1"`, `="C1"`, emu.BotUserID()} {
		if strings.Contains(metrics, personal) {
			t.Errorf("/metrics contains %s", personal)
		}
	}

	// Without Slack the bot is alive but not ready.
	emu.Close()
	if body := waitForStatus(t, base+"/readyz", 503); body != "not connected to Slack\n" {
		t.Errorf("GET /readyz without Slack: got %q, want %q", body, "not connected to Slack\n")
	}
	waitForStatus(t, base+"/healthz", 200)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after cancel, want nil", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("run did not return within %s of cancel", waitLimit)
	}
	// Once run has returned, the endpoints are gone and the healthcheck says so.
	if code, _ := fetch(base + "/healthz"); code != 0 {
		t.Errorf("GET /healthz after run returned: got %d, want no answer", code)
	}
	if err := run(context.Background(), []string{"healthcheck"}, io.Discard, io.Discard); err == nil {
		t.Errorf("healthcheck after run returned: got nil, want an error")
	}
	for _, secret := range []string{emu.BotToken(), emu.AppToken()} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log contains a token:\n%s", logs.String())
		}
	}
}

func TestRunFailsWhenThePortIsTaken(t *testing.T) {
	emu := startEmulator(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := emulatorEnv(t, emu)
	env["HTTP_ADDR"] = ln.Addr().String()
	cleanEnv(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	err = run(ctx, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "HTTP_ADDR") {
		t.Errorf("got %v, want an error naming HTTP_ADDR", err)
	}
}

func TestHealthcheck(t *testing.T) {
	answer := func(code int) string {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(code)
		}))
		t.Cleanup(ts.Close)
		_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
		return ":" + port // as in the default ":8080": the check goes to loopback
	}
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * healthcheckTimeout):
		}
	}))
	t.Cleanup(slow.Close)
	tests := []struct {
		name       string
		httpAddr   string
		wantErr    bool
		wantOut    string
		wantConfig bool // the error is a *config.Error
	}{
		{"healthy", answer(200), false, "healthcheck: ok", false},
		{"not healthy", answer(503), true, "", false},
		{"nothing listening", freeAddr(t), true, "", false},
		{"too slow", slow.Listener.Addr().String(), true, "", false},
		{"endpoints off", "", false, "endpoints are off", false},
		{"malformed address", "localhost", true, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t, map[string]string{"HTTP_ADDR": tt.httpAddr})
			var out bytes.Buffer
			start := time.Now()
			err := run(context.Background(), []string{"healthcheck"}, &out, &out)
			if took := time.Since(start); took > healthcheckTimeout+time.Second {
				t.Errorf("took %s, want at most about %s", took, healthcheckTimeout)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want an error: %v", err, tt.wantErr)
			}
			var ce *config.Error
			if got := errors.As(err, &ce); got != tt.wantConfig {
				t.Errorf("got error %v, want a config error: %v", err, tt.wantConfig)
			}
			var ue usageError
			if errors.As(err, &ue) {
				t.Errorf("got a usage error %v, want exit status 1", err)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("got output %q, want it to contain %q", out.String(), tt.wantOut)
			}
		})
	}
	t.Run("arguments are a usage error", func(t *testing.T) {
		var ue usageError
		if err := run(context.Background(), []string{"healthcheck", "now"}, io.Discard, io.Discard); !errors.As(err, &ue) {
			t.Errorf("got %v, want a usage error", err)
		}
	})
}

func TestHealthURL(t *testing.T) {
	tests := []struct {
		addr, want string
	}{
		{":8080", "http://127.0.0.1:8080/healthz"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000/healthz"},
		{"[::]:9000", "http://127.0.0.1:9000/healthz"},
		{"127.0.0.1:9000", "http://127.0.0.1:9000/healthz"},
		{"[::1]:9000", "http://[::1]:9000/healthz"},
		{"localhost:9000", "http://localhost:9000/healthz"},
		{"10.1.2.3:9000", "http://10.1.2.3:9000/healthz"},
	}
	for _, tt := range tests {
		got, err := healthURL(tt.addr)
		if err != nil || got != tt.want {
			t.Errorf("healthURL(%q): got %q, %v, want %q", tt.addr, got, err, tt.want)
		}
	}
	if _, err := healthURL("no-port"); err == nil {
		t.Errorf("healthURL(%q): got nil error, want one", "no-port")
	}
}
