package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/feature/privacy"
	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/slackapp"
	"github.com/reflect-bot/reflect/internal/slackemu"
	"github.com/reflect-bot/reflect/internal/testkit"
)

// answerText asks for prompts until a free-text one comes, answering the others with a tap, then
// types text as the answer in the DM.
func (s *sim) answerText(user, text string) db.Delivery {
	s.t.Helper()
	for range 30 {
		s.command(user, "prompt")
		s.settle()
		d, p := s.openDelivery(user)
		if p.Kind != prompts.Text {
			s.answerAny(user, d, p)
			continue
		}
		before := len(s.answers(user))
		s.emu.SendDM(user, text)
		s.eventually("the typed answer", func() bool { return len(s.answers(user)) > before })
		s.settle()
		return d
	}
	s.t.Fatalf("%s: no text prompt in 30 tries", user)
	return db.Delivery{}
}

// messageWith is the newest message in a person's DM holding an element with actionID.
func (s *sim) messageWith(user, actionID string) slackemu.Message {
	s.t.Helper()
	var found slackemu.Message
	s.eventually("a message with "+actionID, func() bool {
		dms := s.botDMs(user)
		for i := len(dms) - 1; i >= 0; i-- {
			if bytes.Contains(dms[i].Blocks, []byte(`"`+actionID+`"`)) {
				found = dms[i]
				return true
			}
		}
		return false
	})
	return found
}

// ephemeralTo waits for a private message to user in channel containing want.
func (s *sim) ephemeralTo(user, channel, want string) {
	s.t.Helper()
	s.eventually("a private note to "+user+" saying "+want, func() bool {
		for _, m := range s.emu.Messages(channel) {
			if m.Ephemeral && m.To == user && strings.Contains(m.Text, want) {
				return true
			}
		}
		return false
	})
}

// dbTraces reads every row of every table of the SQLite file, as listed by sqlite_master, and
// returns "table.column" for each value that contains one of needles.
// rawDB is a separate look at the sim's database, beside the store (whose drivers are
// registered): read-only on SQLite.
func (s *sim) rawDB() *sql.DB {
	s.t.Helper()
	driver, dsn := "sqlite", s.dbPath+"?_pragma=busy_timeout(5000)&_query_only=1"
	if strings.HasPrefix(s.dbPath, "postgres") {
		driver, dsn = "pgx", s.dbPath
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		s.t.Fatal(err)
	}
	return conn
}

