package slackemu

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// postForm calls a Web API method with a form, the way most clients do, and returns its error
// code ("" when ok).
func postForm(t *testing.T, s *Server, method string, form url.Values) string {
	t.Helper()
	form.Set("token", s.BotToken())
	req, _ := http.NewRequest(http.MethodPost, s.APIURL()+method, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var body struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	doJSON(t, req, &body)
	return body.Error
}

func section(text string) string {
	return fmt.Sprintf(`{"type":"section","text":{"type":"mrkdwn","text":%q}}`, text)
}

func button(actionID, text string) string {
	return fmt.Sprintf(`{"type":"button","action_id":%q,"text":{"type":"plain_text","text":%q},"value":"v"}`, actionID, text)
}

func repeatJoin(item string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = item
	}
	return strings.Join(parts, ",")
}

func TestMessageBlockKitChecks(t *testing.T) {
	tests := []struct {
		name          string
		blocks        string
		text          string
		wantErr       string
		wantViolation bool
	}{
		{name: "valid message", blocks: "[" + section("hi") + "]", text: "hi"},
		{name: "51 blocks", blocks: "[" + repeatJoin(`{"type":"divider"}`, 51) + "]", text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "50 blocks", blocks: "[" + repeatJoin(`{"type":"divider"}`, 50) + "]", text: "x"},
		{name: "section text 3001", blocks: "[" + section(strings.Repeat("a", 3001)) + "]", text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "section text 3000", blocks: "[" + section(strings.Repeat("a", 3000)) + "]", text: "x"},
		{name: "header 151", blocks: `[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 151) + `"}}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "header mrkdwn", blocks: `[{"type":"header","text":{"type":"mrkdwn","text":"*h*"}}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "button text 76", blocks: `[{"type":"actions","elements":[` + button("a", strings.Repeat("b", 76)) + `]}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "button mrkdwn", blocks: `[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"mrkdwn","text":"b"}}]}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "duplicate action_id", blocks: `[{"type":"actions","elements":[` + button("a", "1") + "," + button("a", "2") + `]}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "action_id 256", blocks: `[{"type":"actions","elements":[` + button(strings.Repeat("a", 256), "1") + `]}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "duplicate block_id", blocks: `[{"type":"divider","block_id":"d"},{"type":"divider","block_id":"d"}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "block_id 256", blocks: `[{"type":"divider","block_id":"` + strings.Repeat("d", 256) + `"}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "unknown block type", blocks: `[{"type":"carousel_of_dreams"}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "26 actions elements", blocks: `[{"type":"actions","elements":[` + buttons(26) + `]}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "25 actions elements", blocks: `[{"type":"actions","elements":[` + buttons(25) + `]}]`, text: "x"},
		{name: "11 context elements", blocks: `[{"type":"context","elements":[` + repeatJoin(`{"type":"mrkdwn","text":"c"}`, 11) + `]}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "option text 76", blocks: `[{"type":"actions","elements":[{"type":"radio_buttons","action_id":"r","options":[{"text":{"type":"plain_text","text":"` + strings.Repeat("o", 76) + `"},"value":"1"}]}]}]`, text: "x", wantErr: "invalid_blocks", wantViolation: true},
		{name: "blocks without text", blocks: "[" + section("hi") + "]", wantViolation: true},
		{name: "input block in a message", blocks: `[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"i"}}]`, text: "x", wantViolation: true},
		{name: "blocks not an array", blocks: `{"type":"divider"}`, text: "x", wantErr: "invalid_blocks_format", wantViolation: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newEmu(t)
			form := url.Values{"channel": {"UALICE"}, "blocks": {tc.blocks}}
			if tc.text != "" {
				form.Set("text", tc.text)
			}
			if got := postForm(t, s, "chat.postMessage", form); got != tc.wantErr {
				t.Errorf("got error %q, want %q", got, tc.wantErr)
			}
			if got := len(s.Violations()) > 0; got != tc.wantViolation {
				t.Errorf("got violations %v, want any: %v", s.Violations(), tc.wantViolation)
			}
		})
	}
}

func buttons(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = button(fmt.Sprintf("b%d", i), "B")
	}
	return strings.Join(parts, ",")
}

func TestGeneratedIDsAreStored(t *testing.T) {
	s := newEmu(t)
	form := url.Values{"channel": {"UALICE"}, "text": {"x"}, "blocks": {`[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Go"}}]}]`}}
	if got := postForm(t, s, "chat.postMessage", form); got != "" {
		t.Fatalf("post: %s", got)
	}
	blocks := string(s.DMs("UALICE")[0].Blocks)
	if !strings.Contains(blocks, `"block_id"`) || !strings.Contains(blocks, `"action_id"`) {
		t.Errorf("got blocks %s, want Slack's generated block_id and action_id filled in", blocks)
	}
}

func TestViewChecks(t *testing.T) {
	input := `{"type":"input","block_id":"in","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","action_id":"i"}}`
	title := func(s string) string { return fmt.Sprintf(`"title":{"type":"plain_text","text":%q}`, s) }
	tests := []struct {
		name    string
		method  string
		view    string
		wantErr string
	}{
		{name: "valid modal", method: "views.open", view: `{"type":"modal",` + title("Assessment") + `,"submit":{"type":"plain_text","text":"Send"},"blocks":[` + input + `]}`},
		{name: "title 25", method: "views.open", view: `{"type":"modal",` + title(strings.Repeat("t", 25)) + `,"blocks":[]}`, wantErr: "invalid_arguments"},
		{name: "submit 25", method: "views.open", view: `{"type":"modal",` + title("T") + `,"submit":{"type":"plain_text","text":"` + strings.Repeat("s", 25) + `"},"blocks":[]}`, wantErr: "invalid_arguments"},
		{name: "input without submit", method: "views.open", view: `{"type":"modal",` + title("T") + `,"blocks":[` + input + `]}`, wantErr: "invalid_arguments"},
		{name: "101 blocks", method: "views.open", view: `{"type":"modal",` + title("T") + `,"blocks":[` + repeatJoin(`{"type":"divider"}`, 101) + `]}`, wantErr: "invalid_arguments"},
		{name: "100 blocks in a home", method: "views.publish", view: `{"type":"home","blocks":[` + repeatJoin(`{"type":"divider"}`, 100) + `]}`},
		{name: "modal published as home", method: "views.publish", view: `{"type":"modal",` + title("T") + `,"blocks":[]}`, wantErr: "invalid_arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newEmu(t)
			form := url.Values{"view": {tc.view}}
			if tc.method == "views.open" {
				form.Set("trigger_id", s.SlashCommand("UALICE", "", "assess"))
			} else {
				form.Set("user_id", "UALICE")
			}
			if got := postForm(t, s, tc.method, form); got != tc.wantErr {
				t.Errorf("got error %q, want %q (violations %v)", got, tc.wantErr, s.Violations())
			}
			if tc.wantErr != "" && len(s.Violations()) == 0 {
				t.Errorf("got no violation recorded, want one")
			}
		})
	}
}

func TestWithTFailsTheTest(t *testing.T) {
	rec := &recordingT{TB: t}
	s := New(WithT(rec))
	defer s.Close()
	s.AddUser(User{ID: "UALICE", Name: "alice"})
	if got := postForm(t, s, "chat.postMessage", url.Values{"channel": {"UALICE"}, "blocks": {"[" + section("no fallback") + "]"}}); got != "" {
		t.Fatalf("post: %s", got)
	}
	if rec.count() != 1 {
		t.Errorf("got %d Errorf calls, want 1 for the missing text fallback", rec.count())
	}
}
