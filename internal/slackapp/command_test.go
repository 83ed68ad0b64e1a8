package slackapp

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    Command
		wantErr string // substring of CommandError.Problem; "" = no error
	}{
		{name: "empty is help", text: "", want: Command{Verb: "help"}},
		{name: "blank is help", text: "  \t\n ", want: Command{Verb: "help"}},
		{name: "help", text: "help", want: Command{Verb: "help"}},
		{name: "verb lower-cased", text: "HeLP", want: Command{Verb: "help"}},
		{name: "args keep case", text: "schedule Mon 09:00", want: Command{Verb: "schedule", Args: []string{"Mon", "09:00"}}},
		{name: "whitespace collapsed and trimmed", text: "  pause \t  until\n 2025-01-02  ", want: Command{Verb: "pause", Args: []string{"until", "2025-01-02"}}},
		{name: "unknown verb is not an error", text: "dance now", want: Command{Verb: "dance", Args: []string{"now"}}},
		{name: "non-ASCII verb lower-cased", text: "ÉTÉ", want: Command{Verb: "été"}},
		{name: "at the length limit", text: "a " + strings.Repeat("b", MaxCommandLength-2), want: Command{Verb: "a", Args: []string{strings.Repeat("b", MaxCommandLength-2)}}},
		{name: "too long", text: strings.Repeat("x ", MaxCommandLength), wantErr: "longer than 500"},
		{name: "long verb", text: strings.Repeat("v", maxVerbLength+1), wantErr: "first word is longer"},
		{name: "control character", text: "help\x00me", wantErr: "control characters"},
		{name: "escape character", text: "help \x1b[31m", wantErr: "control characters"},
		{name: "invalid UTF-8", text: "help \xff", wantErr: "not valid text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommand(tt.text)
			if tt.wantErr != "" {
				var ce *CommandError
				if !errors.As(err, &ce) {
					t.Fatalf("ParseCommand(%q) error = %v, want a *CommandError", tt.text, err)
				}
				if !strings.Contains(ce.Problem, tt.wantErr) {
					t.Errorf("ParseCommand(%q) problem = %q, want it to contain %q", tt.text, ce.Problem, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCommand(%q) error = %v, want none", tt.text, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseCommand(%q) = %#v, want %#v", tt.text, got, tt.want)
			}
		})
	}
}

func TestCommandErrorDoesNotQuoteInput(t *testing.T) {
	secret := "my-private-words"
	_, err := ParseCommand(secret + "\x00")
	if err == nil {
		t.Fatal("got no error, want one")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("got error %q, want it not to quote the input", err)
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"", "help", "schedule mon 09:00", "pause until 2025-01-01", "  X  y ", "\x00", "İ", strings.Repeat("a", 600)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCommand(text)
		if err != nil {
			var ce *CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("got error %T, want *CommandError", err)
			}
			return
		}
		if c.Verb == "" || c.Verb != strings.ToLower(c.Verb) {
			t.Fatalf("got verb %q, want a non-empty lower-case verb", c.Verb)
		}
		if utf8.RuneCountInString(c.Verb) > maxVerbLength {
			t.Fatalf("got verb of %d runes, want at most %d", utf8.RuneCountInString(c.Verb), maxVerbLength)
		}
		for _, s := range append([]string{c.Verb}, c.Args...) {
			if s == "" || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
				t.Fatalf("got field %q, want non-empty without whitespace", s)
			}
		}
		// Canonical text parses to the same command.
		again, err := ParseCommand(c.String())
		if err != nil {
			t.Fatalf("ParseCommand(%q) error = %v, want none", c.String(), err)
		}
		if !reflect.DeepEqual(again, c) {
			t.Fatalf("reparse got %#v, want %#v", again, c)
		}
	})
}
