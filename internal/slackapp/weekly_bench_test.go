package slackapp

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// BenchmarkFanOut measures a Monday-morning fan-out: `people` people due in the same minute, sent
// through the outbox to the emulator with Slack's rate-limit tiers (one message a second per
// channel, bursts of 3) and a workspace-wide chat.postMessage limit, while slash commands keep
// arriving. It reports people handed to Slack per second and the p99 ack latency of the commands
// sent during the fan-out.
//
//	go test -run '^$' -bench FanOut -benchtime 1x ./internal/slackapp/
func BenchmarkFanOut(b *testing.B) {
	for _, tc := range []struct {
		people  int
		msgRate float64 // workspace-wide chat.postMessage per second; 0 = none
	}{
		{people: 2000, msgRate: 0},
		{people: 2000, msgRate: 100},
	} {
		b.Run(fmt.Sprintf("people=%d/rate=%g", tc.people, tc.msgRate), func(b *testing.B) {
			for range b.N {
				fanOut(b, tc.people, tc.msgRate)
			}
		})
	}
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
		slackemu.WithPingInterval(time.Second))
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

	b.StartTimer()
	began := time.Now()
	if _, err := s.loop.Tick(ctx); err != nil {
		b.Fatal(err)
	}
	planned := time.Since(began)
	stopCommands := make(chan struct{})
	commandsDone := make(chan struct{})
	go func() {
		defer close(commandsDone)
		for {
			select {
			case <-stopCommands:
				return
			case <-time.After(50 * time.Millisecond):
				s.emu.SlashCommand("ULEAD", "C1", "help")
			}
		}
	}()
	deadline := time.Now().Add(10 * time.Minute)
	for {
		n, err := s.store.OutboxDepth(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("fan-out not finished after 10 minutes: %d posts left", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(began)
	b.StopTimer()
	close(stopCommands)
	<-commandsDone

	lat := s.emu.AckLatencies()[acksBefore:]
	slices.Sort(lat)
	p99 := time.Duration(0)
	if len(lat) > 0 {
		p99 = lat[(len(lat)*99)/100]
	}
	b.ReportMetric(float64(people)/elapsed.Seconds(), "people/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "ack-p99-ms")
	b.ReportMetric(float64(planned.Milliseconds()), "plan-ms")
	limited := 0
	for _, n := range s.emu.RateLimited() {
		limited += n
	}
	b.ReportMetric(float64(limited), "429s")
	if got := s.emu.Calls("chat.postMessage"); got < 2*people {
		b.Errorf("got %d posts, want at least %d", got, 2*people)
	}
}
