package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reflect-bot/reflect/internal/app"
	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/playground"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// The seeded playground workspace: you, a team lead and five members in #team, enough members
// besides the lead for the team mirror to show the lead the team's view (it needs five answers).
const (
	tryYou  = "U_YOU"
	tryLead = "U_LEAD"
	tryTeam = "C_TEAM"
)

var tryPeople = []playground.Person{
	{ID: tryYou, Name: "You"},
	{ID: tryLead, Name: "Lee (lead)"},
	{ID: "U_ANA", Name: "Ana"},
	{ID: "U_BEN", Name: "Ben"},
	{ID: "U_CHI", Name: "Chi"},
	{ID: "U_DEV", Name: "Dev"},
	{ID: "U_EVE", Name: "Eve"},
}

// tryBot runs the real bot in-process against the Slack emulator, on a playground database and an
// offset clock, and serves the playground page on 127.0.0.1 until ctx is done.
func tryBot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("try", flag.ContinueOnError)
	fl.SetOutput(stderr)
	port := fl.Int("port", 8085, "port of the playground page on 127.0.0.1 (0: any free port)")
	dbPath := fl.String("db", "", "playground database (default: a new one in a temporary directory)")
	start := fl.String("start", "", "start the playground's clock at this time, RFC 3339 (default: now)")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError(err.Error() + "\n" + usage)
	}
	if fl.NArg() != 0 {
		return usageError("try takes only flags\n" + usage)
	}
	var startAt time.Time
	if *start != "" {
		t, err := time.Parse(time.RFC3339, *start)
		if err != nil {
			return usageError("try -start wants a time like 2026-03-25T10:00:00Z\n" + usage)
		}
		startAt = t
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("try: port %d is taken (another try still running?): pick another with -port N, or -port 0 for any free one", *port)
	}
	if err != nil {
		return err
	}
	defer ln.Close()
	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "reflect-try-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dbPath = filepath.Join(dir, "playground.db")
	}

	clock := playground.NewClock(startAt)
	emu := slackemu.New(slackemu.WithClock(clock.Now))
	defer emu.Close()
	seedWorkspace(emu)

	cfg := config.Config{
		BotToken: config.Secret(emu.BotToken()), AppToken: config.Secret(emu.AppToken()), APIURL: emu.APIURL(),
		SlashCommand: "/reflect", PromptSchedule: "0 9 * * MON", ReminderAfter: 48 * time.Hour,
		OptinPolicy: "creator_or_admin", TeamMinRespondents: 3, RetentionMonths: 24,
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cat, err := prompts.Builtin()
	if err != nil {
		return err
	}
	store, err := db.Open(ctx, *dbPath, db.WithNow(clock.Now))
	if err != nil {
		return err
	}
	defer store.Close()
	bot, err := app.New(cfg, log, store, cat, clock.Now)
	if err != nil {
		return err
	}
	botCtx, stopBot := context.WithCancel(ctx)
	defer stopBot()
	botDone := make(chan error, 1)
	go func() { botDone <- bot.Run(botCtx) }()
	stop := func() error {
		stopBot()
		return <-botDone
	}

	pg := playground.New(playground.Config{
		Emu: emu, Clock: clock, Team: tryTeam, People: tryPeople, Channels: map[string]string{tryTeam: "team"},
		NextDue: func(ctx context.Context, userID string) (time.Time, bool, error) {
			p, err := store.Person(ctx, userID)
			if errors.Is(err, db.ErrNotFound) {
				return time.Time{}, false, nil
			}
			if err != nil || p.NextDueAt == nil {
				return time.Time{}, false, err
			}
			return *p.NextDueAt, true, nil
		},
		Tick: func(ctx context.Context, actor string) error {
			if _, err := bot.Loop.Tick(ctx); err != nil {
				return err
			}
			bot.Slack.Notify()
			if err := tryWait(ctx, 10*time.Second, func() bool {
				n, err := store.OutboxDepth(ctx)
				return err == nil && n == 0
			}); err != nil {
				return err
			}
			return othersAnswer(ctx, emu, cat, actor)
		},
		AnswerFor: func(ctx context.Context, userID string) ([]time.Time, error) {
			return answerOpen(ctx, emu, tryAnswerer(userID))
		},
		LastAnswer: func(ctx context.Context, userID string) (time.Time, bool, error) {
			as, err := store.RecentAnswers(ctx, userID, 1)
			if err != nil || len(as) == 0 {
				return time.Time{}, false, err
			}
			return as[0].AnsweredAt, true, nil
		},
	})

	// Enrol as a person would: you start, the lead opts #team in.
	if err := tryWait(ctx, 10*time.Second, bot.Slack.Connected); err != nil {
		_ = stop()
		return fmt.Errorf("the bot did not connect to the emulator: %w", err)
	}
	for _, c := range []struct{ user, text string }{{tryYou, "start"}, {tryLead, "optin"}} {
		before := len(ephemeralsTo(emu, c.user))
		emu.SlashCommand(c.user, tryTeam, c.text)
		if err := tryWait(ctx, 10*time.Second, func() bool { return len(ephemeralsTo(emu, c.user)) > before }); err != nil {
			_ = stop()
			return fmt.Errorf("/reflect %s got no reply: %w", c.text, err)
		}
	}

	// Ana, Ben, Chi, Dev and Eve answer a prompt now, so the lead's team summary has enough people.
	for _, c := range tryAnswerers[2:] {
		emu.SlashCommand(c.id, tryTeam, "prompt")
		if err := tryWait(ctx, 10*time.Second, func() bool { return len(openPrompts(emu, c.id)) > 0 }); err != nil {
			_ = stop()
			return fmt.Errorf("%s got no prompt: %w", c.id, err)
		}
	}
	if err := othersAnswer(ctx, emu, cat, tryYou); err != nil {
		_ = stop()
		return err
	}

	// The address carries this run's token: no other web page can drive the playground.
	fmt.Fprintf(stdout, "Reflect playground: %s\n", pg.PageURL(ln.Addr()))
	serveErr := pg.Serve(ctx, ln)
	botErr := stop()
	if serveErr != nil {
		return serveErr
	}
	if botErr != nil && !errors.Is(botErr, context.Canceled) {
		return botErr
	}
	return nil
}

