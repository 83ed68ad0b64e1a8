package app

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// BenchmarkFanOut measures a Monday-morning fan-out: `people` people due in the same minute (one
// post each: the prompt with its wellbeing check), sent through the outbox to the emulator with
// Slack's rate-limit tiers (one message a second per channel, bursts of 3) and a workspace-wide
// chat.postMessage limit R, while slash commands (about 18 a second), app_home_opened events (one
// a second) and taps on a prompted person's wellbeing check (one a second) keep arriving. It reports people handed to Slack per second, the achieved post rate as
// a fraction of R (posts that Slack accepted, from the first to the last, over R), the 429s
// received and their share of all Web API calls, the p99 ack latency of the envelopes sent during
// the fan-out, how long a DM sent at the start of the fan-out waited for its reply, the posts per
// person, the time from the occurrence to the last prompt against N / R (the floor Slack's rate
// sets), and the process's peak heap, max RSS and CPU per person (the emulator and the benchmark
// share the process). Under -short every case up to 10,000 people has 100.
//
//	go test -run '^$' -bench 'FanOut/people=(2000|10000)/' -benchtime 1x -timeout 30m ./internal/app/
//	go test -run '^$' -bench 'FanOut/people=100000/' -benchtime 1x -timeout 60m ./internal/app/
func BenchmarkFanOut(b *testing.B) {
	for _, tc := range []struct {
		people  int
		msgRate float64 // workspace-wide chat.postMessage per second; 0 = none
	}{
		{people: 2000, msgRate: 0},
		{people: 2000, msgRate: 50},
		{people: 2000, msgRate: 100},
		{people: 10000, msgRate: 200},  // 10,000 posts: about 50 s at R
		{people: 20000, msgRate: 200},  // about 100 s at R
		{people: 100000, msgRate: 200}, // about 500 s at R; chosen by name, never by -short
	} {
		people := tc.people
		if testing.Short() {
			if people > 10000 {
				continue
			}
			people = 100
		}
		b.Run(fmt.Sprintf("people=%d/rate=%g", people, tc.msgRate), func(b *testing.B) {
			for range b.N {
				fanOut(b, people, tc.msgRate)
			}
		})
	}
}

// fanOutMethods are the Web API methods a fan-out can call, for the share of calls answered 429.
var fanOutMethods = []string{
	"chat.postMessage", "chat.update", "conversations.open", "conversations.history", "views.publish",
	"users.info", "auth.test", "apps.connections.open",
}

