package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// BenchmarkOptIn measures /reflect optin in a channel of `members` people (in a workspace of
// that many plus 100 others), against the emulator with Slack's published tier minimums
// (conversations.members and users.info Tier 4, 100 a minute; conversations.info Tier 3, 50;
// users.list Tier 2, 20) and a workspace-wide 50 posts a second: the Slack time (the simulated
// clock, which runs at real speed here) from the command until every member is enrolled and
// welcomed and the lead has their report. Cases: bursts as large as a minute's quota (Slack
// tolerates bursts) or none at all (every call spaced by its tier), each with and without a
// restart of the bot half-way through the welcomes. Under -short the channel has 100 people.
//
//	go test -run '^$' -bench OptIn -benchtime 1x -timeout 30m ./internal/slackapp/
func BenchmarkOptIn(b *testing.B) {
	members := 1200
	if testing.Short() {
		members = 100
	}
	for _, burst := range []string{"minute", "none"} {
		for _, restart := range []bool{false, true} {
			b.Run(fmt.Sprintf("members=%d/burst=%s/restart=%v", members, burst, restart), func(b *testing.B) {
				for range b.N {
					optInRun(b, members, burst == "none", restart)
				}
			})
		}
	}
}

func optInRun(b *testing.B, members int, strict, restart bool) {
	b.StopTimer()
	start := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	users := []slackemu.User{{ID: "ULEAD", Name: "lead", TZ: "UTC"}}
	channel := []string{"ULEAD"}
	for i := range members + 100 {
		id := fmt.Sprintf("U%05d", i)
		users = append(users, slackemu.User{ID: id, Name: "p" + id, TZ: "America/Chicago"})
		if i < members {
			channel = append(channel, id)
		}
	}
	s := newSim(b, start, users...)
	s.emu.Close() // replaced below with a rate-limited one
	s.stop()
	s.emu = slackemu.New(slackemu.WithT(b), slackemu.WithClock(s.clock.Now), slackemu.WithSlackTiers(),
		slackemu.WithScopes(manifestScopes(b)...), slackemu.WithPingInterval(100*time.Millisecond))
	b.Cleanup(s.emu.Close)
	for _, u := range users {
		s.emu.AddUser(u)
	}
	s.emu.AddChannel(slackemu.Channel{ID: "C1", Name: "leads", Creator: "ULEAD", Members: []string{"ULEAD", s.emu.BotUserID()}})
	s.emu.AddChannel(slackemu.Channel{ID: "CBIG", Name: "big", Creator: "ULEAD", Members: append(channel, s.emu.BotUserID())})
	s.emu.SetMessageRate(50)
	if strict {
		// https://docs.slack.dev/apis/web-api/rate-limits: the tiers' minimums, one call at a time.
		for m, perMinute := range map[string]int{"conversations.members": 100, "users.info": 100, "conversations.info": 50,
			"users.list": 20, "views.publish": 100} {
			s.emu.SetRateLimit(m, perMinute, 1)
		}
	}
	s.start()
	ctx := context.Background()

	b.StartTimer()
	began := s.clock.Now()
	s.emu.SlashCommand("ULEAD", "CBIG", "optin")
	posted := func() int { return s.emu.Calls("chat.postMessage") - s.emu.RateLimited()["chat.postMessage"] }
	restarted := !restart
	var restartedAt time.Duration
	deadline := time.Now().Add(20 * time.Minute)
	for {
		if !restarted && posted() >= members/2 {
			s.restart()
			restarted, restartedAt = true, s.clock.Now().Sub(began)
		}
		j, err := s.store.OptInJob(ctx, "CBIG")
		done := err == nil && j.Phase == db.OptInDone
		if done {
			n, err := s.store.OutboxDepth(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 && restarted {
				break
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("opt-in not finished after 20 minutes: job %+v, %d posted", j, posted())
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := s.clock.Now().Sub(began)
	b.StopTimer()

	welcomed, twice := 0, 0
	for _, id := range channel[1:] {
		switch n := len(s.welcomes(id)); {
		case n == 1:
			welcomed++
		case n > 1:
			twice++
		}
	}
	reports := s.reports("ULEAD")
	var detail []string
	limited := s.emu.RateLimited()
	for _, m := range []string{"conversations.info", "conversations.members", "users.info", "users.list", "views.publish", "chat.postMessage"} {
		if c := s.emu.Calls(m); c > 0 {
			detail = append(detail, fmt.Sprintf("%s %d (429: %d)", m, c, limited[m]))
		}
	}
	b.ReportMetric(took.Seconds(), "slack-s")
	b.ReportMetric(float64(welcomed), "welcomed")
	b.Logf("%d members: all enrolled and welcomed, lead told, %s of Slack time after the command (restart at %s); "+
		"welcomed once %d, more than once %d, reports %d; calls: %s",
		members, took.Round(100*time.Millisecond), restartedAt.Round(100*time.Millisecond), welcomed, twice, len(reports),
		strings.Join(detail, ", "))
	if welcomed != members || twice != 0 || len(reports) != 1 {
		b.Errorf("got %d welcomed once, %d more than once, %d reports; want %d, 0, 1", welcomed, twice, len(reports), members)
	}
}
