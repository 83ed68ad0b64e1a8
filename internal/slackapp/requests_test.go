package slackapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/slack-go/slack"
)

// callback wraps an inner event the way the Events API does.
func callback(eventID, inner string) []byte {
	return []byte(`{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"` + eventID +
		`","event_time":1700000000,"event":` + inner + `}`)
}

func TestParseEventPayload(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    Event // Raw is not compared
		wantErr bool
	}{
		{
			name:    "DM",
			payload: callback("Ev1", `{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"hello","ts":"1.000100"}`),
			want:    Event{ID: "Ev1", TeamID: "T1", Type: "message", UserID: "U1", ChannelID: "D1", ChannelType: "im", TS: "1.000100", Text: "hello"},
		},
		{
			name: "DM edited",
			payload: callback("Ev2", `{"type":"message","subtype":"message_changed","channel":"D1","channel_type":"im","ts":"2.0",
				"message":{"type":"message","user":"U1","text":"new words","ts":"1.000100","edited":{"user":"U1","ts":"2.0"}},
				"previous_message":{"type":"message","user":"U1","text":"old words","ts":"1.000100"}}`),
			want: Event{ID: "Ev2", TeamID: "T1", Type: "message", Subtype: "message_changed", UserID: "U1", ChannelID: "D1", ChannelType: "im", TS: "1.000100", Text: "new words"},
		},
		{
			name: "DM deleted",
			payload: callback("Ev3", `{"type":"message","subtype":"message_deleted","channel":"D1","channel_type":"im","ts":"3.0","deleted_ts":"1.000100",
				"previous_message":{"type":"message","user":"U1","text":"old words","ts":"1.000100"}}`),
			want: Event{ID: "Ev3", TeamID: "T1", Type: "message", Subtype: "message_deleted", UserID: "U1", ChannelID: "D1", ChannelType: "im", TS: "1.000100"},
		},
		{
			name:    "bot's own DM post",
			payload: callback("Ev4", `{"type":"message","subtype":"bot_message","channel":"D1","channel_type":"im","bot_id":"B1","text":"prompt","ts":"4.0"}`),
			want:    Event{ID: "Ev4", TeamID: "T1", Type: "message", Subtype: "bot_message", ChannelID: "D1", ChannelType: "im", BotID: "B1", TS: "4.0", Text: "prompt"},
		},
		{
			name:    "user_change carries a user object",
			payload: callback("Ev5", `{"type":"user_change","user":{"id":"U2","deleted":true,"is_bot":false,"tz":"Europe/Paris"}}`),
			want:    Event{ID: "Ev5", TeamID: "T1", Type: "user_change", UserID: "U2", UserDeleted: true},
		},
		{
			name:    "app_home_opened",
			payload: callback("Ev6", `{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home"}`),
			want:    Event{ID: "Ev6", TeamID: "T1", Type: "app_home_opened", UserID: "U1", ChannelID: "D1", Tab: "home"},
		},
		{
			name:    "channel as an object",
			payload: callback("Ev7", `{"type":"channel_created","channel":{"id":"C9","name":"x"}}`),
			want:    Event{ID: "Ev7", TeamID: "T1", Type: "channel_created", ChannelID: "C9"},
		},
		{name: "not JSON", payload: []byte(`{`), wantErr: true},
		{name: "no event_id", payload: []byte(`{"type":"event_callback","event":{"type":"message"}}`), wantErr: true},
		{name: "no event", payload: []byte(`{"type":"event_callback","event_id":"Ev8"}`), wantErr: true},
		{name: "event without type", payload: callback("Ev9", `{"user":"U1"}`), wantErr: true},
		{name: "event not an object", payload: callback("Ev10", `"message"`), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseEventPayload(tt.payload)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseEventPayload = %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseEventPayload error = %v, want none", err)
			}
			if len(got.Raw) == 0 {
				t.Errorf("got no Raw, want the inner event")
			}
			got.Raw = nil
			if !equalEvent(got, tt.want) {
				t.Errorf("parseEventPayload =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func equalEvent(a, b Event) bool {
	a.Raw, b.Raw = nil, nil
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestParseEventPayloadNotCallback(t *testing.T) {
	ev, err := parseEventPayload([]byte(`{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820}`))
	if !errors.Is(err, errNotCallback) {
		t.Fatalf("got error %v, want errNotCallback", err)
	}
	if ev.Type != "app_rate_limited" {
		t.Errorf("got type %q, want app_rate_limited", ev.Type)
	}
}

func TestEventRoute(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{name: "new DM", ev: Event{Type: "message", ChannelType: "im"}, want: routeDM},
		{name: "DM with a file", ev: Event{Type: "message", Subtype: "file_share", ChannelType: "im"}, want: routeDM},
		{name: "DM edited", ev: Event{Type: "message", Subtype: "message_changed", ChannelType: "im"}, want: "event:message_changed"},
		{name: "DM deleted", ev: Event{Type: "message", Subtype: "message_deleted", ChannelType: "im"}, want: "event:message_deleted"},
		{name: "channel message", ev: Event{Type: "message", ChannelType: "channel"}, want: ""},
		{name: "DM join notice", ev: Event{Type: "message", Subtype: "channel_join", ChannelType: "im"}, want: ""},
		{name: "app home", ev: Event{Type: "app_home_opened"}, want: "event:app_home_opened"},
		{name: "member joined", ev: Event{Type: "member_joined_channel"}, want: "event:member_joined_channel"},
		{name: "member left", ev: Event{Type: "member_left_channel"}, want: "event:member_left_channel"},
		{name: "archive", ev: Event{Type: "channel_archive"}, want: "event:channel_archive"},
		{name: "user change", ev: Event{Type: "user_change"}, want: "event:user_change"},
		{name: "uninstalled", ev: Event{Type: "app_uninstalled"}, want: "event:app_uninstalled"},
		{name: "tokens revoked", ev: Event{Type: "tokens_revoked"}, want: "event:tokens_revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eventRoute(tt.ev); got != tt.want {
				t.Errorf("eventRoute(%+v) = %q, want %q", tt.ev, got, tt.want)
			}
		})
	}
}

