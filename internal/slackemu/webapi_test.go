package slackemu

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestAuthTest(t *testing.T) {
	s := newEmu(t)
	tests := []struct {
		name    string
		token   string
		wantErr string
	}{
		{name: "bot token", token: s.BotToken()},
		{name: "unknown token", token: "xoxb-nope", wantErr: "invalid_auth"},
		{name: "app token", token: s.AppToken(), wantErr: "not_allowed_token_type"},
		{name: "no token", token: "", wantErr: "not_authed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := slack.New(tc.token, slack.OptionAPIURL(s.APIURL()))
			got, err := api.AuthTest()
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("got error %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("auth.test: %v", err)
			}
			if got.UserID != BotUserID || got.TeamID != TeamID || got.BotID != BotID {
				t.Errorf("got user %s team %s bot %s, want %s %s %s", got.UserID, got.TeamID, got.BotID, BotUserID, TeamID, BotID)
			}
		})
	}
}

func TestAppsConnectionsOpen(t *testing.T) {
	s := newEmu(t)
	tests := []struct {
		name    string
		header  string
		form    url.Values
		wantErr string
	}{
		{name: "app token in header", header: "Bearer " + s.AppToken()},
		{name: "bot token", header: "Bearer " + s.BotToken(), wantErr: "not_allowed_token_type"},
		{name: "app token as POST parameter", form: url.Values{"token": {s.AppToken()}}, wantErr: "invalid_auth"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.APIURL()+"apps.connections.open", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			var body struct {
				OK    bool   `json:"ok"`
				Error string `json:"error"`
				URL   string `json:"url"`
			}
			doJSON(t, req, &body)
			if body.Error != tc.wantErr {
				t.Fatalf("got error %q, want %q", body.Error, tc.wantErr)
			}
			if tc.wantErr == "" && !strings.HasPrefix(body.URL, "ws://127.0.0.1:") {
				t.Errorf("got url %q, want a ws://127.0.0.1 link", body.URL)
			}
		})
	}
}

func TestUnknownMethod(t *testing.T) {
	s := newEmu(t)
	req, _ := http.NewRequest(http.MethodPost, s.APIURL()+"chat.frobnicate", nil)
	req.Header.Set("Authorization", "Bearer "+s.BotToken())
	var body struct {
		Error string `json:"error"`
	}
	doJSON(t, req, &body)
	if body.Error != "unknown_method" {
		t.Errorf("got %q, want unknown_method", body.Error)
	}
}

func TestPostMessageToUserLandsInDM(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)
	ch, ts, err := a.api.PostMessage("UALICE", slack.MsgOptionText("hello", false))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	if want := s.DMChannel("UALICE"); ch != want {
		t.Errorf("got channel %s, want the DM %s", ch, want)
	}
	dms := s.DMs("UALICE")
	if len(dms) != 1 || dms[0].TS != ts || dms[0].Text != "hello" || dms[0].BotID != BotID {
		t.Fatalf("got DMs %+v, want the one bot message %s", dms, ts)
	}
	ev := a.nextAcked(t)
	msg := messageEvent(t, ev)
	if msg.ChannelType != "im" || msg.BotID != BotID || msg.User != BotUserID || msg.TimeStamp != ts {
		t.Errorf("got event channel_type %q bot_id %q user %q ts %q, want the bot's own DM message %s",
			msg.ChannelType, msg.BotID, msg.User, msg.TimeStamp, ts)
	}
}

func TestPostMessageErrors(t *testing.T) {
	s := newEmu(t)
	s.AddChannel(Channel{ID: "CIN", Name: "in", Members: []string{BotUserID, "UALICE"}})
	s.AddChannel(Channel{ID: "COUT", Name: "out", Members: []string{"UALICE"}})
	s.AddChannel(Channel{ID: "GSECRET", Name: "secret", IsPrivate: true, Members: []string{"UALICE"}})
	s.AddChannel(Channel{ID: "COLD", Name: "old", IsArchived: true, Members: []string{BotUserID}})
	api := apiClient(s)
	tests := []struct {
		name    string
		channel string
		opts    []slack.MsgOption
		wantErr string
	}{
		{name: "member channel", channel: "CIN", opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}},
		{name: "unknown channel", channel: "CNOPE", opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}, wantErr: "channel_not_found"},
		{name: "public channel without the bot", channel: "COUT", opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}, wantErr: "not_in_channel"},
		{name: "private channel without the bot", channel: "GSECRET", opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}, wantErr: "channel_not_found"},
		{name: "archived channel", channel: "COLD", opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}, wantErr: "is_archived"},
		{name: "no text or blocks", channel: "CIN", wantErr: "no_text"},
		{name: "text too long", channel: "CIN", opts: []slack.MsgOption{slack.MsgOptionText(strings.Repeat("x", 40001), false)}, wantErr: "msg_too_long"},
		{name: "dm with a bot", channel: BotUserID, opts: []slack.MsgOption{slack.MsgOptionText("hi", false)}, wantErr: "cannot_dm_bot"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := api.PostMessage(tc.channel, tc.opts...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("got error %v, want %s", err, tc.wantErr)
			}
		})
	}
}

