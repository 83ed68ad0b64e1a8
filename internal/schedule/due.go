package schedule

import (
	"context"
	"log/slog"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
)

// MaxUnanswered is how many prompts in a row may go unanswered: the next one is not sent, and the
// person is asked once whether to pause or carry on (gentle persistence).
const MaxUnanswered = 4

// maxCatchUpSteps bounds the walk from a missed occurrence to the latest one; a schedule that
// fires every minute and a bot down for weeks would otherwise walk tens of thousands of steps.
const maxCatchUpSteps = 1000

// defaultBatch is Loop.Batch when it is not set.
const defaultBatch = 200

// Loop.ClaimLease and Loop.JobLease when they are not set.
const (
	// defaultClaimLease outlasts planning and applying a batch many times over; a replica that
	// dies holding a claim delays those people by no more than this.
	defaultClaimLease = 2 * time.Minute
	// defaultJobLease outlasts a periodic job's run; a replica that dies mid-run delays it by no
	// more than this.
	defaultJobLease = 10 * time.Minute
)

// Planner decides what the due loop does for a person whose occurrence has come. It is pure: the
// decisions are table-tested without a database or Slack.
type Planner struct {
	Default   Spec               // PROMPT_SCHEDULE
	Catalogue *prompts.Catalogue // the rotation
}

