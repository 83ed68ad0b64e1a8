package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/feature/experiment"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// The experiment's action ids, view and blocks, as Slack sends them back.
const (
	actionExperimentTry     = "experiment_try"
	actionExperimentAnother = "experiment_another"
	actionExperimentNotNow  = "experiment_not_now"
	actionExperimentNote    = "experiment_note"
	viewExperimentNote      = "experiment_note"
	experimentNoteBlock     = "note"
	experimentFollowUp      = "experiment_followup"
)

// offered is the experiment a message offers: the value of its I'll try this button.
func offered(t testing.TB, m slackemu.Message) slackapp.ActionValue {
	t.Helper()
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		for _, e := range b.Elements {
			if e.ActionID == actionExperimentTry {
				v, err := slackapp.ParseActionValue(e.Value)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
		}
	}
	t.Fatalf("no %s button in %s", actionExperimentTry, m.Blocks)
	return slackapp.ActionValue{}
}

// privateReply waits for the next private message to user in channel, after the first n.
func (s *sim) privateReply(user, channel string, n int) slackemu.Message {
	s.t.Helper()
	var got slackemu.Message
	s.eventually("a private reply to "+user, func() bool {
		var mine []slackemu.Message
		for _, m := range s.emu.Messages(channel) {
			if m.Ephemeral && m.To == user {
				mine = append(mine, m)
			}
		}
		if len(mine) > n {
			got = mine[n]
			return true
		}
		return false
	})
	return got
}

func (s *sim) privateCount(user, channel string) int {
	n := 0
	for _, m := range s.emu.Messages(channel) {
		if m.Ephemeral && m.To == user {
			n++
		}
	}
	return n
}

func (s *sim) experiments(user string) []db.Experiment {
	s.t.Helper()
	exs, err := s.store.Experiments(context.Background(), user)
	if err != nil {
		s.t.Fatal(err)
	}
	return exs
}

// weekly runs the due loop at day and returns the week's prompt.
func (s *sim) weekly(user string, day time.Time) (db.Delivery, prompts.Prompt) {
	s.t.Helper()
	s.clock.Set(day)
	s.tick()
	d, p := s.openDelivery(user)
	if !d.Occurrence.Equal(day.Truncate(time.Hour)) {
		s.t.Fatalf("got open delivery for %s, want the one of %s", d.Occurrence, day)
	}
	return d, p
}