func TestMetadataRoundTripsThroughHistory(t *testing.T) {
	s := newEmu(t)
	api := apiClient(s)
	md := slack.SlackMetadata{EventType: "reflect_delivery", EventPayload: map[string]any{"delivery_id": "d-42"}}
	ch, ts, err := api.PostMessage("UBOB", slack.MsgOptionText("prompt", false), slack.MsgOptionMetadata(md))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	tests := []struct {
		name     string
		include  bool
		wantType string
	}{
		{name: "with include_all_metadata", include: true, wantType: "reflect_delivery"},
		{name: "without it", include: false, wantType: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch, IncludeAllMetadata: tc.include})
			if err != nil {
				t.Fatalf("history: %v", err)
			}
			if len(h.Messages) != 1 || h.Messages[0].Timestamp != ts {
				t.Fatalf("got %d messages, want the one posted", len(h.Messages))
			}
			got := h.Messages[0].Metadata
			if got.EventType != tc.wantType {
				t.Errorf("got event_type %q, want %q", got.EventType, tc.wantType)
			}
			if tc.include && got.EventPayload["delivery_id"] != "d-42" {
				t.Errorf("got payload %v, want delivery_id d-42", got.EventPayload)
			}
		})
	}
}

func TestHistoryPaginatesNewestFirst(t *testing.T) {
	clock := newFakeClock()
	s := newEmu(t, WithClock(clock.Now))
	api := apiClient(s)
	var posted []string
	for i := range 5 {
		_, ts, err := api.PostMessage("UBOB", slack.MsgOptionText("m", false))
		if err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
		posted = append(posted, ts)
		clock.Advance(time.Second)
	}
	ch := s.DMChannel("UBOB")
	var got []string
	cursor, pages := "", 0
	for {
		h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch, Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatalf("history: %v", err)
		}
		pages++
		for _, m := range h.Messages {
			got = append(got, m.Timestamp)
		}
		cursor = h.ResponseMetaData.NextCursor
		if h.HasMore != (cursor != "") {
			t.Errorf("got has_more %v with next_cursor %q, want them to agree", h.HasMore, cursor)
		}
		if cursor == "" {
			break
		}
	}
	if pages != 3 {
		t.Errorf("got %d pages, want 3", pages)
	}
	want := []string{posted[4], posted[3], posted[2], posted[1], posted[0]}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
	h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch, Oldest: posted[1], Latest: posted[3]})
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if len(h.Messages) != 1 || h.Messages[0].Timestamp != posted[2] {
		t.Errorf("got %d messages between oldest and latest, want only %s", len(h.Messages), posted[2])
	}
}

func TestUpdateAndDelete(t *testing.T) {
	s := newEmu(t)
	api := apiClient(s)
	ch, ts, err := api.PostMessage("UALICE", slack.MsgOptionText("v1", false))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	personTS := s.SendDM("UALICE", "my answer")
	tests := []struct {
		name    string
		ts      string
		wantErr string
	}{
		{name: "own message", ts: ts},
		{name: "unknown ts", ts: "1.000001", wantErr: "message_not_found"},
		{name: "a person's message", ts: personTS, wantErr: "cant_update_message"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := api.UpdateMessage(ch, tc.ts, slack.MsgOptionText("v2", false))
			if tc.wantErr == "" && err != nil {
				t.Fatalf("got %v, want success", err)
			}
			if tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Fatalf("got %v, want %s", err, tc.wantErr)
			}
		})
	}
	dms := s.DMs("UALICE")
	if dms[0].Text != "v2" || !dms[0].Edited {
		t.Errorf("got %q edited=%v, want v2 edited", dms[0].Text, dms[0].Edited)
	}
	if _, _, err := api.DeleteMessage(ch, ts); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if got := len(s.DMs("UALICE")); got != 1 {
		t.Errorf("got %d messages after delete, want 1 (the person's)", got)
	}
}

