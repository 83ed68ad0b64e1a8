package slackapp

import (
	"context"
	"math"
	"sync"
	"time"
)

// Pacing the outbox's calls ahead of Slack's limits.
//
// Slack limits each Web API method per app per workspace. chat.postMessage is in a tier of its
// own: about one message a second per channel, short bursts allowed, and a workspace-wide limit
// it does not publish. A call over a limit is answered HTTP 429 with a Retry-After in seconds and
// takes no effect. https://docs.slack.dev/apis/web-api/rate-limits (the overview table: "Special
// Tier" and "Posting messages")
//
// Learning that limit from 429s alone costs a 429 per call in flight each time, and shuts the
// method for whole seconds. So the relay's posts are paced (paceStart says which methods) at a
// rate learned from Slack's answers (additive increase, multiplicative decrease):
//
//   - It starts from a conservative guess and, until Slack first answers 429, doubles the rate
//     every paceGrowEvery (or four calls' time, if longer, so the 429 that ends this comes back
//     before the next doubling) in which callers had to wait for it: a slow start, as TCP's.
//   - A 429 to a call made after the previous 429 was answered sets the rate to what Slack
//     accepted between the two: its allowance was spent when each of those calls reached it, so
//     the calls made in between that it accepted, over that time, are its rate, the Retry-After
//     wait included. The rate drops to that, by at most three quarters at once (a quarter, when
//     under paceFewCalls calls were measured: a stray 429 then costs little); during the slow
//     start to at most half. A 429 to a post that followed another into the same conversation
//     within a second teaches it nothing: it may be that conversation's own limit. The
//     per-method gate still shuts the method for every 429's Retry-After.
//   - While callers keep waiting and Slack keeps accepting, the rate creeps up by paceCreep a
//     second to paceHeadroom above the learned rate: Slack's short bursts absorb that for a
//     while, then a 429 measures again, a 429 per call in flight every half minute or so. After
//     paceProbeAfter at that ceiling without a 429 the ceiling becomes the learned rate, so an
//     underestimate is corrected, slowly. (Slack's rate is underestimated when its bursts are
//     shorter than a Retry-After: its allowance is full again before the gate opens, and what it
//     would have accepted meanwhile is not seen; or when the span measured had calls paced below
//     its rate.)
//
// Slots are one over the rate apart, and a caller waits for its slot right before the call's
// fence and request. A gap of up to two slots or paceCatchUp (a claim between two batches, a timer
// that fired late) is made up by taking the next slots at once. Calls in flight are bounded by
// what the rate allows: the rate times twice the mean time a call holds its slot, plus one.
const (
	paceStartRate  = 20.0 // chat.postMessage calls a second before anything is learned
	paceMinRate    = 0.1  // never slower than one call in ten seconds
	paceMaxRate    = 1000.0
	paceGrowEvery  = 100 * time.Millisecond
	paceCreep      = 0.005 // fraction of the rate added per second of saturation after a 429
	paceHeadroom   = 0.02  // how far above the learned rate the creep goes
	paceProbeAfter = 15 * time.Second
	paceCatchUp    = 25 * time.Millisecond
	paceIdle       = time.Second // no call for this long: the measurement window restarts
	paceFewCalls   = 20          // a measurement of fewer calls takes a quarter off the rate at most
	paceLatencyEWM = 0.1         // weight of a new latency sample
)

// paceStart is the first guess at a method's rate, 0 for a method that is not paced. Only
// chat.postMessage is: Slack's limits are per method, so the relay's other calls (conversations.open
// and .history for a retry, files.* for an upload) do not spend its budget, and they are too few
// in a fan-out to learn a rate from; their 429s shut their own gates, as before. A pace learned
// for those from their tiers' published minimum (Tier 3: 50 a minute) would hold up the batch a
// retry is in, and the replies queued behind it.
func paceStart(method string) float64 {
	if method == "chat.postMessage" {
		return paceStartRate
	}
	return 0
}

// pacer paces the calls of one method. Its clock is the caller's (now arguments), so a test can
// drive it with a fake one.
type pacer struct {
	mu        sync.Mutex
	rate      float64 // calls a second
	learned   float64 // the rate measured at the last 429
	capSince  time.Time
	slowStart bool // no 429 yet
	next      time.Time
	inFlight  int
	latency   time.Duration // mean time a call holds its slot
	saturated bool          // a caller waited since lastGrow
	lastGrow  time.Time
	epoch     int           // 429 episodes so far
	window    time.Time     // measured from: the slot of the call the last 429 answered, or an idle spell's end
	accepted  int           // calls made since window and answered other than 429
	lastDone  time.Time     // when a call last finished, or the last 429's Retry-After ends if later
	changed   chan struct{} // closed when a call finishes (room in flight, a new rate)

	maxInFlight int
	limited     int // 429s answered to paced calls
}

