package slackapp

import (
	"container/heap"
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// limiter is Slack's side of the simulation: a token bucket of rate calls a second holding up to
// burst, answering a call it cannot take with a Retry-After in whole seconds, as Slack does and
// as the emulator does.
type limiter struct {
	rate, burst float64 // rate 0: no limit
	level       float64
	last        time.Time
}

func (l *limiter) take(now time.Time) (ok bool, retryAfter time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	if l.last.IsZero() {
		l.level = l.burst
	} else {
		l.level = math.Min(l.burst, l.level+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	if l.level >= 1 {
		l.level--
		return true, 0
	}
	return false, time.Duration(max(math.Ceil((1-l.level)/l.rate), 1)) * time.Second
}

// simEvent is something a simulated caller does at a time.
type simEvent struct {
	at     time.Time
	seq    int
	caller int
	kind   int // simTry, simSend, simAnswer
	ticket paceTicket
	limit  time.Duration // simAnswer: the Retry-After of a 429; 0 for an accepted call
}

const (
	simTry = iota
	simSend
	simAnswer
)

type simQueue []simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// paceSim runs callers that always have a call to make through one pacer against a limiter, on
// a simulated clock, one event at a time, as webAPI.call does: wait at the gate, take a slot, look
// at the gate again, send; a 429 shuts the gate for its Retry-After.
type paceSim struct {
	t       *testing.T
	p       *pacer
	slack   *limiter
	latency time.Duration
	now     time.Time
	gate    time.Time
	queue   simQueue
	seq     int
	parked  []int // callers waiting for room in flight

	calls, limited int
	accepted       []time.Time // when each accepted call reached Slack
	steadyFrom     time.Time   // from when maxInFlight is kept
	maxInFlight    int
}

func newPaceSim(t *testing.T, p *pacer, slack *limiter, latency time.Duration, callers int) *paceSim {
	s := &paceSim{t: t, p: p, slack: slack, latency: latency, now: time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)}
	for c := range callers {
		s.push(simEvent{at: s.now, caller: c, kind: simTry})
	}
	return s
}

func (s *paceSim) push(e simEvent) {
	s.seq++
	e.seq = s.seq
	heap.Push(&s.queue, e)
}

// run simulates until d from now has passed.
func (s *paceSim) run(d time.Duration) {
	end := s.now.Add(d)
	for s.queue.Len() > 0 && !s.queue[0].at.After(end) {
		e := heap.Pop(&s.queue).(simEvent)
		s.now = e.at
		switch e.kind {
		case simTry:
			if s.now.Before(s.gate) {
				s.push(simEvent{at: s.gate, caller: e.caller, kind: simTry})
				continue
			}
			tk, wait, full, _ := s.p.reserve(s.now)
			if full {
				s.parked = append(s.parked, e.caller)
				continue
			}
			if in, bound := s.p.inFlight, s.p.bound(); in > bound {
				s.t.Fatalf("at %s: %d calls in flight, over the bound %d", s.now.Format(time.StampMilli), in, bound)
			}
			if !s.now.Before(s.steadyFrom) {
				s.maxInFlight = max(s.maxInFlight, s.p.inFlight)
			}
			s.push(simEvent{at: s.now.Add(wait), caller: e.caller, kind: simSend, ticket: tk})
		case simSend:
			if s.now.Before(s.gate) {
				e.ticket.done(s.now, paceUnused, 0)
				s.wake()
				s.push(simEvent{at: s.gate, caller: e.caller, kind: simTry})
				continue
			}
			s.calls++
			// Slack takes the call half-way through its time and answers at the end.
			ok, retryAfter := s.slack.take(s.now.Add(s.latency / 2))
			if ok {
				s.accepted = append(s.accepted, s.now.Add(s.latency/2))
			} else {
				s.limited++
			}
			s.push(simEvent{at: s.now.Add(s.latency), caller: e.caller, kind: simAnswer, ticket: e.ticket, limit: retryAfter})
		case simAnswer:
			if e.limit > 0 {
				ep, acc, span := s.p.epoch, s.p.accepted, s.now.Sub(s.p.window)
				e.ticket.done(s.now, paceLimited, e.limit)
				if testing.Verbose() && s.p.epoch != ep {
					s.t.Logf("%s: 429 (Retry-After %s) after %d accepted in %s: pace %.2f/s, bound %d", s.now.Format("15:04:05.000"), e.limit, acc, span, s.p.rate, s.p.bound())
				}
				s.gate = later(s.gate, s.now.Add(e.limit))
			} else {
				e.ticket.done(s.now, paceAnswered, 0)
			}
			s.wake()
			s.push(simEvent{at: s.now, caller: e.caller, kind: simTry})
		}
	}
	s.now = end
}

// wake lets the callers waiting for room in flight try again.
func (s *paceSim) wake() {
	for _, c := range s.parked {
		s.push(simEvent{at: s.now, caller: c, kind: simTry})
	}
	s.parked = nil
}

// acceptedBetween counts the calls Slack accepted in [from, to).
func (s *paceSim) acceptedBetween(from, to time.Time) int {
	n := 0
	for _, at := range s.accepted {
		if !at.Before(from) && at.Before(to) {
			n++
		}
	}
	return n
}

// Against a limit it does not know, the pacer finds it: fewer than 1 % of calls are answered 429,
// Slack accepts within a few percent of its rate once the first seconds have taught the pacer, and
// no more calls are in flight than its bound allows.
func TestPacerLearnsSlacksRate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rate     float64
		burst    float64
		latency  time.Duration
		callers  int
		run      time.Duration
		minShare float64 // of the rate, accepted from 20 s on
	}{
		{name: "emulator 50/s", rate: 50, burst: 50, latency: 5 * time.Millisecond, callers: 8, run: 2 * time.Minute, minShare: 0.97},
		{name: "emulator 200/s", rate: 200, burst: 200, latency: 5 * time.Millisecond, callers: 16, run: 2 * time.Minute, minShare: 0.97},
		{name: "slow answers", rate: 50, burst: 50, latency: 200 * time.Millisecond, callers: 64, run: 2 * time.Minute, minShare: 0.97},
		// Ten minutes: a few calls a second take a while to measure.
		{name: "few a second", rate: 3, burst: 3, latency: 100 * time.Millisecond, callers: 8, run: 10 * time.Minute, minShare: 0.9},
		// Slack's allowance is full again long before a Retry-After of a whole second is over:
		// each 429 costs three quarters of a second of it, however it is paced, and the rate
		// measured between two 429s falls short of Slack's by as much. The pacer stays under
		// Slack's rate and probes up slowly: a known shortfall, asserted so it cannot grow.
		{name: "quarter-second bursts", rate: 100, burst: 25, latency: 20 * time.Millisecond, callers: 16, run: 2 * time.Minute, minShare: 0.75},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPacer(paceStartRate)
			sim := newPaceSim(t, p, &limiter{rate: tc.rate, burst: tc.burst}, tc.latency, tc.callers)
			start := sim.now
			sim.steadyFrom = start.Add(20 * time.Second)
			sim.run(tc.run)
			if share := float64(sim.limited) / float64(sim.calls); share >= 0.01 {
				t.Errorf("%d of %d calls answered 429 (%.2f %%), want under 1 %%", sim.limited, sim.calls, 100*share)
			}
			got := float64(sim.acceptedBetween(start.Add(20*time.Second), sim.now)) / (tc.run - 20*time.Second).Seconds()
			if got < tc.minShare*tc.rate || got > tc.rate*1.001+tc.burst/(tc.run-20*time.Second).Seconds() {
				t.Errorf("Slack accepted %.1f calls a second from 20 s on, want %.0f %% to 100 %% of %g", got, 100*tc.minShare, tc.rate)
			}
			if r := p.stats().Rate; r < (tc.minShare-0.07)*tc.rate || r > 1.05*tc.rate {
				t.Errorf("paced at %.1f a second, want %.0f %% to 105 %% of %g", r, 100*(tc.minShare-0.07), tc.rate)
			}
			// Once learned: what Slack's rate allows in twice a call's time, plus one.
			if want := int(math.Ceil(2*1.05*tc.rate*tc.latency.Seconds())) + 1; sim.maxInFlight > want {
				t.Errorf("%d calls in flight at once from 20 s on, want at most %d", sim.maxInFlight, want)
			}
		})
	}
}

