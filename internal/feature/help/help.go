// Package help is the product's words where no feature answers: the usage of the slash command
// and its help verb, the answer to an unknown verb or unreadable command text, the short help a
// DM gets, and the apology after a failure.
package help

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// dmVerbs are the command words that work typed alone in a DM as they do after the slash command.
var dmVerbs = []string{"help", "assess", "summary", "pause", "stop", "start"}

// Register makes the app answer "help", unknown verbs, unreadable commands and stray DMs with
// Reflect's help, and apologise in its words; it renders queued help and apologies too.
func Register(app *slackapp.App) {
	command := app.SlashCommand()
	app.HandleCommand("help", func(ctx context.Context, req slackapp.CommandRequest) error {
		return req.Reply(ctx, UsageMessage(command))
	})
	app.SetFallbacks(slackapp.Fallbacks{
		Unknown: func(ctx context.Context, req slackapp.CommandRequest) error {
			return req.Reply(ctx, UnknownVerbMessage(command, req.Command.Verb))
		},
		Unreadable: func(ctx context.Context, req slackapp.CommandRequest, e *slackapp.CommandError) error {
			return req.Reply(ctx, CommandErrorMessage(command, e))
		},
		DM: func(ctx context.Context, dm slackapp.DM) error {
			return dm.Reply(ctx, DMHelpMessage(command))
		},
		DMVerbs: dmVerbs,
		Apology: ApologyMessage(),
	})
	// Queued help and apologies (the store's reply kinds) render as the replies do.
	app.RegisterRenderer(db.KindHelp, func(context.Context, db.OutboxItem) (slackapp.Message, error) {
		return DMHelpMessage(command), nil
	})
	app.RegisterRenderer(db.KindApology, func(context.Context, db.OutboxItem) (slackapp.Message, error) {
		return ApologyMessage(), nil
	})
}

// usageLine is one line of the slash command's usage.
type usageLine struct{ args, what string }

// usageLines are every verb of the slash command, in the order the help lists them.
var usageLines = []usageLine{
	{"help", "this help"},
	{"assess", "take the leadership and management self-assessment"},
	{"prompt", "get a reflection prompt now"},
	{"summary [YYYY-MM]", "your trend summary for this month so far, or for the month given"},
	{"history", "your recent answers"},
	{"experiment", "your experiment for the month, and how it's going"},
	{"schedule <mon..sun> <HH:MM>", "your prompt day and time, in your own time zone"},
	{"pause [N | until YYYY-MM-DD]", "pause prompts for N weeks, until a date, or until you resume"},
	{"resume", "start prompts again after a pause"},
	{"start", "join the weekly prompts yourself"},
	{"stop", "leave the weekly prompts"},
	{"optin", "in a channel: enrol its members (team leads)"},
	{"optout", "in a channel: remove it (team leads)"},
	{"team", "in an opted-in channel: the anonymous team summary"},
	{"mirror on|off", "in an opted-in channel: ask its members monthly how you lead (team leads)"},
	{"export", "get a file of all your data by DM"},
	{"forget", "delete all your data (asks first)"},
}

const introText = "*Reflect* sends you one short reflection prompt a week and a monthly trend: " +
	"does your week lean toward leadership or management, and how sustainable is your work?"

// usageList is the command list in mrkdwn, one command a line.
func usageList(command string) string {
	var b strings.Builder
	for i, l := range usageLines {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "`%s %s` — %s", command, slackapp.EscapeMrkdwn(l.args), slackapp.EscapeMrkdwn(l.what))
	}
	return b.String()
}

// usagePlain is the command list as plain text for the notification fallback.
func usagePlain(command string) string {
	var b strings.Builder
	for _, l := range usageLines {
		fmt.Fprintf(&b, "\n%s %s: %s", command, l.args, l.what)
	}
	return b.String()
}

// UsageMessage is the reply to "/reflect" and "/reflect help", shown only to the caller.
func UsageMessage(command string) slackapp.Message {
	return usageWith(command, "", "How to use Reflect:")
}