func newPacer(rate float64) *pacer {
	return &pacer{rate: rate, slowStart: true, changed: make(chan struct{})}
}

// paceTicket is a granted slot.
type paceTicket struct {
	p     *pacer
	at    time.Time // the slot
	epoch int
}

// paceOutcome is how a paced call ended.
type paceOutcome int

const (
	paceUnused              paceOutcome = iota // nothing reached Slack
	paceAnswered                               // Slack answered other than 429
	paceLimited                                // Slack answered 429
	paceLimitedMaybeChannel                    // Slack answered 429, maybe for the conversation's own limit
	paceUnknown                                // no answer (timeout, reset): it counts, its duration does not
)

// bound is how many calls may be in flight at once: what the rate allows in twice the mean time
// a call holds its slot (calls are not all as quick as the mean), plus one. Call with mu held.
func (p *pacer) bound() int {
	return int(math.Ceil(2*p.rate*p.latency.Seconds())) + 1
}

func (p *pacer) interval() time.Duration {
	return time.Duration(float64(time.Second) / p.rate)
}

// reserve tries to take a slot at now. It returns the ticket and how long to wait for its slot,
// or full when the calls in flight are at the bound (wait on the returned channel and try again).
func (p *pacer) reserve(now time.Time) (t paceTicket, wait time.Duration, full bool, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inFlight >= p.bound() {
		p.saturated = true
		return paceTicket{}, 0, true, p.changed
	}
	if p.inFlight == 0 && now.Sub(p.lastDone) >= paceIdle {
		p.window, p.accepted = now, 0
	}
	if p.lastGrow.IsZero() {
		p.lastGrow = now
	}
	every := paceGrowEvery
	if p.slowStart {
		// Double once per few calls' time at most, so the 429 that ends the slow start comes back
		// before the rate has doubled again: each call in flight then is answered 429 too.
		every = max(every, 4*p.latency)
	}
	if d := now.Sub(p.lastGrow); d >= every {
		switch {
		case !p.saturated:
			p.capSince = time.Time{}
		case p.slowStart:
			p.rate = min(2*p.rate, paceMaxRate)
		default:
			ceiling := min(p.learned*(1+paceHeadroom), paceMaxRate)
			p.rate = min(p.rate*(1+paceCreep*d.Seconds()), ceiling)
			switch {
			case p.rate < ceiling:
				p.capSince = time.Time{}
			case p.capSince.IsZero():
				p.capSince = now
			case now.Sub(p.capSince) >= paceProbeAfter:
				p.learned, p.capSince = p.rate, time.Time{}
			}
		}
		p.lastGrow, p.saturated = now, false
	}
	iv := p.interval()
	slot := later(p.next, now.Add(-max(2*iv, paceCatchUp)))
	p.next = slot.Add(iv)
	if slot.After(now) {
		p.saturated = true
	}
	p.inFlight++
	p.maxInFlight = max(p.maxInFlight, p.inFlight)
	return paceTicket{p: p, at: later(slot, now), epoch: p.epoch}, max(slot.Sub(now), 0), false, nil
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// done records how a call that held t ended, at now; retryAfter is a 429's.
func (t paceTicket) done(now time.Time, outcome paceOutcome, retryAfter time.Duration) {
	p := t.p
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight--
	close(p.changed)
	p.changed = make(chan struct{})
	if outcome == paceUnused {
		return
	}
	// A pause for a Retry-After is not idleness: the measurement runs on through it.
	p.lastDone = later(p.lastDone, now)
	if outcome == paceLimited || outcome == paceLimitedMaybeChannel {
		p.lastDone = later(p.lastDone, now.Add(retryAfter))
	}
	if outcome == paceAnswered || outcome == paceLimited || outcome == paceLimitedMaybeChannel {
		held := max(now.Sub(t.at), 0)
		if p.latency == 0 {
			p.latency = held // the first answer: until then one call at a time
		} else {
			p.latency = time.Duration((1-paceLatencyEWM)*float64(p.latency) + paceLatencyEWM*float64(held))
		}
	}
	if outcome != paceLimited && outcome != paceLimitedMaybeChannel {
		if !t.at.Before(p.window) {
			p.accepted++
		}
		return
	}
	p.limited++
	if outcome == paceLimitedMaybeChannel {
		return // the post followed another into the same conversation within a second
	}
	if t.epoch != p.epoch {
		return // sent before the last 429 was answered: that one already slowed the pace
	}
	// Slack's allowance ran out about when this call reached it, and the one before when the
	// call the last 429 answered did: the calls it accepted in between, counted by when they were
	// made, over that time. The gate opens a Retry-After after the answer, half a call's time
	// later than Slack's allowance was back, so that half is not counted as Slack's.
	rate, floor := 0.0, p.rate/4 // nothing measured: as far down as allowed
	if span := t.at.Sub(p.window); !p.window.IsZero() && span > 0 && p.accepted > 0 {
		span = max(span-p.latency/2, span/2)
		rate = min(p.rate, float64(p.accepted)/span.Seconds())
	}
	if p.accepted < paceFewCalls {
		floor = p.rate * 3 / 4 // too few calls to measure by: a quarter off at most
	}
	if p.slowStart {
		// The rate doubled until now, and Slack's burst allowance hid the limit meanwhile.
		if rate == 0 {
			rate = p.rate / 2
		}
		p.rate = max(min(rate, p.rate/2), paceMinRate)
	} else {
		p.rate = max(rate, floor, paceMinRate)
	}
	p.learned, p.capSince = p.rate, time.Time{}
	p.slowStart = false
	p.epoch++
	p.window, p.accepted = t.at, 0
	p.lastGrow, p.saturated = now, false
}

// PaceStats describe one method's pacer.
type PaceStats struct {
	Rate        float64 // calls a second now allowed
	Bound       int     // calls allowed in flight now
	MaxInFlight int     // the most calls in flight at once
	RateLimited int     // paced calls answered 429
}

func (p *pacer) stats() PaceStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PaceStats{Rate: p.rate, Bound: p.bound(), MaxInFlight: p.maxInFlight, RateLimited: p.limited}
}

