package slackemu

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// rawEnvelope is a Socket Mode frame as a raw client reads it.
type rawEnvelope struct {
	Type                   string          `json:"type"`
	EnvelopeID             string          `json:"envelope_id"`
	Payload                json.RawMessage `json:"payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	NumConnections         int             `json:"num_connections"`
	Reason                 string          `json:"reason"`
	ConnectionInfo         struct {
		AppID string `json:"app_id"`
	} `json:"connection_info"`
	DebugInfo struct {
		Host string `json:"host"`
	} `json:"debug_info"`
}

// dialRaw opens a Socket Mode connection with a bare WebSocket client and reads its hello.
func dialRaw(t *testing.T, s *Server) (*websocket.Conn, rawEnvelope) {
	t.Helper()
	_, u, err := apiClient(s).StartSocketModeContext(context.Background())
	if err != nil {
		t.Fatalf("apps.connections.open: %v", err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	hello := readRaw(t, ws)
	if _, _, err := websocket.DefaultDialer.Dial(u, nil); err == nil {
		t.Errorf("got a second connection from one ticket, want the ticket single-use")
	}
	return ws, hello
}

func readRaw(t *testing.T, ws *websocket.Conn) rawEnvelope {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var env rawEnvelope
	if err := ws.ReadJSON(&env); err != nil {
		t.Fatalf("read envelope: %v", err)
	}
	return env
}

func eventID(t *testing.T, payload json.RawMessage) string {
	t.Helper()
	var cb slackevents.EventsAPICallbackEvent
	if err := json.Unmarshal(payload, &cb); err != nil {
		t.Fatalf("decode event_callback: %v", err)
	}
	return cb.EventID
}

func TestHelloAndPings(t *testing.T) {
	s := newEmu(t, WithPingInterval(10*time.Millisecond))
	ws, hello := dialRaw(t, s)
	if hello.Type != "hello" || hello.NumConnections != 1 || hello.ConnectionInfo.AppID != AppID || hello.DebugInfo.Host == "" {
		t.Errorf("got hello %+v, want type hello, 1 connection, app %s and debug_info", hello, AppID)
	}
	pings := make(chan struct{}, 10)
	ws.SetPingHandler(func(string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return nil
	})
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	for i := range 2 {
		select {
		case <-pings:
		case <-time.After(5 * time.Second):
			t.Fatalf("got %d PINGs, want at least 2", i)
		}
	}
}

func TestDeliveriesReachSlackGo(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)

	trigger := s.SlashCommand("UALICE", "", "help me")
	ev := a.nextAcked(t)
	cmd, ok := ev.Data.(slack.SlashCommand)
	if !ok {
		t.Fatalf("got %s request, want a slash command", ev.Type)
	}
	if cmd.Command != "/reflect" || cmd.Text != "help me" || cmd.UserID != "UALICE" || cmd.TriggerID != trigger ||
		cmd.ChannelID != s.DMChannel("UALICE") || cmd.ResponseURL == "" || cmd.TeamID != TeamID || cmd.APIAppID != AppID {
		t.Errorf("got slash command %+v, want /reflect help me from UALICE with trigger and response_url", cmd)
	}
	if !ev.Request.AcceptsResponsePayload {
		t.Errorf("got accepts_response_payload false, want true for a slash command")
	}

	ts := s.SendDM("UALICE", "typed answer")
	msg := messageEvent(t, a.nextAcked(t))
	if msg.Text != "typed answer" || msg.User != "UALICE" || msg.ChannelType != "im" || msg.TimeStamp != ts || msg.BotID != "" {
		t.Errorf("got message %+v, want UALICE's DM %s", msg, ts)
	}

	_, postTS, err := a.api.PostMessage("UALICE", slack.MsgOptionText("pick", false), slack.MsgOptionBlocks(
		slack.NewActionBlock("choices", slack.NewButtonBlockElement("answer_yes", "yes", slack.NewTextBlockObject("plain_text", "Yes", false, false))),
	))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	_ = a.nextAcked(t) // the bot's own message event
	if err := s.Click("UALICE", s.DMChannel("UALICE"), postTS, "answer_yes"); err != nil {
		t.Fatalf("click: %v", err)
	}
	ev = a.nextAcked(t)
	cb, ok := ev.Data.(slack.InteractionCallback)
	if !ok {
		t.Fatalf("got %s request, want an interaction", ev.Type)
	}
	acts := cb.ActionCallback.BlockActions
	if cb.Type != slack.InteractionTypeBlockActions || len(acts) != 1 || acts[0].ActionID != "answer_yes" ||
		acts[0].Value != "yes" || acts[0].BlockID != "choices" || cb.User.ID != "UALICE" || cb.TriggerID == "" ||
		cb.ResponseURL == "" || cb.Container.MessageTs != postTS || cb.Message.Timestamp != postTS {
		t.Errorf("got interaction %+v, want block_actions answer_yes=yes on %s", cb, postTS)
	}

	waitFor(t, s, "three acks", func() bool { return len(s.AckLatencies()) >= 4 })
	if got := s.Unacked(); got != 0 {
		t.Errorf("got %d unacked, want 0", got)
	}
	if got := s.ConnectCount(); got != 1 {
		t.Errorf("got %d connects, want 1", got)
	}
}

func TestUnackedEventIsRedelivered(t *testing.T) {
	s := newEmu(t, WithAckTimeout(100*time.Millisecond))
	a := startApp(t, s)
	id := s.Emit("app_home_opened", map[string]any{"user": "UALICE", "channel": s.DMChannel("UALICE"), "tab": "home"})

	first := a.next(t) // not acked
	if first.Request.RetryAttempt != 0 {
		t.Errorf("got retry_attempt %d on the first delivery, want 0", first.Request.RetryAttempt)
	}
	second := a.nextAcked(t)
	if second.Request.RetryAttempt != 1 || second.Request.RetryReason != "timeout" {
		t.Errorf("got retry_attempt %d reason %q, want 1 timeout", second.Request.RetryAttempt, second.Request.RetryReason)
	}
	for _, ev := range []socketmode.Event{first, second} {
		if got := eventID(t, ev.Request.Payload); got != id {
			t.Errorf("got event_id %s, want %s on every attempt", got, id)
		}
	}
	if first.Request.EnvelopeID == second.Request.EnvelopeID {
		t.Errorf("got the same envelope_id twice, want a new envelope per attempt")
	}
	waitFor(t, s, "the ack", func() bool { return s.Unacked() == 0 })
	if got := s.Redeliveries(); got != 1 {
		t.Errorf("got %d redeliveries, want 1", got)
	}
}

func TestEventGivenUpAfterThreeRetries(t *testing.T) {
	s := newEmu(t, WithAckTimeout(20*time.Millisecond))
	ws, _ := dialRaw(t, s)
	s.Emit("app_uninstalled", map[string]any{})
	for want := range 4 {
		if got := readRaw(t, ws).RetryAttempt; got != want {
			t.Fatalf("got retry_attempt %d, want %d", got, want)
		}
	}
	waitFor(t, s, "the last retry to expire", func() bool { return s.Redeliveries() == 3 })
	_ = ws.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, data, err := ws.ReadMessage(); err == nil {
		t.Errorf("got %s after three retries, want nothing more", data)
	}
	if got := s.Unacked(); got != 1 {
		t.Errorf("got %d unacked, want 1", got)
	}
}

func TestDisconnectRefreshRequestedReconnects(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)
	waitFor(t, s, "the first connection", func() bool { return s.Connections() == 1 })
	s.Disconnect("refresh_requested")
	var ids []string
	for range 3 {
		ids = append(ids, s.Emit("app_home_opened", map[string]any{"user": "UBOB", "tab": "home"}))
	}
	got := map[string]bool{}
	for range 3 {
		got[eventID(t, a.nextAcked(t).Request.Payload)] = true
	}
	for _, id := range ids {
		if !got[id] {
			t.Errorf("event %s never arrived after the refresh", id)
		}
	}
	if n := s.ConnectCount(); n != 2 {
		t.Errorf("got %d connects, want 2 (a reconnect after disconnect)", n)
	}
}

func TestDropConnectionsLosesNoEvent(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)
	waitFor(t, s, "the first connection", func() bool { return s.Connections() == 1 })
	s.DropConnections()
	id := s.Emit("member_joined_channel", map[string]any{"user": "UBOB", "channel": "C1", "channel_type": "C"})
	ev := a.nextAcked(t)
	if got := eventID(t, ev.Request.Payload); got != id {
		t.Errorf("got event %s, want %s", got, id)
	}
	if s.ConnectCount() != 2 {
		t.Errorf("got %d connects, want 2", s.ConnectCount())
	}
}

func TestEnvelopesSpreadOverConnections(t *testing.T) {
	s := newEmu(t)
	ws1, _ := dialRaw(t, s)
	ws2, hello2 := dialRaw(t, s)
	if hello2.NumConnections != 2 {
		t.Errorf("got num_connections %d on the second hello, want 2", hello2.NumConnections)
	}
	for range 4 {
		s.Emit("app_home_opened", map[string]any{"user": "UBOB", "tab": "home"})
	}
	for _, ws := range []*websocket.Conn{ws1, ws2} {
		for range 2 {
			if env := readRaw(t, ws); env.Type != "events_api" {
				t.Errorf("got %s, want events_api", env.Type)
			}
		}
	}
	if got := s.EnvelopesPerConnection(); !reflect.DeepEqual(got, []int{2, 2}) {
		t.Errorf("EnvelopesPerConnection = %v, want [2 2]", got)
	}
}

// An app holds at most MaxConnections sockets: one more is told too_many_websockets and closed,
// and once one closes a new one is welcome again.
func TestConnectionLimit(t *testing.T) {
	s := newEmu(t)
	var open []*websocket.Conn
	for range MaxConnections {
		ws, hello := dialRaw(t, s)
		if hello.Type != "hello" {
			t.Fatalf("got %s, want hello", hello.Type)
		}
		open = append(open, ws)
	}
	extra, first := dialRaw(t, s)
	if first.Type != "disconnect" || first.Reason != "too_many_websockets" {
		t.Fatalf("connection %d got %s/%s, want disconnect/too_many_websockets", MaxConnections+1, first.Type, first.Reason)
	}
	_ = extra.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := extra.ReadMessage(); err == nil {
		t.Error("the refused connection stayed open")
	}
	open[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for s.Connections() >= MaxConnections && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if _, hello := dialRaw(t, s); hello.Type != "hello" {
		t.Errorf("after one closed, got %s, want hello", hello.Type)
	}
}

func TestStalledConnectionSwallowsEnvelopes(t *testing.T) {
	s := newEmu(t, WithAckTimeout(700*time.Millisecond))
	ws, _ := dialRaw(t, s)
	s.Stall(500 * time.Millisecond)
	id := s.Emit("app_home_opened", map[string]any{"user": "UBOB", "tab": "home"})
	env := readRaw(t, ws)
	if env.RetryAttempt != 1 || eventID(t, env.Payload) != id {
		t.Errorf("got attempt %d of %s, want the first send lost and retry 1 of %s", env.RetryAttempt, eventID(t, env.Payload), id)
	}
}

func TestEventShapesParse(t *testing.T) {
	s := newEmu(t)
	s.AddChannel(Channel{ID: "CTEAM", Name: "team", Creator: "UALICE", Members: []string{BotUserID}})
	s.AddChannel(Channel{ID: "CGONE", Name: "gone", Creator: "UALICE", Members: []string{BotUserID}})
	s.AddChannel(Channel{ID: "GPRIV", Name: "priv", Creator: "UALICE", IsPrivate: true, Members: []string{BotUserID}})
	s.AddChannel(Channel{ID: "GPRIV2", Name: "priv2", Creator: "UALICE", IsPrivate: true, Members: []string{BotUserID}})
	a := startApp(t, s)
	tests := []struct {
		name  string
		do    func()
		check func(t *testing.T, inner any)
	}{
		{name: "member_joined_channel", do: func() { s.JoinChannel("UBOB", "CTEAM") }, check: func(t *testing.T, inner any) {
			ev, ok := inner.(*slackevents.MemberJoinedChannelEvent)
			if !ok || ev.User != "UBOB" || ev.Channel != "CTEAM" || ev.ChannelType != "C" {
				t.Errorf("got %#v, want UBOB joined CTEAM", inner)
			}
		}},
		{name: "member_left_channel", do: func() { s.LeaveChannel("UBOB", "CTEAM") }, check: func(t *testing.T, inner any) {
			ev, ok := inner.(*slackevents.MemberLeftChannelEvent)
			if !ok || ev.User != "UBOB" || ev.Channel != "CTEAM" {
				t.Errorf("got %#v, want UBOB left CTEAM", inner)
			}
		}},
		{name: "channel_archive", do: func() { s.ArchiveChannel("CTEAM") }, check: func(t *testing.T, inner any) {
			ev, ok := inner.(*slackevents.ChannelArchiveEvent)
			if !ok || ev.Channel != "CTEAM" || ev.User != "UALICE" {
				t.Errorf("got %#v, want CTEAM archived by UALICE", inner)
			}
		}},
		{name: "channel_left", do: func() { s.RemoveBot("CTEAM", "UALICE") }, check: func(t *testing.T, inner any) {
			ev, ok := inner.(*slackevents.ChannelLeftEvent)
			if !ok || ev.Channel != "CTEAM" || ev.EventTimestamp == "" {
				t.Errorf("got %#v, want the app removed from CTEAM", inner)
			}
		}},
		{name: "group_left", do: func() { s.LeaveChannel(BotUserID, "GPRIV") }, check: func(t *testing.T, inner any) {
			ev, ok := inner.(*slackevents.GroupLeftEvent)
			if !ok || ev.Channel != "GPRIV" {
				t.Errorf("got %#v, want the app out of GPRIV", inner)
			}
		}},
		{name: "channel_deleted", do: func() { s.DeleteChannel("CGONE", "UALICE") }, check: func(t *testing.T, inner any) {
			ev, ok := inner.(*slackevents.ChannelDeletedEvent)
			if !ok || ev.Channel != "CGONE" {
				t.Errorf("got %#v, want CGONE deleted", inner)
			}
		}},
		{name: "group_deleted", do: func() { s.DeleteChannel("GPRIV2", "UALICE") }, check: func(t *testing.T, inner any) {
			ev, ok := inner.(*slackevents.GroupDeletedEvent)
			if !ok || ev.Channel != "GPRIV2" {
				t.Errorf("got %#v, want GPRIV2 deleted", inner)
			}
		}},
		{name: "app_home_opened", do: func() { s.OpenHome("UBOB") }, check: func(t *testing.T, inner any) {
			ev, ok := inner.(*slackevents.AppHomeOpenedEvent)
			if !ok || ev.User != "UBOB" || ev.Tab != "home" || ev.Channel != s.DMChannel("UBOB") {
				t.Errorf("got %#v, want UBOB opened home", inner)
			}
		}},
		{name: "user_change", do: func() {
			s.UpdateUser(User{ID: "UBOB", Name: "bob", TZ: "Asia/Tokyo", Deleted: true})
		}, check: func(t *testing.T, inner any) {
			ev, ok := inner.(*slackevents.UserChangeEvent)
			if !ok || ev.User.ID != "UBOB" || !ev.User.Deleted || ev.User.TZOffset != 9*3600 {
				t.Errorf("got %#v, want UBOB deleted in Tokyo", inner)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.do()
			ev := a.nextAcked(t)
			api, ok := ev.Data.(slackevents.EventsAPIEvent)
			if !ok {
				t.Fatalf("got %s, want an events_api request", ev.Type)
			}
			tc.check(t, api.InnerEvent.Data)
		})
	}
}

func TestDMEditAndDeleteEvents(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)
	ts := s.SendDM("UBOB", "first")
	_ = a.nextAcked(t)
	s.EditDM("UBOB", ts, "second")
	changed := messageEvent(t, a.nextAcked(t))
	if changed.SubType != "message_changed" || changed.Message.Text != "second" || changed.Message.Timestamp != ts ||
		changed.PreviousMessage == nil || changed.PreviousMessage.Text != "first" || changed.Message.Edited == nil {
		t.Errorf("got %+v, want message_changed first → second on %s", changed, ts)
	}
	s.DeleteDM("UBOB", ts)
	deleted := messageEvent(t, a.nextAcked(t))
	if deleted.SubType != "message_deleted" || deleted.DeletedTimeStamp != ts || deleted.PreviousMessage == nil {
		t.Errorf("got %+v, want message_deleted of %s", deleted, ts)
	}
	if got := len(s.DMs("UBOB")); got != 0 {
		t.Errorf("got %d DM messages, want 0 after the delete", got)
	}
}

func TestResponseURL(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)
	ch := s.DMChannel("UALICE")
	_, ts, err := a.api.PostMessage("UALICE", slack.MsgOptionText("Ready?", false), slack.MsgOptionBlocks(
		slack.NewActionBlock("b", slack.NewButtonBlockElement("go", "1", slack.NewTextBlockObject("plain_text", "Go", false, false))),
	))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	_ = a.nextAcked(t)
	if err := s.Click("UALICE", ch, ts, "go"); err != nil {
		t.Fatalf("click: %v", err)
	}
	cb := a.nextAcked(t).Data.(slack.InteractionCallback)
	if _, _, err := a.api.PostMessage(ch, slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("Recorded", false)); err != nil {
		t.Fatalf("replace via response_url: %v", err)
	}
	if _, _, err := a.api.PostMessage(ch, slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("psst", false)); err != nil {
		t.Fatalf("ephemeral via response_url: %v", err)
	}
	dms := s.DMs("UALICE")
	if len(dms) != 2 || dms[0].TS != ts || dms[0].Text != "Recorded" || len(dms[0].Blocks) != 0 {
		t.Fatalf("got %+v, want the original replaced by Recorded", dms)
	}
	if !dms[1].Ephemeral || dms[1].To != "UALICE" || dms[1].Text != "psst" {
		t.Errorf("got %+v, want an ephemeral psst to UALICE", dms[1])
	}
	for range 3 {
		if _, _, err := a.api.PostMessage(ch, slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("again", false)); err != nil {
			t.Fatalf("use within the limit: %v", err)
		}
	}
	if _, _, err := a.api.PostMessage(ch, slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("sixth", false)); err == nil {
		t.Errorf("got a sixth response_url post accepted, want it refused")
	}
	if v := s.Violations(); len(v) != 1 {
		t.Errorf("got violations %v, want just the sixth use", v)
	}
}

func TestSlashCommandAckPayloadIsTheResponse(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)
	s.SlashCommand("UBOB", "", "")
	ev := a.next(t)
	if err := a.sm.Ack(*ev.Request, map[string]any{"text": "Usage: /reflect help"}); err != nil {
		t.Fatalf("ack: %v", err)
	}
	waitFor(t, s, "the ephemeral reply", func() bool { return len(s.DMs("UBOB")) == 1 })
	m := s.DMs("UBOB")[0]
	if !m.Ephemeral || m.To != "UBOB" || m.Text != "Usage: /reflect help" {
		t.Errorf("got %+v, want an ephemeral usage reply to UBOB", m)
	}
}

func TestSelectAndEphemeralClicks(t *testing.T) {
	s := newEmu(t)
	s.AddChannel(Channel{ID: "CTEAM", Name: "team", Members: []string{BotUserID, "UALICE", "UBOB"}})
	a := startApp(t, s)
	radio := slack.NewRadioButtonsBlockElement("mood",
		slack.NewOptionBlockObject("good", slack.NewTextBlockObject("plain_text", "Good", false, false), nil),
		slack.NewOptionBlockObject("tired", slack.NewTextBlockObject("plain_text", "Tired", false, false), nil))
	ts, err := a.api.PostEphemeral("CTEAM", "UALICE", slack.MsgOptionText("How are you?", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("check", radio)))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	tests := []struct {
		name    string
		act     func() error
		wantErr bool
	}{
		{name: "click on a radio group", act: func() error { return s.Click("UALICE", "CTEAM", ts, "mood") }, wantErr: true},
		{name: "unknown option", act: func() error { return s.Select("UALICE", "CTEAM", ts, "mood", "ecstatic") }, wantErr: true},
		{name: "someone else's ephemeral", act: func() error { return s.Select("UBOB", "CTEAM", ts, "mood", "good") }, wantErr: true},
		{name: "unknown action", act: func() error { return s.Click("UALICE", "CTEAM", ts, "nope") }, wantErr: true},
		{name: "pick an option", act: func() error { return s.Select("UALICE", "CTEAM", ts, "mood", "tired") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.act(); (err != nil) != tc.wantErr {
				t.Fatalf("got error %v, want error: %v", err, tc.wantErr)
			}
		})
	}
	cb := a.nextAcked(t).Data.(slack.InteractionCallback)
	act := cb.ActionCallback.BlockActions[0]
	if act.SelectedOption.Value != "tired" || !cb.Container.IsEphemeral || cb.Message.Timestamp != "" ||
		cb.BlockActionState.Values["check"]["mood"].SelectedOption.Value != "tired" {
		t.Errorf("got %+v, want tired picked in an ephemeral message, with no message in the payload", cb)
	}
}