// usageWith prefixes the usage with a lead line (for errors) or the product intro.
func usageWith(command, lead, plainLead string) slackapp.Message {
	blocks := []slackapp.Block{}
	if lead != "" {
		blocks = append(blocks, slackapp.Section("usage_problem", lead))
	} else {
		blocks = append(blocks, slackapp.Section("usage_intro", introText))
	}
	blocks = append(blocks,
		slackapp.Section("usage_commands", usageList(command)),
		slackapp.ContextNote("usage_note", "Only you can see this. Your lean is a tendency read from your own answers, not a diagnosis."),
	)
	return slackapp.Message{Text: slackapp.EscapeMrkdwn(plainLead + usagePlain(command)), Blocks: blocks}
}

// UnknownVerbMessage answers a verb the command does not have, with the usage.
func UnknownVerbMessage(command, verb string) slackapp.Message {
	lead := fmt.Sprintf("I don't know %s. Here is what I can do:", slackapp.CodeSpan(verb))
	plain := fmt.Sprintf("I don't know %q. Here is what I can do:", verb)
	return usageWith(command, lead, plain)
}

// CommandErrorMessage answers command text that could not be read, with the usage.
func CommandErrorMessage(command string, e *slackapp.CommandError) slackapp.Message {
	lead := fmt.Sprintf("I couldn't read that command: %s.", slackapp.EscapeMrkdwn(e.Problem))
	plain := fmt.Sprintf("I couldn't read that command: %s.", e.Problem)
	if l, ok := usageOf(e.Verb); ok {
		line := fmt.Sprintf("Usage: `%s %s` — %s", command, slackapp.EscapeMrkdwn(l.args), slackapp.EscapeMrkdwn(l.what))
		return slackapp.Message{
			Text:   slackapp.EscapeMrkdwn(fmt.Sprintf("%s\nUsage: %s %s: %s", plain, command, l.args, l.what)),
			Blocks: []slackapp.Block{slackapp.Section("usage_problem", lead), slackapp.Section("usage_commands", line)},
		}
	}
	return usageWith(command, lead, plain)
}

// usageOf finds the usage line of verb.
func usageOf(verb string) (usageLine, bool) {
	for _, l := range usageLines {
		if v, _, _ := strings.Cut(l.args, " "); verb != "" && v == verb {
			return l, true
		}
	}
	return usageLine{}, false
}

// ApologyMessage is the private note a person gets when handling their request failed.
func ApologyMessage() slackapp.Message {
	text := "Sorry, something went wrong on my side and I couldn't finish that. Please try again in a moment."
	return slackapp.Message{Text: text, Blocks: []slackapp.Block{slackapp.Section("apology", text)}}
}

// DMHelpMessage is the reply to a DM that is neither an answer nor a command word.
func DMHelpMessage(command string) slackapp.Message {
	lead := "Hi! I'm Reflect. I send you a short reflection prompt each week; when one is open, " +
		"just reply here to answer it. You can also type *help*, *assess*, *summary*, *pause*, *start* or *stop*."
	cmds := fmt.Sprintf("Or use `%s help` anywhere to see everything I can do.", command)
	plain := fmt.Sprintf("Hi! I'm Reflect. I send you a short reflection prompt each week; when one is open, "+
		"just reply here to answer it. You can also type help, assess, summary, pause, start or stop, "+
		"or use %s help anywhere.", command)
	return slackapp.Message{Text: slackapp.EscapeMrkdwn(plain), Blocks: []slackapp.Block{
		slackapp.Section("dm_help", lead),
		slackapp.ContextNote("dm_help_commands", cmds),
	}}
}

// Verbs are the verbs the usage lists, sorted, and DMWords those that also work alone in a DM.
func Verbs() (verbs, dmWords []string) {
	for _, l := range usageLines {
		v, _, _ := strings.Cut(l.args, " ")
		verbs = append(verbs, v)
	}
	slices.Sort(verbs)
	return verbs, slices.Clone(dmVerbs)
}