// A 429 sets the pace to the rate Slack allowed since the one before: the calls it accepted over
// the time between the two, the Retry-After wait included.
func TestPacerTakesTheRateSlackAllowedAt429(t *testing.T) {
	t0 := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	p := newPacer(100)
	p.latency = 0
	// The first 429 ends the slow start and opens the measurement.
	tk, _, _, _ := p.reserve(t0)
	tk.done(t0, paceLimited, time.Second)
	if p.slowStart {
		t.Fatal("still in slow start after a 429")
	}
	if r := p.stats().Rate; r > 50 {
		t.Fatalf("rate %.1f after the first 429 in slow start, want at most half of 100", r)
	}
	p.rate = 60 // as if it had crept up since
	// One second shut (Retry-After: 1), then 30 calls accepted in the next second: 30 in 2 s.
	at := t0.Add(time.Second)
	for range 30 {
		tk, wait, full, _ := p.reserve(at)
		if full {
			t.Fatal("no room in flight with none in flight")
		}
		at = at.Add(wait)
		tk.done(at, paceAnswered, 0)
	}
	at = t0.Add(2 * time.Second)
	tk, _, _, _ = p.reserve(at)
	tk.done(at, paceLimited, time.Second)
	if r := p.stats().Rate; math.Abs(r-15) > 0.01 {
		t.Errorf("rate %.2f after 30 accepted in the 2 s since the last 429, want 15", r)
	}
	// A 429 to a call made before that one was answered does not slow it again.
	old := paceTicket{p: p, at: at.Add(-time.Millisecond), epoch: p.epoch - 1}
	p.inFlight++
	old.done(at.Add(time.Millisecond), paceLimited, time.Second)
	if r := p.stats().Rate; math.Abs(r-15) > 0.01 {
		t.Errorf("rate %.2f after a 429 to an older call, want still 15", r)
	}
}

