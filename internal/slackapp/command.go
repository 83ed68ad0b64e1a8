package slackapp

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxCommandLength is the longest command text, in bytes after trimming, that ParseCommand reads.
// Every real command fits in a few dozen characters; the bound keeps a pasted essay from being
// echoed back or split into thousands of arguments.
const MaxCommandLength = 500

// maxVerbLength bounds the verb, which is echoed back when it is unknown.
const maxVerbLength = 32

// Command is a parsed slash command (or command-like DM): a lower-case verb and its arguments.
type Command struct {
	Verb string   // lower-case; "help" when the text was empty
	Args []string // as typed, whitespace removed; never empty strings
}

// CommandError says why command text could not be read. Problem is written for the person who
// typed it and never quotes their text. Verb, when set, names the command whose arguments were
// wrong, so the reply shows that command's usage alone instead of the whole help.
type CommandError struct {
	Problem string
	Verb    string
}

// Error says what is wrong with the command, without quoting it.
func (e *CommandError) Error() string { return "slackapp: parse command: " + e.Problem }

// ParseCommand reads the text after the slash command: it trims it, collapses runs of whitespace,
// lower-cases the verb and splits the rest into arguments. Empty text means "help".
func ParseCommand(text string) (Command, error) {
	if !utf8.ValidString(text) {
		return Command{}, &CommandError{Problem: "it is not valid text"}
	}
	text = strings.TrimSpace(text)
	if len(text) > MaxCommandLength {
		return Command{}, &CommandError{Problem: fmt.Sprintf("it is longer than %d characters", MaxCommandLength)}
	}
	for _, r := range text {
		// Whitespace (tabs, newlines) is collapsed below; other control characters have no place in
		// a command and would garble the echo of an unknown verb.
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return Command{}, &CommandError{Problem: "it contains control characters"}
		}
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return Command{Verb: "help"}, nil
	}
	verb := strings.ToLower(fields[0])
	if utf8.RuneCountInString(verb) > maxVerbLength {
		return Command{}, &CommandError{Problem: fmt.Sprintf("the first word is longer than %d characters", maxVerbLength)}
	}
	var args []string
	if len(fields) > 1 {
		args = fields[1:]
	}
	return Command{Verb: verb, Args: args}, nil
}

// String renders the command as canonical text: verb and arguments separated by single spaces.
func (c Command) String() string {
	if len(c.Args) == 0 {
		return c.Verb
	}
	return c.Verb + " " + strings.Join(c.Args, " ")
}
