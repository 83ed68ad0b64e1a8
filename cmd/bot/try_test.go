package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTry runs "bot try" without any Slack configuration: it prints the playground's URL, serves
// the page and the state of the seeded workspace (you enrolled, #team opted in), and returns nil
// when cancelled.
func TestTry(t *testing.T) {
	cleanEnv(t, nil)
	page, stop := startTry(t)
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + u.Host
	// The page's address sets the token's cookie, which the jar then sends, as a browser does.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if res, err := http.Get(base + "/"); err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("GET / without the token: %v %v, want 403", res, err)
	} else {
		res.Body.Close()
	}
	if res, err := client.Get(page); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %v %v", page, res, err)
	} else {
		res.Body.Close()
	}

	get := func(path string) (int, string) {
		t.Helper()
		res, err := client.Get(base + path)
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
	if len(st.People) != 7 || st.People[0].ID != "U_YOU" {
		t.Errorf("people: %+v", st.People)
	}
	if len(st.DM) == 0 || !st.DM[0].Ephemeral {
		t.Errorf("want the reply to /reflect start in the conversation, got %+v", st.DM)
	}
	if code, body := get("/api/state?user=U_LEAD"); code != 200 || !strings.Contains(body, "team") {
		t.Errorf("lead's state: %d %.300s", code, body)
	}

	if err := stop(); err != nil {
		t.Fatalf("try returned %v, want nil", err)
	}
}

// startTry runs "bot try" on a free port with a database in t.TempDir() and the extra args, and
// returns the page's URL, with this run's token, once it is printed. stop cancels try and returns what it returned; the
// test's cleanup stops it too.
func startTry(t *testing.T, args ...string) (page string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	args = append([]string{"try", "-port", "0", "-db", filepath.Join(t.TempDir(), "try.db")}, args...)
	go func() { done <- run(ctx, args, &stdout, &stderr) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(waitLimit):
				err = errors.New("try did not return after cancel")
			}
		})
		return err
	}
	t.Cleanup(func() {
		_ = stop()
		if t.Failed() {
			t.Logf("try's stderr:\n%s", stderr.String())
		}
	})

	urlRE := regexp.MustCompile(`Reflect playground: (http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]+)`)
	deadline := time.Now().Add(waitLimit)
	for {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stop
		}
		select {
		case err := <-done:
			done <- err // for stop
			t.Fatalf("try returned %v before printing its URL; stderr:\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed; stdout %q stderr %q", stdout.String(), stderr.String())
		}
	}
}

func TestTryBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-port", "x"}, {"-start", "tomorrow"}, {"extra"}} {
		err := run(context.Background(), append([]string{"try"}, args...), io.Discard, io.Discard)
		if _, ok := err.(usageError); !ok {
			t.Errorf("try %v: got %v, want a usage error", args, err)
		}
	}
}

// TestTryPortTaken: a second try on a port in use says how to pick another.
func TestTryPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	err = run(context.Background(), []string{"try", "-port", port, "-db", filepath.Join(t.TempDir(), "try.db")}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "port "+port+" is taken") || !strings.Contains(err.Error(), "-port 0") {
		t.Errorf("got %v, want the port named as taken and -port 0 suggested", err)
	}
}

// TestTryMonthReadsLikeARealOne: End of month in "bot try", with nothing answered by you, leaves a
// month that reads like a real one: your prompts answered on your behalf (and the page told so),
// the lead and the members answering their own, no question after unanswered prompts to anyone,
// and answers that vary from week to week.
func TestTryMonthReadsLikeARealOne(t *testing.T) {
	cleanEnv(t, nil)
	page, stop := startTry(t, "-start", "2026-03-04T10:00:00Z")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if res, err := client.Get(page); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %v %v", page, res, err)
	} else {
		res.Body.Close()
	}
	u, _ := url.Parse(page)
	base := "http://" + u.Host
	res, err := client.Post(base+"/api/time", "application/json", strings.NewReader(`{"user":"U_YOU","to":"end-of-month"}`))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Notes []string
		Error string
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("end of month: %s %s", res.Status, out.Error)
	}
	if n := strings.Join(out.Notes, "\n"); !strings.Contains(n, "8 of your prompts were answered on your behalf with made-up answers (sent Mon 9 Mar, Mon 16 Mar, Mon 23 Mar and Mon 30 Mar)") {
		t.Errorf("notes %q, want March's 8 prompts (4 weeks of a prompt and a wellbeing check) named as answered on your behalf", n)
	}
	type dm struct {
		DM []struct {
			Text   string
			Bot    bool
			Blocks json.RawMessage
		}
	}
	for _, who := range []string{"U_YOU", "U_LEAD", "U_ANA"} {
		res, err := client.Get(base + "/api/state?user=" + who)
		if err != nil {
			t.Fatal(err)
		}
		var st dm
		_ = json.NewDecoder(res.Body).Decode(&st)
		res.Body.Close()
		summary, readings := "", map[string]bool{}
		for _, m := range st.DM {
			if strings.HasPrefix(m.Text, "March 2026") {
				summary = m.Text
			}
			if strings.Contains(string(m.Blocks), `"continue:`) {
				t.Errorf("%s was asked whether to carry on after unanswered prompts", who)
			}
			if i := strings.Index(string(m.Blocks), "read as "); i >= 0 {
				readings[string(m.Blocks)[i:min(len(m.Blocks), i+60)]] = true
			}
		}
		if summary == "" || strings.Contains(summary, "Answered 0 of") {
			t.Errorf("%s's March summary: %q", who, summary)
		}
		if len(readings) < 2 {
			t.Errorf("%s's answers all read the same: %v", who, readings)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
