package slackapp

import (
	"context"
	"time"
)

// StateStore keeps process-wide flags across restarts.
type StateStore interface {
	SetAppState(ctx context.Context, key, value string) error
	AppState(ctx context.Context, key string) (string, bool, error)
}

// stoppedKey is the flag set when the app is uninstalled or its tokens are revoked.
const stoppedKey = "sending_stopped"

// WithStateStore makes the "sending stopped" flag survive a restart.
func WithStateStore(s StateStore) Option { return func(a *App) { a.state = s } }

// SendingStopped reports whether the app was uninstalled or its tokens revoked: an app removed
// from a workspace posts nothing there, until it is started again with tokens Slack accepts.
func (a *App) SendingStopped() bool { return a.stopped.Load() }

// registerInstallHandlers stops all sending on app_uninstalled and tokens_revoked.
// https://docs.slack.dev/reference/events/app_uninstalled
// https://docs.slack.dev/reference/events/tokens_revoked
func (a *App) registerInstallHandlers() {
	stop := func(ctx context.Context, ev Event) error {
		return a.stopSending(ctx, "Slack says the app was uninstalled or its tokens revoked", ev.Type)
	}
	a.eventHandlers["app_uninstalled"] = stop
	a.eventHandlers["tokens_revoked"] = stop
}

// stopSending stops all posting, as an uninstall does: queued posts stay in the outbox, and a
// restart with tokens Slack accepts sends them. why is logged; reason (an event type or a Slack
// error code, never a token) is kept with the flag.
func (a *App) stopSending(ctx context.Context, why, reason string) error {
	if a.stopped.Swap(true) {
		return nil
	}
	a.log.Warn(why+"; all sending stops until a restart with tokens Slack accepts", "reason", reason)
	if a.state == nil {
		return nil
	}
	return a.state.SetAppState(ctx, stoppedKey, reason+" at "+a.now().UTC().Format(time.RFC3339))
}

// checkInstalled runs after auth.test succeeded. Tokens Slack accepts mean the app is installed
// (again), so a flag left by an earlier uninstall is cleared.
func (a *App) checkInstalled(ctx context.Context) error {
	a.stopped.Store(false)
	if a.state == nil {
		return nil
	}
	v, ok, err := a.state.AppState(ctx, stoppedKey)
	if err != nil || !ok || v == "" {
		return err
	}
	a.log.Info("tokens accepted again after an uninstall or revocation; sending resumes")
	return a.state.SetAppState(ctx, stoppedKey, "")
}