func seedWorkspace(emu *slackemu.Server) {
	zone := "Europe/London"
	members := []string{emu.BotUserID()}
	for _, p := range tryPeople {
		emu.AddUser(slackemu.User{ID: p.ID, Name: p.Name, RealName: p.Name, TZ: zone})
		members = append(members, p.ID)
	}
	emu.AddChannel(slackemu.Channel{ID: tryTeam, Name: "team", Creator: tryLead, Members: members})
}

// tryAnswerers are the seeded people and how each answers a prompt when the playground answers for
// them: whoever the page does not act as answers their own prompts when time moves, as a real team
// would, and End of month answers yours on your behalf. Each taps the option at one of picks (0
// the first, 1 the last) or types one of replies to a text prompt, chosen by the prompt's
// timestamp, so answers vary from week to week while each person keeps a lean of their own and
// the team has a spread of leans. Members of #team answer the team mirror's questions about Lee
// the same way, with sees: how they see their lead (0 management, 1 leadership, -1 "not sure").
var tryAnswerers = []tryPersona{
	{tryYou, []float64{0.75, 0.25, 1, 0.5}, []float64{1, 0.5, 1}, []string{
		"Spent most of the week unblocking the team and talking through where we go next.",
		"Mostly planning and follow-ups; one good coaching chat.",
		"Reviewed the roadmap with the team and agreed what to drop.",
	}},
	{tryLead, []float64{0.5, 1, 0.25}, nil, []string{
		"Helped two people grow into new roles and checked the budget.",
		"Ran the planning session and set priorities for the month.",
	}},
	{"U_ANA", []float64{1, 0.75, 1}, []float64{1, 1, 0.5}, []string{
		"Mentored a new lead and painted the big picture for next quarter.",
		"Coached a colleague through a hard conversation.",
	}},
	{"U_BEN", []float64{0, 0.25, 0}, []float64{0, 0.5, -1}, []string{
		"Planned the sprint, set the budget and scheduled the reviews.",
		"Tracked the deadlines and sorted out the staffing plan.",
	}},
	{"U_CHI", []float64{0.5, 0.25, 0.75}, []float64{0.5, 1, 0}, []string{
		"Coached two people through a change and kept the plan on track.",
		"Split the week between the plan and one-to-ones.",
	}},
	{"U_DEV", []float64{0.25, 0.5, 0}, []float64{1, 0, 1}, []string{
		"Fixed the release checklist and walked a new joiner through it.",
		"Kept the on-call rota running and planned next week's work.",
	}},
	{"U_EVE", []float64{0.75, 1, 0.5}, []float64{0.5, 1, 1}, []string{
		"Talked with the team about why the new project matters to our users.",
		"Gave a colleague room to lead the design review and coached her after.",
	}},
}

// tryPersona is how one seeded person answers.
type tryPersona struct {
	id      string
	picks   []float64
	sees    []float64
	replies []string
}

// tryAnswerer is userID's persona.
func tryAnswerer(userID string) tryPersona {
	for _, a := range tryAnswerers {
		if a.id == userID {
			return a
		}
	}
	return tryAnswerers[0]
}

