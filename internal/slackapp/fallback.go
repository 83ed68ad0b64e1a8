package slackapp

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
)

// Fallbacks are the app's answers where no feature answers. The adapter's own are plain and
// generic; the product's wording comes from whoever calls SetFallbacks.
type Fallbacks struct {
	// Unknown answers a command verb that no handler is registered for.
	Unknown CommandHandler
	// Unreadable answers command text ParseCommand refused, or arguments a handler refused with
	// CommandRequest.Refuse; e.Verb names the verb when it is known.
	Unreadable func(ctx context.Context, req CommandRequest, e *CommandError) error
	// DM answers a DM that no DM handler took and that is not one of DMVerbs; nil: no answer.
	DM func(ctx context.Context, dm DM) error
	// DMVerbs are the command verbs that also work typed alone in a DM.
	DMVerbs []string
	// Apology is the private note sent when handling a person's request failed.
	Apology Message
}

// defaultFallbacks answer in the plainest words.
func defaultFallbacks() Fallbacks {
	return Fallbacks{
		Unknown: func(ctx context.Context, req CommandRequest) error {
			return req.Reply(ctx, Message{Text: fmt.Sprintf("Unknown command %s.", CodeSpan(req.Command.Verb))})
		},
		Unreadable: func(ctx context.Context, req CommandRequest, e *CommandError) error {
			return req.Reply(ctx, Message{Text: "I couldn't read that command: " + EscapeMrkdwn(e.Problem) + "."})
		},
		Apology: Message{Text: "Sorry, something went wrong. Please try again."},
	}
}

// SetFallbacks replaces the app's fallback answers; a nil or empty field keeps the default one.
// Call it before Run.
func (a *App) SetFallbacks(f Fallbacks) {
	a.mu.Lock()
	defer a.mu.Unlock()
	d := a.fallback
	if f.Unknown != nil {
		d.Unknown = f.Unknown
	}
	if f.Unreadable != nil {
		d.Unreadable = f.Unreadable
	}
	if f.DM != nil {
		d.DM = f.DM
	}
	if f.DMVerbs != nil {
		d.DMVerbs = append([]string(nil), f.DMVerbs...)
	}
	if f.Apology.Text != "" {
		d.Apology = f.Apology
	}
	a.fallback = d
}

func (a *App) fallbacks() Fallbacks {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.fallback
}

// SlashCommand is the app's slash command, e.g. "/reflect", for replies that name it.
func (a *App) SlashCommand() string { return a.cfg.SlashCommand }

// Logger is the app's logger, for features' own lines. Never log a token or a person's text.
func (a *App) Logger() *slog.Logger { return a.log }

// IsDMVerb reports whether verb works typed alone in a DM (Fallbacks.DMVerbs).
func (a *App) IsDMVerb(verb string) bool { return slices.Contains(a.fallbacks().DMVerbs, verb) }
