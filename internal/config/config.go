// Package config loads and validates Reflect's configuration from the environment. It is the only
// package that reads environment variables; everything else gets plain values from cmd/bot.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/reflect-bot/reflect/internal/schedule"
)

// Secret is a token. Its String and GoString redact it, so printing a Config (or an error that
// formats one) never reveals a token; Reveal returns the value for the one place that needs it.
type Secret string

// String redacts the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString redacts the secret in %#v output.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// OptinPolicy names who may opt a channel in.
const (
	PolicyCreatorOrAdmin = "creator_or_admin"
	PolicyAdmins         = "admins"
	PolicyMembers        = "members"
)

// Config is Reflect's whole configuration, one field per environment variable the README's
// Configuration table lists.
type Config struct {
	BotToken           Secret        `envconfig:"SLACK_BOT_TOKEN"`
	AppToken           Secret        `envconfig:"SLACK_APP_TOKEN"`
	APIURL             string        `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`
	DatabaseURL        string        `envconfig:"DATABASE_URL" default:"reflect.db"`
	PromptsFile        string        `envconfig:"PROMPTS_FILE"`
	SlashCommand       string        `envconfig:"SLASH_COMMAND" default:"/reflect"`
	PromptSchedule     string        `envconfig:"PROMPT_SCHEDULE" default:"0 9 * * MON"`
	ReminderAfter      time.Duration `envconfig:"REMINDER_AFTER" default:"48h"`
	OptinPolicy        string        `envconfig:"OPTIN_POLICY" default:"creator_or_admin"`
	TeamMinRespondents int           `envconfig:"TEAM_MIN_RESPONDENTS" default:"5"`
	RetentionMonths    int           `envconfig:"RETENTION_MONTHS" default:"24"`
	HTTPAddr           string        `envconfig:"HTTP_ADDR" default:":8080"`
	LogLevel           string        `envconfig:"LOG_LEVEL" default:"info"`
	LogFormat          string        `envconfig:"LOG_FORMAT" default:"json"`
	// SupportText and SupportURL say where to find support; a strained month's summary and a
	// "seriously thinking of leaving" answer show them.
	SupportText string `envconfig:"SUPPORT_TEXT" default:"If work is weighing on you, you don't have to carry it alone: talk to someone you trust, such as a friend, a colleague, your manager, HR or your doctor."`
	SupportURL  string `envconfig:"SUPPORT_URL"`

	// Schedule is PromptSchedule parsed; Load fills it.
	Schedule schedule.Spec `ignored:"true"`
}

// expected says, per variable, what a valid value looks like; errors quote it instead of the value
// for the tokens.
var expected = map[string]string{
	"SLACK_BOT_TOKEN":      "a bot token starting with xoxb-",
	"SLACK_APP_TOKEN":      "an app-level token starting with xapp- (with connections:write)",
	"SLACK_API_URL":        "an http(s) URL such as https://slack.com/api/",
	"DATABASE_URL":         "a SQLite file path such as reflect.db, or a postgres:// URL",
	"PROMPTS_FILE":         "a prompt catalogue file in the prompts.json format, or empty for the built-in one",
	"SLASH_COMMAND":        "a command name such as /reflect (lower-case letters, digits, - or _)",
	"PROMPT_SCHEDULE":      `a five-field cron spec such as "0 9 * * MON"`,
	"REMINDER_AFTER":       "a duration such as 48h, or 0 to turn reminders off",
	"OPTIN_POLICY":         "one of creator_or_admin, admins, members",
	"TEAM_MIN_RESPONDENTS": "a whole number from 3 to 1000 (a team figure from fewer people could point at someone)",
	"RETENTION_MONTHS":     "a whole number of months from 1 to 1200",
	"HTTP_ADDR":            "host:port such as :8080, or empty to turn the HTTP server off",
	"LOG_LEVEL":            "one of debug, info, warn, error",
	"LOG_FORMAT":           "one of json, text",
	"SUPPORT_TEXT":         "a sentence of at most 500 characters on where to find support",
	"SUPPORT_URL":          "an http(s) URL of a support page, or empty",
}

var secretVars = map[string]bool{"SLACK_BOT_TOKEN": true, "SLACK_APP_TOKEN": true}

// Error is a configuration error: one line naming the variable and what is expected. It never holds
// a secret's value.
type Error struct {
	Var    string
	Detail string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("config: %s: expected %s", e.Var, expected[e.Var])
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

func bad(v, detail string) error { return &Error{Var: v, Detail: detail} }

// Load reads the configuration from the process environment and validates it.
func Load() (Config, error) {
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		return Config{}, translate(err)
	}
	return c, c.Validate()
}

// translate turns envconfig's errors, which can quote the raw value, into an *Error that never does
// for secrets.
func translate(err error) error {
	var pe *envconfig.ParseError
	if errors.As(err, &pe) {
		detail := fmt.Sprintf("got %q", pe.Value)
		if secretVars[pe.KeyName] {
			detail = ""
		}
		return bad(pe.KeyName, detail)
	}
	return fmt.Errorf("config: %w", err)
}

var commandName = regexp.MustCompile(`^/[a-z0-9_-]{1,31}$`)

// Errors is every problem Validate found, one *Error a line, so a first start with nothing set
// learns about every missing variable at once.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find each *Error.
func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