// TestE2EExperiment follows one person's experiment from the summary that offers it to the
// summary that reports it, then through export and forget.
func TestE2EExperiment(t *testing.T) {
	const (
		user     = "UEXPA"
		noteWord = "zorknote"
		note     = "Harder than I thought <really> & the team liked it " + noteWord
		marchA   = "I explained to the team why the migration matters for our customers"
		aprilA   = "I opened the planning meeting with the why and people asked better questions"
		aprilB   = "We talked about where the team should be next year"
	)
	s := newSim(t, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), slackemu.User{ID: user, Name: "ada", TZ: "UTC"})
	list, err := experiment.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	s.command(user, "start")
	if got := s.command(user, "experiment"); !strings.Contains(got, "no experiment on the go") {
		t.Errorf("/reflect experiment before any: got %q, want a note that there is none", got)
	}
	if got := s.command(user, "experiment now"); !strings.Contains(got, "experiment takes nothing after it") {
		t.Errorf("/reflect experiment now: got %q, want a usage error", got)
	}
	// A month of answers.
	for _, day := range []int{2, 9, 16, 23, 30} {
		d, p := s.weekly(user, time.Date(2026, 3, day, 9, 0, 30, 0, time.UTC))
		s.answerAny(user, d, p)
	}
	s.clock.Set(time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC))
	s.answerText(user, marchA)

	// The first prompt of April brings March's summary, with an experiment for April.
	s.clock.Set(time.Date(2026, 4, 6, 9, 0, 30, 0, time.UTC))
	s.tick()
	summary := s.messageWith(user, actionExperimentTry)
	if !strings.Contains(string(summary.Blocks), "An experiment for April 2026") {
		t.Fatalf("summary blocks %s, want an experiment for April 2026", summary.Blocks)
	}
	// One suggestion, not two: the experiment is the summary's suggestion, and says why.
	if strings.Contains(summary.Text, "\nSuggestion\n") || strings.Contains(string(summary.Blocks), `"Suggestion"`) {
		t.Errorf("summary %q still has its own Suggestion beside the experiment", summary.Text)
	}
	if !strings.Contains(string(summary.Blocks), "Why this one:") {
		t.Errorf("summary blocks %s, want why the experiment was chosen", summary.Blocks)
	}
	first := offered(t, summary)
	firstItem, ok := list.Item(first.PromptID)
	if !ok || first.Arg != "2026-04" {
		t.Fatalf("offered %+v, want a listed experiment for 2026-04", first)
	}
	dm := summary.Channel

	// Suggest another: a different one for the same need, privately.
	n := s.privateCount(user, dm)
	if err := s.emu.Click(user, dm, summary.TS, actionExperimentAnother); err != nil {
		t.Fatal(err)
	}
	other := s.privateReply(user, dm, n)
	second := offered(t, other)
	secondItem, _ := list.Item(second.PromptID)
	if second.PromptID == first.PromptID || secondItem.Need != firstItem.Need || second.Arg != "2026-04" {
		t.Errorf("Suggest another offered %s (%s) after %s (%s), want a different one for the same need",
			second.PromptID, secondItem.Need, first.PromptID, firstItem.Need)
	}

	// Not now records nothing.
	n = s.privateCount(user, dm)
	if err := s.emu.Click(user, dm, summary.TS, actionExperimentNotNow); err != nil {
		t.Fatal(err)
	}
	if got := s.privateReply(user, dm, n); !strings.Contains(got.Text, "nothing recorded") {
		t.Errorf("Not now: got %q, want a note that nothing is recorded", got.Text)
	}
	if exs := s.experiments(user); len(exs) != 0 {
		t.Fatalf("after Not now: %+v, want nothing stored", exs)
	}

	// I'll try this, from the other suggestion.
	s.emu.OpenHome(user)
	n = s.privateCount(user, dm)
	if err := s.emu.Click(user, dm, other.TS, actionExperimentTry); err != nil {
		t.Fatal(err)
	}
	if got := s.privateReply(user, dm, n); !strings.Contains(got.Text, "You're on") || !strings.Contains(got.Text, secondItem.Title) {
		t.Errorf("I'll try this: got %q, want a confirmation naming %q", got.Text, secondItem.Title)
	}
	exs := s.experiments(user)
	if len(exs) != 1 || exs[0].ExperimentID != second.PromptID || exs[0].Month != "2026-04" || exs[0].Need != secondItem.Need {
		t.Fatalf("after I'll try this: %+v, want %s for 2026-04", exs, second.PromptID)
	}
	s.eventually("the home tab to show the experiment", func() bool {
		h := s.emu.Home(user)
		return h != nil && strings.Contains(string(h.Blocks), "Your experiment for April 2026") &&
			strings.Contains(string(h.Blocks), jsonText(slackapp.EscapeMrkdwn(secondItem.Title)))
	})

	// /reflect experiment shows it, takes a one-tap outcome and a note.
	if got := s.command(user, "experiment"); !strings.Contains(got, secondItem.Title) {
		t.Errorf("/reflect experiment: got %q, want %q", got, secondItem.Title)
	}
	shown := s.ephemerals(user)[len(s.ephemerals(user))-1]
	n = len(s.ephemerals(user))
	if err := s.emu.Click(user, "C1", shown.TS, "experiment_outcome:mixed"); err != nil {
		t.Fatal(err)
	}
	s.eventually("the outcome's reply", func() bool { return len(s.ephemerals(user)) > n })
	if got := s.ephemerals(user)[n]; !strings.Contains(string(got.Blocks), "You said it was mixed") {
		t.Errorf("after Mixed: got %s, want it to say so", got.Blocks)
	}
	if exs := s.experiments(user); exs[0].Outcome != db.OutcomeMixed || exs[0].OutcomeDelivery != 0 {
		t.Errorf("after Mixed: %+v, want outcome mixed, said outside a prompt", exs[0])
	}
	// A crafted button naming a prompt that is not the person's changes nothing.
	forged := slackapp.Message{Text: "How is it going?", Blocks: []slackapp.Block{slackapp.NewActionBlock("forged",
		slackapp.Button("experiment_outcome:well", "It went well", slackapp.ActionValue{DeliveryID: 999999, Arg: "2026-04"}))}}
	if err := s.app.SendDM(context.Background(), user, forged); err != nil {
		t.Fatal(err)
	}
	s.settle()
	fm := s.messageWith(user, "experiment_outcome:well")
	n = s.privateCount(user, dm)
	if err := s.emu.Click(user, fm.Channel, fm.TS, "experiment_outcome:well"); err != nil {
		t.Fatal(err)
	}
	if got := s.privateReply(user, dm, n); !strings.Contains(got.Text, "nothing changed") {
		t.Errorf("a forged check-in: got %q, want nothing changed", got.Text)
	}
	if exs := s.experiments(user); exs[0].Outcome != db.OutcomeMixed {
		t.Errorf("a forged check-in changed the outcome: %+v", exs[0])
	}
	views := len(s.emu.Views(user))
	if err := s.emu.Click(user, "C1", shown.TS, actionExperimentNote); err != nil {
		t.Fatal(err)
	}
	v := s.openModal(user, viewExperimentNote, views)
	if _, err := s.emu.SubmitView(user, v.ID, map[string]map[string]string{experimentNoteBlock: {experimentNoteBlock: note}}); err != nil {
		t.Fatal(err)
	}
	s.eventually("the note", func() bool { return s.experiments(user)[0].Note == note })

	// A week in, the prompt does not ask yet; two weeks in it does, answered in place.
	d, p := s.weekly(user, time.Date(2026, 4, 13, 9, 0, 30, 0, time.UTC))
	if strings.Contains(string(s.message(user, d.TS).Blocks), experimentFollowUp) {
		t.Error("the prompt a week in asks about the experiment, want it two weeks in")
	}
	s.answerAny(user, d, p)
	d, p = s.weekly(user, time.Date(2026, 4, 20, 9, 0, 30, 0, time.UTC))
	m := s.message(user, d.TS)
	if !strings.Contains(string(m.Blocks), experimentFollowUp) || !strings.Contains(string(m.Blocks), "how is it going?") {
		t.Fatalf("the prompt two weeks in: %s, want it to ask how the experiment is going", m.Blocks)
	}
	if err := s.emu.Click(user, d.ChannelID, d.TS, "experiment_outcome:well"); err != nil {
		t.Fatal(err)
	}
	s.eventually("the check-in answered in place", func() bool {
		return strings.Contains(string(s.message(user, d.TS).Blocks), "✓ It went well")
	})
	if exs := s.experiments(user); exs[0].Outcome != db.OutcomeWell || exs[0].OutcomeDelivery != d.ID || exs[0].Note != note {
		t.Errorf("after It went well in the prompt: %+v, want well, said in delivery %d, the note kept", exs[0], d.ID)
	}
	// Answering the check-in kept the prompt answerable, and answering the prompt keeps the check-in.
	if p.Kind != prompts.Text && !strings.Contains(string(s.message(user, d.TS).Blocks), `"`+actionAnswer+`:0"`) {
		t.Errorf("after the check-in the prompt is no longer answerable: %s", s.message(user, d.TS).Blocks)
	}
	s.answerAny(user, d, p)
	s.eventually("the prompt answered", func() bool {
		b := string(s.message(user, d.TS).Blocks)
		return strings.Contains(b, "answered_") && strings.Contains(b, "✓ It went well")
	})
	if got := len(blocksOf(t, s.message(user, d.TS))); got > 50 {
		t.Errorf("the prompt's message has %d blocks, over Slack's 50", got)
	}
	ids := map[string]bool{}
	for _, raw := range blocksOf(t, s.message(user, d.TS)) {
		var b struct {
			BlockID string `json:"block_id"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		if ids[b.BlockID] {
			t.Errorf("block_id %q twice in the prompt's message", b.BlockID)
		}
		ids[b.BlockID] = true
	}

	// Written answers asked for ahead (they stand in for the next week's prompt).
	s.clock.Set(time.Date(2026, 4, 21, 12, 0, 0, 0, time.UTC))
	s.answerText(user, aprilA)
	s.answerText(user, aprilB)

	// The first prompt of May brings April's summary: it reports the experiment, in the person's
	// words, and quotes more of their answers.
	s.clock.Set(time.Date(2026, 4, 27, 9, 0, 30, 0, time.UTC))
	s.tick()
	s.clock.Set(time.Date(2026, 5, 4, 9, 0, 30, 0, time.UTC))
	s.tick()
	var april slackemu.Message
	for _, m := range s.botDMs(user) {
		if strings.HasPrefix(m.Text, "April 2026") {
			april = m
		}
	}
	b := string(april.Blocks)
	wantReport := jsonText("*Your experiment in April 2026:* " + slackapp.EscapeMrkdwn(secondItem.Title) +
		" — you said it went well: “" + slackapp.EscapeMrkdwn(note) + "”.")
	if !strings.Contains(b, wantReport) {
		t.Fatalf("April's summary %s\nwant the report %s", b, wantReport)
	}
	if dim := experiment.Dimension(secondItem.Need); dim != "" && !strings.Contains(b, "moved from") && !strings.Contains(b, "enough "+string(dim)+" answers") {
		t.Errorf("April's summary does not say how %s moved: %s", dim, b)
	}
	if !strings.Contains(b, "More in your own words") || !strings.Contains(b, jsonText(aprilA)) && !strings.Contains(b, jsonText(aprilB)) {
		t.Errorf("April's summary does not quote the person's own words: %s", b)
	}
	if strings.Contains(b, jsonText(marchA)) {
		t.Errorf("April's summary quotes March's answer: %s", b)
	}
	if !strings.Contains(b, "An experiment for May 2026") {
		t.Errorf("April's summary offers nothing for May: %s", b)
	}
	testkit.AssertNotLogged(t, s.logs, note, noteWord, aprilA)

	// Export carries it; forget removes it.
	if got := s.command(user, "export"); !strings.Contains(got, "on its way") {
		t.Fatalf("export: got %q", got)
	}
	s.settle()
	var file slackemu.File
	for _, m := range s.botDMs(user) {
		for _, f := range m.Files {
			if strings.HasPrefix(f.Name, "reflect-export-") {
				file = f
			}
		}
	}
	data, ok := s.emu.File(file.ID)
	if !ok {
		t.Fatal("no export file")
	}
	var ex db.Export
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex.Experiments) != 1 || ex.Experiments[0].ExperimentID != second.PromptID || ex.Experiments[0].Title != secondItem.Title ||
		ex.Experiments[0].Outcome != db.OutcomeWell || ex.Experiments[0].Note != note {
		t.Errorf("export experiments %+v, want %s with its title, outcome and note", ex.Experiments, second.PromptID)
	}
	if got := s.dbTraces(noteWord); len(got[noteWord]) == 0 {
		t.Fatal("the note is nowhere in the database before forget: the check would prove nothing")
	}
	s.command(user, "forget")
	confirm := s.messageWith(user, actionForgetConfirm)
	if err := s.emu.Click(user, confirm.Channel, confirm.TS, actionForgetConfirm); err != nil {
		t.Fatal(err)
	}
	s.eventually("forget to finish", func() bool {
		return strings.Contains(s.message(user, confirm.TS).Text, "All your data is deleted")
	})
	if got := s.dbTraces(noteWord, second.PromptID); len(got) > 0 {
		t.Errorf("after forget, the experiment is still stored: %v", got)
	}
	if exs := s.experiments(user); len(exs) != 0 {
		t.Errorf("after forget: %+v, want none", exs)
	}
}

// blocksOf is a message's blocks, each as raw JSON.
func blocksOf(t testing.TB, m slackemu.Message) []json.RawMessage {
	t.Helper()
	var bs []json.RawMessage
	if err := json.Unmarshal(m.Blocks, &bs); err != nil {
		t.Fatal(err)
	}
	return bs
}

// TestE2EPastSummaryOffersNoCommitment asks for a summary of a month long gone: it still says
// what it suggested and why (the summary's one suggestion), but offers no commitment to a month
// that is already over.
func TestE2EPastSummaryOffersNoCommitment(t *testing.T) {
	const user = "UEXPPAST"
	s := newSim(t, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), slackemu.User{ID: user, Name: "ada", TZ: "UTC"})
	s.command(user, "start")
	for _, day := range []int{2, 9, 16, 23, 30} {
		d, p := s.weekly(user, time.Date(2026, 3, day, 9, 0, 30, 0, time.UTC))
		s.answerAny(user, d, p)
	}
	s.clock.Set(time.Date(2026, 5, 12, 12, 0, 0, 0, time.UTC))
	s.command(user, "summary 2026-03")
	s.settle()
	var march slackemu.Message
	for _, m := range s.botDMs(user) {
		if strings.HasPrefix(m.Text, "March 2026") {
			march = m
		}
	}
	b := string(march.Blocks)
	if !strings.Contains(b, "The experiment it suggested for April 2026") || !strings.Contains(b, "Why this one:") {
		t.Errorf("March's summary asked for in May: %s\nwant the experiment it suggested, and why", b)
	}
	if strings.Contains(b, actionExperimentTry) {
		t.Errorf("March's summary asked for in May offers to commit to April: %s", b)
	}
	if strings.Contains(march.Text, "\nSuggestion\n") {
		t.Errorf("March's summary %q has its own Suggestion beside the experiment", march.Text)
	}
}
