package slackapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// BenchmarkFanOutPaced measures the relay alone against Slack's workspace-wide message limit:
// N outbox items of the generic message kind (db.KindMessage), one each for N people (DMs to N distinct users),
// all due at the same instant in a real SQLite store, posted by the real App through the real
// slack-go client to the emulator allowing R chat.postMessage calls a second (bursts of one
// second's worth, Retry-After in whole seconds) and Slack's other limits (one message a second
// per channel, the method tiers). It reports the seconds from the moment the items fall due to
// the last accepted post, their ratio to the floor N / R, the 429 answers and their share of all
// Web API calls the relay made, and the most chat.postMessage requests that were in flight at
// once. Every person must get exactly one message. Under -short N is 200.
//
//	go test -run '^$' -bench FanOutPaced -benchtime 1x -count 2 ./internal/slackapp/
func BenchmarkFanOutPaced(b *testing.B) {
	for _, tc := range []struct {
		people int
		rate   float64
	}{
		{people: 2000, rate: 50},
		{people: 2000, rate: 200},
	} {
		people := tc.people
		if testing.Short() {
			people = 200
		}
		b.Run(fmt.Sprintf("N=%d/R=%g", people, tc.rate), func(b *testing.B) {
			for range b.N {
				fanOutPaced(b, people, tc.rate)
			}
		})
	}
}

// postCounter wraps the App's HTTP transport: it counts Web API requests and 429 answers, and
// records the most chat.postMessage requests in flight at once and when the last one Slack
// accepted came back.
type postCounter struct {
	next http.RoundTripper

	mu          sync.Mutex
	calls       int
	limited     int
	inFlight    int
	maxInFlight int
	accepted    int
	lastPost    time.Time
	posts       []time.Time // when each accepted post came back
}

func (c *postCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	post := strings.HasSuffix(r.URL.Path, "/chat.postMessage")
	c.mu.Lock()
	c.calls++
	if post {
		c.inFlight++
		c.maxInFlight = max(c.maxInFlight, c.inFlight)
	}
	c.mu.Unlock()
	resp, err := c.next.RoundTrip(r)
	c.mu.Lock()
	defer c.mu.Unlock()
	if post {
		c.inFlight--
	}
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.limited++
	}
	if err == nil && post && resp.StatusCode == http.StatusOK {
		// A 200 may still be {"ok":false}; every post here is valid, and the exactly-once check
		// below catches any that was not.
		c.accepted++
		c.lastPost = time.Now()
		c.posts = append(c.posts, c.lastPost)
	}
	return resp, err
}

func fanOutPaced(b *testing.B, people int, rate float64) {
	b.StopTimer()
	emu := slackemu.New(slackemu.WithT(b), slackemu.WithSlackTiers(), slackemu.WithPingInterval(100*time.Millisecond))
	defer emu.Close()
	users := make([]string, people)
	for i := range people {
		users[i] = fmt.Sprintf("UP%05d", i)
		emu.AddUser(slackemu.User{ID: users[i], Name: fmt.Sprintf("p%d", i), TZ: "UTC"})
	}
	emu.SetMessageRate(rate)
	store, err := db.Open(context.Background(), filepath.Join(b.TempDir(), "reflect.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	ctx := context.Background()

	// Every item falls due at the same instant, far enough ahead to queue them all and connect.
	due := time.Now().Add(3*time.Second + time.Duration(people)*2*time.Millisecond)
	payload, err := json.Marshal(Message{Text: "How did this week go?"})
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range users {
		if err := store.UpsertPerson(ctx, db.Person{UserID: u, TeamID: slackemu.TeamID}); err != nil {
			b.Fatal(err)
		}
		if _, err := store.Enqueue(ctx, db.OutboxMessage{UserID: u, Kind: db.KindMessage, Payload: payload, AvailableAt: due}); err != nil {
			b.Fatal(err)
		}
	}
	counter := &postCounter{next: http.DefaultTransport.(*http.Transport).Clone()}
	app, err := New(Config{BotToken: emu.BotToken(), AppToken: emu.AppToken(), APIURL: emu.APIURL(), PingInterval: 2 * time.Second},
		store, store, nil, WithHTTPClient(&http.Client{Transport: counter, Timeout: time.Minute}))
	if err != nil {
		b.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("Run: %v", err)
		}
	}()
	if time.Now().After(due) {
		b.Fatalf("queueing %d items took past their due time; raise the head start", people)
	}
	b.StartTimer()
	deadline := due.Add(time.Duration(float64(people)/rate*float64(time.Second))*3 + time.Minute)
	for {
		counter.mu.Lock()
		accepted := counter.accepted
		counter.mu.Unlock()
		if accepted >= people {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d posts out by the deadline", accepted, people)
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.StopTimer()

	counter.mu.Lock()
	elapsed := counter.lastPost.Sub(due)
	calls, limited, maxInFlight := counter.calls, counter.limited, counter.maxInFlight
	counter.mu.Unlock()
	for _, u := range users {
		n := 0
		for _, m := range emu.DMs(u) {
			if m.BotID != "" && !m.Ephemeral {
				n++
			}
		}
		if n != 1 {
			b.Fatalf("%s got %d posts, want exactly 1", u, n)
		}
	}
	emuLimited := 0
	for _, n := range emu.RateLimited() {
		emuLimited += n
	}
	if emuLimited != limited {
		b.Errorf("the emulator answered %d calls 429, the client saw %d", emuLimited, limited)
	}
	floor := float64(people) / rate
	b.ReportMetric(elapsed.Seconds(), "s")
	b.ReportMetric(elapsed.Seconds()/floor, "xfloor")
	b.ReportMetric(float64(limited), "429s")
	b.ReportMetric(100*float64(limited)/float64(max(calls, 1)), "429%")
	b.ReportMetric(float64(maxInFlight), "maxinflight")
	perSecond := make([]int, int(elapsed/time.Second)+1)
	counter.mu.Lock()
	for _, at := range counter.posts {
		if s := int(at.Sub(due) / time.Second); s >= 0 && s < len(perSecond) {
			perSecond[s]++
		}
	}
	counter.mu.Unlock()
	b.Logf("posts accepted in each second from the due time: %v", perSecond)
	for m, st := range app.PaceStats() {
		b.Logf("pacer %s: %+v", m, st)
	}
	b.Logf("N=%d R=%g: last post %.2fs after due (floor %.1fs, x%.3f); %d calls, %d answered 429; at most %d posts in flight",
		people, rate, elapsed.Seconds(), floor, elapsed.Seconds()/floor, calls, limited, maxInFlight)
}
