package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/reflect-bot/reflect/internal/db"
)

// outboxEventType names the message metadata every outbox post carries, so a post whose fate is
// unknown can be found again with conversations.history.
// https://docs.slack.dev/messaging/message-metadata
const outboxEventType = "reflect_outbox"

// Relay bounds.
const (
	// maxOutboxAge is how long a post that keeps failing on Slack's side (timeouts, 5xx,
	// connection errors) is retried, with capped backoff: a week, a weekly occurrence's life. A
	// prompt whose occurrence is over is given up sooner, when the next one is planned
	// (db.expireScheduled), so an outage of any length short of that loses nothing.
	maxOutboxAge     = 7 * 24 * time.Hour
	maxOutboxBackoff = 5 * time.Minute
	// relayStoppedWait is how often an uninstalled app's relay looks whether it may post again.
	relayStoppedWait = time.Minute
	// relayPoll bounds how long an idle relay waits before it looks at the outbox again. Notify
	// wakes it at once for posts this process queues; posts another replica queues are only seen
	// by looking, and a replica that looks late leaves the whole fan-out to the others.
	relayPoll    = time.Second
	relayIdleMin = 20 * time.Millisecond
	// relayGateWait is the longest a relay worker waits for a rate-limit gate or a pacer slot.
	relayGateWait = 2 * time.Second
	// claimSpan is how much posting at chat.postMessage's learned pace one claim takes: long
	// enough that the pause between batches (the claim, a batch's slowest post) is a small part of
	// it, and the pacer makes up a short one; short enough that a reply queued meanwhile soon gets
	// its turn. maxClaim bounds it.
	claimSpan       = 250 * time.Millisecond
	maxClaim        = 500
	historyPages    = 10
	historyPageSize = 200
	// historySkew widens the search window for clock differences between us and Slack.
	historySkew = 5 * time.Minute
)

// Renderer turns an outbox item of one kind into the message to post. It must set Text. Its
// context is bounded by renderTimeout and outlives a shutdown, so a render started is finished.
type Renderer func(ctx context.Context, item db.OutboxItem) (Message, error)

// renderTimeout bounds one render: the database reads behind a message or file.
const renderTimeout = 10 * time.Second

// renderContext is a renderer's context: not cancelled by shutdown (the relay finishes the batch
// in hand), bounded by renderTimeout.
func renderContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), renderTimeout)
}

// RegisterRenderer makes the relay render items of kind with r.
func (a *App) RegisterRenderer(kind db.Kind, r Renderer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.renderers[kind] = r
}

func (a *App) registerBuiltinRenderers() {
	a.renderers[db.KindMessage] = func(_ context.Context, it db.OutboxItem) (Message, error) {
		var m Message
		if err := json.Unmarshal(it.Payload, &m); err != nil {
			return Message{}, err
		}
		return m, nil
	}
}

func (a *App) render(ctx context.Context, it db.OutboxItem) (Message, error) {
	a.mu.RLock()
	r := a.renderers[it.Kind]
	a.mu.RUnlock()
	if r == nil {
		return Message{}, errors.New("no renderer for this kind")
	}
	rctx, cancel := renderContext(ctx)
	defer cancel()
	m, err := r(rctx, it)
	if err != nil {
		return Message{}, fmt.Errorf("render %s: %w", it.Kind, err)
	}
	if m.Text == "" {
		return Message{}, fmt.Errorf("render %s: no text", it.Kind)
	}
	return m, nil
}

