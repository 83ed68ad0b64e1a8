package slackapp

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxActionValueLength is Slack's limit on a button's value.
// https://docs.slack.dev/reference/block-kit/block-elements/button-element
const MaxActionValueLength = 2000

// ActionValue is the compact data a button carries in its value, so a click can be handled
// without looking anything up first. It is encoded as "d=12;p=direction-big-picture;o=3".
// The zero value encodes as "" and an empty value parses to the zero value.
type ActionValue struct {
	DeliveryID int64  // d: the delivery the button belongs to; 0 = none
	PromptID   string // p: a catalogue prompt id (lower-case kebab-case)
	HasOption  bool   // whether Option is set
	Option     int    // o: index of the chosen option, 0–99
	Arg        string // a: a short argument, e.g. a number of weeks or a date
}

// Bounds of the fields; the value is outside input (anyone can craft a payload), so every field is
// checked as strictly as the encoder writes it.
const (
	maxPromptIDLength = 64
	maxArgLength      = 64
	maxOption         = 99
)

// ActionValueError says why an action value could not be read.
type ActionValueError struct {
	Problem string
}

// Error says what is wrong with the value, without quoting it.
func (e *ActionValueError) Error() string { return "slackapp: parse action value: " + e.Problem }

func badValue(format string, args ...any) error {
	return &ActionValueError{Problem: fmt.Sprintf(format, args...)}
}

// ParseActionValue reads a value written by EncodeActionValue. Unknown or repeated keys and
// malformed fields are errors.
func ParseActionValue(s string) (ActionValue, error) {
	var v ActionValue
	if s == "" {
		return v, nil
	}
	if len(s) > MaxActionValueLength {
		return ActionValue{}, badValue("longer than %d characters", MaxActionValueLength)
	}
	seen := map[byte]bool{}
	for _, part := range strings.Split(s, ";") {
		key, val, ok := strings.Cut(part, "=")
		if !ok || len(key) != 1 {
			return ActionValue{}, badValue("a field is not key=value")
		}
		k := key[0]
		if seen[k] {
			return ActionValue{}, badValue("field %q appears twice", key)
		}
		seen[k] = true
		switch k {
		case 'd':
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n <= 0 || strconv.FormatInt(n, 10) != val {
				return ActionValue{}, badValue("delivery is not a positive number")
			}
			v.DeliveryID = n
		case 'p':
			if !isPromptID(val) {
				return ActionValue{}, badValue("prompt id is malformed")
			}
			v.PromptID = val
		case 'o':
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > maxOption || strconv.Itoa(n) != val {
				return ActionValue{}, badValue("option is not a number from 0 to %d", maxOption)
			}
			v.HasOption, v.Option = true, n
		case 'a':
			if !isArg(val) {
				return ActionValue{}, badValue("argument is malformed")
			}
			v.Arg = val
		default:
			return ActionValue{}, badValue("unknown field %q", key)
		}
	}
	return v, nil
}

// EncodeActionValue writes v compactly for a button's value. It returns an error for a value
// ParseActionValue would refuse, so a bad button is caught where it is built.
func EncodeActionValue(v ActionValue) (string, error) {
	var parts []string
	if v.DeliveryID < 0 {
		return "", badValue("delivery is negative")
	}
	if v.DeliveryID > 0 {
		parts = append(parts, "d="+strconv.FormatInt(v.DeliveryID, 10))
	}
	if v.PromptID != "" {
		if !isPromptID(v.PromptID) {
			return "", badValue("prompt id is malformed")
		}
		parts = append(parts, "p="+v.PromptID)
	}
	if v.HasOption {
		if v.Option < 0 || v.Option > maxOption {
			return "", badValue("option is not a number from 0 to %d", maxOption)
		}
		parts = append(parts, "o="+strconv.Itoa(v.Option))
	}
	if v.Arg != "" {
		if !isArg(v.Arg) {
			return "", badValue("argument is malformed")
		}
		parts = append(parts, "a="+v.Arg)
	}
	return strings.Join(parts, ";"), nil
}

// isPromptID matches the catalogue's id rule: lower-case kebab-case.
func isPromptID(s string) bool {
	if s == "" || len(s) > maxPromptIDLength || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// isArg allows the characters of numbers, dates, times and words, and no separators.
func isArg(s string) bool {
	if s == "" || len(s) > maxArgLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':', c == '+':
		default:
			return false
		}
	}
	return true
}
