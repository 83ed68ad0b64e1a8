package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
)

// The wellbeing check's action ids and the block id prefix of its half of the prompt's message.
const (
	actionCheck       = "check"
	actionCheckChange = "check_change"
	checkBlocks       = "check_"
)

// buttons are the option buttons of a message by block id: each button's action id and value.
func buttons(t testing.TB, m slackemu.Message) map[string][]slackapp.ActionValue {
	t.Helper()
	var blocks []struct {
		BlockID  string `json:"block_id"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	out := map[string][]slackapp.ActionValue{}
	for _, b := range blocks {
		for _, e := range b.Elements {
			v, err := slackapp.ParseActionValue(e.Value)
			if err != nil {
				t.Fatal(err)
			}
			if !v.HasOption {
				continue
			}
			action, _, _ := strings.Cut(e.ActionID, ":")
			v.Arg = action // the action, kept alongside the value for the test
			out[b.BlockID] = append(out[b.BlockID], v)
		}
	}
	return out
}

// half is one question's state in a delivery's message.
type half struct {
	open    bool // its option (or Answer) buttons are there to answer it
	chosen  int  // the option marked chosen, -1 if none
	changes bool // its options are there as change buttons
}

// halves reads the prompt's and the check's halves of a delivery's message.
func halves(t testing.TB, m slackemu.Message, d db.Delivery, p, check prompts.Prompt) (prompt, wellbeing half) {
	t.Helper()
	read := func(prefix string, q prompts.Prompt, answer, change string) half {
		h := half{chosen: -1}
		bs := buttons(t, m)
		for id, vs := range bs {
			if !strings.HasPrefix(id, prefix) || (prefix == "" && strings.HasPrefix(id, checkBlocks)) {
				continue
			}
			for _, v := range vs {
				if v.DeliveryID != d.ID || v.PromptID != q.ID {
					t.Fatalf("block %s: button for delivery %d prompt %s, want %d %s: %s", id, v.DeliveryID, v.PromptID, d.ID, q.ID, m.Blocks)
				}
				switch v.Arg {
				case answer:
					h.open = true
				case change:
					h.changes = true
				default:
					t.Fatalf("block %s: a %s button, want %s or %s", id, v.Arg, answer, change)
				}
			}
		}
		if prefix == "" && q.Kind == prompts.Text {
			h.open = strings.Contains(string(m.Blocks), `"action_id":"`+actionAnswerText+`"`)
		}
		for i, o := range q.Options {
			if strings.Contains(string(m.Blocks), `"action_id":"`+change+`:`+itoa(i)+`"`) &&
				strings.Contains(string(m.Blocks), `"text":"✓ `+jsonText(o.Label)+`"`) {
				h.chosen = i
			}
		}
		return h
	}
	return read("", p, actionAnswer, actionChange), read(checkBlocks, check, actionCheck, actionCheckChange)
}

// TestE2EOnePostPerOccurrence: a scheduled occurrence is one chat.postMessage per person, the
// prompt with its wellbeing check in the same message; the check never goes alone, and each
// button names the question it answers.
func TestE2EOnePostPerOccurrence(t *testing.T) {
	users := []slackemu.User{
		{ID: "UA", Name: "ada", TZ: "UTC"}, {ID: "UB", Name: "bo", TZ: "UTC"},
		{ID: "UC", Name: "cy", TZ: "UTC"}, {ID: "UD", Name: "di", TZ: "UTC"},
	}
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), users...)
	for _, u := range users {
		s.command(u.ID, "start")
	}
	s.settle()
	for week := range 3 {
		before := map[string]int{}
		for _, u := range users {
			before[u.ID] = len(s.botDMs(u.ID))
		}
		calls := s.emu.Calls("chat.postMessage")
		s.clock.Set(time.Date(2026, 3, 9+7*week, 9, 0, 30, 0, time.UTC))
		if n := s.tick(); n != len(users) {
			t.Fatalf("week %d: %d people due, want %d", week, n, len(users))
		}
		if got := s.emu.Calls("chat.postMessage") - calls; got != len(users) {
			t.Errorf("week %d: got %d chat.postMessage calls for %d people, want one per person", week, got, len(users))
		}
		for _, u := range users {
			dms := s.botDMs(u.ID)
			if got := len(dms) - before[u.ID]; got != 1 {
				t.Fatalf("week %d: %s got %d posts, want 1: the prompt with its check", week, u.ID, got)
			}
			d, p := s.openDelivery(u.ID)
			check, ok := s.cat.Prompt(d.WellbeingPromptID)
			if !ok || d.WellbeingPromptID == "" {
				t.Fatalf("week %d: %s's delivery has no wellbeing check (%q)", week, u.ID, d.WellbeingPromptID)
			}
			m := dms[len(dms)-1]
			if m.TS != d.TS {
				t.Fatalf("week %d: %s's one post %s is not the delivery's message %s", week, u.ID, m.TS, d.TS)
			}
			pr, wb := halves(t, m, d, p, check)
			if !pr.open || !wb.open || pr.chosen >= 0 || wb.chosen >= 0 {
				t.Errorf("week %d: %s's message: prompt %+v, check %+v; want both open: %s", week, u.ID, pr, wb, m.Blocks)
			}
			// The check's buttons are in the person's order, as the prompt's are.
			var got []int
			for _, v := range buttons(t, m)[checkBlocks+"prompt_answers"] {
				got = append(got, v.Option)
			}
			if want := s.cat.OptionOrder(u.ID, check); !equalInts(got, want) {
				t.Errorf("week %d: %s's check shows options %v, want the person's order %v", week, u.ID, got, want)
			}
			// No post carries the check alone.
			for _, m := range dms {
				if strings.Contains(string(m.Blocks), `"block_id":"`+checkBlocks) && !strings.Contains(string(m.Blocks), `"block_id":"prompt_question`) {
					t.Errorf("week %d: %s: a post with the check and no prompt: %s", week, u.ID, m.Blocks)
				}
			}
		}
		// Everyone answers the check only, so the prompts keep coming.
		for _, u := range users {
			d, _ := s.openDelivery(u.ID)
			check, _ := s.cat.Prompt(d.WellbeingPromptID)
			n := len(s.answers(u.ID))
			if err := s.emu.Click(u.ID, d.ChannelID, d.TS, actionCheck+":"+itoa(s.cat.OptionOrder(u.ID, check)[0])); err != nil {
				t.Fatal(err)
			}
			s.eventually("the check's answer", func() bool { return len(s.answers(u.ID)) == n+1 })
		}
		s.settle()
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestE2EAnswerBothHalves: the prompt and its check are answered in the one message, in either
// order, each shown answered in place while the other stays as it was; a tapped check's answer is
// changed the way a tapped prompt's is; a typed DM answers the prompt, not the check.
func TestE2EAnswerBothHalves(t *testing.T) {
	for _, tt := range []struct {
		name       string
		checkFirst bool
	}{{"check first, then the prompt", true}, {"prompt first, then the check", false}} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
			s.command("UA", "start")
			s.clock.Set(time.Date(2026, 3, 9, 9, 0, 30, 0, time.UTC))
			s.tick()
			d, p := s.openDelivery("UA")
			check, ok := s.cat.Prompt(d.WellbeingPromptID)
			if !ok {
				t.Fatalf("no wellbeing check on %+v", d)
			}
			checkOrder := s.cat.OptionOrder("UA", check)
			first, second := checkOrder[0], checkOrder[len(checkOrder)-1]
			calls := s.emu.Calls("chat.postMessage")
			answerIs := func(prompt string, option int) func() bool {
				return func() bool {
					for _, a := range s.answers("UA") {
						if a.PromptID == prompt && a.DeliveryID == d.ID {
							return option < 0 || (a.OptionIndex != nil && *a.OptionIndex == option)
						}
					}
					return false
				}
			}
			shows := func(what string, cond func(pr, wb half) bool) {
				t.Helper()
				var pr, wb half
				s.eventually(what, func() bool {
					pr, wb = halves(t, s.message("UA", d.TS), d, p, check)
					return cond(pr, wb)
				})
			}
			promptAnswered := func(pr half) bool { return !pr.open && strings.Contains(s.message("UA", d.TS).Text, "Recorded.") }
			answerCheck := func(action string, option int) {
				t.Helper()
				if err := s.emu.Click("UA", d.ChannelID, d.TS, action+":"+itoa(option)); err != nil {
					t.Fatal(err)
				}
				s.eventually("the check's answer", answerIs(check.ID, option))
			}
			answerPrompt := func() {
				t.Helper()
				if p.Kind == prompts.Text {
					s.emu.SendDM("UA", "I coached the team on our long-term vision")
				} else if err := s.emu.Click("UA", d.ChannelID, d.TS, actionAnswer+":"+itoa(s.cat.OptionOrder("UA", p)[0])); err != nil {
					t.Fatal(err)
				}
				s.eventually("the prompt's answer", answerIs(p.ID, -1))
			}

			if tt.checkFirst {
				answerCheck(actionCheck, first)
				shows("the check answered, the prompt still open", func(pr, wb half) bool {
					return wb.chosen == first && wb.changes && !wb.open && pr.open && pr.chosen < 0
				})
				if got, err := s.store.Delivery(context.Background(), "UA", d.ID); err != nil || got.State != db.DeliverySent {
					t.Errorf("after the check the delivery is %s (%v), want still sent: the prompt is open", got.State, err)
				}
				answerPrompt()
				shows("both answered", func(pr, wb half) bool {
					return promptAnswered(pr) && wb.chosen == first && wb.changes && !wb.open
				})
			} else {
				answerPrompt()
				shows("the prompt answered, the check still open", func(pr, wb half) bool {
					return promptAnswered(pr) && wb.open && wb.chosen < 0
				})
				answerCheck(actionCheck, first)
				shows("both answered", func(pr, wb half) bool {
					return promptAnswered(pr) && wb.chosen == first && wb.changes && !wb.open
				})
			}
			m := s.message("UA", d.TS)
			if got := readAsPhrases(m); !contains(got, "read as wellbeing") || len(got) > 2 {
				t.Errorf("got phrases %v in %s, want the check's reading and the prompt's", got, m.Text)
			}

			// Change the check's answer: replaced, not added; the prompt's answer stays shown.
			n := len(s.answers("UA"))
			answerCheck(actionCheckChange, second)
			shows("the check's new answer, the prompt's kept", func(pr, wb half) bool {
				return promptAnswered(pr) && wb.chosen == second
			})
			if got := len(s.answers("UA")); got != n {
				t.Errorf("got %d answers after changing the check, want %d", got, n)
			}
			if strings.Contains(string(s.message("UA", d.TS).Blocks), "✓ "+jsonText(check.Options[first].Label)) && first != second {
				t.Error("the first option of the check is still marked after choosing another")
			}
			if got, err := s.store.Delivery(context.Background(), "UA", d.ID); err != nil || got.State != db.DeliveryAnswered {
				t.Errorf("the delivery is %s (%v), want answered", got.State, err)
			}
			// Answers are shown in place: no new post for any of it (a typed answer's thanks is a
			// reply in the DM, not an outbox post of the delivery).
			if p.Kind != prompts.Text {
				if got := s.emu.Calls("chat.postMessage") - calls; got != 0 {
					t.Errorf("got %d chat.postMessage calls while answering, want none: answers update the message", got)
				}
			}
		})
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestE2ETypedAnswerGoesToThePrompt: a typed DM answers the week's prompt even when its check is
// still open, and the check stays answerable in the message.
func TestE2ETypedAnswerGoesToThePrompt(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	s.clock.Set(time.Date(2026, 3, 9, 9, 0, 30, 0, time.UTC))
	s.tick()
	d, p := s.openDelivery("UA")
	check, _ := s.cat.Prompt(d.WellbeingPromptID)
	ts := s.emu.SendDM("UA", "I coached the team on our long-term vision")
	s.eventually("the typed answer", func() bool { return len(s.answers("UA")) == 1 })
	if a := s.answers("UA")[0]; a.PromptID != p.ID || a.Source != "dm" {
		t.Fatalf("got answer to %s from %s, want the prompt %s from the DM", a.PromptID, a.Source, p.ID)
	}
	s.eventually("the prompt answered, the check open", func() bool {
		m := s.message("UA", d.TS)
		pr, wb := halves(t, m, d, p, check)
		return !pr.open && strings.Contains(m.Text, "Recorded.") && strings.Contains(string(m.Blocks), "Edit or delete your reply") && wb.open
	})
	// The check answered, then the typed answer deleted: the prompt opens again, the check stays
	// answered.
	option := s.cat.OptionOrder("UA", check)[0]
	if err := s.emu.Click("UA", d.ChannelID, d.TS, actionCheck+":"+itoa(option)); err != nil {
		t.Fatal(err)
	}
	s.eventually("the check's answer", func() bool { return len(s.answers("UA")) == 2 })
	s.settle()
	s.emu.DeleteDM("UA", ts)
	s.eventually("the typed answer deleted", func() bool { return len(s.answers("UA")) == 1 })
	var pr, wb half
	s.eventually("the prompt open again, the check still answered", func() bool {
		pr, wb = halves(t, s.message("UA", d.TS), d, p, check)
		return pr.open && wb.chosen == option
	})
	if a := s.answers("UA")[0]; a.PromptID != check.ID {
		t.Errorf("the answer left is to %s, want the check %s", a.PromptID, check.ID)
	}
}

// TestE2EEarlierCheckPost: a wellbeing check an earlier version queued as a post of its own still
// goes out after its prompt, reads as before, and a tap on it records the check's answer and shows
// it on that message.
func TestE2EEarlierCheckPost(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	s.clock.Set(time.Date(2026, 3, 9, 9, 0, 30, 0, time.UTC))
	s.tick()
	d, _ := s.openDelivery("UA")
	check, _ := s.cat.Prompt(d.WellbeingPromptID)
	payload, _ := json.Marshal(db.DeliveryPayload{DeliveryID: d.ID, PromptID: check.ID})
	posts := len(s.botDMs("UA"))
	if _, err := s.store.Enqueue(context.Background(), db.OutboxMessage{UserID: "UA", ChannelID: d.ChannelID, Kind: db.KindWellbeing, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	s.app.Notify()
	s.settle()
	dms := s.botDMs("UA")
	if len(dms) != posts+1 {
		t.Fatalf("got %d posts, want the earlier version's check as one more", len(dms)-posts)
	}
	old := dms[len(dms)-1]
	if !strings.Contains(old.Text, "one-tap check") || !strings.Contains(string(old.Blocks), `"action_id":"`+actionAnswer+`:`) {
		t.Fatalf("the earlier check reads %q %s, want the check with its answer buttons", old.Text, old.Blocks)
	}
	option := s.cat.OptionOrder("UA", check)[0]
	if err := s.emu.Click("UA", old.Channel, old.TS, actionAnswer+":"+itoa(option)); err != nil {
		t.Fatal(err)
	}
	s.eventually("the check's answer", func() bool {
		as := s.answers("UA")
		return len(as) == 1 && as[0].PromptID == check.ID && as[0].OptionIndex != nil && *as[0].OptionIndex == option
	})
	s.eventually("the earlier check shown answered", func() bool {
		return strings.Contains(string(s.message("UA", old.TS).Blocks), "✓ "+jsonText(check.Options[option].Label))
	})
	if got, err := s.store.Delivery(context.Background(), "UA", d.ID); err != nil || got.State != db.DeliverySent {
		t.Errorf("the delivery is %s (%v), want sent: its prompt is still open", got.State, err)
	}
}

