package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

const (
	goodBot = "xoxb-1111-2222-secretbotvalue"
	goodApp = "xapp-1-A111-secretappvalue"
)

// setEnv clears every variable Config reads, then sets the given ones.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for v := range expected {
		unsetenv(t, v)
	}
	unsetenv(t, "PROMPTS_FILE")
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func TestLoadDefaults(t *testing.T) {
	setEnv(t, map[string]string{"SLACK_BOT_TOKEN": goodBot, "SLACK_APP_TOKEN": goodApp})
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"api url", c.APIURL, "https://slack.com/api/"},
		{"database", c.DatabaseURL, "reflect.db"},
		{"command", c.SlashCommand, "/reflect"},
		{"schedule", c.Schedule.String(), "0 9 * * MON"},
		{"reminder", c.ReminderAfter, 48 * time.Hour},
		{"policy", c.OptinPolicy, PolicyCreatorOrAdmin},
		{"team min", c.TeamMinRespondents, 5},
		{"retention", c.RetentionMonths, 24},
		{"http", c.HTTPAddr, ":8080"},
		{"level", c.LogLevel, "info"},
		{"format", c.LogFormat, "json"},
		{"bot token", c.BotToken.Reveal(), goodBot},
		{"support url", c.SupportURL, ""},
		{"support", strings.Contains(c.Support(), "talk to someone you trust"), true},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	base := map[string]string{"SLACK_BOT_TOKEN": goodBot, "SLACK_APP_TOKEN": goodApp}
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"no bot token", map[string]string{"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"},
		{"user token as bot token", map[string]string{"SLACK_BOT_TOKEN": "xoxp-123-secret"}, "SLACK_BOT_TOKEN"},
		{"no app token", map[string]string{"SLACK_APP_TOKEN": ""}, "SLACK_APP_TOKEN"},
		{"bot token as app token", map[string]string{"SLACK_APP_TOKEN": "xoxb-123-secret"}, "SLACK_APP_TOKEN"},
		{"api url not a url", map[string]string{"SLACK_API_URL": "slack.com"}, "SLACK_API_URL"},
		{"api url ftp", map[string]string{"SLACK_API_URL": "ftp://x/"}, "SLACK_API_URL"},
		{"empty database", map[string]string{"DATABASE_URL": " "}, "DATABASE_URL"},
		{"command without slash", map[string]string{"SLASH_COMMAND": "reflect"}, "SLASH_COMMAND"},
		{"command with space", map[string]string{"SLASH_COMMAND": "/re flect"}, "SLASH_COMMAND"},
		{"cron nonsense", map[string]string{"PROMPT_SCHEDULE": "every monday"}, "PROMPT_SCHEDULE"},
		{"cron six fields", map[string]string{"PROMPT_SCHEDULE": "0 0 9 * * MON"}, "PROMPT_SCHEDULE"},
		{"cron with zone", map[string]string{"PROMPT_SCHEDULE": "CRON_TZ=UTC 0 9 * * MON"}, "PROMPT_SCHEDULE"},
		{"cron bad hour", map[string]string{"PROMPT_SCHEDULE": "0 25 * * MON"}, "PROMPT_SCHEDULE"},
		{"cron that never fires", map[string]string{"PROMPT_SCHEDULE": "0 0 30 2 *"}, "PROMPT_SCHEDULE"},
		{"reminder not a duration", map[string]string{"REMINDER_AFTER": "two days"}, "REMINDER_AFTER"},
		{"reminder negative", map[string]string{"REMINDER_AFTER": "-1h"}, "REMINDER_AFTER"},
		{"policy unknown", map[string]string{"OPTIN_POLICY": "everyone"}, "OPTIN_POLICY"},
		{"team min not a number", map[string]string{"TEAM_MIN_RESPONDENTS": "three"}, "TEAM_MIN_RESPONDENTS"},
		{"team min one", map[string]string{"TEAM_MIN_RESPONDENTS": "1"}, "TEAM_MIN_RESPONDENTS"},
		{"team min two", map[string]string{"TEAM_MIN_RESPONDENTS": "2"}, "TEAM_MIN_RESPONDENTS"},
		{"retention zero", map[string]string{"RETENTION_MONTHS": "0"}, "RETENTION_MONTHS"},
		{"http addr no port", map[string]string{"HTTP_ADDR": "localhost"}, "HTTP_ADDR"},
		{"log level", map[string]string{"LOG_LEVEL": "verbose"}, "LOG_LEVEL"},
		{"log format", map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{"support text blank", map[string]string{"SUPPORT_TEXT": "   "}, "SUPPORT_TEXT"},
		{"support text too long", map[string]string{"SUPPORT_TEXT": strings.Repeat("x", 501)}, "SUPPORT_TEXT"},
		{"support url not a url", map[string]string{"SUPPORT_URL": "call Sam"}, "SUPPORT_URL"},
		{"support url not http", map[string]string{"SUPPORT_URL": "javascript:alert(1)"}, "SUPPORT_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			setEnv(t, env)
			_, err := Load()
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got error %v, want a *config.Error", err)
			}
			if ce.Var != tt.wantVar {
				t.Errorf("got variable %s, want %s", ce.Var, tt.wantVar)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is more than one line: %q", msg)
			}
			if !strings.Contains(msg, tt.wantVar) || !strings.Contains(msg, "expected") {
				t.Errorf("got %q, want it to name %s and what is expected", msg, tt.wantVar)
			}
			for _, secret := range []string{"secret"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q echoes a token", msg)
				}
			}
		})
	}
}

