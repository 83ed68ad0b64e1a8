package slackapp

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// newDispatchApp is an App whose dispatcher is driven directly, without a socket: the tests
// below check routing, filtering, deduplication and failure handling deterministically.
func newDispatchApp(t *testing.T, logs *testkit.LogBuffer) (*App, *db.Store) {
	t.Helper()
	store := testkit.OpenStore(t)
	a, err := New(Config{BotToken: "xoxb-secret-bot", AppToken: "xapp-secret-app", APIURL: "http://127.0.0.1:1/", SlashCommand: "/reflect"},
		store, store, testkit.NewLogger(logs))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	withTestFallbacks(a)
	bot := "UBOT"
	a.botUserID.Store(&bot)
	return a, store
}

func eventJob(eventID, inner string) job {
	return job{typ: socketmode.EventTypeEventsAPI, payload: callback(eventID, inner)}
}

func commandJob(r *responses, text string) job {
	return job{typ: socketmode.EventTypeSlashCommand, data: slack.SlashCommand{
		Command: "/reflect", Text: text, UserID: "U1", ChannelID: "C1", TeamID: "T1",
		ResponseURL: r.url("cmd"), TriggerID: "trig-1",
	}}
}

func interactionJob(t *testing.T, payload string) job {
	t.Helper()
	cb, err := decodeInteraction([]byte(payload))
	if err != nil {
		t.Fatalf("decode interaction: %v", err)
	}
	return job{typ: socketmode.EventTypeInteractive, data: cb}
}

const dmHello = `{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"hello there","ts":"1.000100"}`

func TestCommandRouting(t *testing.T) {
	tests := []struct {
		name       string
		text       string
		register   map[string]CommandHandler
		wantReply  string // substring of the one private reply
		wantPanics int64
	}{
		{name: "bare command is usage", text: "", wantReply: "usage"},
		{name: "help is usage", text: "help", wantReply: "usage"},
		{name: "verb case ignored", text: "  HELP ", wantReply: "usage"},
		{name: "unknown verb gets the unknown-verb answer", text: "dance", wantReply: "unknown verb dance"},
		{name: "verb with no handler gets the unknown-verb answer", text: "summary 2025-01", wantReply: "unknown verb summary"},
		{name: "unreadable text", text: "help\x00", wantReply: "couldn't read that command"},
		{
			name: "registered verb goes to its handler", text: "Prompt now",
			register: map[string]CommandHandler{"prompt": func(ctx context.Context, req CommandRequest) error {
				if req.Command.Verb != "prompt" || !reflect.DeepEqual(req.Command.Args, []string{"now"}) || req.TriggerID != "trig-1" || req.FromDM {
					return errors.New("unexpected request")
				}
				return req.Reply(ctx, Message{Text: "prompt handler ran"})
			}},
			wantReply: "prompt handler ran",
		},
		{
			name: "a handler's refusal names the problem and its verb", text: "pause soon",
			register: map[string]CommandHandler{"pause": func(ctx context.Context, req CommandRequest) error {
				return req.Refuse(ctx, "pause takes a number of weeks")
			}},
			wantReply: "couldn't read that command: pause takes a number of weeks [pause]",
		},
		{
			name: "handler error gets an apology", text: "assess",
			register: map[string]CommandHandler{"assess": func(context.Context, CommandRequest) error {
				return errors.New("boom")
			}},
			wantReply: "Sorry, something went wrong",
		},
		{
			name: "handler panic gets an apology", text: "history",
			register: map[string]CommandHandler{"history": func(context.Context, CommandRequest) error {
				var m map[string]int
				//lint:ignore SA5000 the nil-map write is the runtime panic under test
				m["x"]++
				return nil
			}},
			wantReply: "Sorry, something went wrong", wantPanics: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs testkit.LogBuffer
			a, _ := newDispatchApp(t, &logs)
			for verb, h := range tt.register {
				a.HandleCommand(verb, h)
			}
			r := newResponses(t)
			a.process(context.Background(), commandJob(r, tt.text))
			got := r.all()
			if len(got) != 1 {
				t.Fatalf("got %d replies %+v, want 1", len(got), got)
			}
			if !strings.Contains(got[0].Text, tt.wantReply) {
				t.Errorf("got reply %q, want it to contain %q", got[0].Text, tt.wantReply)
			}
			if got[0].ResponseType != "ephemeral" {
				t.Errorf("got response_type %q, want ephemeral", got[0].ResponseType)
			}
			if n := a.Stats().Panics; n != tt.wantPanics {
				t.Errorf("got %d panics, want %d", n, tt.wantPanics)
			}
			testkit.AssertNotLogged(t, &logs, "xoxb-secret-bot", "xapp-secret-app")
		})
	}
}

