package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestRecordAnswer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		tests := []struct {
			name      string
			answers   []Answer // DeliveryID 0 = the main delivery, -1 = the on-demand one without a wellbeing check
			wantErr   error    // for the last answer
			wantState DeliveryState
			wantRows  []Answer // the main delivery's answers, by prompt
			wantReset bool     // streak and asked_to_continue cleared
			wantRem   string   // state of the pending reminder
		}{
			{name: "main prompt closes the delivery",
				answers:   []Answer{{UserID: "U1", PromptID: "P1", OptionIndex: intPtr(2), Lean: 0.5, Weight: 1, Explanation: "x", Source: "button"}},
				wantState: "answered", wantReset: true, wantRem: "failed",
				wantRows: []Answer{{UserID: "U1", PromptID: "P1", OptionIndex: intPtr(2), Lean: 0.5, Weight: 1, Explanation: "x", Source: "button", AnsweredAt: t0}}},
			{name: "wellbeing answer leaves it open",
				answers:   []Answer{{UserID: "U1", PromptID: "W1", OptionIndex: intPtr(0), Wellbeing: floatPtr(-1), Weight: 1, Source: "button"}},
				wantState: "sent", wantReset: true, wantRem: "pending",
				wantRows: []Answer{{UserID: "U1", PromptID: "W1", OptionIndex: intPtr(0), Wellbeing: floatPtr(-1), Weight: 1, Source: "button", AnsweredAt: t0}}},
			{name: "a changed mind replaces the answer",
				answers: []Answer{
					{UserID: "U1", PromptID: "P1", OptionIndex: intPtr(1), Lean: -1, Weight: 1, Source: "button"},
					{UserID: "U1", PromptID: "P1", Text: "on reflection", Lean: 0.25, Weight: 0.5, Source: "dm", MessageTS: "9.9", AnsweredAt: t0.Add(time.Minute)},
				},
				wantState: "answered", wantReset: true, wantRem: "failed",
				wantRows: []Answer{{UserID: "U1", PromptID: "P1", Text: "on reflection", Lean: 0.25, Weight: 0.5, Source: "dm", MessageTS: "9.9", AnsweredAt: t0.Add(time.Minute)}}},
			{name: "someone else's delivery",
				answers: []Answer{{UserID: "U2", PromptID: "P1", Source: "button"}}, wantErr: ErrNotFound,
				wantState: "sent", wantRem: "pending"},
			{name: "a prompt not in the delivery",
				answers: []Answer{{UserID: "U1", PromptID: "P9", Source: "button"}}, wantErr: ErrNotFound,
				wantState: "sent", wantRem: "pending"},
			{name: "an unknown delivery",
				answers: []Answer{{UserID: "U1", DeliveryID: 999, PromptID: "P1", Source: "button"}}, wantErr: ErrNotFound,
				wantState: "sent", wantRem: "pending"},
			{name: "an empty prompt on a delivery without wellbeing check",
				answers: []Answer{{UserID: "U1", DeliveryID: -1, Source: "button"}}, wantErr: ErrNotFound,
				wantState: "sent", wantRem: "pending"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _, _ := e.newStore(t)
				startPerson(t, s, "U1", "D1", t0)
				startPerson(t, s, "U2", "D2", t0)
				main := create(t, s, "U1", NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, PromptID: "P1", WellbeingPromptID: "W1"})
				plain := create(t, s, "U1", NewDelivery{Occurrence: t0, Kind: DeliveryOnDemand, PromptID: "P2"})
				sendAll(t, s)
				if ok, err := s.RemindLater(ctx, "U1", main, t0.Add(time.Hour)); err != nil || !ok {
					t.Fatalf("RemindLater = %v, %v", ok, err)
				}
				setPersonState(t, s, "U1", 3, true)
				setPersonState(t, s, "U2", 3, true)
				var err error
				for _, a := range tt.answers {
					switch a.DeliveryID {
					case 0:
						a.DeliveryID = main
					case -1:
						a.DeliveryID = plain
					}
					err = s.RecordAnswer(ctx, a)
					if tt.wantErr == nil && err != nil {
						t.Fatalf("RecordAnswer(%s): %v", a.PromptID, err)
					}
				}
				checkErr(t, "RecordAnswer", err, tt.wantErr)

				if got := mustDelivery(t, s, "U1", main).State; got != tt.wantState {
					t.Errorf("delivery state = %s, want %s", got, tt.wantState)
				}
				if got := mustDelivery(t, s, "U1", plain).State; got != "sent" {
					t.Errorf("the other delivery's state = %s, want sent", got)
				}
				got, err := s.RecentAnswers(ctx, "U1", 10)
				if err != nil {
					t.Fatal(err)
				}
				var want []Answer
				for _, a := range tt.wantRows {
					a.DeliveryID = main
					want = append(want, a)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("answers = %+v\nwant %+v", got, want)
				}
				for _, u := range []string{"U1", "U2"} {
					p := mustPerson(t, s, u)
					reset := u == "U1" && tt.wantReset
					if gotReset := p.UnansweredStreak == 0 && !p.AskedToContinue; gotReset != reset ||
						(!reset && (p.UnansweredStreak != 3 || !p.AskedToContinue)) {
						t.Errorf("%s streak, asked = %d, %v; want reset %v", u, p.UnansweredStreak, p.AskedToContinue, reset)
					}
				}
				rem := outboxByDelivery(t, s, "U1", KindReminder, main)
				if len(rem) != 1 || rem[0].State != tt.wantRem {
					t.Fatalf("reminders = %+v, want one %s", rem, tt.wantRem)
				}
				if tt.wantRem == "failed" && rem[0].LastError != "answered" {
					t.Errorf("reminder last_error = %q, want answered", rem[0].LastError)
				}
			})
		}
	})
}

