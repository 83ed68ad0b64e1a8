package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTry runs "bot try" without any Slack configuration: it prints the playground's URL, serves
// the page and the state of the seeded workspace (you enrolled, #team opted in), and returns nil
// when cancelled.
func TestTry(t *testing.T) {
	cleanEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"try", "-port", "0", "-db", filepath.Join(t.TempDir(), "try.db")}, &stdout, &stderr)
	}()
	urlRE := regexp.MustCompile(`Reflect playground: (http://127\.0\.0\.1:\d+)`)
	var base string
	deadline := time.Now().Add(waitLimit)
	for base == "" {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("try returned %v before printing its URL; stderr:\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed; stdout %q stderr %q", stdout.String(), stderr.String())
		}
	}

	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/"); code != 200 || !strings.Contains(body, "Reflect playground") {
		t.Fatalf("GET /: %d %.200s", code, body)
	}
	code, body := get("/api/state?user=U_YOU")
	if code != 200 {
		t.Fatalf("GET /api/state: %d %s", code, body)
	}
	var st struct {
		People []struct{ ID, Name string }
		DM     []struct {
			Text      string
			Ephemeral bool
		}
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.People) != 5 || st.People[0].ID != "U_YOU" {
		t.Errorf("people: %+v", st.People)
	}
	if len(st.DM) == 0 || !st.DM[0].Ephemeral {
		t.Errorf("want the reply to /reflect start in the conversation, got %+v", st.DM)
	}
	if code, body := get("/api/state?user=U_LEAD"); code != 200 || !strings.Contains(body, "team") {
		t.Errorf("lead's state: %d %.300s", code, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("try returned %v, want nil", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("try did not return after cancel")
	}
}

func TestTryBadFlags(t *testing.T) {
	err := run(context.Background(), []string{"try", "-port", "x"}, io.Discard, io.Discard)
	if _, ok := err.(usageError); !ok {
		t.Fatalf("got %v, want a usage error", err)
	}
}