// With steady success the pace does not run away from what was learned: after a 429 taught it
// Slack's rate, and Slack then lets everything through, it goes no more than a few percent above.
func TestPacerCreepsOnlyAFewPercentAboveTheLearnedRate(t *testing.T) {
	p := newPacer(paceStartRate)
	slack := &limiter{rate: 50, burst: 50}
	sim := newPaceSim(t, p, slack, 5*time.Millisecond, 8)
	sim.run(60 * time.Second)
	learned := p.learned
	if learned < 45 || learned > 55 {
		t.Fatalf("learned %.1f a second against 50, want about 50", learned)
	}
	slack.rate = 0 // no more limit: only successes from now on
	from := sim.now
	// Up to the ceiling above the learned rate, and at most one probe above that.
	sim.run(paceProbeAfter - time.Second)
	most := learned * (1 + paceHeadroom) * (1 + paceHeadroom)
	if r := p.stats().Rate; r > most {
		t.Errorf("paced at %.1f after %s of success, want at most %.1f (the learned %.1f, %g %% twice)", r, paceProbeAfter-time.Second, most, learned, 100*paceHeadroom)
	}
	secs := sim.now.Sub(from).Seconds()
	if got := float64(sim.acceptedBetween(from, sim.now)) / secs; got > most {
		t.Errorf("sent %.1f a second with nothing refused, want at most %.1f", got, most)
	}
}