func TestAnswerByMessage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		tests := []struct {
			name         string
			prompt       string // what the typed answer answers
			otherPrompt  string // answered by button first, "" = none
			findAs       string // user looking it up
			ts           string
			wantErr      error
			wantStateDel DeliveryState // delivery state after the deletion
		}{
			{name: "main prompt answer deleted reopens", prompt: "P1", findAs: "U1", ts: "5.5", wantStateDel: "sent"},
			{name: "wellbeing answer deleted leaves the answered prompt", prompt: "W1", otherPrompt: "P1", findAs: "U1", ts: "5.5", wantStateDel: "answered"},
			{name: "wellbeing answer deleted on an open prompt", prompt: "W1", findAs: "U1", ts: "5.5", wantStateDel: "sent"},
			{name: "another person's message", prompt: "P1", findAs: "U2", ts: "5.5", wantErr: ErrNotFound, wantStateDel: "answered"},
			{name: "unknown message", prompt: "P1", findAs: "U1", ts: "6.6", wantErr: ErrNotFound, wantStateDel: "answered"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _, _ := e.newStore(t)
				startPerson(t, s, "U1", "D1", t0)
				startPerson(t, s, "U2", "D2", t0)
				d := create(t, s, "U1", NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, PromptID: "P1", WellbeingPromptID: "W1"})
				sendAll(t, s)
				if tt.otherPrompt != "" {
					if err := s.RecordAnswer(ctx, Answer{UserID: "U1", DeliveryID: d, PromptID: tt.otherPrompt, OptionIndex: intPtr(0), Source: "button"}); err != nil {
						t.Fatal(err)
					}
				}
				typed := Answer{UserID: "U1", DeliveryID: d, PromptID: tt.prompt, Text: "typed", Lean: 0.1, Weight: 1,
					Source: "dm", MessageTS: "5.5", AnsweredAt: t0.Add(time.Minute)}
				if err := s.RecordAnswer(ctx, typed); err != nil {
					t.Fatal(err)
				}

				got, err := s.AnswerByMessage(ctx, tt.findAs, tt.ts)
				checkErr(t, "AnswerByMessage", err, tt.wantErr)
				if err == nil && !reflect.DeepEqual(got, typed) {
					t.Errorf("AnswerByMessage = %+v\nwant %+v", got, typed)
				}
				deleted, err := s.DeleteAnswerByMessage(ctx, tt.findAs, tt.ts)
				checkErr(t, "DeleteAnswerByMessage", err, tt.wantErr)
				if err == nil && !reflect.DeepEqual(deleted, typed) {
					t.Errorf("DeleteAnswerByMessage = %+v\nwant %+v", deleted, typed)
				}
				if st := mustDelivery(t, s, "U1", d).State; st != tt.wantStateDel {
					t.Errorf("delivery state = %s, want %s", st, tt.wantStateDel)
				}
				wantLeft := 1
				if tt.otherPrompt != "" {
					wantLeft++
				}
				if tt.wantErr == nil {
					wantLeft--
					if _, err := s.AnswerByMessage(ctx, "U1", "5.5"); !errors.Is(err, ErrNotFound) {
						t.Errorf("AnswerByMessage after deletion error = %v, want ErrNotFound", err)
					}
					if _, err := s.DeleteAnswerByMessage(ctx, "U1", "5.5"); !errors.Is(err, ErrNotFound) {
						t.Errorf("second DeleteAnswerByMessage error = %v, want ErrNotFound", err)
					}
				}
				if n := answerCount(t, s, "U1"); n != wantLeft {
					t.Errorf("answers left = %d, want %d", n, wantLeft)
				}
			})
		}
	})
}