// relay posts outbox items until stop is closed: claim a batch, post it with a few workers, and
// when there is nothing to do sleep until the next item is due or Notify wakes it.
func (a *App) relay(ctx context.Context, stop <-chan struct{}) {
	achieved := 0.0 // posts a second the last full batch went out at (real time), 0 if none yet
	for {
		select {
		case <-stop:
			return
		default:
		}
		if a.stopped.Load() {
			// Uninstalled: posts wait in the outbox; a restart with good tokens sends them.
			if !a.idle(ctx, stop, relayStoppedWait) {
				return
			}
			continue
		}
		batch, workers := a.relaySize(achieved)
		items, err := a.outbox.ClaimOutbox(ctx, outboxLease, batch)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			a.log.Warn("outbox claim failed", "error", err)
			if !a.idle(ctx, stop, time.Second) {
				return
			}
			continue
		}
		if len(items) > 0 {
			began := time.Now()
			a.sendBatch(ctx, items, workers)
			if took := time.Since(began); len(items) >= workers*2 && took > 0 {
				achieved = float64(len(items)) / took.Seconds()
			}
			continue
		}
		wait := relayPoll
		next, ok, err := a.outbox.NextOutboxAt(ctx)
		switch {
		case err != nil:
			a.log.Warn("outbox next-due query failed", "error", err)
			wait = time.Second
		case ok:
			wait = min(wait, max(next.Sub(a.now()), relayIdleMin))
		}
		if !a.idle(ctx, stop, wait) {
			return
		}
	}
}

// idle waits d, or until Notify, and reports false when the relay must stop.
func (a *App) idle(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-stop:
		return false
	case <-ctx.Done():
		return false
	case <-a.wake:
		return true
	case <-t.C:
		return true
	}
}

// relaySize is how many items to claim and how many to work on at once: a claimSpan of posts at
// chat.postMessage's pace, or at half again the rate the last full batch went out at (achieved,
// 0 if none yet) if that is slower, so a batch never holds a reply back for long (at least two
// per worker); and enough workers to keep as many posts in flight as the pace allows while others
// record their outcome (at least outboxWorkers).
func (a *App) relaySize(achieved float64) (batch, workers int) {
	workers = a.outboxWorkers
	batch = workers * 2
	if p := a.web.pacerFor("chat.postMessage"); p != nil {
		st := p.stats()
		workers = max(workers, st.Bound+2)
		rate := min(st.Rate, 1.5*achieved)
		batch = max(workers*2, min(int(math.Ceil(rate*claimSpan.Seconds())), maxClaim))
	}
	return batch, workers
}

// isReply reports whether kind answers what someone just did: such posts go first in a batch, as
// they go first in a claim.
func isReply(kind db.Kind) bool {
	return kind == db.KindMessage || kind == db.KindHelp || kind == db.KindApology
}

// sendBatch posts items with at most workers at once. Items for the same person or channel
// go one after another, in the order they were queued, so a DM reads in order (one post
// before the one queued to follow it) and one conversation never bursts past Slack's
// one message a second. Rate limits are shared through the per-method gate, so concurrent posts
// slow down together.
func (a *App) sendBatch(ctx context.Context, items []db.OutboxItem, workers int) {
	var order []string
	groups := map[string][]db.OutboxItem{}
	for _, it := range items {
		key := it.UserID
		if key == "" {
			key = "#" + it.ChannelID
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], it)
	}
	// Replies first: the claim sorts by age, and a reply to what someone just did is the newest.
	slices.SortStableFunc(order, func(x, y string) int {
		rx, ry := isReply(groups[x][0].Kind), isReply(groups[y][0].Kind)
		switch {
		case rx && !ry:
			return -1
		case ry && !rx:
			return 1
		}
		return 0
	})
	a.leases.hold(items, a.now().Add(a.outboxLease))
	renewCtx, stopRenewing := context.WithCancel(ctx)
	var renewer sync.WaitGroup
	renewer.Go(func() { a.keepLeases(renewCtx) })
	defer func() {
		stopRenewing()
		renewer.Wait()
	}()
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, key := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var last time.Time
			for _, it := range groups[key] {
				ictx := ctx
				if !last.IsZero() && a.now().Sub(last) < time.Second {
					ictx = withChannelBurst(ctx) // see channelBurstKey
				}
				a.deliver(ictx, it)
				last = a.now()
				a.leases.drop(it.ID)
			}
		})
	}
	wg.Wait()
}