func TestUpdateKeepsBlocksUnlessGiven(t *testing.T) {
	s := newEmu(t, WithT(t))
	api := apiClient(s)
	block := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "the question", false, false), nil, nil)
	tests := []struct {
		name       string
		blocks     []slack.MsgOption
		wantBlocks bool
	}{
		{name: "blocks left out are kept", wantBlocks: true},
		{name: "an empty array removes them", blocks: []slack.MsgOption{slack.MsgOptionBlocks()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch, ts, err := api.PostMessage("UALICE", slack.MsgOptionText("v1", false), slack.MsgOptionBlocks(block))
			if err != nil {
				t.Fatalf("post: %v", err)
			}
			opts := append([]slack.MsgOption{slack.MsgOptionText("v2", false)}, tc.blocks...)
			if _, _, _, err := api.UpdateMessage(ch, ts, opts...); err != nil {
				t.Fatalf("update: %v", err)
			}
			msgs := s.Messages(ch)
			i := slices.IndexFunc(msgs, func(m Message) bool { return m.TS == ts })
			if i < 0 {
				t.Fatalf("no message %s in %s", ts, ch)
			}
			if got := strings.Contains(string(msgs[i].Blocks), "the question"); got != tc.wantBlocks {
				t.Errorf("got blocks %s, want blocks kept = %v", msgs[i].Blocks, tc.wantBlocks)
			}
		})
	}
}

func TestEphemeral(t *testing.T) {
	s := newEmu(t)
	s.AddChannel(Channel{ID: "CTEAM", Name: "team", Members: []string{BotUserID, "UALICE"}})
	api := apiClient(s)
	if _, err := api.PostEphemeral("CTEAM", "UALICE", slack.MsgOptionText("only you", false)); err != nil {
		t.Fatalf("ephemeral: %v", err)
	}
	_, err := api.PostEphemeral("CTEAM", "UBOB", slack.MsgOptionText("only you", false))
	if err == nil || err.Error() != "user_not_in_channel" {
		t.Errorf("got %v, want user_not_in_channel", err)
	}
	msgs := s.Messages("CTEAM")
	if len(msgs) != 1 || !msgs[0].Ephemeral || msgs[0].To != "UALICE" {
		t.Fatalf("got %+v, want one ephemeral to UALICE", msgs)
	}
	h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "CTEAM"})
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if len(h.Messages) != 0 {
		t.Errorf("got %d messages in history, want ephemerals left out", len(h.Messages))
	}
}

func TestConversationsAndUsers(t *testing.T) {
	s := newEmu(t)
	s.AddChannel(Channel{ID: "CTEAM", Name: "team", Creator: "UALICE", Members: []string{BotUserID, "UALICE", "UBOB"}})
	api := apiClient(s)

	info, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "CTEAM"})
	if err != nil {
		t.Fatalf("conversations.info: %v", err)
	}
	if info.Creator != "UALICE" || !info.IsMember || info.IsArchived || info.Name != "team" {
		t.Errorf("got creator %q member %v archived %v name %q, want UALICE true false team", info.Creator, info.IsMember, info.IsArchived, info.Name)
	}
	s.ArchiveChannel("CTEAM")
	info, err = api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "CTEAM"})
	if err != nil || !info.IsArchived {
		t.Errorf("got archived %v (err %v), want true", info != nil && info.IsArchived, err)
	}

	var members []string
	cursor := ""
	for {
		page, next, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: "CTEAM", Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatalf("conversations.members: %v", err)
		}
		members = append(members, page...)
		if cursor = next; cursor == "" {
			break
		}
	}
	if strings.Join(members, ",") != BotUserID+",UALICE,UBOB" {
		t.Errorf("got members %v, want the bot, Alice and Bob", members)
	}

	u, err := api.GetUserInfo("UALICE")
	if err != nil {
		t.Fatalf("users.info: %v", err)
	}
	if u.TZ != "Europe/Berlin" || u.TZOffset != 3600 || !u.IsAdmin || u.IsBot {
		t.Errorf("got tz %q offset %d admin %v bot %v, want Europe/Berlin 3600 true false", u.TZ, u.TZOffset, u.IsAdmin, u.IsBot)
	}
	if _, err := api.GetUserInfo("UNOPE"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("got %v, want user_not_found", err)
	}
	all, err := api.GetUsersContext(context.Background(), slack.GetUsersOptionLimit(1))
	if err != nil {
		t.Fatalf("users.list: %v", err)
	}
	if len(all) != 3 {
		t.Errorf("got %d users, want 3 (bot, Alice, Bob)", len(all))
	}
}