func TestRecentAnswers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		startPerson(t, s, "U2", "D2", t0)
		var ds []int64
		for i := 0; i < 3; i++ {
			ds = append(ds, create(t, s, "U1", NewDelivery{Occurrence: t0.Add(time.Duration(i) * week), Kind: DeliveryScheduled, PromptID: fmt.Sprintf("P%d", i)}))
		}
		other := create(t, s, "U2", NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, PromptID: "P0"})
		// Recorded out of order: P2 oldest, then P0 and P1 at the same instant (P1 recorded last).
		for _, a := range []Answer{
			{UserID: "U1", DeliveryID: ds[2], PromptID: "P2", AnsweredAt: t0.Add(time.Hour)},
			{UserID: "U1", DeliveryID: ds[0], PromptID: "P0", AnsweredAt: t0.Add(2 * time.Hour)},
			{UserID: "U1", DeliveryID: ds[1], PromptID: "P1", AnsweredAt: t0.Add(2 * time.Hour)},
			{UserID: "U2", DeliveryID: other, PromptID: "P0", AnsweredAt: t0.Add(3 * time.Hour)},
		} {
			a.Source = "button"
			if err := s.RecordAnswer(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name  string
			user  string
			limit int
			want  []string
		}{
			{name: "newest first, ties by recording order", user: "U1", limit: 10, want: []string{"P1", "P0", "P2"}},
			{name: "limit", user: "U1", limit: 2, want: []string{"P1", "P0"}},
			{name: "only the person's", user: "U2", limit: 10, want: []string{"P0"}},
			{name: "nobody", user: "U9", limit: 10},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				as, err := s.RecentAnswers(ctx, tt.user, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, a := range as {
					if a.UserID != tt.user {
						t.Errorf("answer of %s in %s's list", a.UserID, tt.user)
					}
					got = append(got, a.PromptID)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("RecentAnswers = %v, want %v", got, tt.want)
				}
			})
		}
	})
}

// TestDeliveryAnswers: a delivery's answers are its prompt's and its check's, whichever were
// given, and only its person's.
func TestDeliveryAnswers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		startPerson(t, s, "U1", "D1", t0)
		startPerson(t, s, "U2", "D2", t0)
		both := create(t, s, "U1", NewDelivery{Occurrence: t0, Kind: DeliveryScheduled, PromptID: "P1", WellbeingPromptID: "W1"})
		checkOnly := create(t, s, "U1", NewDelivery{Occurrence: t0.Add(week), Kind: DeliveryScheduled, PromptID: "P2", WellbeingPromptID: "W2"})
		none := create(t, s, "U1", NewDelivery{Occurrence: t0.Add(2 * week), Kind: DeliveryScheduled, PromptID: "P3", WellbeingPromptID: "W3"})
		for _, a := range []Answer{
			{UserID: "U1", DeliveryID: both, PromptID: "W1"},
			{UserID: "U1", DeliveryID: both, PromptID: "P1"},
			{UserID: "U1", DeliveryID: checkOnly, PromptID: "W2"},
		} {
			a.Source = "button"
			if err := s.RecordAnswer(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name     string
			user     string
			delivery int64
			want     []string
		}{
			{"prompt and check", "U1", both, []string{"P1", "W1"}},
			{"the check alone", "U1", checkOnly, []string{"W2"}},
			{"none yet", "U1", none, nil},
			{"someone else's delivery", "U2", both, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				as, err := s.DeliveryAnswers(ctx, tt.user, tt.delivery)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, a := range as {
					got = append(got, a.PromptID)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("DeliveryAnswers = %v, want %v", got, tt.want)
				}
			})
		}
	})
}