// pacerFor returns method's pacer, made on first use; nil if method is not paced.
func (w *webAPI) pacerFor(method string) *pacer {
	w.mu.Lock()
	defer w.mu.Unlock()
	p, ok := w.pacers[method]
	if !ok {
		r := paceStart(method)
		if r <= 0 {
			return nil
		}
		p = newPacer(r)
		w.pacers[method] = p
	}
	return p
}

// pace waits for a slot of method's pacer: room in flight, then the slot's time. It gives up with
// a *RateLimitError when that would take longer than maxWait (if positive), so the outbox relay
// releases an item rather than hold it past its lease.
func (w *webAPI) pace(ctx context.Context, method string, maxWait time.Duration) (paceTicket, error) {
	p := w.pacerFor(method)
	if p == nil {
		return paceTicket{}, nil
	}
	var giveUp <-chan time.Time
	if maxWait > 0 {
		t := time.NewTimer(maxWait)
		defer t.Stop()
		giveUp = t.C
	}
	for {
		t, wait, full, changed := p.reserve(w.now())
		if full {
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return paceTicket{}, ctx.Err()
			case <-giveUp:
				return paceTicket{}, &RateLimitError{Method: method, RetryAfter: time.Second}
			}
		}
		if wait <= 0 {
			return t, nil
		}
		if maxWait > 0 && wait > maxWait {
			t.done(w.now(), paceUnused, 0)
			return paceTicket{}, &RateLimitError{Method: method, RetryAfter: wait}
		}
		if err := w.sleep(ctx, wait); err != nil {
			t.done(w.now(), paceUnused, 0)
			return paceTicket{}, err
		}
		w.paced.Add(int64(wait))
		return t, nil
	}
}

// PaceStats describes the pacer of each method the outbox relay has called.
func (a *App) PaceStats() map[string]PaceStats { return a.web.paceStats() }

func (w *webAPI) paceStats() map[string]PaceStats {
	w.mu.Lock()
	pacers := make(map[string]*pacer, len(w.pacers))
	for m, p := range w.pacers {
		pacers[m] = p
	}
	w.mu.Unlock()
	out := make(map[string]PaceStats, len(pacers))
	for m, p := range pacers {
		out[m] = p.stats()
	}
	return out
}

// channelBurstKey marks a context whose post goes into a conversation that had one less than a
// second before: past Slack's one message a second per conversation, so a 429 may be that
// conversation's limit rather than the method's, and must not slow every other post.
type channelBurstKey struct{}

func withChannelBurst(ctx context.Context) context.Context {
	return context.WithValue(ctx, channelBurstKey{}, true)
}

func inChannelBurst(ctx context.Context) bool {
	v, _ := ctx.Value(channelBurstKey{}).(bool)
	return v
}