func TestRateLimits(t *testing.T) {
	clock := newFakeClock()
	s := newEmu(t, WithClock(clock.Now))
	api := apiClient(s)

	s.SetRateLimit("users.info", 60, 1)
	if _, err := api.GetUserInfo("UALICE"); err != nil {
		t.Fatalf("first call: %v", err)
	}
	_, err := api.GetUserInfo("UALICE")
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("got %v, want *slack.RateLimitedError retry after 1s", err)
	}
	clock.Advance(time.Second)
	if _, err := api.GetUserInfo("UALICE"); err != nil {
		t.Fatalf("after waiting: %v", err)
	}

	s.SetChannelMessageRate(1, 1)
	if _, _, err := api.PostMessage("UALICE", slack.MsgOptionText("a", false)); err != nil {
		t.Fatalf("first post: %v", err)
	}
	if _, _, err := api.PostMessage("UALICE", slack.MsgOptionText("b", false)); !errors.As(err, &rl) {
		t.Fatalf("got %v, want the second post in the same second rate limited", err)
	}
	if _, _, err := api.PostMessage("UBOB", slack.MsgOptionText("c", false)); err != nil {
		t.Fatalf("another channel: %v", err)
	}
	s.SetMessageRate(1)
	clock.Advance(time.Second)
	if _, _, err := api.PostMessage("UALICE", slack.MsgOptionText("d", false)); err != nil {
		t.Fatalf("workspace first: %v", err)
	}
	if _, _, err := api.PostMessage("UBOB", slack.MsgOptionText("e", false)); !errors.As(err, &rl) {
		t.Fatalf("got %v, want the workspace-wide limit to apply across channels", err)
	}
	got := s.RateLimited()
	if got["users.info"] != 1 || got["chat.postMessage"] != 2 {
		t.Errorf("got rate-limited counts %v, want users.info 1 and chat.postMessage 2", got)
	}
	if n := len(s.DMs("UALICE")); n != 2 {
		t.Errorf("got %d messages to Alice, want 2 (rate-limited posts take no effect)", n)
	}
}

func TestSlackTiers(t *testing.T) {
	clock := newFakeClock()
	s := newEmu(t, WithClock(clock.Now), WithSlackTiers())
	api := apiClient(s)
	for i := range 20 {
		if _, err := api.GetUsersContext(context.Background()); err != nil {
			t.Fatalf("users.list call %d: %v", i+1, err)
		}
	}
	var rl *slack.RateLimitedError
	if _, err := api.GetUsersPaginated().Next(context.Background()); !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
		t.Errorf("got %v on the 21st users.list in a minute, want Tier 2's 429 retry after 3s", err)
	}
	for i := range 3 {
		if _, _, err := api.PostMessage("UBOB", slack.MsgOptionText("burst", false)); err != nil {
			t.Fatalf("post %d of a burst of 3: %v", i+1, err)
		}
	}
	if _, _, err := api.PostMessage("UBOB", slack.MsgOptionText("one too many", false)); !errors.As(err, &rl) {
		t.Errorf("got %v, want the 4th post in a second to one channel rate limited", err)
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name      string
		fault     Fault
		wantPosts int
		check     func(error) bool
	}{
		{name: "500 not applied", fault: Fault{Kind: FaultHTTP500}, wantPosts: 0, check: isStatus(500)},
		{name: "500 applied", fault: Fault{Kind: FaultHTTP500, Applied: true}, wantPosts: 1, check: isStatus(500)},
		{name: "reset applied", fault: Fault{Kind: FaultReset, Applied: true}, wantPosts: 1, check: isErr},
		{name: "reset not applied", fault: Fault{Kind: FaultReset}, wantPosts: 0, check: isErr},
		{name: "timeout applied", fault: Fault{Kind: FaultTimeout, Applied: true}, wantPosts: 1, check: isErr},
		{name: "rate limit", fault: Fault{Kind: FaultRateLimit}, wantPosts: 0, check: func(err error) bool {
			var rl *slack.RateLimitedError
			return errors.As(err, &rl) && rl.RetryAfter == time.Second
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newEmu(t)
			api := apiClient(s, slack.OptionHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
			s.FailNext("chat.postMessage", 1, tc.fault)
			_, _, err := api.PostMessage("UBOB", slack.MsgOptionText("x", false))
			if !tc.check(err) {
				t.Fatalf("got error %v, want the injected fault", err)
			}
			if got := len(s.DMs("UBOB")); got != tc.wantPosts {
				t.Errorf("got %d posts landed, want %d", got, tc.wantPosts)
			}
			if _, _, err := api.PostMessage("UBOB", slack.MsgOptionText("y", false)); err != nil {
				t.Errorf("got %v on the next call, want the fault used up", err)
			}
			if got := s.Calls("chat.postMessage"); got != 2 {
				t.Errorf("got %d calls counted, want 2", got)
			}
		})
	}
}

