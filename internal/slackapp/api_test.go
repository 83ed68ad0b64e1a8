package slackapp

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/reflect-bot/reflect/internal/slackemu"
)

// apiCode returns the Slack error code of an *APIError, or fails the test.
func apiCode(t *testing.T, err error) string {
	t.Helper()
	ae, ok := errors.AsType[*APIError](err)
	if !ok {
		t.Fatalf("got error %v, want an *APIError", err)
	}
	return ae.Code
}

func TestUserInfo(t *testing.T) {
	h := startHarness(t, harnessConfig{})
	h.emu.AddUser(slackemu.User{ID: "UBOT", Name: "helper", TZ: "America/Los_Angeles", IsBot: true})
	h.emu.AddUser(slackemu.User{ID: "UGONE", Name: "gone", TZ: "Asia/Tokyo", Deleted: true})
	h.emu.AddUser(slackemu.User{ID: "UBOSS", Name: "boss", TZ: "America/New_York", IsAdmin: true, IsOwner: true})
	h.emu.AddUser(slackemu.User{ID: "UGUEST", Name: "guest", TZ: "Europe/Paris", IsRestricted: true, IsUltraRestricted: true})
	tests := []struct {
		name     string
		userID   string
		want     UserProfile
		wantCode string
	}{
		{name: "person with a time zone", userID: "U1", want: UserProfile{ID: "U1", TZ: "Europe/London"}},
		{name: "bot", userID: "UBOT", want: UserProfile{ID: "UBOT", TZ: "America/Los_Angeles", IsBot: true}},
		{name: "deleted person", userID: "UGONE", want: UserProfile{ID: "UGONE", TZ: "Asia/Tokyo", Deleted: true}},
		{name: "admin and owner", userID: "UBOSS", want: UserProfile{ID: "UBOSS", TZ: "America/New_York", IsAdmin: true, IsOwner: true}},
		{name: "guest", userID: "UGUEST", want: UserProfile{ID: "UGUEST", TZ: "Europe/Paris", IsRestricted: true, IsUltraRestricted: true}},
		{name: "unknown person", userID: "U404", wantCode: "user_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.app.UserInfo(context.Background(), tt.userID)
			if tt.wantCode != "" {
				if code := apiCode(t, err); code != tt.wantCode {
					t.Errorf("got code %q, want %q", code, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("UserInfo: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// findMessage returns the message with ts in channel as the emulator holds it.
func findMessage(t *testing.T, emu *slackemu.Server, channel, ts string) slackemu.Message {
	t.Helper()
	for _, m := range emu.Messages(channel) {
		if m.TS == ts {
			return m
		}
	}
	t.Fatalf("no message %s in %s", ts, channel)
	return slackemu.Message{}
}

func TestUpdateMessage(t *testing.T) {
	h := startHarness(t, harnessConfig{})
	original := Message{Text: "v1", Blocks: []slack.Block{Section("q", "original block")}}
	tests := []struct {
		name      string
		postTo    string // a user id posts in the DM
		update    Message
		ts        string // overrides the posted message's ts
		channel   string // overrides the posted message's channel
		wantBlock string // text the blocks must hold; "" means no blocks left
		wantCode  string
	}{
		{name: "DM text and blocks", postTo: "U1",
			update: Message{Text: "v2", Blocks: []slack.Block{Section("q", "answered block")}}, wantBlock: "answered block"},
		{name: "channel text and blocks", postTo: "C1",
			update: Message{Text: "v2", Blocks: []slack.Block{Section("q", "answered block")}}, wantBlock: "answered block"},
		{name: "no blocks removes the old ones", postTo: "U1", update: Message{Text: "v2"}},
		{name: "unknown ts", postTo: "U1", update: Message{Text: "v2"}, ts: "1.000001", wantCode: "message_not_found"},
		{name: "unknown channel", postTo: "U1", update: Message{Text: "v2"}, channel: "C404", wantCode: "channel_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			channel, ts, err := h.app.api.PostMessageContext(ctx, tt.postTo,
				slack.MsgOptionText(original.Text, false), slack.MsgOptionBlocks(original.Blocks...))
			if err != nil {
				t.Fatalf("post: %v", err)
			}
			err = h.app.UpdateMessage(ctx, firstNonEmpty(tt.channel, channel), firstNonEmpty(tt.ts, ts), tt.update)
			got := findMessage(t, h.emu, channel, ts)
			if tt.wantCode != "" {
				if code := apiCode(t, err); code != tt.wantCode {
					t.Errorf("got code %q, want %q", code, tt.wantCode)
				}
				if got.Text != original.Text || got.Edited {
					t.Errorf("got text %q edited=%v after a refused update, want %q unedited", got.Text, got.Edited, original.Text)
				}
				return
			}
			if err != nil {
				t.Fatalf("UpdateMessage: %v", err)
			}
			if got.Text != tt.update.Text || !got.Edited {
				t.Errorf("got text %q edited=%v, want %q edited", got.Text, got.Edited, tt.update.Text)
			}
			switch blocks := string(got.Blocks); {
			case tt.wantBlock == "" && len(got.Blocks) != 0:
				t.Errorf("got blocks %s, want none", blocks)
			case tt.wantBlock != "" && (!strings.Contains(blocks, tt.wantBlock) || strings.Contains(blocks, "original block")):
				t.Errorf("got blocks %s, want only the new ones with %q", blocks, tt.wantBlock)
			}
		})
	}
	if !strings.HasPrefix(h.emu.DMChannel("U1"), "D") {
		t.Errorf("got DM channel %q, want a D… id", h.emu.DMChannel("U1"))
	}
}

func TestOpenView(t *testing.T) {
	clock := newFakeClock()
	h := startHarness(t, harnessConfig{
		emuOpts: []slackemu.Option{slackemu.WithClock(clock.Now)},
		setup: func(a *App) {
			a.HandleCommand("noop", func(context.Context, CommandRequest) error { return nil })
		},
	})
	view := View{
		CallbackID:      "journal",
		Title:           "Reflect on your week, one question at a time",
		Submit:          "Save this answer for later please",
		Close:           "Not now",
		PrivateMetadata: "delivery=7",
		Blocks: []slack.Block{slack.NewInputBlock("answer",
			PlainText("Your answer"), nil, slack.NewPlainTextInputBlockElement(nil, "text"))},
	}
	ctx := context.Background()
	tests := []struct {
		name     string
		trigger  func(t *testing.T) string
		wantCode string
	}{
		{name: "fresh trigger", trigger: func(*testing.T) string { return h.emu.SlashCommand("U1", "C1", "noop") }},
		{name: "expired trigger", wantCode: "expired_trigger_id", trigger: func(*testing.T) string {
			tr := h.emu.SlashCommand("U1", "C1", "noop")
			_ = clock.Sleep(ctx, 3*time.Second+time.Millisecond)
			return tr
		}},
		{name: "used trigger", wantCode: "exchanged_trigger_id", trigger: func(t *testing.T) string {
			tr := h.emu.SlashCommand("U1", "C1", "noop")
			if _, err := h.app.OpenView(ctx, tr, view); err != nil {
				t.Fatalf("first OpenView: %v", err)
			}
			return tr
		}},
		{name: "unknown trigger", wantCode: "invalid_trigger_id", trigger: func(*testing.T) string { return "1.2.bogus" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trigger := tt.trigger(t)
			opens := h.emu.Calls("views.open")
			id, err := h.app.OpenView(ctx, trigger, view)
			if n := h.emu.Calls("views.open") - opens; n != 1 {
				t.Errorf("got %d views.open calls, want 1 (a trigger is never retried)", n)
			}
			if tt.wantCode != "" {
				if code := apiCode(t, err); code != tt.wantCode {
					t.Errorf("got code %q, want %q", code, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenView: %v", err)
			}
			views := h.emu.Views("U1")
			if len(views) != 1 || views[0].ID != id {
				t.Fatalf("got views %+v, want the one opened (%s)", views, id)
			}
			got := views[0]
			if got.Type != "modal" || got.CallbackID != "journal" || got.PrivateMetadata != "delivery=7" {
				t.Errorf("got %s view %q with metadata %q, want modal journal with delivery=7", got.Type, got.CallbackID, got.PrivateMetadata)
			}
			if n := utf8.RuneCountInString(got.Title); n != maxViewTitle || !strings.HasPrefix(got.Title, "Reflect on your week") {
				t.Errorf("got title %q (%d characters), want the title cut to %d", got.Title, n, maxViewTitle)
			}
		})
	}
	if _, err := h.app.OpenView(ctx, "", view); err == nil {
		t.Errorf("OpenView with no trigger: got nil error, want one")
	}
}

func TestOpenViewFromCommandHandler(t *testing.T) {
	opened := make(chan error, 1)
	h := startHarness(t, harnessConfig{setup: func(a *App) {
		a.HandleCommand("journal", func(ctx context.Context, req CommandRequest) error {
			_, err := a.OpenView(ctx, req.TriggerID, View{CallbackID: "journal", Title: "Journal",
				Blocks: []slack.Block{Section("intro", "Write as much as you like.")}})
			opened <- err
			return err
		})
	}})
	h.emu.SlashCommand("U1", "C1", "journal")
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("OpenView in the handler: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("the command handler never ran")
	}
	if views := h.emu.Views("U1"); len(views) != 1 || views[0].CallbackID != "journal" {
		t.Errorf("got views %+v, want the journal modal", views)
	}
}

func TestPublishHome(t *testing.T) {
	h := startHarness(t, harnessConfig{})
	tests := []struct {
		name, userID, text, wantCode string
	}{
		{name: "first publish", userID: "U1", text: "Next prompt on Monday"},
		{name: "republish replaces", userID: "U1", text: "Next prompt on Friday"},
		{name: "unknown person", userID: "U404", text: "hello", wantCode: "user_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.app.PublishHome(context.Background(), tt.userID, []slack.Block{Section("next", tt.text)})
			if tt.wantCode != "" {
				if code := apiCode(t, err); code != tt.wantCode {
					t.Errorf("got code %q, want %q", code, tt.wantCode)
				}
				if home := h.emu.Home(tt.userID); home != nil {
					t.Errorf("got a Home tab %+v, want none", home)
				}
				return
			}
			if err != nil {
				t.Fatalf("PublishHome: %v", err)
			}
			home := h.emu.Home(tt.userID)
			if home == nil {
				t.Fatal("got no Home tab, want the published one")
			}
			if home.Type != "home" || !strings.Contains(string(home.Blocks), tt.text) {
				t.Errorf("got %s view with blocks %s, want home with %q", home.Type, home.Blocks, tt.text)
			}
		})
	}
}

// completions wraps the outbox, recording where each item was completed.
type completions struct {
	Outbox
	mu       sync.Mutex
	channels []string
}

func (c *completions) CompleteOutbox(ctx context.Context, id int64, channelID, ts string) error {
	c.mu.Lock()
	c.channels = append(c.channels, channelID)
	c.mu.Unlock()
	return c.Outbox.CompleteOutbox(ctx, id, channelID, ts)
}

func (c *completions) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.channels...)
}

func TestOutboxPostsToPersonWithoutConversationsOpen(t *testing.T) {
	tests := []struct {
		name       string
		fault      *slackemu.Fault // on the first chat.postMessage
		wantOpens  int
		wantPosts  int
		reconciled int64
	}{
		// The first try posts to the user id: no conversations.open.
		{name: "first try", wantOpens: 0, wantPosts: 1},
		// A retry must look in the DM for the earlier post, so it needs the DM channel first.
		{name: "retry after an ambiguous post", fault: &slackemu.Fault{Kind: slackemu.FaultTimeout, Applied: true},
			wantOpens: 1, wantPosts: 1, reconciled: 1},
		{name: "retry after a post that did not land", fault: &slackemu.Fault{Kind: slackemu.FaultReset},
			wantOpens: 1, wantPosts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &completions{}
			h := startHarness(t, harnessConfig{setup: func(a *App) {
				rec.Outbox = a.outbox
				a.outbox = rec
			}})
			h.enrol("U1")
			if tt.fault != nil {
				h.emu.FailNext("chat.postMessage", 1, *tt.fault)
			}
			if err := h.app.SendDM(context.Background(), "U1", Message{Text: "your weekly prompt"}); err != nil {
				t.Fatal(err)
			}
			h.eventually("the post to be recorded", func() bool { return len(rec.got()) == 1 && h.outboxDepth() == 0 })
			dm := h.emu.DMChannel("U1")
			if got := rec.got()[0]; got != dm || !strings.HasPrefix(got, "D") {
				t.Errorf("got the item completed in channel %q, want the DM channel %q", got, dm)
			}
			if got := h.botDMs(); len(got) != 1 || got[0].Text != "your weekly prompt" {
				t.Errorf("got DM messages %+v, want the prompt once", got)
			}
			if got := h.emu.Calls("conversations.open"); got != tt.wantOpens {
				t.Errorf("got %d conversations.open calls, want %d", got, tt.wantOpens)
			}
			if got := h.emu.Calls("chat.postMessage"); got != tt.wantPosts {
				t.Errorf("got %d chat.postMessage calls, want %d", got, tt.wantPosts)
			}
			if got := h.app.Stats().OutboxReconciled; got != tt.reconciled {
				t.Errorf("got %d reconciled, want %d", got, tt.reconciled)
			}
		})
	}
}