func fanOut(b *testing.B, people int, msgRate float64) {
	b.StopTimer()
	start := time.Date(2026, 3, 9, 8, 59, 0, 0, time.UTC)
	users := []slackemu.User{{ID: "ULEAD", Name: "lead", TZ: "UTC"}}
	for i := range people {
		users = append(users, slackemu.User{ID: fmt.Sprintf("U%05d", i), Name: fmt.Sprintf("p%d", i), TZ: "UTC"})
	}
	s := newSim(b, start, users...)
	s.emu.Close() // replaced below with a rate-limited one
	s.stop()
	s.emu = slackemu.New(slackemu.WithT(b), slackemu.WithClock(s.clock.Now), slackemu.WithSlackTiers(),
		// PINGs more often than the app's 500 ms ping timeout (sim.start), or it reconnects every
		// second and soon meets apps.connections.open's 1-a-minute limit.
		slackemu.WithPingInterval(100*time.Millisecond))
	b.Cleanup(s.emu.Close)
	for _, u := range users {
		s.emu.AddUser(u)
	}
	s.emu.AddChannel(slackemu.Channel{ID: "C1", Name: "leads", Creator: "ULEAD", Members: []string{"ULEAD", s.emu.BotUserID()}})
	if msgRate > 0 {
		s.emu.SetMessageRate(msgRate)
	}
	s.start()
	ctx := context.Background()
	due := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	for _, u := range users[1:] {
		if _, err := s.store.Start(ctx, db.Person{UserID: u.ID, TZ: "UTC"}, "self", due); err != nil {
			b.Fatal(err)
		}
	}
	s.clock.Set(due.Add(time.Second))
	acksBefore := len(s.emu.AckLatencies())

	tapped, taps := 0, 0 // the people looked at for a tap so far; taps made
	stopCommands := make(chan struct{})
	commandsDone := make(chan struct{})
	go func() {
		defer close(commandsDone)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 1; ; i++ {
			select {
			case <-stopCommands:
				return
			case <-tick.C:
			}
			switch {
			case i%20 == 0:
				s.emu.OpenHome("ULEAD") // views.publish is Tier 4 (100 a minute): once a second
			case i%20 == 10:
				// Once a second someone prompted taps their wellbeing check: the answer is
				// recorded and the post updated in place (chat.update is Tier 3, 50 a minute).
				if tap(ctx, s, users[1:], &tapped) {
					taps++
				}
			default:
				s.emu.SlashCommand("ULEAD", "C1", "help")
			}
		}
	}()
	b.StartTimer()
	began := time.Now()
	type tickResult struct {
		took time.Duration
		acks int // acks received by the end of planning
		err  error
	}
	ticked := make(chan tickResult, 1)
	go func() {
		_, err := s.loop.Tick(ctx)
		ticked <- tickResult{took: time.Since(began), acks: len(s.emu.AckLatencies()), err: err}
	}()
	var planned time.Duration
	acksPlanned := -1
	var firstPost, lastPost, dmSent, lastPrompt time.Time
	toPeople := 0 // posts accepted for the due people (all but the lead's DM reply)
	var dmReply time.Duration
	posted := 0
	var perSecond []int // posts accepted in each whole second from the first post
	limit := 20 * time.Minute
	if msgRate > 0 {
		limit = max(limit, 3*time.Duration(float64(people)/msgRate*float64(time.Second))+5*time.Minute)
	}
	deadline := time.Now().Add(limit)
	var heapPeak uint64 // the most heap in use, sampled once a second
	var lastSample time.Time
	cpuBefore := cpuTime()
	for {
		now := time.Now()
		if n := s.emu.Calls("chat.postMessage") - s.emu.RateLimited()["chat.postMessage"]; n != posted {
			if posted == 0 {
				firstPost = now
			}
			sec := int(now.Sub(firstPost) / time.Second)
			for len(perSecond) <= sec {
				perSecond = append(perSecond, 0)
			}
			perSecond[sec] += n - posted
			posted, lastPost = n, now
		}
		lead := botPosts(s.emu.DMs("ULEAD"))
		if !dmSent.IsZero() && dmReply == 0 && lead > 0 {
			dmReply = now.Sub(dmSent)
		}
		if posted-lead > toPeople {
			toPeople, lastPrompt = posted-lead, now // the latest post to a due person so far
		}
		if acksPlanned < 0 {
			select {
			case r := <-ticked:
				if r.err != nil {
					b.Fatal(r.err)
				}
				planned, acksPlanned = r.took, r.acks
				// A person writes to the bot once the fan-out is queued: the reply goes through
				// the same outbox.
				s.emu.SendDM("ULEAD", "hello")
				dmSent = time.Now()
			default:
			}
		}
		if now.Sub(lastSample) >= time.Second {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heapPeak, lastSample = max(heapPeak, ms.HeapInuse), now
		}
		// The outbox is counted only once every person may have their post: counting a queue of
		// 100,000 every 10 ms would be the benchmark's own load on the database.
		if posted >= people && dmReply > 0 && acksPlanned >= 0 {
			n, err := s.store.OutboxDepth(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		if now.After(deadline) {
			b.Fatalf("fan-out not finished after %s: %d of %d posts accepted", limit, posted, people)
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(began)
	cpu := cpuTime() - cpuBefore
	b.StopTimer()
	close(stopCommands)
	<-commandsDone

	all := s.emu.AckLatencies()
	lat := slices.Clone(all[acksBefore:])
	slices.Sort(lat)
	p99 := time.Duration(0)
	if len(lat) > 0 {
		p99 = lat[(len(lat)*99)/100]
	}
	// Seconds in which Slack accepted less than 90 % of R (the last, partial second aside).
	slow := 0
	if len(perSecond) > 1 {
		for _, n := range perSecond[:len(perSecond)-1] {
			if float64(n) < 0.9*msgRate {
				slow++
			}
		}
	}
	limited, calls := 0, 0
	byMethod := s.emu.RateLimited()
	var detail []string
	for _, m := range fanOutMethods {
		c := s.emu.Calls(m)
		calls += c
		if c > 0 {
			detail = append(detail, fmt.Sprintf("%s %d (429: %d)", m, c, byMethod[m]))
		}
	}
	for _, n := range byMethod {
		limited += n
	}
	window := lastPost.Sub(firstPost)
	perPerson := float64(posted-botPosts(s.emu.DMs("ULEAD"))) / float64(people)
	b.ReportMetric(float64(people)/elapsed.Seconds(), "people/s")
	b.ReportMetric(perPerson, "posts/person")
	b.ReportMetric(float64(p99.Microseconds())/1000, "ack-p99-ms")
	b.ReportMetric(float64(planned.Milliseconds()), "plan-ms")
	b.ReportMetric(float64(limited), "429s")
	b.ReportMetric(100*float64(limited)/float64(max(calls, 1)), "429-%calls")
	b.ReportMetric(dmReply.Seconds(), "dm-reply-s")
	// The whole process: the bot, the emulator (which keeps every message) and this benchmark.
	b.ReportMetric(float64(heapPeak)/(1<<20), "heap-peak-MiB")
	b.ReportMetric(float64(maxRSS())/(1<<20), "maxRSS-MiB")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(people), "cpu-ms/person")
	if msgRate > 0 && window > 0 {
		b.ReportMetric(float64(posted)/window.Seconds()/msgRate, "achieved/R")
		// The emulator's bucket starts full (one second of R), so a window of W seconds offers
		// R·(W+1) posts at most: the share of those used is fair for short runs too.
		b.ReportMetric(float64(posted)/(msgRate*(window.Seconds()+1)), "offered-used")
		// From the occurrence (the due loop's tick) to the last post to a due person, over N / R.
		b.ReportMetric(lastPrompt.Sub(began).Seconds()/(float64(people)/msgRate), "last-prompt/(N/R)")
	}
	b.Logf("%d taps on a wellbeing check during the fan-out", taps)
	b.Logf("%d people, R=%g/s: %d posts accepted in %s (first to last; %.1f/s; %d of %d whole seconds under 90%% of R), %s in all, plan %s; calls: %s; %d acks during the fan-out, p50 %s, p99 %s, max %s (while planning: %s; while sending: %s); DM reply after %s; stats %+v",
		people, msgRate, posted, window.Round(time.Millisecond), float64(posted)/window.Seconds(), slow, max(len(perSecond)-1, 0),
		elapsed.Round(time.Millisecond), planned.Round(time.Millisecond), strings.Join(detail, ", "), len(lat), lat[len(lat)/2], p99,
		lat[len(lat)-1], describeLatencies(all[acksBefore:acksPlanned]), describeLatencies(all[acksPlanned:]),
		dmReply.Round(time.Millisecond), s.app.Stats())
	if msgRate > 0 {
		b.Logf("posts accepted per second: %v", perSecond)
	}
	if got := s.emu.Calls("chat.postMessage"); got < people {
		b.Errorf("got %d posts, want at least %d", got, people)
	}
	b.Logf("%.2f posts per person; the last of them %s after the occurrence (N / R = %.1f s)",
		perPerson, lastPrompt.Sub(began).Round(time.Millisecond), float64(people)/max(msgRate, 1))
}

// tap has the first person from people[*next:] who has their prompt tap its wellbeing check's
// first option, moving *next past them and the unprompted people looked at (at most 100 a call);
// it reports whether someone tapped.
func tap(ctx context.Context, s *sim, people []slackemu.User, next *int) bool {
	for end := min(*next+100, len(people)); *next < end; *next++ {
		u := people[*next]
		if botPosts(s.emu.DMs(u.ID)) == 0 {
			if *next == 0 {
				return false // nobody prompted yet, most likely
			}
			continue
		}
		open, err := s.store.OpenDeliveries(ctx, u.ID, 1)
		if err != nil || len(open) == 0 {
			continue
		}
		d := open[0]
		check, ok := s.cat.Prompt(d.WellbeingPromptID)
		if !ok {
			continue
		}
		*next++
		return s.emu.Click(u.ID, d.ChannelID, d.TS, actionCheck+":"+itoa(s.cat.OptionOrder(u.ID, check)[0])) == nil
	}
	return false
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS is the most resident memory this process has had, in bytes.
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024 // kilobytes on Linux
}

// botPosts counts the bot's messages among msgs.
func botPosts(msgs []slackemu.Message) int {
	n := 0
	for _, m := range msgs {
		if m.BotID != "" && !m.Ephemeral {
			n++
		}
	}
	return n
}
