package slackemu

import (
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func assessModal() slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		Title:      slack.NewTextBlockObject("plain_text", "Assessment", false, false),
		Submit:     slack.NewTextBlockObject("plain_text", "Send", false, false),
		CallbackID: "assess",
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("vision", slack.NewTextBlockObject("plain_text", "Vision or plan?", false, false), nil,
				slack.NewRadioButtonsBlockElement("pick",
					slack.NewOptionBlockObject("lead", slack.NewTextBlockObject("plain_text", "Vision", false, false), nil),
					slack.NewOptionBlockObject("manage", slack.NewTextBlockObject("plain_text", "Plan", false, false), nil))),
			optional(slack.NewInputBlock("note", slack.NewTextBlockObject("plain_text", "Anything else?", false, false), nil,
				slack.NewPlainTextInputBlockElement(nil, "text"))),
			slack.NewActionBlock("more", slack.NewButtonBlockElement("explain", "x", slack.NewTextBlockObject("plain_text", "Explain", false, false))),
		}},
	}
}

func optional(b *slack.InputBlock) *slack.InputBlock {
	b.Optional = true
	return b
}

func TestViewsOpenTriggers(t *testing.T) {
	clock := newFakeClock()
	s := newEmu(t, WithClock(clock.Now))
	api := apiClient(s)
	fresh := s.SlashCommand("UALICE", "", "assess")
	if _, err := api.OpenView(fresh, assessModal()); err != nil {
		t.Fatalf("open with a fresh trigger: %v", err)
	}
	stale := s.SlashCommand("UALICE", "", "assess")
	clock.Advance(3*time.Second + time.Millisecond)
	tests := []struct {
		name    string
		trigger string
		wantErr string
	}{
		{name: "reused", trigger: fresh, wantErr: "exchanged_trigger_id"},
		{name: "older than 3s", trigger: stale, wantErr: "expired_trigger_id"},
		{name: "unknown", trigger: "1.2.nope", wantErr: "invalid_trigger_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := api.OpenView(tc.trigger, assessModal())
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("got %v, want %s", err, tc.wantErr)
			}
		})
	}
}

func TestModalSubmission(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)
	s.SlashCommand("UALICE", "", "assess")
	cmd := a.nextAcked(t).Data.(slack.SlashCommand)
	resp, err := a.api.OpenView(cmd.TriggerID, assessModal())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	viewID := resp.View.ID
	if views := s.Views("UALICE"); len(views) != 1 || views[0].ID != viewID || views[0].Title != "Assessment" {
		t.Fatalf("got views %+v, want the assessment open", views)
	}
	// The modal's buttons: its submit text, and no close text since the app sent none.
	if v := s.Views("UALICE")[0]; v.Submit != "Send" || v.Close != "" {
		t.Errorf("got submit %q and close %q, want %q and none", v.Submit, v.Close, "Send")
	}

	if err := s.ClickInView("UALICE", viewID, "explain"); err != nil {
		t.Fatalf("click in view: %v", err)
	}
	cb := a.nextAcked(t).Data.(slack.InteractionCallback)
	if cb.Container.Type != "view" || cb.View.ID != viewID || cb.ActionCallback.BlockActions[0].ActionID != "explain" {
		t.Errorf("got %+v, want block_actions from the modal", cb)
	}

	type result struct {
		payload map[string]any
		err     error
	}
	submit := func(values map[string]map[string]string) <-chan result {
		ch := make(chan result, 1)
		go func() {
			p, err := s.SubmitView("UALICE", viewID, values)
			ch <- result{p, err}
		}()
		return ch
	}

	if _, err := s.SubmitView("UALICE", viewID, map[string]map[string]string{"note": {"text": "hi"}}); err == nil {
		t.Errorf("got a submit with the required radio empty accepted, want it refused")
	}
	if _, err := s.SubmitView("UALICE", viewID, map[string]map[string]string{"vision": {"pick": "maybe"}}); err == nil {
		t.Errorf("got a submit with an option the radio lacks accepted, want it refused")
	}

	done := submit(map[string]map[string]string{"vision": {"pick": "lead"}, "note": {"text": "busy week"}})
	ev := a.next(t)
	cb = ev.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeViewSubmission || cb.View.CallbackID != "assess" ||
		cb.View.State.Values["vision"]["pick"].SelectedOption.Value != "lead" ||
		cb.View.State.Values["note"]["text"].Value != "busy week" {
		t.Fatalf("got %+v, want a view_submission with the filled values", cb)
	}
	if err := a.sm.Ack(*ev.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"note": "Too short"})); err != nil {
		t.Fatalf("ack: %v", err)
	}
	r := <-done
	if r.err != nil || r.payload["response_action"] != "errors" {
		t.Fatalf("got %v, %v, want the errors response back", r.payload, r.err)
	}
	if views := s.Views("UALICE"); len(views) != 1 || views[0].Errors["note"] != "Too short" {
		t.Fatalf("got %+v, want the modal open with the field error", views)
	}

	done = submit(map[string]map[string]string{"vision": {"pick": "manage"}})
	_ = a.nextAcked(t)
	if r := <-done; r.err != nil {
		t.Fatalf("second submit: %v", r.err)
	}
	if views := s.Views("UALICE"); len(views) != 0 {
		t.Errorf("got %d open views, want the modal closed by an empty ack", len(views))
	}
}

func TestHomeTab(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Leaning *leadership*", false, false), nil, nil),
		slack.NewActionBlock("home_actions", slack.NewButtonBlockElement("pause", "p", slack.NewTextBlockObject("plain_text", "Pause", false, false))),
	}}}
	if _, err := a.api.PublishView("UBOB", home, ""); err != nil {
		t.Fatalf("publish: %v", err)
	}
	v := s.Home("UBOB")
	if v == nil || v.Type != "home" {
		t.Fatalf("got %+v, want a published home", v)
	}
	if _, err := a.api.PublishView("UBOB", home, "stale-hash"); err == nil || err.Error() != "hash_conflict" {
		t.Errorf("got %v, want hash_conflict", err)
	}
	if err := s.ClickInView("UBOB", v.ID, "pause"); err != nil {
		t.Fatalf("click: %v", err)
	}
	cb := a.nextAcked(t).Data.(slack.InteractionCallback)
	if cb.View.Type != slack.VTHomeTab || cb.ActionCallback.BlockActions[0].Value != "p" {
		t.Errorf("got %+v, want the pause click from the Home tab", cb)
	}
}

func TestCloseViewNotifies(t *testing.T) {
	s := newEmu(t)
	a := startApp(t, s)
	m := assessModal()
	m.NotifyOnClose = true
	resp, err := a.api.OpenView(s.SlashCommand("UBOB", "", ""), m)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	_ = a.nextAcked(t) // the slash command itself
	if err := s.CloseView("UBOB", resp.View.ID); err != nil {
		t.Fatalf("close: %v", err)
	}
	cb := a.nextAcked(t).Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeViewClosed || cb.View.ID != resp.View.ID {
		t.Errorf("got %+v, want view_closed for %s", cb, resp.View.ID)
	}
	if _, err := a.api.UpdateView(assessModal(), "", "", resp.View.ID); err == nil || err.Error() != "not_found" {
		t.Errorf("got %v updating a closed view, want not_found", err)
	}
}