// othersAnswer has every seeded person but actor answer their open prompts and the team mirror's
// open questions.
func othersAnswer(ctx context.Context, emu *slackemu.Server, cat *prompts.Catalogue, actor string) error {
	for _, a := range tryAnswerers {
		if a.id == actor {
			continue
		}
		if _, err := answerOpen(ctx, emu, a); err != nil {
			return err
		}
		if err := answerMirror(ctx, emu, cat, a); err != nil {
			return err
		}
	}
	return nil
}

// answerMirror has a tap an answer to each open question of the team mirror in their DM, through
// the emulator as a person would, and waits until the bot has updated the message for each. The
// options are ordered from management to leadership by the catalogue's lean (the message shows
// them either way round); a.sees, by question and message, says where on that line a taps, or
// "Not sure".
func answerMirror(ctx context.Context, emu *slackemu.Server, cat *prompts.Catalogue, a tryPersona) error {
	if len(a.sees) == 0 {
		return nil
	}
	for _, m := range emu.DMs(a.id) {
		if m.BotID == "" || m.Ephemeral {
			continue
		}
		for q, b := range mirrorQuestions(m) {
			sees := a.sees[(int(tsNumber(m.TS))+q)%len(a.sees)]
			action := b.notSure
			if opts := b.byLean(cat); sees >= 0 && len(opts) > 0 {
				action = opts[int(sees*float64(len(opts)-1)+0.5)]
			}
			if action == "" {
				continue
			}
			if err := emu.Click(a.id, m.Channel, m.TS, action); err != nil {
				return fmt.Errorf("%s could not answer the team mirror: %w", a.id, err)
			}
			if err := tryWait(ctx, 10*time.Second, func() bool { return !mirrorOpen(emu, a.id, m.TS, b.block) }); err != nil {
				return fmt.Errorf("%s's answer to the team mirror was not recorded: %w", a.id, err)
			}
		}
	}
	return nil
}

// mirrorButtons are the answer buttons of one open team mirror question.
type mirrorButtons struct {
	block   string
	options []mirrorButton
	notSure string
}

type mirrorButton struct {
	action string
	value  slackapp.ActionValue
}

// byLean is the question's option buttons' action ids from management to leadership.
func (b mirrorButtons) byLean(cat *prompts.Catalogue) []string {
	lean := func(o mirrorButton) int {
		p, ok := cat.MirrorItem(o.value.PromptID)
		if !ok || o.value.Option >= len(p.Options) || p.Options[o.value.Option].Lean == nil {
			return 0
		}
		return *p.Options[o.value.Option].Lean
	}
	opts := slices.Clone(b.options)
	slices.SortStableFunc(opts, func(x, y mirrorButton) int { return lean(x) - lean(y) })
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.action
	}
	return out
}