// Location returns a person's zone, UTC when it is unknown or unreadable.
func Location(tz string) *time.Location {
	if tz == "" || tz == "Local" {
		// time.LoadLocation("Local") is the server's zone, not one a person can be in.
		return time.UTC
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// SpecFor returns the schedule a person follows: their personal slot, else the default.
func (pl Planner) SpecFor(slot string) Spec {
	if slot != "" {
		if s, err := ParseSlot(slot); err == nil {
			return s.Spec()
		}
	}
	return pl.Default
}

// Next returns a person's first occurrence after now.
func (pl Planner) Next(slot, tz string, now time.Time) time.Time {
	return pl.SpecFor(slot).Next(now, Location(tz))
}

// Plan decides for one due person. The rules:
//
//   - The occurrence served is the latest one at or before now. Earlier ones that passed while the
//     bot was down are stale and never sent; the latest is sent late (catch-up) until the next
//     occurrence comes.
//   - Open scheduled prompts from before it are closed as unanswered and counted in the streak.
//   - Paused at the occurrence: nothing is sent.
//   - After MaxUnanswered unanswered prompts in a row: nothing is sent, and the person is asked
//     once whether to pause or carry on.
//   - An on-demand prompt answered since the previous occurrence stands in for this one: the
//     occurrence is recorded as skipped.
//   - Otherwise the next prompt of the rotation is sent with the week's wellbeing check.
func (pl Planner) Plan(d db.DuePerson, now time.Time) db.DuePlan {
	spec, loc := pl.SpecFor(d.Slot), Location(d.TZ)
	occ := *d.NextDueAt
	next := spec.Next(occ, loc)
	for i := 0; !next.After(now); i++ {
		if i == maxCatchUpSteps {
			// Jump: find the latest occurrence by bisection instead (now itself is rarely one).
			occ = latestBy(spec, loc, occ, now)
			next = spec.Next(occ, loc)
			break
		}
		occ = next
		next = spec.Next(occ, loc)
	}
	plan := db.DuePlan{
		Claim:   d.Claim,
		UserID:  d.UserID,
		WasDue:  *d.NextDueAt,
		NextDue: next,
		Expire:  occ,
		Streak:  d.UnansweredStreak + d.OpenScheduled,
		Asked:   d.AskedToContinue,
	}
	switch {
	case d.PausedUntil != nil && d.PausedUntil.After(occ):
		return plan
	case plan.Streak >= MaxUnanswered:
		if !d.AskedToContinue {
			plan.Ask, plan.Asked = true, true
		}
		return plan
	}
	// "Since the previous occurrence": the last one handled, but no more than a week back (a
	// first week, or the first after a pause).
	since := d.LastScheduled
	if weekAgo := occ.AddDate(0, 0, -7); weekAgo.After(since) {
		since = weekAgo
	}
	// The first prompt of a month brings the summary of the month before, for anyone
	// who was enrolled before this month began; the store sends each month once. It comes on that
	// day even when an answer given ahead stands in for the prompt.
	local := occ.In(loc)
	monthStart := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
	if d.CreatedAt.Before(monthStart) {
		plan.Summary = monthStart.AddDate(0, -1, 0).Format("2006-01")
	}
	if d.LastOnDemandAnswer.After(since) {
		plan.Deliver = &db.NewDelivery{Occurrence: occ, Kind: db.DeliveryScheduled, Skip: true}
		return plan
	}
	p, ok := pl.Catalogue.NextPrompt(d.UserID, d.Asked)
	if !ok {
		return plan
	}
	plan.Deliver = &db.NewDelivery{Occurrence: occ, Kind: db.DeliveryScheduled, PromptID: p.ID}
	if w, ok := pl.Catalogue.WellbeingCheck(d.Asked); ok && w.ID != p.ID {
		plan.Deliver.WellbeingPromptID = w.ID
	}
	return plan
}

// latestBy returns the latest occurrence of spec at or before now, given from, an instant whose
// next occurrence is at or before now. It bisects between from and now, so it takes a few dozen
// calls to Next however long ago from was.
func latestBy(spec Spec, loc *time.Location, from, now time.Time) time.Time {
	// Invariant: spec.Next(lo) <= now < spec.Next(hi). Occurrences are at least a minute apart, so
	// once hi-lo is at most a second, Next(lo) is the only one in (lo, hi] and none lies in (hi, now].
	lo, hi := from, now
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if spec.Next(mid, loc).After(now) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return spec.Next(lo, loc)
}

// DueStore is what the due loop needs from the store. ClaimDue hands a batch of the people due
// to this loop alone for lease, so loops on several replicas share them, each planned once.
type DueStore interface {
	ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]db.DuePerson, error)
	ApplyDue(ctx context.Context, plans []db.DuePlan) (int, error)
	QueueReminders(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

var _ DueStore = (*db.Store)(nil)

// NextDueStore tells the loop when the next occurrence after now comes, so it wakes then rather
// than up to an Interval later: a fan-out's floor is the people over Slack's rate, and a late
// start adds to it.
type NextDueStore interface {
	NextDueAfter(ctx context.Context, now time.Time) (time.Time, bool, error)
}

var _ NextDueStore = (*db.Store)(nil)

// JobStore is what the loop needs to run its periodic jobs once per period across replicas: a
// job's period is claimed under a lease, finished when it ran, and released when it failed.
type JobStore interface {
	ClaimJob(ctx context.Context, name, period string, now time.Time, lease time.Duration) (int64, error)
	FinishJob(ctx context.Context, name, period string, token int64, now time.Time) error
	ReleaseJob(ctx context.Context, name, period string, token int64) error
}

var _ JobStore = (*db.Store)(nil)

// Job is periodic work for the due loop that runs once per period across replicas, such as team
// summaries and retention.
type Job struct {
	Name string // distinct per job: the job's runs are recorded under it
	// Every is the period's length. Periods start at its multiples since the zero time, in UTC
	// (a day starts at midnight UTC); the job runs on the first tick of each period on which a
	// replica claims it, and again in the same period only if that run failed or its replica died.
	Every time.Duration
	Run   func(ctx context.Context, now time.Time) error
}

// Loop is the one due loop: it wakes every Interval (or when poked), claims and plans every person
// whose occurrence has come, applies the plans in batches, queues reminders, and runs its jobs.
type Loop struct {
	Store         DueStore
	Planner       Planner
	Now           func() time.Time
	ReminderAfter time.Duration // 0 = no reminders
	Interval      time.Duration // how often to look; default 15s
	Batch         int           // people per transaction; 0 means the default, 200
	ClaimLease    time.Duration // how long a claimed batch is this loop's alone; 0 means 2m
	Notify        func()        // called when posts were queued, to wake the outbox relay
	Stopped       func() bool   // when it reports true (the app was uninstalled), nothing is planned
	// Periodic jobs run after the due people, each once per period across replicas (JobStore
	// records it); a job with no period runs on every tick. Add them with AddJob.
	Periodic []Job
	// JobStore records the periodic jobs' runs; NewLoop sets it when the store is one. Without
	// it, a periodic job runs on every tick, as Jobs do.
	JobStore JobStore
	JobLease time.Duration // how long a job's run is this loop's alone; 0 means 10m
	Log      *slog.Logger

	poke chan struct{}
}

// NewLoop returns a loop with defaults filled in.
func NewLoop(store DueStore, pl Planner, now func() time.Time, log *slog.Logger) *Loop {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	jobs, _ := store.(JobStore)
	return &Loop{Store: store, Planner: pl, Now: now, Interval: 15 * time.Second, Batch: defaultBatch, Notify: func() {}, Log: log,
		ClaimLease: defaultClaimLease, JobStore: jobs, JobLease: defaultJobLease, poke: make(chan struct{}, 1)}
}

// AddJob adds a job that runs once every period across replicas (see Job); every = 0 runs it on
// every tick, on every replica.
func (l *Loop) AddJob(name string, every time.Duration, run func(ctx context.Context, now time.Time) error) {
	l.Periodic = append(l.Periodic, Job{Name: name, Every: every, Run: run})
}

// Poke makes the loop look now rather than at its next tick.
func (l *Loop) Poke() {
	select {
	case l.poke <- struct{}{}:
	default:
	}
}

// Run looks for due work until ctx is done: every Interval, when poked, and when the next
// person's occurrence comes, if that is sooner.
func (l *Loop) Run(ctx context.Context) error {
	t := time.NewTimer(l.Interval)
	defer t.Stop()
	for {
		if _, err := l.Tick(ctx); err != nil && ctx.Err() == nil {
			l.Log.Warn("due loop", "error", err)
		}
		t.Reset(l.wait(ctx))
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-l.poke:
		}
	}
}

// minWait is the shortest sleep between two ticks that wait for an occurrence.
const minWait = 50 * time.Millisecond

// wait is how long the loop sleeps before its next tick: Interval, or until the next occurrence
// when that comes sooner (never longer than Interval, whatever the clock says).
func (l *Loop) wait(ctx context.Context) time.Duration {
	d := l.Interval
	ns, ok := l.Store.(NextDueStore)
	if !ok {
		return d
	}
	now := l.Now()
	next, ok, err := ns.NextDueAfter(ctx, now)
	if err != nil || !ok {
		return d
	}
	// A millisecond past it: occurrences are stored to the millisecond, and due means not before.
	// At least minWait, so a clock that stands still (a test's) cannot make the loop spin.
	if w := next.Sub(now) + time.Millisecond; w < d {
		return max(w, minWait)
	}
	return d
}

// Tick does everything due at Now and reports how many people's occurrences it handled.
func (l *Loop) Tick(ctx context.Context) (int, error) {
	if l.Stopped != nil && l.Stopped() {
		// Occurrences stay due: a reinstalled app catches up on the latest one.
		return 0, nil
	}
	now := l.Now()
	batch := l.Batch
	if batch <= 0 {
		// A batch of 0 would read nothing and, for reminders, loop forever on "0 is not < 0".
		batch = defaultBatch
	}
	lease := l.ClaimLease
	if lease <= 0 {
		lease = defaultClaimLease
	}
	handled := 0
	for {
		// Only what this loop claimed is planned: another replica's batch is skipped, and
		// applying a plan ends its claim.
		due, err := l.Store.ClaimDue(ctx, now, batch, lease)
		if err != nil {
			return handled, err
		}
		if len(due) == 0 {
			break
		}
		plans := make([]db.DuePlan, len(due))
		for i, d := range due {
			plans[i] = l.Planner.Plan(d, now)
		}
		n, err := l.Store.ApplyDue(ctx, plans)
		if err != nil {
			return handled, err
		}
		handled += n
		l.Notify()
		if len(due) < batch {
			break
		}
	}
	if l.ReminderAfter > 0 {
		for {
			n, err := l.Store.QueueReminders(ctx, now.Add(-l.ReminderAfter), batch)
			if err != nil {
				return handled, err
			}
			if n > 0 {
				l.Notify()
			}
			if n < batch {
				break
			}
		}
	}
	for _, job := range l.Periodic {
		if err := l.runJob(ctx, job, now); err != nil {
			return handled, err
		}
	}
	if handled > 0 {
		l.Log.Info("prompts due handled", "people", handled)
	}
	return handled, nil
}

// runJob runs a periodic job if no replica has run it for now's period yet and none is running
// it: it claims the period, runs the job, and records the run; a failed run is given back, to be
// tried again on the next tick of any replica.
func (l *Loop) runJob(ctx context.Context, job Job, now time.Time) error {
	if l.JobStore == nil || job.Every <= 0 {
		return job.Run(ctx, now)
	}
	lease := l.JobLease
	if lease <= 0 {
		lease = defaultJobLease
	}
	period := now.UTC().Truncate(job.Every).Format(time.RFC3339)
	token, err := l.JobStore.ClaimJob(ctx, job.Name, period, now, lease)
	if err != nil || token == 0 {
		return err
	}
	if err := job.Run(ctx, now); err != nil {
		if rerr := l.JobStore.ReleaseJob(context.WithoutCancel(ctx), job.Name, period, token); rerr != nil {
			l.Log.Warn("periodic job: could not give back a failed run", "job", job.Name, "error", rerr)
		}
		return err
	}
	return l.JobStore.FinishJob(ctx, job.Name, period, token, now)
}