// errLeaseLost ends a post's call unsent: the item's lease ran out or another relay claimed it
// since, so it is theirs to post.
var errLeaseLost = errors.New("slackapp: outbox lease lost")

// errSendingStopped ends a post's call unsent: sending stopped (uninstalled, or a token Slack no
// longer accepts) while the item was in hand.
var errSendingStopped = errors.New("slackapp: sending stopped")

// heldItem is a claimed outbox item the relay is working on.
type heldItem struct {
	it    db.OutboxItem
	until time.Time // the lease's end, as this relay last set it
	lost  bool      // the lease is gone: the item must not be posted from here
}

// leaseKeeper tracks the items this relay holds, so it can renew their leases while it works
// and knows which it no longer holds.
type leaseKeeper struct {
	mu   sync.Mutex
	held map[int64]*heldItem
}

func (k *leaseKeeper) hold(items []db.OutboxItem, until time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, it := range items {
		k.held[it.ID] = &heldItem{it: it, until: until}
	}
}

func (k *leaseKeeper) drop(id int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.held, id)
}

// live returns the items whose lease this relay still holds.
func (k *leaseKeeper) live() []db.OutboxItem {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []db.OutboxItem
	for _, h := range k.held {
		if !h.lost {
			out = append(out, h.it)
		}
	}
	return out
}

// renewed records the outcome of a renewal of items: those in held run to until, the others are
// lost.
func (k *leaseKeeper) renewed(items []db.OutboxItem, held map[int64]bool, until time.Time) (lost int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, it := range items {
		h, ok := k.held[it.ID]
		if !ok || h.it.Token != it.Token {
			continue
		}
		if held[it.ID] {
			h.until = until
		} else if !h.lost {
			h.lost = true
			lost++
		}
	}
	return lost
}

// left says how long the lease on it has to run (0 or less: it ran out, or is lost).
func (k *leaseKeeper) left(it db.OutboxItem, now time.Time) time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	h, ok := k.held[it.ID]
	if !ok || h.lost || h.it.Token != it.Token {
		return 0
	}
	return h.until.Sub(now)
}

// mark records a fence's outcome on it.
func (k *leaseKeeper) mark(it db.OutboxItem, held bool, until time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	h, ok := k.held[it.ID]
	if !ok || h.it.Token != it.Token {
		return
	}
	if held {
		h.until = until
	} else {
		h.lost = true
	}
}

// keepLeases renews the leases of the items in hand every third of a lease until ctx ends, so a
// slow post (a long call, a history lookup, an upload's three calls) keeps its item while the
// relay runs; a relay that stops running (paused, cut off from the database) loses them.
func (a *App) keepLeases(ctx context.Context) {
	t := time.NewTicker(a.outboxLease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		items := a.leases.live()
		if len(items) == 0 {
			continue
		}
		until := a.now().Add(a.outboxLease)
		held, err := a.outbox.RenewOutbox(ctx, items, a.outboxLease)
		if err != nil {
			if ctx.Err() == nil {
				a.log.Warn("outbox lease renewal failed", "error", err)
			}
			continue
		}
		if n := a.leases.renewed(items, held, until); n > 0 {
			a.log.Warn("outbox leases lost to another relay; those posts are left to it", "count", n)
		}
	}
}

// itemOpts are the call options of a call made for outbox item it: paced (pace.go; only
// chat.postMessage has a pacer), no sleeping on a 429, and no waiting at a closed rate-limit gate
// or for the pacer longer than relayGateWait or past the item's lease: the item goes back to the
// queue until then instead. A worker held for a long wait holds its whole batch (a retry's
// conversations.open, Tier 3, can wait tens of seconds behind a 429 while posts are ready).
func (a *App) itemOpts(it db.OutboxItem) callOpts {
	return callOpts{paced: true, noRateLimitWait: true, maxWait: max(min(a.leases.left(it, a.now()), relayGateWait), time.Nanosecond)}
}