func TestEventRoutingAndFiltering(t *testing.T) {
	tests := []struct {
		name        string
		inner       string
		dmHandled   bool   // the registered DM handler claims the DM
		wantDM      string // substring of the one DM queued in the outbox; "" = none
		wantEvent   string // the event handler that must have run
		wantIgnored int64
	}{
		{name: "DM nobody handles gets help", inner: dmHello, wantDM: "DM help"},
		{name: "DM a handler takes gets nothing more", inner: dmHello, dmHandled: true},
		{name: "DM word help gets usage", inner: `{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"Help","ts":"1.1"}`, wantDM: "usage"},
		{name: "DM word with no handler gets the unknown-verb answer", inner: `{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"summary","ts":"1.2"}`, wantDM: "unknown verb summary"},
		{name: "other command words are not DM words", inner: `{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"export","ts":"1.3"}`, wantDM: "DM help"},
		{name: "bot_id ignored", inner: `{"type":"message","channel":"D1","channel_type":"im","user":"U9","bot_id":"B9","text":"x","ts":"1.4"}`, wantIgnored: 1},
		{name: "bot_message ignored", inner: `{"type":"message","subtype":"bot_message","channel":"D1","channel_type":"im","text":"x","ts":"1.5"}`, wantIgnored: 1},
		{name: "own messages ignored", inner: `{"type":"message","channel":"D1","channel_type":"im","user":"UBOT","text":"x","ts":"1.6"}`, wantIgnored: 1},
		{name: "channel messages ignored", inner: `{"type":"message","channel":"C1","channel_type":"channel","user":"U1","text":"x","ts":"1.7"}`},
		{name: "edit goes to its handler", inner: `{"type":"message","subtype":"message_changed","channel":"D1","channel_type":"im","message":{"user":"U1","text":"new","ts":"1.0"}}`, wantEvent: "message_changed"},
		{name: "delete goes to its handler", inner: `{"type":"message","subtype":"message_deleted","channel":"D1","channel_type":"im","deleted_ts":"1.0","previous_message":{"user":"U1","ts":"1.0"}}`, wantEvent: "message_deleted"},
		{name: "member joined goes to its handler", inner: `{"type":"member_joined_channel","user":"U1","channel":"C1"}`, wantEvent: "member_joined_channel"},
		{name: "tokens revoked goes to its handler", inner: `{"type":"tokens_revoked","tokens":{"bot":["UBOT"]}}`, wantEvent: "tokens_revoked"},
		{name: "unhandled route ignored", inner: `{"type":"channel_rename","channel":{"id":"C1","name":"x"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs testkit.LogBuffer
			a, store := newDispatchApp(t, &logs)
			var ran []string
			for _, typ := range []string{"message_changed", "message_deleted", "member_joined_channel", "tokens_revoked"} {
				a.HandleEvent(typ, func(ctx context.Context, ev Event) error {
					ran = append(ran, typ)
					return nil
				})
			}
			a.HandleDM(func(ctx context.Context, dm DM) (bool, error) { return tt.dmHandled, nil })
			a.process(context.Background(), eventJob("Ev1", tt.inner))

			items := pending(t, store)
			switch {
			case tt.wantDM == "" && len(items) != 0:
				t.Errorf("got %d DMs queued, want none", len(items))
			case tt.wantDM != "":
				if len(items) != 1 {
					t.Fatalf("got %d DMs queued, want 1", len(items))
				}
				if got := outboxText(t, a, items[0]); !strings.Contains(got, tt.wantDM) {
					t.Errorf("got DM %q, want it to contain %q", got, tt.wantDM)
				}
				if items[0].ChannelID != "D1" {
					t.Errorf("got DM to channel %q, want D1", items[0].ChannelID)
				}
			}
			wantRan := []string(nil)
			if tt.wantEvent != "" {
				wantRan = []string{tt.wantEvent}
			}
			if !reflect.DeepEqual(ran, wantRan) {
				t.Errorf("got handlers run %v, want %v", ran, wantRan)
			}
			if got := a.Stats().IgnoredBots; got != tt.wantIgnored {
				t.Errorf("got %d bot messages ignored, want %d", got, tt.wantIgnored)
			}
			testkit.AssertNotLogged(t, &logs, "hello there", "xoxb-secret-bot")
		})
	}
}

func TestRedeliveredEventHandledOnce(t *testing.T) {
	var logs testkit.LogBuffer
	a, _ := newDispatchApp(t, &logs)
	var calls atomic.Int64
	a.HandleEvent("app_home_opened", func(ctx context.Context, ev Event) error {
		calls.Add(1)
		return nil
	})
	inner := `{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home"}`
	j := eventJob("EvSame", inner)
	a.process(context.Background(), j)
	j.retry = 1 // Slack's retry of the same event_id
	a.process(context.Background(), j)
	a.process(context.Background(), eventJob("EvOther", inner))

	if got := calls.Load(); got != 2 {
		t.Errorf("got %d handler runs, want 2 (one per event_id)", got)
	}
	if got := a.Stats().Duplicates; got != 1 {
		t.Errorf("got %d duplicates, want 1", got)
	}
	if !strings.Contains(logs.String(), "duplicate event") {
		t.Errorf("got no debug log of the duplicate, want one")
	}
}

func TestFailedEventIsReleasedForTheRetry(t *testing.T) {
	var logs testkit.LogBuffer
	a, _ := newDispatchApp(t, &logs)
	var calls atomic.Int64
	a.HandleEvent("user_change", func(ctx context.Context, ev Event) error {
		if calls.Add(1) == 1 {
			return errors.New("database is locked")
		}
		return nil
	})
	j := eventJob("EvRetry", `{"type":"user_change","user":{"id":"U1","deleted":true}}`)
	a.process(context.Background(), j)
	a.process(context.Background(), j)
	a.process(context.Background(), j)
	if got := calls.Load(); got != 2 {
		t.Errorf("got %d handler runs, want 2 (failed, then the retry succeeded; the third is a duplicate)", got)
	}
	if got := a.Stats().HandlerErrors; got != 1 {
		t.Errorf("got %d handler errors, want 1", got)
	}
}

func TestDMHandlerPanicGetsApology(t *testing.T) {
	var logs testkit.LogBuffer
	a, store := newDispatchApp(t, &logs)
	a.HandleDM(func(ctx context.Context, dm DM) (bool, error) {
		panic("cannot score " + dm.Text) // a panic value quoting the person's words
	})
	a.process(context.Background(), eventJob("EvPanic", dmHello))

	items := pending(t, store)
	if len(items) != 1 {
		t.Fatalf("got %d DMs queued, want 1 apology", len(items))
	}
	if got := outboxText(t, a, items[0]); !strings.Contains(got, "Sorry") {
		t.Errorf("got DM %q, want an apology", got)
	}
	if a.Stats().Panics != 1 {
		t.Errorf("got %d panics, want 1", a.Stats().Panics)
	}
	testkit.AssertNotLogged(t, &logs, "hello there")
	// The key was released, so Slack's retry is handled (and apologised for) again rather than dropped.
	first, err := store.ClaimEvent(context.Background(), "EvPanic")
	if err != nil || !first {
		t.Errorf("ClaimEvent after a failed handler = %v, %v; want true", first, err)
	}
}

func TestDMWordRunsCommandHandler(t *testing.T) {
	var logs testkit.LogBuffer
	a, store := newDispatchApp(t, &logs)
	var got CommandRequest
	a.HandleCommand("pause", func(ctx context.Context, req CommandRequest) error {
		got = req
		return req.Reply(ctx, Message{Text: "paused"})
	})
	a.process(context.Background(), eventJob("EvPause", `{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"Pause 2","ts":"2.0"}`))
	want := Command{Verb: "pause", Args: []string{"2"}}
	if !reflect.DeepEqual(got.Command, want) || !got.FromDM || got.UserID != "U1" {
		t.Errorf("got request %+v, want %+v from U1 by DM", got, want)
	}
	items := pending(t, store)
	if len(items) != 1 || outboxText(t, a, items[0]) != "paused" {
		t.Errorf("got %d DMs, want the handler's reply by DM", len(items))
	}
}

func TestActionRouting(t *testing.T) {
	const click = `{"type":"block_actions","user":{"id":"U1"},"team":{"id":"T1"},"channel":{"id":"D1"},
		"container":{"type":"message","message_ts":"5.0","channel_id":"D1"},"trigger_id":"trig-2",
		"response_url":"RESPONSE_URL","actions":[{"action_id":"answer:2","block_id":"q","type":"button","value":"d=4;o=2"}]}`
	tests := []struct {
		name      string
		register  map[string]ActionHandler
		wantRoute string // which registration ran
		wantReply string
	}{
		{name: "prefix", register: map[string]ActionHandler{"answer": nil}, wantRoute: "answer"},
		{name: "whole id wins", register: map[string]ActionHandler{"answer": nil, "answer:2": nil}, wantRoute: "answer:2"},
		{name: "unregistered ignored", register: map[string]ActionHandler{"skip": nil}},
		{name: "panic apologised for", register: map[string]ActionHandler{"answer": func(context.Context, ActionRequest) error {
			panic("boom")
		}}, wantRoute: "-", wantReply: "Sorry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs testkit.LogBuffer
			a, _ := newDispatchApp(t, &logs)
			r := newResponses(t)
			var ran string
			var req ActionRequest
			for key, h := range tt.register {
				if h == nil {
					h = func(ctx context.Context, got ActionRequest) error {
						ran, req = key, got
						return nil
					}
				}
				a.HandleAction(key, h)
			}
			a.process(context.Background(), interactionJob(t, strings.Replace(click, "RESPONSE_URL", r.url("act"), 1)))
			if tt.wantRoute == "-" {
				tt.wantRoute = ""
			}
			if ran != tt.wantRoute {
				t.Errorf("got handler %q, want %q", ran, tt.wantRoute)
			}
			if ran != "" {
				want := ActionRequest{UserID: "U1", ChannelID: "D1", TeamID: "T1", TriggerID: "trig-2", ActionID: "answer:2",
					BlockID: "q", Value: "d=4;o=2", MessageTS: "5.0"}
				req.reply = nil
				if !reflect.DeepEqual(req, want) {
					t.Errorf("got request %+v, want %+v", req, want)
				}
				if v, err := req.ParsedValue(); err != nil || v.DeliveryID != 4 || v.Option != 2 {
					t.Errorf("got value %+v, %v; want delivery 4 option 2", v, err)
				}
			}
			replies := r.all()
			if tt.wantReply == "" && len(replies) != 0 {
				t.Errorf("got replies %+v, want none", replies)
			}
			if tt.wantReply != "" && (len(replies) != 1 || !strings.Contains(replies[0].Text, tt.wantReply) || replies[0].ResponseType != "ephemeral") {
				t.Errorf("got replies %+v, want one ephemeral containing %q", replies, tt.wantReply)
			}
		})
	}
}

func TestViewSubmissionRouting(t *testing.T) {
	var logs testkit.LogBuffer
	a, _ := newDispatchApp(t, &logs)
	var got ViewRequest
	a.HandleView("assess", func(ctx context.Context, req ViewRequest) error {
		got = req
		return nil
	})
	a.process(context.Background(), interactionJob(t, `{"type":"view_submission","user":{"id":"U1"},"team":{"id":"T1"},
		"view":{"id":"V1","callback_id":"assess","private_metadata":"pm","hash":"h1",
		"state":{"values":{"q1":{"choice":{"type":"radio_buttons","selected_option":{"value":"o=3"}}}}}}}`))
	want := map[string]map[string]string{"q1": {"choice": "o=3"}}
	if got.UserID != "U1" || got.ViewID != "V1" || got.PrivateMetadata != "pm" || !reflect.DeepEqual(got.Values, want) {
		t.Errorf("got %+v, want U1's submission of V1 with values %v", got, want)
	}
}

// TestDefaultFallbacks: an App whose fallbacks were never set still answers an unknown verb,
// unreadable text and a failure, in plain words; a DM nobody handles gets no answer.
func TestDefaultFallbacks(t *testing.T) {
	store := testkit.OpenStore(t)
	a, err := New(Config{BotToken: "xoxb-secret-bot", AppToken: "xapp-secret-app", APIURL: "http://127.0.0.1:1/", SlashCommand: "/reflect"},
		store, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.HandleCommand("boom", func(context.Context, CommandRequest) error { return errors.New("boom") })
	for _, tt := range []struct{ text, want string }{
		{"dance", "Unknown command `dance`."},
		{"help\x00", "I couldn't read that command: it contains control characters."},
		{"boom", "Sorry, something went wrong"},
	} {
		r := newResponses(t)
		a.process(context.Background(), commandJob(r, tt.text))
		if got := r.all(); len(got) != 1 || !strings.Contains(got[0].Text, tt.want) {
			t.Errorf("%q: got replies %+v, want one containing %q", tt.text, got, tt.want)
		}
	}
	bot := "UBOT"
	a.botUserID.Store(&bot)
	a.process(context.Background(), eventJob("EvDM", `{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"hello","ts":"3.0"}`))
	if items := pending(t, store); len(items) != 0 {
		t.Errorf("got %d DMs queued, want none without a DM fallback", len(items))
	}
}