// mirrorQuestions are the team mirror questions still open in message m.
func mirrorQuestions(m slackemu.Message) []mirrorButtons {
	var blocks []struct {
		BlockID  string `json:"block_id"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if json.Unmarshal(m.Blocks, &blocks) != nil {
		return nil
	}
	var out []mirrorButtons
	for _, b := range blocks {
		id, _, _ := strings.Cut(b.BlockID, ".") // an updated message's block ids carry a suffix
		if !strings.HasPrefix(id, "mirror_q") || !strings.HasSuffix(id, "_answers") {
			continue
		}
		q := mirrorButtons{block: id}
		for _, e := range b.Elements {
			if !strings.HasPrefix(e.ActionID, "mirror_answer:") {
				continue
			}
			v, err := slackapp.ParseActionValue(e.Value)
			switch {
			case err != nil:
				continue
			case v.HasOption:
				q.options = append(q.options, mirrorButton{e.ActionID, v})
			default:
				q.notSure = e.ActionID
			}
		}
		if len(q.options) > 0 || q.notSure != "" {
			out = append(out, q)
		}
	}
	return out
}

// mirrorOpen reports whether the team mirror question whose buttons are in block is still open in
// the message at ts.
func mirrorOpen(emu *slackemu.Server, userID, ts, block string) bool {
	for _, m := range emu.DMs(userID) {
		if m.TS != ts {
			continue
		}
		for _, q := range mirrorQuestions(m) {
			if q.block == block {
				return true
			}
		}
	}
	return false
}

// answerOpen has a answer every open question in their DM (a prompt, and the wellbeing check
// asked with it), through the emulator as a person would, waits until the bot has updated the
// message for each answer, and returns when each answered question was sent.
func answerOpen(ctx context.Context, emu *slackemu.Server, a tryPersona) ([]time.Time, error) {
	var n []time.Time
	open := openPrompts(emu, a.id)
	for i, m := range open {
		k := int(tsNumber(m.TS))
		sec, _, _ := strings.Cut(m.TS, ".")
		unix, _ := strconv.ParseInt(sec, 10, 64)
		if m.text && slices.ContainsFunc(open[i+1:], openPrompt.asks) {
			// A reply in the DM answers the newest prompt, so an older text prompt still open
			// (one the person left when a newer one came) is skipped, as a person would.
			if err := emu.Click(a.id, m.Channel, m.TS, "skip"); err != nil {
				return n, fmt.Errorf("%s could not skip an old prompt: %w", a.id, err)
			}
			if err := tryWait(ctx, 10*time.Second, func() bool { p, ok := openPromptAt(emu, a.id, m.TS); return !ok || !p.asks() }); err != nil {
				return n, fmt.Errorf("%s's skip was not recorded: %w", a.id, err)
			}
			p, ok := openPromptAt(emu, a.id, m.TS)
			if !ok {
				continue
			}
			m.text, m.checks = false, p.checks
		}
		if len(m.answers) > 0 || m.text {
			if len(m.answers) > 0 {
				pick := a.picks[k%len(a.picks)]
				if err := emu.Click(a.id, m.Channel, m.TS, m.answers[int(pick*float64(len(m.answers)-1)+0.5)]); err != nil {
					return n, fmt.Errorf("%s could not answer: %w", a.id, err)
				}
			} else {
				emu.SendDM(a.id, a.replies[k%len(a.replies)])
			}
			if err := tryWait(ctx, 10*time.Second, func() bool { p, ok := openPromptAt(emu, a.id, m.TS); return !ok || !p.asks() }); err != nil {
				return n, fmt.Errorf("%s's answer was not recorded: %w", a.id, err)
			}
			n = append(n, time.Unix(unix, 0))
		}
		if len(m.checks) > 0 {
			pick := a.picks[(k+1)%len(a.picks)]
			if err := emu.Click(a.id, m.Channel, m.TS, m.checks[int(pick*float64(len(m.checks)-1)+0.5)]); err != nil {
				return n, fmt.Errorf("%s could not answer the check: %w", a.id, err)
			}
			if err := tryWait(ctx, 10*time.Second, func() bool { p, ok := openPromptAt(emu, a.id, m.TS); return !ok || len(p.checks) == 0 }); err != nil {
				return n, fmt.Errorf("%s's answer to the check was not recorded: %w", a.id, err)
			}
			n = append(n, time.Unix(unix, 0))
		}
	}
	return n, nil
}

// tsNumber is a Slack timestamp's digits as a number, to vary answers by prompt.
func tsNumber(ts string) uint64 {
	var n uint64
	for _, c := range ts {
		if c >= '0' && c <= '9' {
			n = n*10 + uint64(c-'0')
		}
	}
	return n / 7 // the emulator's timestamps step by small amounts: mix them a little
}

// openPrompt is a message in someone's DM with a question still open: the prompt's option
// buttons' action ids, or text when it asks for a typed answer, and the option buttons of its
// wellbeing check, when that is still open.
type openPrompt struct {
	slackemu.Message
	answers []string
	text    bool
	checks  []string
}

// asks reports whether the prompt itself is still open.
func (p openPrompt) asks() bool { return len(p.answers) > 0 || p.text }

// openPrompts are the prompts in userID's DM that still show answer buttons.
func openPrompts(emu *slackemu.Server, userID string) []openPrompt {
	var out []openPrompt
	for _, m := range emu.DMs(userID) {
		if m.BotID == "" || m.Ephemeral {
			continue
		}
		var blocks []struct {
			BlockID  string `json:"block_id"`
			Elements []struct {
				ActionID string `json:"action_id"`
			} `json:"elements"`
		}
		if json.Unmarshal(m.Blocks, &blocks) != nil {
			continue
		}
		p := openPrompt{Message: m}
		for _, b := range blocks {
			id, _, _ := strings.Cut(b.BlockID, ".") // an updated message's block ids carry a suffix
			if id != "prompt_answers" && id != "check_prompt_answers" {
				continue
			}
			for _, e := range b.Elements {
				switch {
				case strings.HasPrefix(e.ActionID, "answer:"):
					p.answers = append(p.answers, e.ActionID)
				case e.ActionID == "answer_text":
					p.text = true
				case strings.HasPrefix(e.ActionID, "check:"):
					p.checks = append(p.checks, e.ActionID)
				}
			}
		}
		if p.asks() || len(p.checks) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// openPromptAt is the message at ts while a question in it is still open.
func openPromptAt(emu *slackemu.Server, userID, ts string) (openPrompt, bool) {
	for _, p := range openPrompts(emu, userID) {
		if p.TS == ts {
			return p, true
		}
	}
	return openPrompt{}, false
}

func ephemeralsTo(emu *slackemu.Server, user string) []slackemu.Message {
	var out []slackemu.Message
	for _, m := range emu.Messages(tryTeam) {
		if m.Ephemeral && m.To == user {
			out = append(out, m)
		}
	}
	return out
}

// tryWait polls cond until it holds, ctx is done or d has passed.
func tryWait(ctx context.Context, d time.Duration, cond func() bool) error {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}