// postOpts are itemOpts with the fence of a call that posts: right before the request, the item
// must still be held under this relay's claim (db StartOutbox, which also gives its lease a fresh
// term, longer than the call's timeout), and sending must not have stopped.
func (a *App) postOpts(it db.OutboxItem) callOpts {
	o := a.itemOpts(it)
	o.fence = func(ctx context.Context) (time.Time, error) {
		if a.stopped.Load() {
			return time.Time{}, errSendingStopped
		}
		// writeBy is in real time (the connection's clock), half the fresh term in: a request
		// still unwritten then came from a process that stalled, and another relay may hold the
		// item by the time it would arrive.
		writeBy := time.Now().Add(a.outboxLease / 2)
		until := a.now().Add(a.outboxLease)
		ok, err := a.outbox.StartOutbox(ctx, it.ID, it.Token, a.outboxLease)
		if err != nil {
			// Unable to tell whether the item is still ours: do not post it; its lease runs
			// out and it is claimed again.
			a.log.Warn("outbox start not recorded; the post is left to a later claim", "outbox_id", it.ID, "error", err)
			return time.Time{}, fmt.Errorf("%w (%v)", errLeaseLost, err)
		}
		a.leases.mark(it, ok, until)
		if !ok {
			return time.Time{}, errLeaseLost
		}
		return writeBy, nil
	}
	return o
}

// deliver posts one item exactly once: an item that was tried before (Attempts > 1) may have
// landed, so it is looked for first. An item for a person with no channel yet is posted to their
// user id on the first try and completed with the DM channel Slack answers with.
func (a *App) deliver(ctx context.Context, it db.OutboxItem) {
	if up := a.uploadRenderer(it.Kind); up != nil {
		a.deliverUpload(ctx, it, up)
		return
	}
	msg, err := a.render(ctx, it)
	if err != nil {
		// A renderer's error may quote the payload, which can hold a person's words: log only
		// that it failed.
		a.failItem(ctx, it, "render "+string(it.Kind)+" failed")
		return
	}
	// channel is the conversation, when known before posting; target is where to post.
	channel, target := it.ChannelID, it.ChannelID
	if channel == "" {
		if it.UserID == "" {
			a.failItem(ctx, it, "no channel and no person")
			return
		}
		if it.Attempts > 1 {
			// The earlier try may have landed: its DM channel is needed to look for it.
			channel, err = a.openDM(ctx, it.UserID, a.itemOpts(it))
			if err != nil {
				a.settleError(ctx, it, err)
				return
			}
			target = channel
		} else {
			// A post to a person's user id lands in the app's DM with them and the reply names
			// that DM channel, so a first try needs no conversations.open (Tier 3, which a
			// fan-out to thousands of people would soon exhaust).
			// https://docs.slack.dev/reference/methods/chat.postMessage#channels
			target = it.UserID
		}
	}
	if it.Attempts > 1 && a.alreadyPosted(ctx, it, channel, carriesOutboxID(it.ID)) {
		return
	}
	postedChannel, ts, err := a.postMessage(ctx, target, msg, it)
	if err != nil {
		a.settleError(ctx, it, err)
		return
	}
	// Never record the user id as the channel: with no channel in the reply, record none.
	a.completeItem(ctx, it, firstNonEmpty(postedChannel, channel), ts)
	a.stats.outboxSent.Add(1)
}

// openDM finds the DM channel with a person.
// https://docs.slack.dev/reference/methods/conversations.open
func (a *App) openDM(ctx context.Context, userID string, o callOpts) (string, error) {
	var ch *slack.Channel
	err := a.web.call(ctx, "conversations.open", o, func(ctx context.Context) error {
		c, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}, ReturnIM: true})
		ch = c
		return err
	})
	if err != nil {
		return "", err
	}
	if ch == nil || ch.ID == "" {
		return "", fmt.Errorf("slackapp: conversations.open: %w (no channel in the reply)", ErrAmbiguous)
	}
	return ch.ID, nil
}