func TestEmptyHTTPAddrTurnsServerOff(t *testing.T) {
	setEnv(t, map[string]string{"SLACK_BOT_TOKEN": goodBot, "SLACK_APP_TOKEN": goodApp, "HTTP_ADDR": ""})
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.HTTPAddr != "" {
		t.Errorf("got HTTPAddr %q, want empty", c.HTTPAddr)
	}
}

func TestLoadHTTPAddr(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string // nil: HTTP_ADDR unset
		want    string
		wantErr bool
	}{
		{"unset is the default", nil, ":8080", false},
		{"empty turns the endpoints off", map[string]string{"HTTP_ADDR": ""}, "", false},
		{"port only", map[string]string{"HTTP_ADDR": ":9090"}, ":9090", false},
		{"host and port", map[string]string{"HTTP_ADDR": "127.0.0.1:9100"}, "127.0.0.1:9100", false},
		{"ipv6 host", map[string]string{"HTTP_ADDR": "[::1]:9100"}, "[::1]:9100", false},
		{"no port", map[string]string{"HTTP_ADDR": "localhost"}, "", true},
		{"empty port", map[string]string{"HTTP_ADDR": "localhost:"}, "", true},
		// Neither token is needed, and a bad one does not matter: only HTTP_ADDR is read.
		{"tokens not needed", map[string]string{"HTTP_ADDR": ":1", "SLACK_BOT_TOKEN": "nonsense"}, ":1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			got, err := LoadHTTPAddr()
			if tt.wantErr {
				var ce *Error
				if !errors.As(err, &ce) || ce.Var != "HTTP_ADDR" {
					t.Fatalf("got %q, %v, want a *config.Error naming HTTP_ADDR", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v, want %q, nil", got, err, tt.want)
			}
		})
	}
}

func TestSecretRedacts(t *testing.T) {
	c := Config{BotToken: goodBot, AppToken: goodApp}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, c)
		if strings.Contains(out, "secret") {
			t.Errorf("%s of a Config shows a token: %s", format, out)
		}
	}
	if got := Secret("").String(); got != "" {
		t.Errorf("empty secret: got %q, want empty", got)
	}
}

// TestLoadNamesEveryProblem: a first start with nothing set (or several things wrong) is told
// about every variable at once, one line each, instead of one per attempt.
func TestLoadNamesEveryProblem(t *testing.T) {
	setEnv(t, map[string]string{"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "xoxb-1-secret", "LOG_LEVEL": "verbose"})
	_, err := Load()
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("got %v, want config.Errors", err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Var)
	}
	if want := []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "LOG_LEVEL"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got problems with %v, want %v", got, want)
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != 3 {
		t.Errorf("got %q, want three lines", err.Error())
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q echoes a token", err)
	}
	var one *Error
	if !errors.As(err, &one) || one.Var != "SLACK_BOT_TOKEN" {
		t.Errorf("errors.As(*Error) got %+v, want the first problem", one)
	}
}

func TestSupport(t *testing.T) {
	setEnv(t, map[string]string{"SLACK_BOT_TOKEN": goodBot, "SLACK_APP_TOKEN": goodApp,
		"SUPPORT_TEXT": "Our employee assistance line is free and confidential.", "SUPPORT_URL": "https://intranet.example.com/eap"})
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := c.Support(), "Our employee assistance line is free and confidential. https://intranet.example.com/eap"; got != want {
		t.Errorf("Support() = %q, want %q", got, want)
	}
}
