package app

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/slackemu"
)

// manifestList reads the items of a YAML list under key (e.g. "bot_events:" or "bot:") in
// slack-app-manifest.yml, without their comments. The manifest is small and hand-written; this
// reads only its block lists.
func manifestList(t testing.TB, key string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "slack-app-manifest.yml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	in := false
	indent := -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		lead := len(line) - len(strings.TrimLeft(line, " "))
		if !in {
			if trimmed == key {
				in, indent = true, lead
			}
			continue
		}
		if lead <= indent || !strings.HasPrefix(trimmed, "- ") {
			break
		}
		item, _, _ := strings.Cut(strings.TrimPrefix(trimmed, "- "), "#")
		out = append(out, strings.TrimSpace(item))
	}
	if len(out) == 0 {
		t.Fatalf("slack-app-manifest.yml: no list under %q", key)
	}
	return out
}

// manifestScopes are the bot scopes the manifest requests.
func manifestScopes(t testing.TB) []string { return manifestList(t, "bot:") }

// Scopes a bot token needs, from each method's and event's reference page ("Required scopes").
// https://docs.slack.dev/reference/methods (chat.postMessage: chat:write; conversations.open:
// im:write; conversations.history in a DM: im:history; conversations.info and .members:
// channels:read, groups:read; users.info, users.list: users:read; files.*: files:write;
// auth.test and views.*: none)
var methodScopes = map[string][]string{
	"auth.test":                    nil,
	"chat.postMessage":             {"chat:write"},
	"chat.update":                  {"chat:write"},
	"conversations.history":        {"im:history"},
	"conversations.info":           {"channels:read", "groups:read"},
	"conversations.members":        {"channels:read", "groups:read"},
	"conversations.open":           {"im:write"},
	"files.completeUploadExternal": {"files:write"},
	"files.getUploadURLExternal":   {"files:write"},
	"users.info":                   {"users:read"},
	"users.list":                   {"users:read"},
	"views.open":                   nil,
	"views.publish":                nil,
	// Not Web API methods: a command's response_url and the upload URL need no scope.
	"response_url": nil,
	"upload":       nil,
}

// eventScopes: https://docs.slack.dev/reference/events and slackapi/slack-api-specs'
// events-api (x-scopes-required).
var eventScopes = map[string][]string{
	"app_home_opened":       nil,
	"message.im":            {"im:history"},
	"member_joined_channel": {"channels:read", "groups:read"},
	"member_left_channel":   {"channels:read", "groups:read"},
	"channel_archive":       {"channels:read"},
	"group_archive":         {"groups:read"},
	"channel_left":          {"channels:read"},
	"group_left":            {"groups:read"},
	"channel_deleted":       {"channels:read"},
	"group_deleted":         {"groups:read"},
	"user_change":           {"users:read"},
	"app_uninstalled":       nil,
	"tokens_revoked":        nil,
}

// calledMethods are the Web API methods the app's code calls, read from the Slack adapter's
// source (the only package that calls Slack): every a.web.call(ctx, "method", …).
func calledMethods(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "slackapp", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\.web\.call\(ctx, "([^"]+)"`)
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
		}
	}
	var out []string
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// TestManifestMatchesCode: the manifest subscribes to exactly the events the dispatcher handles
// (no handler Slack never calls, no subscription nobody handles), and requests exactly the bot
// scopes those events and the Web API methods the code calls need, plus commands for the slash
// command.
func TestManifestMatchesCode(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "ULEAD", Name: "lee", TZ: "UTC"})
	handled := s.app.Subscriptions()
	subscribed := manifestList(t, "bot_events:")
	sort.Strings(subscribed)
	if !slices.Equal(handled, subscribed) {
		t.Errorf("manifest bot_events %v, want the events the code handles %v", subscribed, handled)
	}

	need := map[string]bool{"commands": true}
	for _, m := range calledMethods(t) {
		scopes, known := methodScopes[m]
		if !known {
			t.Errorf("the code calls %s: add its scopes to methodScopes from its reference page", m)
		}
		for _, sc := range scopes {
			need[sc] = true
		}
	}
	for _, e := range handled {
		scopes, known := eventScopes[e]
		if !known {
			t.Errorf("the code handles %s: add its scopes to eventScopes from its reference page", e)
		}
		for _, sc := range scopes {
			need[sc] = true
		}
	}
	var want []string
	for sc := range need {
		want = append(want, sc)
	}
	sort.Strings(want)
	got := manifestScopes(t)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("manifest bot scopes %v, want exactly %v", got, want)
	}
}
