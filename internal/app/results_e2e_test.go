package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/slackemu"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// openModal waits for a new modal of callbackID for user and returns it.
func (s *sim) openModal(user, callbackID string, before int) slackemu.View {
	s.t.Helper()
	var v slackemu.View
	s.eventually("the "+callbackID+" modal", func() bool {
		views := s.emu.Views(user)
		for i := len(views) - 1; i >= before; i-- {
			if views[i].CallbackID == callbackID {
				v = views[i]
				return true
			}
		}
		return false
	})
	return v
}

func TestE2EAssessment(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	tests := []struct{ pole, want string }{
		{"leadership", "leaning leadership (+"},
		{"management", "leaning management (−"},
	}
	for _, tt := range tests {
		t.Run(tt.pole, func(t *testing.T) {
			before := len(s.emu.Views("UA"))
			posts := len(s.botDMs("UA"))
			s.emu.SlashCommand("UA", "C1", "assess")
			v := s.openModal("UA", viewAssess, before)

			// Every item is required: with one left out, Slack's client does not submit.
			values := testkit.AssessmentValues(s.cat, tt.pole)
			missing := s.cat.Assessment[3].ID
			partial := map[string]map[string]string{}
			for k, val := range values {
				if k != missing {
					partial[k] = val
				}
			}
			if _, err := s.emu.SubmitView("UA", v.ID, partial); err == nil || !strings.Contains(err.Error(), "required input "+missing) {
				t.Fatalf("submitting without %s: got %v, want the client to refuse a required input left empty", missing, err)
			}

			if _, err := s.emu.SubmitView("UA", v.ID, values); err != nil {
				t.Fatal(err)
			}
			s.eventually("the result", func() bool { return len(s.botDMs("UA")) > posts })
			got := s.botDMs("UA")[posts].Text
			first, _, _ := strings.Cut(got, "\n")
			if !strings.Contains(first, tt.want) {
				t.Errorf("got first line %q, want it to contain %q", first, tt.want)
			}
			for _, d := range []string{"Direction", "Change", "Culture", "People", "Adaptability", "Horizon", "One thing to try"} {
				if !strings.Contains(got, d) {
					t.Errorf("got result %q, want it to mention %s", got, d)
				}
			}
		})
	}
	as, err := s.store.Assessments(context.Background(), "UA", time.Time{}, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(as) != 2 || as[0].Label != "leadership" || as[1].Label != "management" {
		t.Errorf("got stored assessments %+v, %v; want leadership then management", as, err)
	}
	if n := len(s.answers("UA")); n != 0 {
		t.Errorf("got %d weekly answers from assessments, want them kept apart (0)", n)
	}
}

func TestE2EAssessFromDMOffersAButton(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.emu.SendDM("UA", "assess")
	var invite slackemu.Message
	s.eventually("the invitation", func() bool {
		for _, m := range s.botDMs("UA") {
			if strings.Contains(m.Text, "self-assessment") {
				invite = m
				return true
			}
		}
		return false
	})
	if err := s.emu.Click("UA", invite.Channel, invite.TS, actionAssessOpen); err != nil {
		t.Fatal(err)
	}
	s.openModal("UA", viewAssess, 0)
}

func TestE2ESummaryCommand(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	bad := []struct{ text, want string }{
		{"summary 2026-13", "from 01 to 12"},
		{"summary march", "YYYY-MM"},
		{"summary 2026-04", "hasn't happened yet"},
		{"summary 2026-01 2026-02", "at most a month"},
	}
	for _, b := range bad {
		if got := s.command("UA", b.text); !strings.Contains(got, b.want) {
			t.Errorf("/reflect %s: got %q, want an error containing %q", b.text, got, b.want)
		}
	}
	if n := len(s.botDMs("UA")); n != 0 {
		t.Fatalf("got %d DMs after bad input, want none", n)
	}

	// Answer a prompt, then ask for this month's summary: text first, then the chart.
	s.command("UA", "start")
	s.command("UA", "prompt")
	s.settle()
	d, p := s.openDelivery("UA")
	s.answerAny("UA", d, p)
	if got := s.command("UA", "summary"); !strings.Contains(got, "March 2026") {
		t.Errorf("got %q, want a note naming March 2026", got)
	}
	s.settle()
	var summary, chart int
	for i, m := range s.botDMs("UA") {
		if strings.HasPrefix(m.Text, "March 2026: ") {
			summary = i
		}
		if len(m.Files) > 0 {
			chart = i
			if !strings.HasSuffix(m.Files[0].Name, ".png") {
				t.Errorf("got file %q, want a PNG", m.Files[0].Name)
			}
		}
	}
	if summary == 0 || chart != summary+1 {
		t.Errorf("got summary at %d and chart at %d, want the chart right after the summary", summary, chart)
	}
	// The App Home shows the chart just shared.
	fileID := s.botDMs("UA")[chart].Files[0].ID
	s.emu.OpenHome("UA")
	s.eventually("the home tab's chart", func() bool {
		h := s.emu.Home("UA")
		return h != nil && strings.Contains(string(h.Blocks), `"slack_file":{"id":"`+fileID+`"}`)
	})
}

func TestE2EAppHome(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "Europe/London"})
	home := func() string {
		h := s.emu.Home("UA")
		if h == nil {
			return ""
		}
		return string(h.Blocks)
	}
	s.emu.OpenHome("UA")
	s.eventually("the home tab", func() bool { return strings.Contains(home(), "Start weekly prompts") })

	s.command("UA", "start")
	// Slack shows the <!date> token in the reader's zone and clock; the fallback and the zone
	// name are the person's own.
	s.eventually("the home tab to show the next prompt", func() bool {
		h := home()
		return strings.Contains(h, fmt.Sprintf("!date^%d^{date_long_pretty} at {time}|Monday 9 March at 09:00", time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC).Unix())) &&
			strings.Contains(h, " (Europe/London)")
	})
	s.command("UA", "prompt")
	s.settle()
	d, p := s.openDelivery("UA")
	s.answerAny("UA", d, p)
	s.eventually("the home tab to show this month's lean", func() bool { return strings.Contains(home(), "This month so far") })

	// The schedule button opens a modal that sets a personal slot.
	h := s.emu.Home("UA")
	views := len(s.emu.Views("UA"))
	if err := s.emu.ClickInView("UA", h.ID, actionHomeSchedule); err != nil {
		t.Fatal(err)
	}
	v := s.openModal("UA", viewSchedule, views)
	if _, err := s.emu.SubmitView("UA", v.ID, map[string]map[string]string{
		scheduleDayBlock: {scheduleDayBlock: "wed"}, scheduleTimeBlock: {scheduleTimeBlock: "07:15"},
	}); err != nil {
		t.Fatal(err)
	}
	s.eventually("the home tab to show the new slot", func() bool {
		return strings.Contains(home(), "|Wednesday 4 March at 07:15")
	})

	// The pause button pauses until resumed.
	h = s.emu.Home("UA")
	if err := s.emu.ClickInView("UA", h.ID, actionHomePause); err != nil {
		t.Fatal(err)
	}
	s.eventually("the home tab to show the pause", func() bool { return strings.Contains(home(), "Resume prompts") })
}