func isErr(err error) bool { return err != nil }

func isStatus(code int) func(error) bool {
	return func(err error) bool {
		var sc slack.StatusCodeError
		return errors.As(err, &sc) && sc.Code == code
	}
}

func TestFileUpload(t *testing.T) {
	s := newEmu(t)
	api := apiClient(s)
	ch := s.DMChannel("UALICE")
	content := "month,lean\n2025-01,0.4\n"
	f, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Filename: "trend.csv", FileSize: len(content), Content: content, Title: "Trend", Channel: ch,
		InitialComment: "Your trend",
	})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	data, ok := s.File(f.ID)
	if !ok || string(data) != content {
		t.Errorf("got stored bytes %q (found %v), want %q", data, ok, content)
	}
	dms := s.DMs("UALICE")
	if len(dms) != 1 || len(dms[0].Files) != 1 || dms[0].Files[0].ID != f.ID || dms[0].Text != "Your trend" {
		t.Fatalf("got DMs %+v, want one message sharing %s", dms, f.ID)
	}
	if dms[0].Files[0].Title != "Trend" {
		t.Errorf("got title %q, want Trend", dms[0].Files[0].Title)
	}
}

func TestWaitForHonoursContext(t *testing.T) {
	s := newEmu(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.WaitFor(ctx, func() bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want a deadline error", err)
	}
}

func TestTokensRevokedStopsTheAPI(t *testing.T) {
	s := newEmu(t)
	api := apiClient(s)
	s.Emit("tokens_revoked", map[string]any{"tokens": map[string]any{"bot": []string{BotUserID}}})
	if _, err := api.AuthTest(); err == nil || err.Error() != "token_revoked" {
		t.Errorf("got %v, want token_revoked", err)
	}
}

// TestScopes: with WithScopes, a method needing a scope the token lacks answers missing_scope
// naming it, and does nothing; reading a group DM needs mpim:read, a private channel groups:read.
func TestScopes(t *testing.T) {
	s := newEmu(t, WithScopes("chat:write", "channels:read", "groups:read", "users:read"))
	s.AddUser(User{ID: "UALICE", Name: "alice"})
	s.AddChannel(Channel{ID: "CPUB", Name: "pub", Members: []string{"UALICE", BotUserID}})
	s.AddChannel(Channel{ID: "GPRIV", Name: "priv", IsPrivate: true, Members: []string{"UALICE", BotUserID}})
	s.AddChannel(Channel{ID: "GMPIM", Name: "mpdm-alice--reflect-1", IsMpIM: true, Members: []string{"UALICE", BotUserID}})
	tests := []struct {
		method string
		form   url.Values
		want   string
	}{
		{"conversations.info", url.Values{"channel": {"CPUB"}}, ""},
		{"conversations.info", url.Values{"channel": {"GPRIV"}}, ""},
		{"conversations.info", url.Values{"channel": {"GMPIM"}}, "missing_scope"},
		{"conversations.members", url.Values{"channel": {"GMPIM"}}, "missing_scope"},
		{"users.list", url.Values{}, ""},
		{"conversations.open", url.Values{"users": {"UALICE"}}, "missing_scope"},
	}
	for _, tc := range tests {
		if got := postForm(t, s, tc.method, tc.form); got != tc.want {
			t.Errorf("%s %v: got %q, want %q", tc.method, tc.form, got, tc.want)
		}
	}
	if n := len(s.DMs("UALICE")); n != 0 {
		t.Errorf("a refused conversations.open left %d messages", n)
	}
}