// When Slack's allowance shrinks (other apps, a busier workspace), the pace follows it down within
// a few seconds instead of meeting a 429 at every slot.
func TestPacerSlowsToASmallerLimit(t *testing.T) {
	p := newPacer(paceStartRate)
	slack := &limiter{rate: 100, burst: 100}
	sim := newPaceSim(t, p, slack, 5*time.Millisecond, 16)
	sim.run(40 * time.Second)
	slack.rate, slack.burst = 25, 25
	limitedBefore, callsBefore := sim.limited, sim.calls
	sim.run(5 * time.Second)
	if r := p.stats().Rate; r > 25*1.05 {
		t.Errorf("paced at %.1f 5 s after the limit fell to 25, want at most 5 %% above", r)
	}
	sim.run(55 * time.Second)
	if r := p.stats().Rate; r < 0.9*25 || r > 1.05*25 {
		t.Errorf("paced at %.1f a minute after the limit fell to 25, want within 10 %% below to 5 %% above", r)
	}
	limited, calls := sim.limited-limitedBefore, sim.calls-callsBefore
	if share := float64(limited) / float64(calls); share >= 0.02 {
		t.Errorf("%d of %d calls answered 429 after the limit fell, want under 2 %%", limited, calls)
	}
}

// No more calls are in flight than the rate allows in the time a call takes, however many callers
// wait.
func TestPacerBoundsCallsInFlight(t *testing.T) {
	t0 := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	p := newPacer(10)
	p.latency = time.Second / 2 // 10 a second for twice half a second each: 10, plus one
	var held []paceTicket
	for i := range 20 {
		tk, _, full, changed := p.reserve(t0)
		if full {
			if i != 11 {
				t.Fatalf("full after %d calls, want after 11", i)
			}
			tk := held[0]
			tk.done(t0.Add(time.Second), paceAnswered, 0)
			select {
			case <-changed:
			default:
				t.Fatal("a finished call did not signal room in flight")
			}
			if _, _, full, _ := p.reserve(t0.Add(time.Second)); full {
				t.Fatal("still full after a call finished")
			}
			return
		}
		held = append(held, tk)
	}
	t.Fatalf("20 calls in flight at once, want at most 11")
}

// Through webAPI.call: a paced call still waits out a closed gate's Retry-After, and an outbox
// call whose slot would come after its lease ends is handed back unsent instead of going late.
func TestPacedCallKeepsTheGateAndTheLease(t *testing.T) {
	clock := newFakeClock()
	script, api, web := newTestAPI(t, clock, time.Second)
	script.on("chat.postMessage", status(http.StatusTooManyRequests, "2"),
		okJSON(`{"ok":true,"channel":"D1","ts":"1.000001"}`))
	ctx := context.Background()
	post := func(ctx context.Context) error {
		_, _, err := api.PostMessageContext(ctx, "U1")
		return err
	}
	err := web.call(ctx, "chat.postMessage", callOpts{paced: true, noRateLimitWait: true}, post)
	if _, ok := errors.AsType[*RateLimitError](err); !ok {
		t.Fatalf("first post: got %v, want a *RateLimitError", err)
	}
	if err := web.call(ctx, "chat.postMessage", callOpts{paced: true}, post); err != nil {
		t.Fatalf("second post: %v", err)
	}
	if sl := clock.Sleeps(); len(sl) == 0 || sl[0] != 2*time.Second {
		t.Errorf("sleeps %v, want the 2 s Retry-After first", sl)
	}
	// The pace now allows a call every interval; the next slot is further away than the lease.
	p := web.pacerFor("chat.postMessage")
	p.mu.Lock()
	p.next = clock.Now().Add(time.Minute)
	p.mu.Unlock()
	fenced := false
	err = web.call(ctx, "chat.postMessage", callOpts{paced: true, noRateLimitWait: true, maxWait: 30 * time.Second,
		fence: func(context.Context) (time.Time, error) { fenced = true; return time.Time{}, nil }}, post)
	if _, ok := errors.AsType[*RateLimitError](err); !ok {
		t.Errorf("post with a slot past its lease: got %v, want a *RateLimitError", err)
	}
	if fenced || script.count("chat.postMessage") != 2 {
		t.Errorf("fence ran %v, %d calls: want no fence and no third call", fenced, script.count("chat.postMessage"))
	}
	if st := p.stats(); st.RateLimited != 1 || p.inFlight != 0 {
		t.Errorf("pacer stats %+v with %d in flight, want one 429 and none in flight", st, p.inFlight)
	}
}