// TestE2EReplyGoesBeforeTheFanOut: a reply to what someone just did (here a DM asking for help)
// goes before the posts of a fan-out still queued, and the fan-out is still one post per person,
// each the prompt with its check.
func TestE2EReplyGoesBeforeTheFanOut(t *testing.T) {
	const people = 60
	users := []slackemu.User{{ID: "ULEAD", Name: "lead", TZ: "UTC"}}
	for i := range people {
		users = append(users, slackemu.User{ID: "U" + itoa(1000+i), Name: "p" + itoa(i), TZ: "UTC"})
	}
	s := newSim(t, time.Date(2026, 3, 9, 8, 59, 0, 0, time.UTC), users...)
	s.emu.SetMessageRate(20) // the fan-out takes about three seconds
	ctx := context.Background()
	due := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	for _, u := range users[1:] {
		if _, err := s.store.Start(ctx, db.Person{UserID: u.ID, TZ: "UTC"}, "self", due); err != nil {
			t.Fatal(err)
		}
	}
	s.clock.Set(due.Add(time.Second))
	if n, err := s.loop.Tick(ctx); err != nil || n != people {
		t.Fatalf("tick: %d people due, %v; want %d", n, err, people)
	}
	s.app.Notify()
	s.emu.SendDM("ULEAD", "help")
	prompted := func() int {
		n := 0
		for _, u := range users[1:] {
			if len(s.botDMs(u.ID)) > 0 {
				n++
			}
		}
		return n
	}
	s.eventually("the reply to the DM", func() bool { return len(s.botDMs("ULEAD")) > 0 })
	if n := prompted(); n >= people/2 {
		t.Errorf("the reply came after %d of %d people were prompted, want it before the fan-out's queued posts", n, people)
	}
	s.settle()
	for _, u := range users[1:] {
		dms := s.botDMs(u.ID)
		if len(dms) != 1 || !strings.Contains(string(dms[0].Blocks), `"block_id":"`+checkBlocks) {
			t.Fatalf("%s got %d posts, want one: the prompt with its check", u.ID, len(dms))
		}
	}
}
