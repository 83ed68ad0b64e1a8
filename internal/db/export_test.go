package db

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustExport(t *testing.T, s *Store, userID string) Export {
	t.Helper()
	ex, err := s.Export(context.Background(), userID)
	if err != nil {
		t.Fatalf("Export(%s): %v", userID, err)
	}
	return ex
}

func TestExport(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		s, clock, _ := e.newStore(t)
		ua := fillPerson(t, s, "UA", "mentorzork")
		fillPerson(t, s, "UB", "visionquux")
		clock.Advance(time.Hour)

		ex := mustExport(t, s, "UA")
		if ex.Format != "reflect-export" || ex.Version != 1 || !ex.ExportedAt.Equal(clock.Now()) {
			t.Errorf("header = %q, %d, %s; want reflect-export, 1, %s", ex.Format, ex.Version, ex.ExportedAt, clock.Now())
		}
		p := ex.Person
		if p.UserID != "UA" || p.TeamID != "T1" || p.TZ != "Europe/Paris" || p.DMChannelID == nil || *p.DMChannelID != ua.dm ||
			p.NextDueAt == nil || !p.NextDueAt.Equal(t0.Add(7*24*time.Hour)) {
			t.Errorf("person = %+v, want UA in Europe/Paris with DM %s, due a week after t0", p, ua.dm)
		}
		var sources []string
		for _, e := range ex.Enrolments {
			sources = append(sources, e.Source)
		}
		if want := []string{"channel:C-ua", "self"}; !reflect.DeepEqual(sources, want) {
			t.Errorf("enrolments = %v, want %v", sources, want)
		}
		if len(ex.ChannelsLed) != 1 || ex.ChannelsLed[0].ChannelID != ua.channel {
			t.Errorf("channels led = %+v, want %s", ex.ChannelsLed, ua.channel)
		}
		if len(ex.Deliveries) != 2 || ex.Deliveries[0].ID != ua.deliveries[0] || ex.Deliveries[0].State != "answered" ||
			ex.Deliveries[0].WellbeingPromptID == nil || ex.Deliveries[0].TS == nil {
			t.Errorf("deliveries = %+v, want the two, the first answered with its wellbeing check and ts", ex.Deliveries)
		}
		if len(ex.Answers) != 3 {
			t.Fatalf("answers = %+v, want 3", ex.Answers)
		}
		typed := ex.Answers[2]
		if typed.Text == nil || *typed.Text != "I mentorzork the team" || !strings.Contains(typed.Explanation, "mentorzork") ||
			typed.Source != "dm" || typed.MessageTS == nil || typed.OptionIndex != nil {
			t.Errorf("typed answer = %+v, want its text, explanation, source and message ts", typed)
		}
		if opt := ex.Answers[0]; opt.OptionIndex == nil || *opt.OptionIndex != 3 || opt.Text != nil || opt.DeliveryID == nil {
			t.Errorf("option answer = %+v, want option 3, no text, its delivery", opt)
		}
		if len(ex.Assessments) != 1 || ex.Assessments[0].ID != ua.assessment || ex.Assessments[0].Label != "leadership" ||
			len(ex.Assessments[0].Items) != 2 || ex.Assessments[0].Items[0].PromptID != "assess-direction" {
			t.Errorf("assessments = %+v, want one with its two items", ex.Assessments)
		}
		if len(ex.SummariesSent) != 1 || ex.SummariesSent[0].Period != "2025-02" {
			t.Errorf("summaries sent = %+v, want 2025-02", ex.SummariesSent)
		}
		// Two posts for the two deliveries (the first asks its wellbeing check in the same message)
		// plus the three queued by fillPerson: the reply addressed only to the DM channel is the
		// person's too.
		kinds := map[Kind]int{}
		for _, o := range ex.Outbox {
			kinds[Kind(o.Kind)]++
		}
		if want := map[Kind]int{KindPrompt: 2, "message": 2, KindSummary: 1}; !reflect.DeepEqual(kinds, want) {
			t.Errorf("outbox kinds = %v, want %v", kinds, want)
		}

		b, err := json.Marshal(ex)
		if err != nil {
			t.Fatal(err)
		}
		for _, absent := range []string{"UB", "visionquux", "DUB", "payload", "Thanks, recorded"} {
			if bytes.Contains(b, []byte(absent)) {
				t.Errorf("export of UA contains %q", absent)
			}
		}
	})
}

func TestExportEdges(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		if _, err := s.Export(ctx, "UNOBODY"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Export(unknown) error = %v, want ErrNotFound", err)
		}
		// Someone known but with nothing else: every list is [] rather than null.
		addPerson(t, s, "UNEW")
		b, err := json.Marshal(mustExport(t, s, "UNEW"))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"enrolments", "channels_led", "deliveries", "answers", "assessments", "summaries_sent", "experiments", "outbox"} {
			if got := string(doc[key]); got != "[]" {
				t.Errorf("%s = %s, want []", key, got)
			}
		}
	})
}