func TestIsFromBot(t *testing.T) {
	const me = "UBOT"
	tests := []struct {
		name string
		ev   Event
		want bool
	}{
		{name: "person", ev: Event{Type: "message", UserID: "U1"}, want: false},
		{name: "any bot_id", ev: Event{Type: "message", UserID: "U1", BotID: "B9"}, want: true},
		{name: "bot_message subtype", ev: Event{Type: "message", Subtype: "bot_message"}, want: true},
		{name: "our own user", ev: Event{Type: "message", UserID: me}, want: true},
		{name: "edit of a bot message", ev: Event{Type: "message", Subtype: "message_changed", BotID: "B1"}, want: true},
		{name: "not a message", ev: Event{Type: "member_joined_channel", UserID: me}, want: false},
		{name: "empty bot id never matches", ev: Event{Type: "message"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isFromBot(tt.ev, me); got != tt.want {
				t.Errorf("isFromBot(%+v) = %v, want %v", tt.ev, got, tt.want)
			}
		})
	}
	// A bot whose id is not known yet must not match people with no id.
	if isFromBot(Event{Type: "message"}, "") {
		t.Errorf("isFromBot with unknown bot id = true, want false")
	}
}

func TestInteractionRoute(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{name: "button", payload: `{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"answer:2","block_id":"b","value":"d=1;o=2","type":"button"}]}`, want: "action:answer:2"},
		{name: "no actions", payload: `{"type":"block_actions","actions":[]}`, want: ""},
		{name: "view submission", payload: `{"type":"view_submission","view":{"id":"V1","callback_id":"assess","state":{"values":{}}}}`, want: "view:assess"},
		{name: "view without callback", payload: `{"type":"view_submission","view":{"id":"V1"}}`, want: ""},
		{name: "view closed", payload: `{"type":"view_closed","view":{"callback_id":"assess"}}`, want: ""},
		{name: "shortcut", payload: `{"type":"shortcut","callback_id":"x"}`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb, err := decodeInteraction([]byte(tt.payload))
			if err != nil {
				t.Fatalf("decodeInteraction error = %v", err)
			}
			if got := interactionRoute(&cb); got != tt.want {
				t.Errorf("interactionRoute = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestActionPrefix(t *testing.T) {
	tests := []struct{ id, want string }{
		{"answer:2", "answer"}, {"answer", "answer"}, {"a:b:c", "a"}, {"", ""},
	}
	for _, tt := range tests {
		if got := actionPrefix(tt.id); got != tt.want {
			t.Errorf("actionPrefix(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestViewValues(t *testing.T) {
	state := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
		"q1":   {"choice": {SelectedOption: slack.OptionBlockObject{Value: "o=2"}}},
		"q2":   {"text": {Value: "typed"}},
		"when": {"date": {SelectedDate: "2025-01-02"}},
	}}
	got := viewValues(state)
	want := map[string]map[string]string{"q1": {"choice": "o=2"}, "q2": {"text": "typed"}, "when": {"date": "2025-01-02"}}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("viewValues = %s, want %s", gj, wj)
	}
	if got := viewValues(nil); len(got) != 0 {
		t.Errorf("viewValues(nil) = %v, want empty", got)
	}
}

// FuzzInteractionPayload feeds arbitrary bytes through the decode path of interactive envelopes
// (socketmode unmarshals into slack.InteractionCallback) and the routing: it must never panic.
func FuzzInteractionPayload(f *testing.F) {
	f.Add([]byte(`{"type":"block_actions","actions":[{"action_id":"answer:2","value":"d=1"}]}`))
	f.Add([]byte(`{"type":"view_submission","view":{"callback_id":"assess","state":{"values":{"b":{"a":{"type":"static_select","selected_option":{"value":"1"}}}}}}}`))
	f.Add([]byte(`{"type":"block_actions","actions":[null]}`))
	f.Add([]byte(`{"type":"block_actions","actions":{}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cb, err := decodeInteraction(data)
		if err != nil {
			return
		}
		route := interactionRoute(&cb)
		if route != "" {
			_ = actionPrefix(route)
		}
		_ = viewValues(cb.View.State)
	})
}

// FuzzParseEventPayload feeds arbitrary bytes as an events_api payload.
func FuzzParseEventPayload(f *testing.F) {
	f.Add(callback("Ev1", `{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"hi","ts":"1.0"}`))
	f.Add(callback("Ev2", `{"type":"message","subtype":"message_changed","message":{"user":"U1"},"previous_message":null}`))
	f.Add(callback("Ev3", `{"type":"user_change","user":{"id":"U2","deleted":true}}`))
	f.Add([]byte(`{"type":"event_callback","event_id":"E","event":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := parseEventPayload(data)
		if err != nil {
			return
		}
		if ev.ID == "" || ev.Type == "" {
			t.Fatalf("got event %+v without id or type and no error", ev)
		}
		_ = eventRoute(ev)
		_ = isFromBot(ev, "UBOT")
	})
}

// decodeInteraction reads an interactive payload the way socketmode does.
func decodeInteraction(raw []byte) (slack.InteractionCallback, error) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(raw, &cb); err != nil {
		return slack.InteractionCallback{}, fmt.Errorf("slackapp: decode interaction: %w", err)
	}
	return cb, nil
}
