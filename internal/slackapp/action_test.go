package slackapp

import (
	"errors"
	"strings"
	"testing"
)

func TestParseActionValue(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    ActionValue
		wantErr bool
	}{
		{name: "empty", value: "", want: ActionValue{}},
		{name: "all fields", value: "d=12;p=direction-big-picture;o=3;a=2025-01-02", want: ActionValue{DeliveryID: 12, PromptID: "direction-big-picture", HasOption: true, Option: 3, Arg: "2025-01-02"}},
		{name: "option zero", value: "o=0", want: ActionValue{HasOption: true}},
		{name: "any order", value: "o=1;d=5", want: ActionValue{DeliveryID: 5, HasOption: true, Option: 1}},
		{name: "arg with colon", value: "a=09:30", want: ActionValue{Arg: "09:30"}},
		{name: "unknown key", value: "x=1", wantErr: true},
		{name: "repeated key", value: "d=1;d=2", wantErr: true},
		{name: "no equals", value: "d12", wantErr: true},
		{name: "long key", value: "dd=1", wantErr: true},
		{name: "trailing separator", value: "d=1;", wantErr: true},
		{name: "zero delivery", value: "d=0", wantErr: true},
		{name: "negative delivery", value: "d=-3", wantErr: true},
		{name: "leading zero delivery", value: "d=012", wantErr: true},
		{name: "plus delivery", value: "d=+12", wantErr: true},
		{name: "delivery overflow", value: "d=9223372036854775808", wantErr: true},
		{name: "option too big", value: "o=100", wantErr: true},
		{name: "option negative", value: "o=-1", wantErr: true},
		{name: "prompt upper case", value: "p=Direction", wantErr: true},
		{name: "prompt double dash", value: "p=a--b", wantErr: true},
		{name: "prompt leading dash", value: "p=-a", wantErr: true},
		{name: "prompt empty", value: "p=", wantErr: true},
		{name: "arg with space", value: "a=two words", wantErr: true},
		{name: "arg with separator", value: "a=x=y", wantErr: true},
		{name: "too long", value: "a=" + strings.Repeat("x", MaxActionValueLength), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseActionValue(tt.value)
			if tt.wantErr {
				var ae *ActionValueError
				if !errors.As(err, &ae) {
					t.Fatalf("ParseActionValue(%q) = %+v, %v; want an *ActionValueError", tt.value, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseActionValue(%q) error = %v, want none", tt.value, err)
			}
			if got != tt.want {
				t.Errorf("ParseActionValue(%q) = %+v, want %+v", tt.value, got, tt.want)
			}
		})
	}
}

func TestEncodeActionValue(t *testing.T) {
	tests := []struct {
		name    string
		v       ActionValue
		want    string
		wantErr bool
	}{
		{name: "zero", v: ActionValue{}, want: ""},
		{name: "all", v: ActionValue{DeliveryID: 7, PromptID: "wellbeing-hours", HasOption: true, Option: 0, Arg: "2"}, want: "d=7;p=wellbeing-hours;o=0;a=2"},
		{name: "bad prompt", v: ActionValue{PromptID: "Not An Id"}, wantErr: true},
		{name: "bad option", v: ActionValue{HasOption: true, Option: 100}, wantErr: true},
		{name: "bad arg", v: ActionValue{Arg: "a;b"}, wantErr: true},
		{name: "negative delivery", v: ActionValue{DeliveryID: -1}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeActionValue(tt.v)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("EncodeActionValue(%+v) = %q, want an error", tt.v, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("EncodeActionValue(%+v) = %q, %v; want %q", tt.v, got, err, tt.want)
			}
			back, err := ParseActionValue(got)
			if err != nil || back != tt.v {
				t.Errorf("ParseActionValue(%q) = %+v, %v; want %+v", got, back, err, tt.v)
			}
		})
	}
}

func FuzzParseActionValue(f *testing.F) {
	for _, s := range []string{"", "d=1", "d=12;p=direction-big-picture;o=3;a=x", "o=0;a=09:30", "d=1;d=1", ";", "=", "p=a-b-c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseActionValue(s)
		if err != nil {
			if v != (ActionValue{}) {
				t.Fatalf("got %+v with an error, want the zero value", v)
			}
			return
		}
		enc, err := EncodeActionValue(v)
		if err != nil {
			t.Fatalf("EncodeActionValue(%+v) error = %v; a parsed value must encode", v, err)
		}
		if len(enc) > MaxActionValueLength {
			t.Fatalf("encoded length %d, want at most %d", len(enc), MaxActionValueLength)
		}
		back, err := ParseActionValue(enc)
		if err != nil || back != v {
			t.Fatalf("round trip of %q: got %+v, %v; want %+v", enc, back, err, v)
		}
	})
}