// A 429 to another caller while a call waits for its slot shuts the gate: the call then waits
// out the Retry-After too instead of going out at its slot.
func TestPacedCallWaitsForAGateShutWhileItWaitedForItsSlot(t *testing.T) {
	clock := newFakeClock()
	script, srv := newScriptedSlack(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/"))
	var web *webAPI
	var sentAt time.Time
	web = newWebAPI(clock.Now, func(ctx context.Context, d time.Duration) error {
		if len(clock.Sleeps()) == 0 {
			// The first sleep is the wait for the slot: another call meets a 429 meanwhile.
			web.block("chat.postMessage", 2*time.Second)
		}
		return clock.Sleep(ctx, d)
	}, time.Second)
	script.on("chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		sentAt = clock.Now()
		okJSON(`{"ok":true,"channel":"D1","ts":"1.000001"}`)(w, r)
	})
	p := web.pacerFor("chat.postMessage")
	start := clock.Now()
	p.next = start.Add(500 * time.Millisecond)
	if err := web.call(context.Background(), "chat.postMessage", callOpts{paced: true}, func(ctx context.Context) error {
		_, _, err := api.PostMessageContext(ctx, "U1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if want := start.Add(2 * time.Second); sentAt.Before(want) {
		t.Errorf("posted %s after the start, want no sooner than the gate opened 2s after it", sentAt.Sub(start))
	}
	if p.inFlight != 0 {
		t.Errorf("%d calls still in flight, want none", p.inFlight)
	}
}

// A 429 to a post into a conversation that had a post less than a second before may be that
// conversation's own limit: it shuts the gate, as every 429 does, but teaches the pacer nothing
// about the method's.
func TestPacerIgnoresA429ThatMayBeAChannelsOwn(t *testing.T) {
	clock := newFakeClock()
	script, api, web := newTestAPI(t, clock, time.Second)
	script.on("chat.postMessage", status(http.StatusTooManyRequests, "1"))
	p := web.pacerFor("chat.postMessage")
	p.slowStart, p.rate, p.learned = false, 100, 100
	post := func(ctx context.Context) error {
		_, _, err := api.PostMessageContext(ctx, "C1")
		return err
	}
	err := web.call(withChannelBurst(context.Background()), "chat.postMessage", callOpts{paced: true, noRateLimitWait: true}, post)
	if _, ok := errors.AsType[*RateLimitError](err); !ok {
		t.Fatalf("got %v, want a *RateLimitError", err)
	}
	if d := web.gateWait("chat.postMessage"); d <= 0 {
		t.Errorf("gate open after a 429, want it shut for the Retry-After")
	}
	if st := p.stats(); st.Rate != 100 || st.RateLimited != 1 || p.epoch != 0 {
		t.Errorf("pacer %+v at epoch %d after a 429 in a channel burst, want the rate kept at 100, the 429 counted, no new epoch", st, p.epoch)
	}
	// The same 429 to a post into a quiet conversation does slow the pace.
	clock.Sleep(context.Background(), time.Second)
	_ = web.call(context.Background(), "chat.postMessage", callOpts{paced: true, noRateLimitWait: true}, post)
	if st := p.stats(); st.Rate >= 100 || p.epoch != 1 {
		t.Errorf("pacer %+v at epoch %d after a 429, want a slower pace and a new epoch", st, p.epoch)
	}
}