// exportedTables says where each table that holds rows about a person appears in the export, and
// which of its columns are left out on purpose. TestExportCoversSchema fails when a migration adds
// a table or a column that the export (and Forget) have not been taught about.
var exportedTables = map[string]struct {
	section string   // JSON path of the list, "person" for the one object
	omitted []string // columns not exported, and why in the comment
}{
	// A due claim is which replica plans the person's occurrence now: scheduling mechanics.
	"people":           {"person", []string{"due_claim", "due_claim_until"}},
	"enrolments":       {"enrolments", []string{"user_id"}},
	"channels":         {"channels_led", []string{"lead_user_id"}},
	"deliveries":       {"deliveries", []string{"user_id"}},
	"answers":          {"answers", []string{"user_id"}},
	"assessments":      {"assessments", []string{"user_id"}},
	"assessment_items": {"assessments.items", []string{"assessment_id"}},
	"summaries_sent":   {"summaries_sent", []string{"user_id"}},
	// The weekly prompt an outcome was given in is where it was said, not what.
	"experiments": {"experiments", []string{"user_id", "outcome_delivery"}},
	// Mirror marks say a member was asked a month and which questions they answered (counted in
	// questions_answered and skipped), never what; the counts of a lead's months (respondents)
	// show in their summary once enough answered, never in an export, where a month too few
	// answered would let a lead guess who said what.
	"mirror_marks":    {"mirror.months", []string{"user_id", "item_id"}},
	"mirror_stops":    {"mirror", []string{"user_id"}},
	"mirror_channels": {"mirror.channels_on", []string{"lead_user_id"}},
	"mirror_months":   {"mirror.led_months", []string{"lead_user_id", "respondents"}},
	// Payloads are rendered messages (their content is in the rest of the export); the channel,
	// ts, lease (which process held it, under which claim), first due time, an upload's file id,
	// the post it follows, its lane in the claim's order and errors are delivery mechanics.
	"outbox": {"outbox", []string{"user_id", "channel_id", "delivery_id", "payload", "attempts", "lease_until", "lease_owner", "claim_token", "due_at", "ts", "file_id", "follows_id", "lane", "last_error"}},
}

func TestExportCoversSchema(t *testing.T) {
	s, _, _ := newStore(t)
	fillPerson(t, s, "UA", "mentorzork")
	b, err := json.Marshal(mustExport(t, s, "UA"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	// keysAt returns the keys of the first object at a dotted path of lists.
	keysAt := func(path string) map[string]bool {
		var cur any = doc
		for _, part := range strings.Split(path, ".") {
			if list, ok := cur.([]any); ok {
				if len(list) == 0 {
					t.Fatalf("%s: empty list in the fixture", path)
				}
				cur = list[0]
			}
			cur = cur.(map[string]any)[part]
		}
		if list, ok := cur.([]any); ok {
			if len(list) == 0 {
				t.Fatalf("%s: empty list in the fixture", path)
			}
			cur = list[0]
		}
		keys := map[string]bool{}
		for k := range cur.(map[string]any) {
			keys[k] = true
		}
		return keys
	}
	for _, table := range userTables(t, s) {
		fks, err := s.read.Query(`SELECT "table" FROM pragma_foreign_key_list(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		personal := table == "people"
		for fks.Next() {
			var parent string
			if err := fks.Scan(&parent); err != nil {
				t.Fatal(err)
			}
			personal = personal || parent == "people" || parent == "assessments"
		}
		fks.Close()
		spec, known := exportedTables[table]
		if !personal {
			continue
		}
		if !known {
			t.Errorf("table %s refers to a person but is not in the export: teach Export and Forget about it", table)
			continue
		}
		keys := keysAt(spec.section)
		for _, col := range columns(t, s, table) {
			if !keys[col] && !contains(spec.omitted, col) {
				t.Errorf("%s.%s is not in the export's %s: add it, or list it as omitted with a reason", table, col, spec.section)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestQueueExport(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		ctx := context.Background()
		s, _, _ := e.newStore(t)
		if _, err := s.QueueExport(ctx, "UNOBODY"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("QueueExport(unknown) error = %v, want ErrNotFound", err)
		}
		startPerson(t, s, "UA", "DUA", t0.Add(time.Hour))
		steps := []struct {
			name   string
			before func()
			want   bool
		}{
			{name: "first", want: true},
			{name: "while one waits", want: false},
			{name: "while one is being sent", before: func() {
				if _, err := s.ClaimOutbox(ctx, time.Minute, 10); err != nil {
					t.Fatal(err)
				}
			}, want: false},
			{name: "after it was sent", before: func() { sendAll(t, s); completeSending(t, s) }, want: true},
		}
		for _, st := range steps {
			if st.before != nil {
				st.before()
			}
			got, err := s.QueueExport(ctx, "UA")
			if err != nil || got != st.want {
				t.Errorf("%s: QueueExport = %v, %v; want %v, nil", st.name, got, err, st.want)
			}
		}
		var exports int
		for _, r := range outboxOf(t, s, "UA") {
			if r.Kind != KindExport {
				continue
			}
			exports++
			if r.Payload != "{}" || r.ChannelID != "DUA" {
				t.Errorf("export item payload %s, channel %q; want {} and DUA", r.Payload, r.ChannelID)
			}
		}
		if exports != 2 {
			t.Errorf("export items = %d, want 2", exports)
		}
	})
}