// Validate checks every field and fills the derived ones. It returns nil, the one *Error found,
// or Errors when there are several.
func (c *Config) Validate() error {
	var errs Errors
	fail := func(v, detail string) { errs = append(errs, &Error{Var: v, Detail: detail}) }
	switch {
	case c.BotToken == "":
		fail("SLACK_BOT_TOKEN", "it is not set")
	case !strings.HasPrefix(c.BotToken.Reveal(), "xoxb-"):
		fail("SLACK_BOT_TOKEN", "it does not start with xoxb-")
	}
	switch {
	case c.AppToken == "":
		fail("SLACK_APP_TOKEN", "it is not set")
	case !strings.HasPrefix(c.AppToken.Reveal(), "xapp-"):
		fail("SLACK_APP_TOKEN", "it does not start with xapp-")
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail("SLACK_API_URL", fmt.Sprintf("got %q", c.APIURL))
	} else if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if strings.TrimSpace(c.DatabaseURL) == "" {
		fail("DATABASE_URL", "it is empty")
	}
	if !commandName.MatchString(c.SlashCommand) {
		fail("SLASH_COMMAND", fmt.Sprintf("got %q", c.SlashCommand))
	}
	if spec, err := schedule.ParseSpec(c.PromptSchedule); err != nil {
		fail("PROMPT_SCHEDULE", fmt.Sprintf("got %q: %v", c.PromptSchedule, err))
	} else {
		c.Schedule = spec
	}
	if c.ReminderAfter < 0 {
		fail("REMINDER_AFTER", "it is negative")
	}
	switch c.OptinPolicy {
	case PolicyCreatorOrAdmin, PolicyAdmins, PolicyMembers:
	default:
		fail("OPTIN_POLICY", fmt.Sprintf("got %q", c.OptinPolicy))
	}
	if c.TeamMinRespondents < 3 || c.TeamMinRespondents > 1000 {
		fail("TEAM_MIN_RESPONDENTS", fmt.Sprintf("got %d", c.TeamMinRespondents))
	}
	if c.RetentionMonths < 1 || c.RetentionMonths > 1200 {
		fail("RETENTION_MONTHS", fmt.Sprintf("got %d", c.RetentionMonths))
	}
	var ae *Error
	if err := checkHTTPAddr(c.HTTPAddr); errors.As(err, &ae) {
		errs = append(errs, ae)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		fail("LOG_LEVEL", fmt.Sprintf("got %q", c.LogLevel))
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		fail("LOG_FORMAT", fmt.Sprintf("got %q", c.LogFormat))
	}
	if t := strings.TrimSpace(c.SupportText); t == "" || len([]rune(t)) > maxSupportText {
		fail("SUPPORT_TEXT", fmt.Sprintf("got %d characters", len([]rune(t))))
	}
	if c.SupportURL != "" {
		u, err := url.Parse(c.SupportURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fail("SUPPORT_URL", fmt.Sprintf("got %q", c.SupportURL))
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errs
}

// maxSupportText bounds SUPPORT_TEXT so the support note stays a short line in a message.
const maxSupportText = 500

// Support returns the support note shown on strain: SUPPORT_TEXT, then SUPPORT_URL when set.
func (c Config) Support() string {
	t := strings.TrimSpace(c.SupportText)
	if c.SupportURL != "" {
		t += " " + c.SupportURL
	}
	return t
}

// LoadDatabaseURL reads only DATABASE_URL, for commands such as backup that need no Slack tokens.
func LoadDatabaseURL() (string, error) {
	var c struct {
		DatabaseURL string `envconfig:"DATABASE_URL" default:"reflect.db"`
	}
	if err := envconfig.Process("", &c); err != nil {
		return "", translate(err)
	}
	if strings.TrimSpace(c.DatabaseURL) == "" {
		return "", bad("DATABASE_URL", "it is empty")
	}
	return c.DatabaseURL, nil
}

// Catalogue is what `bot simulate` needs: the catalogue and the default schedule, read without
// the Slack tokens or a database.
type Catalogue struct {
	PromptsFile    string        `envconfig:"PROMPTS_FILE"`
	PromptSchedule string        `envconfig:"PROMPT_SCHEDULE" default:"0 9 * * MON"`
	Schedule       schedule.Spec `ignored:"true"`
}

// LoadCatalogue reads only PROMPTS_FILE and PROMPT_SCHEDULE, validated as Load validates them.
func LoadCatalogue() (Catalogue, error) {
	var c Catalogue
	if err := envconfig.Process("", &c); err != nil {
		return Catalogue{}, translate(err)
	}
	spec, err := schedule.ParseSpec(c.PromptSchedule)
	if err != nil {
		return Catalogue{}, bad("PROMPT_SCHEDULE", fmt.Sprintf("got %q: %v", c.PromptSchedule, err))
	}
	c.Schedule = spec
	return c, nil
}

// LoadHTTPAddr reads only HTTP_ADDR, for the healthcheck command, which runs beside the bot in its
// container without needing the Slack tokens. Empty means the endpoints are off.
func LoadHTTPAddr() (string, error) {
	var c struct {
		HTTPAddr string `envconfig:"HTTP_ADDR" default:":8080"`
	}
	if err := envconfig.Process("", &c); err != nil {
		return "", translate(err)
	}
	if err := checkHTTPAddr(c.HTTPAddr); err != nil {
		return "", err
	}
	return c.HTTPAddr, nil
}

// checkHTTPAddr accepts host:port with a port, or empty (the endpoints off).
func checkHTTPAddr(addr string) error {
	if addr == "" {
		return nil
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return bad("HTTP_ADDR", fmt.Sprintf("got %q", addr))
	}
	return nil
}

// Variable is one environment variable Reflect reads: its name, its default ("" for none) and
// what a valid value looks like.
type Variable struct {
	Name, Default, Expected string
}

// Variables lists every variable of Config in declaration order, for `bot --help` and the tests
// that keep .env.example complete.
func Variables() []Variable {
	t := reflect.TypeFor[Config]()
	var vs []Variable
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("envconfig")
		if name == "" {
			continue
		}
		vs = append(vs, Variable{Name: name, Default: f.Tag.Get("default"), Expected: expected[name]})
	}
	return vs
}
