package slackapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slack-go/slack"
)

// ErrTokenRejected matches every *TokenError (errors.Is): Slack refused one of the app's tokens,
// no retry can help, and the process should end (cmd/bot exits with status 3).
var ErrTokenRejected = errors.New("token rejected")

// TokenError says Slack refused one of the app's tokens. Nothing works until an admin fixes the
// token, so the process ends with it rather than retrying; Var names the variable, never the value.
type TokenError struct {
	Var  string // SLACK_BOT_TOKEN or SLACK_APP_TOKEN
	Code string // Slack's error code, such as invalid_auth
}

// Error is one line: which token, Slack's word for it, and what to do.
func (e *TokenError) Error() string {
	fix := "copy the Bot User OAuth Token again from the app's OAuth & Permissions page, or reinstall the app"
	if e.Var == "SLACK_APP_TOKEN" {
		fix = "generate an app-level token with connections:write under the app's Basic Information"
	}
	return fmt.Sprintf("Slack rejected %s (%s): %s", e.Var, e.Code, fix)
}

// Is makes errors.Is(err, ErrTokenRejected) hold for every TokenError.
func (e *TokenError) Is(target error) bool { return target == ErrTokenRejected }

// authErrorCodes are answers that mean a token is wrong, not that Slack is having a bad moment.
var authErrorCodes = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true, "not_allowed_token_type": true, "missing_scope": true, "no_permission": true,
}

// CheckBotToken asks Slack's auth.test whether it accepts token, before anything else starts: a
// rejected token is a *TokenError; Slack out of reach is another error.
// https://docs.slack.dev/reference/methods/auth.test
func CheckBotToken(ctx context.Context, apiURL, token string, client *http.Client) error {
	if client == nil {
		client = &http.Client{Timeout: defaultCallTimeout}
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	ctx, cancel := context.WithTimeout(ctx, defaultCallTimeout)
	defer cancel()
	api := slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(client))
	_, err := api.AuthTestContext(ctx)
	if err == nil {
		return nil
	}
	c := classify(err)
	switch {
	case c.class == classAPI && authErrorCodes[c.code]:
		return &TokenError{Var: "SLACK_BOT_TOKEN", Code: c.code}
	case c.class == classRateLimited:
		return nil // Slack answered, busy: Run checks again and waits as asked
	}
	return fmt.Errorf("cannot reach Slack at %s to check SLACK_BOT_TOKEN (%s)", apiURL, c.detail)
}