func (s *sim) dbTraces(needles ...string) map[string][]string {
	s.t.Helper()
	conn := s.rawDB()
	defer conn.Close()
	list := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if strings.HasPrefix(s.dbPath, "postgres") {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	tables, err := conn.Query(list)
	if err != nil {
		s.t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			s.t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	if len(names) < 10 {
		s.t.Fatalf("found tables %v, want the whole schema", names)
	}
	found := map[string][]string{}
	for _, table := range names {
		rows, err := conn.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			s.t.Fatalf("dump %s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			s.t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				s.t.Fatal(err)
			}
			for i, v := range vals {
				var text string
				switch x := v.(type) {
				case []byte:
					text = string(x)
				case nil:
				default:
					text = fmt.Sprint(x)
				}
				for _, n := range needles {
					if strings.Contains(text, n) {
						found[n] = append(found[n], table+"."+cols[i])
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			s.t.Fatal(err)
		}
		rows.Close()
	}
	return found
}

// onDisk reports whether needle is in the database file or its write-ahead log, as bytes.
func (s *sim) onDisk(needle string) bool {
	s.t.Helper()
	for _, p := range []string{s.dbPath, s.dbPath + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			s.t.Fatal(err)
		}
		if bytes.Contains(b, []byte(needle)) {
			return true
		}
	}
	return false
}

func TestE2EExport(t *testing.T) {
	start := time.Date(2026, 3, 3, 23, 30, 0, 0, time.UTC) // already 4 March in Sydney
	s := newSim(t, start,
		slackemu.User{ID: "UEXPORTA", Name: "ada", TZ: "Australia/Sydney"},
		slackemu.User{ID: "UOTHERB", Name: "bo", TZ: "UTC"},
		slackemu.User{ID: "UNEWC", Name: "cy", TZ: "UTC"})

	// Someone Reflect has never stored anything about.
	if got := s.command("UNEWC", "export"); !strings.Contains(got, "nothing stored about you") {
		t.Errorf("export by a stranger: got %q, want a note that nothing is stored", got)
	}
	if got := s.command("UNEWC", "export now"); !strings.Contains(got, "export takes nothing after it") {
		t.Errorf("export with an argument: got %q, want a usage error", got)
	}

	for _, u := range []string{"UEXPORTA", "UOTHERB"} {
		s.command(u, "start")
	}
	s.answerText("UEXPORTA", "I set up mentorships across my team every week")
	s.answerText("UOTHERB", "I set the visionquux for next year")
	before := len(s.emu.Views("UEXPORTA"))
	posts := len(s.botDMs("UEXPORTA"))
	s.emu.SlashCommand("UEXPORTA", "C1", "assess")
	v := s.openModal("UEXPORTA", viewAssess, before)
	if _, err := s.emu.SubmitView("UEXPORTA", v.ID, testkit.AssessmentValues(s.cat, "leadership")); err != nil {
		t.Fatal(err)
	}
	s.eventually("the assessment result", func() bool { return len(s.botDMs("UEXPORTA")) > posts })

	if got := s.command("UEXPORTA", "export"); !strings.Contains(got, "Your data is on its way to your DMs") {
		t.Fatalf("got %q, want the export promised", got)
	}
	s.settle()

	var file slackemu.File
	for _, m := range s.botDMs("UEXPORTA") {
		for _, f := range m.Files {
			if strings.HasPrefix(f.Name, "reflect-export-") {
				file = f
			}
		}
	}
	if file.Name != "reflect-export-2026-03-04.json" {
		t.Fatalf("got file %q, want reflect-export-2026-03-04.json (the date in Sydney, nothing else)", file.Name)
	}
	data, ok := s.emu.File(file.ID)
	if !ok {
		t.Fatalf("file %s has no bytes", file.ID)
	}
	var ex db.Export
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if ex.Format != "reflect-export" || ex.Version != 1 || ex.ExportedAt.Before(start) {
		t.Errorf("got header %q %d %s, want reflect-export 1 and a time after %s", ex.Format, ex.Version, ex.ExportedAt, start)
	}
	if ex.Person.UserID != "UEXPORTA" || ex.Person.TZ != "Australia/Sydney" || ex.Person.NextDueAt == nil {
		t.Errorf("got person %+v, want UEXPORTA in Sydney, scheduled", ex.Person)
	}
	if len(ex.Enrolments) != 1 || ex.Enrolments[0].Source != "self" {
		t.Errorf("got enrolments %+v, want self", ex.Enrolments)
	}
	var typed *db.ExportAnswer
	for i, a := range ex.Answers {
		if a.Text != nil && *a.Text == "I set up mentorships across my team every week" {
			typed = &ex.Answers[i]
		}
		if a.Question == "" {
			t.Errorf("answer %d to %s has no question", a.ID, a.PromptID)
		}
	}
	if typed == nil || !strings.Contains(typed.Explanation, "mentorships") || typed.Source != "dm" {
		t.Errorf("got answers %+v, want the typed one with its explanation", ex.Answers)
	}
	if len(ex.Deliveries) != len(ex.Answers) {
		t.Errorf("got %d deliveries for %d answers, want one each", len(ex.Deliveries), len(ex.Answers))
	}
	if len(ex.Assessments) != 1 || ex.Assessments[0].Label != "leadership" || len(ex.Assessments[0].Items) != len(s.cat.Assessment) {
		t.Errorf("got assessments %+v, want one leadership assessment with %d items", ex.Assessments, len(s.cat.Assessment))
	} else if it := ex.Assessments[0].Items[0]; it.Question == "" || it.Choice == "" {
		t.Errorf("got item %+v, want its question and choice named", it)
	}
	kinds := map[db.Kind]bool{}
	for _, o := range ex.Outbox {
		kinds[db.Kind(o.Kind)] = true
	}
	for _, k := range []db.Kind{db.KindPrompt, db.KindMessage, db.KindExport} {
		if !kinds[k] {
			t.Errorf("got outbox kinds %v, want %s among them", kinds, k)
		}
	}
	for _, absent := range []string{"UOTHERB", "visionquux", `"payload"`, s.emu.BotToken()} {
		if bytes.Contains(data, []byte(absent)) {
			t.Errorf("the export contains %q", absent)
		}
	}
	// The queued export carried nothing of the person's: the file was built when it was sent.
	if got := s.dbTraces(`"format"`); len(got) > 0 {
		t.Errorf("export content stored in %v", got)
	}
	var payloads []string
	conn := s.rawDB()
	defer conn.Close()
	rows, err := conn.Query(`SELECT payload FROM outbox WHERE kind = 'export'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, p)
	}
	rows.Close()
	if len(payloads) != 1 || payloads[0] != "{}" {
		t.Errorf("got export payloads %q, want one {}", payloads)
	}
}

func TestE2EForget(t *testing.T) {
	const (
		gone, kept = "UFORGETME", "UKEEPME"
		goneText   = "I set up mentorships across my team every week"
		keptText   = "I set the visionquux for next year"
	)
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC),
		slackemu.User{ID: gone, Name: "ada", TZ: "Europe/London"},
		slackemu.User{ID: kept, Name: "bo", TZ: "Europe/London"},
		slackemu.User{ID: "UNEWC", Name: "cy", TZ: "UTC"})
	if got := s.command("UNEWC", "forget"); !strings.Contains(got, "nothing stored about you") {
		t.Errorf("forget by a stranger: got %q, want a note that nothing is stored", got)
	}
	for _, u := range []string{gone, kept} {
		s.command(u, "start")
	}
	s.answerText(gone, goneText)
	s.answerText(kept, keptText)
	before := len(s.emu.Views(gone))
	posts := len(s.botDMs(gone))
	s.emu.SlashCommand(gone, "C1", "assess")
	v := s.openModal(gone, viewAssess, before)
	if _, err := s.emu.SubmitView(gone, v.ID, testkit.AssessmentValues(s.cat, "management")); err != nil {
		t.Fatal(err)
	}
	s.eventually("the assessment result", func() bool { return len(s.botDMs(gone)) > posts })
	s.command(gone, "summary")
	s.command(gone, "export")
	s.settle()
	dm := s.emu.DMChannel(gone)
	keptAnswers := s.answers(kept)

	// Before: the check sees the person everywhere, including the confirmation of the typed answer,
	// queued by DM channel only and quoting the word that decided its reading.
	needles := []string{gone, dm, goneText, "mentorships"}
	seen := s.dbTraces(needles...)
	for _, n := range needles {
		if len(seen[n]) == 0 {
			t.Fatalf("before forget, %q is nowhere in the database: the check would prove nothing", n)
		}
	}
	if !strings.Contains(strings.Join(seen["mentorships"], " "), "outbox.payload") {
		t.Errorf("got %q in %v, want it in a reply's outbox payload too", "mentorships", seen["mentorships"])
	}

	if got := s.command(gone, "forget"); !strings.Contains(got, "sent you a message in our DM to confirm") {
		t.Fatalf("got %q, want a pointer to the confirmation", got)
	}
	confirm := s.messageWith(gone, actionForgetConfirm)
	if !strings.Contains(string(confirm.Blocks), `"confirm"`) || !strings.Contains(string(confirm.Blocks), `"danger"`) {
		t.Errorf("got blocks %s, want a danger button with a confirmation dialog", confirm.Blocks)
	}
	if len(s.answers(gone)) == 0 {
		t.Fatal("asking deleted data before the click")
	}
	if err := s.emu.Click(gone, confirm.Channel, confirm.TS, actionForgetConfirm); err != nil {
		t.Fatal(err)
	}
	s.eventually("the confirmation to say it is done", func() bool {
		return strings.Contains(s.message(gone, confirm.TS).Text, "All your data is deleted")
	})
	s.settle()

	if got := s.dbTraces(needles...); len(got) > 0 {
		t.Errorf("after forget, traces left: %v", got)
	}
	if s.onDisk("mentorships") {
		t.Error("after forget, the person's words are still in the database file or its log")
	}
	if got := s.dbTraces(kept, keptText); len(got[kept]) == 0 || len(got[keptText]) == 0 {
		t.Errorf("got %v, want the other person's data kept", got)
	}
	if got := s.answers(kept); len(got) != len(keptAnswers) {
		t.Errorf("got %d answers for %s, want %d", len(got), kept, len(keptAnswers))
	}
	// Nothing more is sent to them: the next Monday passes without a prompt.
	dms := len(s.botDMs(gone))
	s.clock.Set(time.Date(2026, 3, 9, 9, 5, 0, 0, time.UTC))
	s.tick()
	if got := len(s.botDMs(gone)); got != dms {
		t.Errorf("got %d new DMs after forget, want none", got-dms)
	}
	if ds := s.scheduled(kept); len(ds) != 1 {
		t.Errorf("got %d scheduled deliveries for %s, want 1", len(ds), kept)
	}
	testkit.AssertNotLogged(t, s.logs, goneText, "mentorships")

	// The Delete button is gone with the message it was on.
	if err := s.emu.Click(gone, confirm.Channel, confirm.TS, actionForgetConfirm); err == nil {
		t.Error("the Delete button is still on the message after it was done")
	}
}

func TestE2EForgetCancel(t *testing.T) {
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	s.command("UA", "forget")
	m := s.messageWith("UA", actionForgetCancel)
	if err := s.emu.Click("UA", m.Channel, m.TS, actionForgetCancel); err != nil {
		t.Fatal(err)
	}
	s.eventually("the cancellation", func() bool { return strings.Contains(s.message("UA", m.TS).Text, "Nothing was deleted") })
	if _, err := s.store.Person(context.Background(), "UA"); err != nil {
		t.Errorf("after cancel: %v, want the person kept", err)
	}
}

// TestE2EForgetForgedClick: a Delete button naming someone else, clicked by anyone, deletes
// nobody; only a person's own click deletes, and only their data.
func TestE2EForgetForgedClick(t *testing.T) {
	ctx := context.Background()
	s := newSim(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC),
		slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"},
		slackemu.User{ID: "UB", Name: "bo", TZ: "UTC"})
	for _, u := range []string{"UA", "UB"} {
		s.command(u, "start")
		s.command(u, "prompt")
		s.settle()
		d, p := s.openDelivery(u)
		s.answerAny(u, d, p)
	}
	intact := func(when string) {
		t.Helper()
		for _, u := range []string{"UA", "UB"} {
			if _, err := s.store.Person(ctx, u); err != nil {
				t.Fatalf("%s: %s: %v, want them kept", when, u, err)
			}
			if n := len(s.answers(u)); n != 1 {
				t.Fatalf("%s: %s has %d answers, want 1", when, u, n)
			}
		}
	}
	garbage := slackapp.Message{Text: "Delete everything?", Blocks: []slackapp.Block{slackapp.NewActionBlock("forged",
		slackapp.NewButtonBlockElement(actionForgetConfirm, "d=5", slackapp.PlainText("Delete everything")))}}

	tests := []struct {
		name    string
		clicker string
		button  func() slackemu.Message // the message whose Delete button is clicked
	}{
		{name: "a button in B's DM naming A", clicker: "UB", button: func() slackemu.Message {
			if err := s.app.SendDM(ctx, "UB", privacy.ForgetConfirmMessage("UA", "/reflect")); err != nil {
				t.Fatal(err)
			}
			s.settle()
			return s.messageWith("UB", actionForgetConfirm)
		}},
		{name: "A's own confirmation clicked by B", clicker: "UB", button: func() slackemu.Message {
			s.command("UA", "forget")
			s.settle()
			return s.messageWith("UA", actionForgetConfirm)
		}},
		{name: "a button with a value that is not a person", clicker: "UB", button: func() slackemu.Message {
			if err := s.app.SendDM(ctx, "UB", garbage); err != nil {
				t.Fatal(err)
			}
			s.settle()
			return s.messageWith("UB", actionForgetConfirm)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.button()
			if err := s.emu.Click(tt.clicker, m.Channel, m.TS, actionForgetConfirm); err != nil {
				t.Fatal(err)
			}
			s.ephemeralTo(tt.clicker, m.Channel, "wasn't made for you")
			intact(tt.name)
		})
	}

	// A's own click deletes A, and only A.
	m := s.messageWith("UA", actionForgetConfirm)
	if err := s.emu.Click("UA", m.Channel, m.TS, actionForgetConfirm); err != nil {
		t.Fatal(err)
	}
	s.eventually("A forgotten", func() bool {
		_, err := s.store.Person(ctx, "UA")
		return errors.Is(err, db.ErrNotFound)
	})
	if n := len(s.answers("UB")); n != 1 {
		t.Errorf("B has %d answers after A's forget, want 1", n)
	}
}

// TestE2ERetention runs the daily purge on the simulated clock: once a day at most, answers and
// assessments past RETENTION_MONTHS go, seen events after two hours, sent posts after a week.
func TestE2ERetention(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	s := newSim(t, t0, slackemu.User{ID: "UA", Name: "ada", TZ: "UTC"})
	s.command("UA", "start")
	s.emu.SendDM("UA", "hello there") // an event to remember
	s.command("UA", "prompt")
	s.settle()
	d, p := s.openDelivery("UA")
	s.answerAny("UA", d, p)
	lastRun := func() string {
		v, _, err := s.store.AppState(ctx, retentionKey)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	count := func(table string) int {
		st, err := s.store.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st[table]
	}
	backdate := func(text string, at time.Time) {
		id, err := s.store.CreateDelivery(ctx, "UA", db.NewDelivery{Occurrence: s.clock.Now(), Kind: db.DeliveryOnDemand, PromptID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.store.RecordAnswer(ctx, db.Answer{UserID: "UA", DeliveryID: id, PromptID: p.ID, Text: text,
			Weight: 0.5, Source: "modal", AnsweredAt: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.store.SaveAssessment(ctx, db.Assessment{UserID: "UA", TakenAt: at, Label: "balanced"}); err != nil {
			t.Fatal(err)
		}
		s.app.Notify() // the store queued the prompt behind the app's back
		s.settle()
	}

	// Day 0: the first run, which finds nothing old enough.
	s.tick()
	first := lastRun()
	if first == "" || count("answers") != 1 || count("seen_events") == 0 {
		t.Fatalf("after the first tick: last run %q, %d answers, %d events; want a run that kept the answer and the fresh event",
			first, count("answers"), count("seen_events"))
	}

	// An hour later: an answer and an assessment from 25 months ago appear; the job already ran today.
	s.clock.Set(t0.Add(time.Hour))
	backdate("ancientwords", t0.AddDate(0, -25, 0))
	s.tick()
	if lastRun() != first || count("answers") != 2 || count("assessments") != 1 {
		t.Fatalf("an hour later: last run %q (was %q), %d answers, %d assessments; want no second run the same day",
			lastRun(), first, count("answers"), count("assessments"))
	}

	// A day later: it runs again. The old answer and assessment go, the recent answer stays,
	// events are over two hours old.
	s.clock.Set(t0.Add(24*time.Hour + time.Minute))
	s.tick()
	if lastRun() == first {
		t.Fatal("a day later, the job did not run")
	}
	if count("answers") != 1 || count("assessments") != 0 || count("seen_events") != 0 {
		t.Errorf("a day later: %d answers, %d assessments, %d events; want 1, 0, 0", count("answers"), count("assessments"), count("seen_events"))
	}
	if !strings.Contains(s.logs.String(), "answers_and_assessments=2") {
		t.Errorf("got logs without the purge count:\n%s", s.logs.String())
	}
	testkit.AssertNotLogged(t, s.logs, "ancientwords")

	// Eight days on: posts sent in the first week are purged; none older than a week is left, and
	// a fresh one stays.
	s.clock.Set(t0.Add(8 * 24 * time.Hour))
	s.command("UA", "prompt")
	s.settle()
	s.tick()
	conn := s.rawDB()
	defer conn.Close()
	var old, all int
	if err := conn.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM outbox WHERE state IN ('sent', 'failed') AND created_at < %d`,
		s.clock.Now().Add(-7*24*time.Hour).UnixMilli())).Scan(&old); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&all); err != nil {
		t.Fatal(err)
	}
	if old != 0 || all == 0 {
		t.Errorf("eight days on: %d sent posts older than a week of %d, want 0 of at least 1", old, all)
	}

	// Two years on: the first answer, given on day 0, passes RETENTION_MONTHS and goes too.
	s.clock.Set(t0.AddDate(2, 0, 1))
	s.tick()
	if n := count("answers"); n != 0 {
		t.Errorf("two years on: %d answers, want 0", n)
	}
	if n := len(s.scheduled("UA")); n == 0 {
		t.Error("two years on: no scheduled deliveries, want them kept for the rotation")
	}
}
