package slackapp

import (
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// ViewValidator checks a submitted modal before it is acked, without I/O (the ack cannot wait).
// It returns messages by input block_id; any message keeps the modal open and shows them there.
type ViewValidator func(values map[string]map[string]string, privateMetadata string) map[string]string

// ValidateView registers the validator of the modal with callbackID.
// https://docs.slack.dev/surfaces/modals#displaying_errors
func (a *App) ValidateView(callbackID string, v ViewValidator) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.validators[callbackID] = v
}

// viewErrors is the ack of a view_submission with errors.
type viewErrors struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors"`
}

// validateSubmission runs the validator of a view_submission envelope, if there is one.
func (a *App) validateSubmission(evt socketmode.Event) map[string]string {
	if evt.Type != socketmode.EventTypeInteractive {
		return nil
	}
	cb, ok := evt.Data.(slack.InteractionCallback)
	if !ok || cb.Type != slack.InteractionTypeViewSubmission {
		return nil
	}
	a.mu.RLock()
	v := a.validators[cb.View.CallbackID]
	a.mu.RUnlock()
	if v == nil {
		return nil
	}
	return v(viewValues(cb.View.State), cb.View.PrivateMetadata)
}