// TestE2EChartUploadedOnceAfterAmbiguousFailure: files.completeUploadExternal shares the chart
// but answers 500; the retry finds the shared file by its name and does not upload it again.
func TestE2EChartUploadedOnceAfterAmbiguousFailure(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	s.command("UA", "prompt")
	s.settle()
	d, p := s.openDelivery("UA")
	s.answerAny("UA", d, p)
	s.emu.FailNext("files.completeUploadExternal", 1, slackemu.Fault{Kind: slackemu.FaultHTTP500, Applied: true})
	s.command("UA", "summary")
	s.settle()
	files := 0
	for _, m := range s.botDMs("UA") {
		files += len(m.Files)
		for _, f := range m.Files {
			// Found again by its file id, not by anything put into its name.
			if f.Name != "reflect-trend-2026-03.png" {
				t.Errorf("got file name %q, want reflect-trend-2026-03.png", f.Name)
			}
		}
	}
	if files != 1 {
		t.Errorf("got %d charts shared, want exactly 1", files)
	}
	// The relay counts a reconciled post just after recording it, so the outbox can be empty a
	// moment before the count moves: wait for it.
	s.eventually("the chart found again (a reconciled post)", func() bool { return s.app.Stats().OutboxReconciled >= 1 })
}

// TestE2ESummaryOfEmptyMonth: a past month without answers says it had none, by name; the month
// still going on waits for them ("yet").
func TestE2ESummaryOfEmptyMonth(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	for _, c := range []struct{ text, want string }{
		{"summary 2026-02", "February 2026: no answers in February 2026, so there is nothing to summarise."},
		{"summary", "March 2026: no answers this month yet, so there is nothing to summarise."},
	} {
		before := len(s.botDMs("UA"))
		s.command("UA", c.text)
		s.eventually("the summary of "+c.text, func() bool {
			for _, m := range s.botDMs("UA")[before:] {
				if strings.HasPrefix(m.Text, c.want) {
					return true
				}
			}
			return false
		})
	}
}