// postMessage posts with the metadata that identifies the outbox item.
// https://docs.slack.dev/reference/methods/chat.postMessage
func (a *App) postMessage(ctx context.Context, channel string, m Message, it db.OutboxItem) (string, string, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(m.Text, false),
		slack.MsgOptionMetadata(slack.SlackMetadata{
			EventType:    outboxEventType,
			EventPayload: map[string]any{"outbox_id": it.ID, "delivery_id": it.DeliveryID},
		}),
	}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	var ch, ts string
	err := a.web.call(ctx, "chat.postMessage", a.postOpts(it), func(ctx context.Context) error {
		var err error
		ch, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ch, ts, err
}

// carriesOutboxID matches a message posted for the outbox item with id: every post carries it in
// its metadata.
// https://docs.slack.dev/reference/methods/conversations.history (include_all_metadata)
func carriesOutboxID(id int64) func(slack.Message) bool {
	return func(m slack.Message) bool {
		return m.Metadata.EventType == outboxEventType && sameID(m.Metadata.EventPayload["outbox_id"], id)
	}
}

// alreadyPosted looks for an earlier try of it that landed, matched by match. It reports true
// when the item is settled (found and completed, or the lookup failed and it was rescheduled).
func (a *App) alreadyPosted(ctx context.Context, it db.OutboxItem, channel string, match func(slack.Message) bool) bool {
	ts, found, err := a.findInHistory(ctx, channel, it, match)
	if err != nil {
		a.settleError(ctx, it, err)
		return true
	}
	if found {
		a.completeItem(ctx, it, channel, ts)
		a.stats.outboxReconciled.Add(1)
		return true
	}
	return false
}

// slackTS writes t as a Slack timestamp ("seconds.micros").
func slackTS(t time.Time) string {
	if t.Unix() < 0 {
		return "0"
	}
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// sameID compares a metadata value (a JSON number decoded as float64, or a string) with an id.
func sameID(v any, id int64) bool {
	switch x := v.(type) {
	case float64:
		return x == float64(id)
	case json.Number:
		n, err := x.Int64()
		return err == nil && n == id
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return err == nil && n == id
	case int64:
		return x == id
	case int:
		return int64(x) == id
	}
	return false
}

// tokenErrorCodes are Slack's answers that the bot token no longer works: the app was removed,
// the token revoked or expired, the workspace deleted. No post can go until someone fixes it.
// https://docs.slack.dev/reference/methods/chat.postMessage#errors
var tokenErrorCodes = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true,
}

// settleError decides an item's fate after a failed call: a lost lease leaves it to its new
// holder; a rate limit waits its Retry-After (a first try is deferred as if never made); a token
// Slack no longer accepts stops all sending, as an uninstall does, and puts the item back; an
// ambiguous or unsent call is retried with capped backoff for as long as the post is current (the
// retry looks for the post first); and Slack's definite refusals of this post
// (channel_not_found, not_in_channel, user_not_found, is_archived, …) fail the item.
func (a *App) settleError(ctx context.Context, it db.OutboxItem, err error) {
	if errors.Is(err, errLeaseLost) {
		a.stats.outboxLeaseLost.Add(1)
		a.log.Warn("outbox post given up: its lease went to another relay", "outbox_id", it.ID, "kind", it.Kind)
		return
	}
	if errors.Is(err, errSendingStopped) {
		a.releaseItem(ctx, it, "sending stopped")
		return
	}
	if rl, ok := errors.AsType[*RateLimitError](err); ok {
		at := a.now().Add(rl.RetryAfter)
		if it.Attempts == 1 {
			// Slack answers 429 before acting, so nothing of a first try can have landed and the
			// next one need not look for it with conversations.open and .history (both Tier 3).
			// A closed gate that would outlast the lease also sent nothing.
			// https://docs.slack.dev/apis/web-api/rate-limits
			a.deferItem(ctx, it, at, "ratelimited "+rl.Method)
			return
		}
		a.retryItem(ctx, it, at, "ratelimited "+rl.Method)
		return
	}
	if ae, ok := errors.AsType[*APIError](err); ok {
		if tokenErrorCodes[ae.Code] {
			cctx, cancel := afterCtx(ctx)
			if err := a.stopSending(cctx, "Slack no longer accepts SLACK_BOT_TOKEN", ae.Method+": "+ae.Code); err != nil {
				a.log.Error("could not record that sending stopped", "error", err)
			}
			cancel()
			a.releaseItem(ctx, it, ae.Method+": "+ae.Code)
			return
		}
		a.failItem(ctx, it, ae.Method+": "+ae.Code)
		return
	}
	reason := "ambiguous"
	if errors.Is(err, ErrUnsent) {
		reason = "unsent"
	}
	if age := a.now().Sub(it.CreatedAt); age > maxOutboxAge {
		a.failItem(ctx, it, fmt.Sprintf("gave up after %d attempts over %s: %s", it.Attempts, age.Round(time.Hour), reason))
		return
	}
	a.retryItem(ctx, it, a.now().Add(a.retryDelay(it.Attempts)), reason)
}

// releaseItem puts an item back unsent, to go when sending resumes: a first try as if never
// made, a later one keeping its count (an earlier try may have landed).
func (a *App) releaseItem(ctx context.Context, it db.OutboxItem, reason string) {
	if it.Attempts == 1 {
		a.deferItem(ctx, it, a.now(), reason)
		return
	}
	a.retryItem(ctx, it, a.now(), reason)
}

// retryDelay doubles per attempt from outboxRetry, capped, with jitter.
func (a *App) retryDelay(attempts int) time.Duration {
	limit := a.outboxRetryMax
	if limit <= 0 {
		limit = maxOutboxBackoff
	}
	d := limit
	if attempts >= 1 && attempts < 30 {
		d = min(a.outboxRetry<<(attempts-1), limit)
	}
	return d + rand.N(d/4+1)
}

// The settle calls run on their own short deadline so an item is recorded even while shutting down.
func (a *App) completeItem(ctx context.Context, it db.OutboxItem, channel, ts string) {
	cctx, cancel := afterCtx(ctx)
	defer cancel()
	if err := a.outbox.CompleteOutbox(cctx, it.ID, channel, ts); err != nil {
		a.log.Error("outbox complete failed; the lease will expire and the post be found again", "outbox_id", it.ID, "error", err)
	}
}

func (a *App) retryItem(ctx context.Context, it db.OutboxItem, at time.Time, reason string) {
	defer a.stats.outboxRetried.Add(1)
	a.log.Info("outbox post will be retried", "outbox_id", it.ID, "kind", it.Kind, "attempt", it.Attempts, "reason", reason, "at", at)
	cctx, cancel := afterCtx(ctx)
	defer cancel()
	if err := a.outbox.RetryOutbox(cctx, it.ID, it.Token, at, reason); err != nil {
		a.log.Error("outbox retry failed", "outbox_id", it.ID, "error", err)
	}
}

func (a *App) deferItem(ctx context.Context, it db.OutboxItem, at time.Time, reason string) {
	defer a.stats.outboxRetried.Add(1)
	a.log.Debug("outbox post deferred by a rate limit", "outbox_id", it.ID, "kind", it.Kind, "at", at)
	cctx, cancel := afterCtx(ctx)
	defer cancel()
	if err := a.outbox.DeferOutbox(cctx, it.ID, it.Token, at, reason); err != nil {
		a.log.Error("outbox defer failed", "outbox_id", it.ID, "error", err)
	}
}

func (a *App) failItem(ctx context.Context, it db.OutboxItem, reason string) {
	defer a.stats.outboxFailed.Add(1)
	a.log.Warn("outbox post failed for good", "outbox_id", it.ID, "kind", it.Kind, "attempt", it.Attempts, "reason", reason)
	cctx, cancel := afterCtx(ctx)
	defer cancel()
	if err := a.outbox.FailOutbox(cctx, it.ID, it.Token, reason); err != nil {
		a.log.Error("outbox fail failed", "outbox_id", it.ID, "error", err)
	}
}
