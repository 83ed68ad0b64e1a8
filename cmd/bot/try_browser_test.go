package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserWait bounds each wait for the page; a step takes well under a second.
const browserWait = 20 * time.Second

// findChromium returns a Chromium or Chrome binary, or "" when there is none.
func findChromium() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestTryInBrowser drives the playground page of "bot try" in headless Chromium as a person
// would: answer a prompt with a click, travel to the next prompt (past the week that answer
// covered, which the page says), answer one by typing in the DM, take the assessment in its
// modal, ask for the export (a file to download, not a picture), travel to the end of the month
// (your prompts answered on your behalf, the others answering theirs) for the summary with its
// chart, and switch to the lead for the team summary. It checks the page's mrkdwn renderer on
// sample strings, and each step leaves a screenshot at desktop width and at phone width (390 px),
// where nothing may scroll sideways, in a temporary directory (logged). Without a browser it
// skips, except in CI (CI set), where that is a failure.
func TestTryInBrowser(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no chromium, chromium-browser or google-chrome found, and CI is set: .ci/run installs chromium")
		}
		t.Skip("no chromium, chromium-browser or google-chrome found: install chromium to run the browser test")
	}
	cleanEnv(t, nil)
	// A Wednesday, so the month has scheduled prompts left after the week the first answer
	// covers, and its end is a few steps away.
	page, stop := startTry(t, "-start", "2026-03-11T10:00:00Z")

	// REFLECT_SHOTS keeps the screenshots in a directory of your choice (a temporary one is
	// removed with the test).
	dir := t.TempDir()
	if d := os.Getenv("REFLECT_SHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dir = d
	}
	t.Logf("screenshots in %s", dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // as root in CI containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(desktopWidth, desktopHeight),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	// Uncaught exceptions and console errors of the page fail the test.
	console := chromedp.Console(ctx)
	var (
		consoleMu   sync.Mutex
		pageErrors  []string
		consoleDone = make(chan struct{})
	)
	go func() {
		defer close(consoleDone)
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				consoleMu.Lock()
				pageErrors = append(pageErrors, m.String()+" "+m.URL)
				consoleMu.Unlock()
			}
		}
	}()

	p := &browserPage{t: t, ctx: ctx, dir: dir}
	start := time.Now()
	p.do("open the page", chromedp.Navigate(page))

	// 1. The conversation opens with the reply to /reflect start.
	p.waitJS("the reply to /reflect start", `document.querySelector('#person').value === 'U_YOU' &&
		[...document.querySelectorAll('#messages .msg')].some((m) => m.textContent.includes("You're in"))`)
	p.shot("start")

	// The page renders Slack's mrkdwn as Slack shows it.
	for _, c := range mrkdwnCases {
		if got := p.eval(`mrkdwn(` + strconv.Quote(c.in) + `)`); got != c.want {
			t.Errorf("mrkdwn(%q)\n got %s\nwant %s", c.in, got, c.want)
		}
	}

	// 2. Ask for a prompt and answer it with a tap; the message changes in place.
	p.send("/reflect prompt")
	ts := p.openPrompt("a prompt with answer buttons")
	p.do("tap an answer", chromedp.Click(chromedp.CSS(`.msg[data-ts="`+ts+`"] button[data-action="answer:3"]`)))
	p.waitJS("the prompt updated in place", answeredJS(ts))
	p.shot("answered-by-tap")

	// 3. Travel to the next prompt: the answer given ahead covered this week, which the page says,
	// and time moves on to the week after, whose prompt arrives with its wellbeing check in the
	// same message. Tap the check: it shows answered in place while the prompt stays open. Tap an
	// answer to anything that came. Then ask for prompts until a text one comes (the rotation
	// starts with the tap ones), tapping the others, and answer it by typing in the DM; the week's
	// message ends with both its questions answered.
	p.timeTravel("next-prompt")
	p.waitJS("the note of the covered week", `!document.querySelector('#notes').hidden &&
		/this week's prompt was covered by your answer on \w{3} \d+ \w{3}/.test(document.querySelector('#notes').textContent)`)
	weekTS := p.eval(`(() => { const m = [...document.querySelectorAll('#messages .msg:not(.ephemeral)')].find((m) =>
		m.querySelector('button[data-action^="check:"]') && m.querySelector('button[data-action^="answer"]'));
		return m ? m.dataset.ts : ''; })()`)
	if weekTS == "" {
		p.fatal("Next prompt brought no prompt with its wellbeing check in one message after the covered week")
	}
	if n := p.eval(`String(document.querySelectorAll('#messages .msg:not(.ephemeral) button[data-action^="check:"]').length ===
		document.querySelectorAll('.msg[data-ts="` + weekTS + `"] button[data-action^="check:"]').length)`); n != "true" {
		p.fatal("a wellbeing check came in a message of its own")
	}
	p.shot("next-prompt-after-covered-week")
	p.do("tap the check", chromedp.Click(chromedp.CSS(`.msg[data-ts="`+weekTS+`"] button[data-action^="check:"]`)))
	p.waitJS("the check answered in place, the prompt still open", checkAnsweredJS(weekTS, true))
	p.shot("check-answered")
	for {
		ts := p.eval(`(() => { const b = document.querySelector('#messages .msg button[data-action^="answer:"]');
			return b ? b.closest('.msg').dataset.ts : ''; })()`)
		if ts == "" {
			break
		}
		p.do("tap an answer", chromedp.Click(chromedp.CSS(`.msg[data-ts="`+ts+`"] button[data-action^="answer:"]`)))
		p.waitJS("the prompt updated in place", answeredJS(ts))
	}
	textTS := ""
	// newest is the newest prompt still open: its ts and the action of its first answer button.
	newest := `(() => { const bs = [...document.querySelectorAll('#messages .msg:not(.ephemeral) button[data-action^="answer"]')];
		const b = bs.pop(); return b ? b.closest('.msg').dataset.ts + ' ' + b.closest('.msg').querySelector('button[data-action^="answer"]').dataset.action : ''; })()`
	for range 16 {
		if p.eval(newest) == "" {
			p.send("/reflect prompt")
			p.waitJS("the next prompt", `!!document.querySelector('#messages .msg button[data-action^="answer"]')`)
		}
		ts, action, _ := strings.Cut(p.eval(newest), " ")
		if action == "answer_text" {
			textTS = ts
			break
		}
		p.do("tap an answer", chromedp.Click(chromedp.CSS(`.msg[data-ts="`+ts+`"] button[data-action="`+action+`"]`)))
		p.waitJS("the prompt updated in place", answeredJS(ts))
	}
	if textTS == "" {
		p.fatal("no text prompt came in 16 prompts")
	}
	p.shot("text-prompt")
	p.send("Mentored two people and painted the big picture of where we are heading.")
	p.waitJS("the text prompt updated in place", answeredJS(textTS))
	p.waitJS("the thanks for a typed answer", `[...document.querySelectorAll('#messages .msg')].some((m) =>
		m.textContent.includes('recorded as your answer'))`)
	p.shot("answered-by-dm")
	p.waitJS("the week's prompt and its check both answered in place", checkAnsweredJS(weekTS, false)+` && `+answeredJS(weekTS))

	// 4. The assessment: open the modal, fill each question, submit; the result comes as a DM.
	p.send("/reflect assess")
	p.waitJS("the assessment modal", `!document.querySelector('#modal').hidden &&
		document.querySelectorAll('#modal .block.input').length > 0`)
	p.shot("assessment")
	// Each question is an input block: choose an option (a different one each time) or type.
	inputs := strings.Fields(p.eval(`[...document.querySelectorAll('#modal .block.input')].map((b) =>
		(b.querySelector('input[type=radio]') ? 'radio' : b.querySelector('textarea, input[type=text]') ? 'text' : 'other') +
		':' + encodeURIComponent(b.dataset.blockId)).join(' ')`))
	for i, in := range inputs {
		kind, id, _ := strings.Cut(in, ":")
		id, _ = url.PathUnescape(id)
		blk := `#modal .block.input[data-block-id=` + strconv.Quote(id) + `]`
		switch kind {
		case "radio":
			p.do("choose an option", chromedp.Click(chromedp.CSS(fmt.Sprintf(`%s .options label:nth-child(%d) input`, blk, 1+i%3))))
		case "text":
			p.do("type an answer", chromedp.SendKeys(chromedp.CSS(blk+` textarea, `+blk+` input[type=text]`), "I plan the week and coach one person."))
		default:
			p.fatal("the assessment has a question the test cannot answer: %s", in)
		}
	}
	p.shot("assessment-filled")
	p.do("submit the assessment", chromedp.Click(chromedp.ID("modal-submit")))
	p.waitJS("the modal closed", `document.querySelector('#modal').hidden`)
	p.waitJS("the assessment result", `[...document.querySelectorAll('#messages .msg:not(.ephemeral)')].some((m) =>
		/leaning (leadership|management)|balanced \(/.test(m.textContent) && m.textContent.includes('ssessment'))`)
	p.shot("assessment-result")

	// 5. The export comes as a file: its name, its size and a link that saves it; no broken image.
	p.send("/reflect export")
	p.waitJS("the export as a file", `[...document.querySelectorAll('#messages .block.file')].some((f) =>
		/\.json$/.test(f.querySelector('a.file-name').textContent) && f.querySelector('a.file-name').hasAttribute('download') &&
		/download=1$/.test(f.querySelector('a.file-name').getAttribute('href')) && /\d (bytes|KB|MB)$/.test(f.querySelector('.file-size').textContent))`)
	if got := p.eval(`fetch([...document.querySelectorAll('#messages .block.file a.file-name')].pop().href).then((r) =>
		r.status + ' ' + r.headers.get('Content-Disposition'))`, chromedp.EvalAwaitPromise); !strings.HasPrefix(got, "200 attachment") {
		p.fatal("the export's link: %s, want 200 and an attachment", got)
	}
	p.noBrokenImages()
	toExport := `[...document.querySelectorAll('#messages .block.file')].pop().scrollIntoView({block: 'end'})`
	p.do("scroll to the export", chromedp.Evaluate[chromedp.Void](toExport))
	p.shot("export", toExport)

	// 6. Travel to the end of the month: your prompts on the way are answered on your behalf (the
	// page says so), the others answer theirs, and the summary comes, with its chart loaded.
	month := p.eval(`new Date(document.querySelector('#now').dataset.now).toLocaleString('en-GB', {month: 'long', year: 'numeric', timeZone: 'UTC'})`)
	p.timeTravel("end-of-month")
	p.waitJS("the note of answers given on your behalf", `!document.querySelector('#notes').hidden &&
		document.querySelector('#notes').textContent.includes('answered on your behalf')`)
	// The summary's first line names the month; its chart follows in a later message.
	chartJS := `(() => { const ms = [...document.querySelectorAll('#messages .msg')];
		const i = ms.findIndex((m) => m.textContent.includes(` + strconv.Quote(month+": ") + `));
		if (i < 0) return null;
		return ms.slice(i).flatMap((m) => [...m.querySelectorAll('img')]).find((img) => img.complete && img.naturalWidth > 0) || null; })()`
	p.waitJS("the summary of "+month+" with its chart loaded", "!!"+chartJS)
	toSummary := `[...document.querySelectorAll('#messages .msg')].find((m) => m.textContent.includes(` + strconv.Quote(month+": ") + `)).scrollIntoView()`
	p.do("scroll to the summary", chromedp.Evaluate[chromedp.Void](toSummary))
	p.shot("summary", toSummary)
	if got := p.eval(`[...document.querySelectorAll('#messages .msg')].find((m) => m.textContent.includes(` + strconv.Quote(month+": ") + `)).textContent`); strings.Contains(got, "Answered 0 of") {
		p.fatal("the summary scores an empty month: %.300s", got)
	}
	p.noBrokenImages()
	toChart := chartJS + `.scrollIntoView({block: 'end'})`
	p.do("scroll to the chart", chromedp.Evaluate[chromedp.Void](toChart))
	p.shot("summary-chart", toChart)

	// The summary offers a small experiment for the coming month: commit to it with one tap, and
	// the confirmation comes privately.
	summaryTS := p.eval(`(() => { const m = [...document.querySelectorAll('#messages .msg')].find((m) => m.textContent.includes(` +
		strconv.Quote(month+": ") + `) && m.querySelector('button[data-action="experiment_try"]')); return m ? m.dataset.ts : ''; })()`)
	if summaryTS == "" {
		p.fatal("the summary of %s offers no experiment to try", month)
	}
	p.do("commit to the experiment", chromedp.Click(chromedp.CSS(`.msg[data-ts="`+summaryTS+`"] button[data-action="experiment_try"]`)))
	p.waitJS("the experiment confirmed", `[...document.querySelectorAll('#messages .msg.ephemeral')].some((m) =>
		m.textContent.includes("You're on"))`)
	p.shot("experiment-committed")

	// The Home tab shows the lean, the trend chart and buttons, from the view the bot published.
	// Opening it asks the bot to publish it afresh; until then the page shows the one from before.
	now := p.eval(`new Date(document.querySelector('#now').dataset.now).toLocaleString('en-GB', {month: 'long', year: 'numeric', timeZone: 'UTC'})`)
	p.do("open the Home tab", chromedp.Click(chromedp.CSS(`#tabs button[data-tab="home"]`)))

	p.waitJS("the Home tab of "+now+" with the chart", `!document.querySelector('#home').hidden &&
		document.querySelector('#home').textContent.includes(`+strconv.Quote(now)+`) &&
		[...document.querySelectorAll('#home img')].some((i) => i.complete && i.naturalWidth > 0) &&
		!!document.querySelector('#home button[data-action]') &&
		document.querySelector('#home').textContent.includes('Your experiment for')`)
	p.shot("home")
	p.do("back to Messages", chromedp.Click(chromedp.CSS(`#tabs button[data-tab="messages"]`)))
	p.waitJS("the conversation", `!document.querySelector('#messages').hidden`)

	// 7. Switch to the lead: the team summary of the month is in their DM.
	p.do("switch to the lead", chromedp.SendKeys(chromedp.ID("person"), "Lee"))
	p.waitJS("the lead's team summary", `document.querySelector('#person').value === 'U_LEAD' &&
		[...document.querySelectorAll('#messages .msg')].some((m) => m.textContent.includes('#team, `+month+`'))`)
	toTeam := `[...document.querySelectorAll('#messages .msg')].find((m) => m.textContent.includes('#team, ` + month + `')).scrollIntoView()`
	p.do("scroll to the team summary", chromedp.Evaluate[chromedp.Void](toTeam))
	p.shot("team-summary", toTeam)
	// The lead answered their own prompts on the way: no "after four unanswered prompts" question.
	if got := p.eval(`document.querySelector('#messages button[data-action^="continue:"]') ? 'asked' : ''`); got != "" {
		p.fatal("the lead was asked whether to carry on after unanswered prompts")
	}
	// Mentions show names: no channel or user id in what the lead reads.
	if got := p.eval(`(document.querySelector('#messages').textContent.match(/<[#@]|\bC_TEAM\b|\bU_[A-Z]+\b/) || [''])[0]`); got != "" {
		p.fatal("the lead's conversation shows an id: %q", got)
	}
	t.Logf("browser steps took %s", time.Since(start).Round(time.Millisecond))

	cancelTab()
	<-consoleDone
	consoleMu.Lock()
	defer consoleMu.Unlock()
	if len(pageErrors) > 0 {
		t.Errorf("the page logged errors:\n%s", strings.Join(pageErrors, "\n"))
	}
	if err := stop(); err != nil {
		t.Errorf("try returned %v", err)
	}
}

// mrkdwnCases are sample strings and the HTML the page's mrkdwn renderer gives for them (names from
// the seeded workspace).
var mrkdwnCases = []struct{ in, want string }{
	{"*bold* _italic_ ~struck~ `co*de*`", "<b>bold</b> <i>italic</i> <s>struck</s> <code>co*de*</code>"},
	{"_*both*_ 2*3*4 snake_case_name", "<i><b>both</b></i> 2*3*4 snake_case_name"},
	{"<#C_TEAM> <#C_X|other> <@U_ANA>", `<span class="mention">#team</span> <span class="mention">#other</span> <span class="mention">@Ana</span>`},
	{"see <https://example.com/a?b=1&amp;c=2|the docs>.", `see <a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener">the docs</a>.`},
	{"a &lt;b&gt; &amp; &lt;@U_ANA&gt;", "a &lt;b&gt; &amp; &lt;@U_ANA&gt;"},
	{"&gt; quoted *line*\nnext", `<span class="quote">quoted <b>line</b></span>` + "\nnext"},
	{"```\ncode *x* <b>\n```", `<pre class="code">code *x* &lt;b&gt;</pre>`},
	{"<!here> <mailto:a@b.example>", `<span class="mention">@here</span> <a href="mailto:a@b.example" target="_blank" rel="noopener">a@b.example</a>`},
	{`<script>"x"</script>`, "&lt;script&gt;&quot;x&quot;&lt;/script&gt;"},
}

// answeredJS holds once the message ts shows how its answer was read and has no answer buttons.
func answeredJS(ts string) string {
	return `(() => { const m = document.querySelector('.msg[data-ts="` + ts + `"]');
		return !!m && m.textContent.includes('read as') && !m.querySelector('button[data-action^="answer"]'); })()`
}

// checkAnsweredJS holds once the message ts shows its wellbeing check answered (read as
// wellbeing, its options there to change it, none to answer it) and its prompt open (promptOpen)
// or not.
func checkAnsweredJS(ts string, promptOpen bool) string {
	open := "!"
	if promptOpen {
		open = "!!"
	}
	return `(() => { const m = document.querySelector('.msg[data-ts="` + ts + `"]');
		return !!m && m.textContent.includes('read as wellbeing') && !!m.querySelector('button[data-action^="check_change:"]') &&
			!m.querySelector('button[data-action^="check:"]') && ` + open + `m.querySelector('button[data-action^="answer"]'); })()`
}

// browserPage is the playground page in a tab, with the test's waits and screenshots.
type browserPage struct {
	t     *testing.T
	ctx   context.Context
	dir   string
	shots int
}

func (p *browserPage) fatal(format string, args ...any) {
	p.t.Helper()
	p.shot("failed")
	p.t.Fatalf(format, args...)
}

// do runs actions, each bounded by browserWait.
func (p *browserPage) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	for _, a := range actions {
		ctx, cancel := context.WithTimeout(p.ctx, browserWait)
		err := chromedp.Do(ctx, a)
		cancel()
		if err != nil {
			p.fatal("%s: %v", what, err)
		}
	}
}

// eval returns the string value of a JavaScript expression in the page.
func (p *browserPage) eval(expr string, opts ...chromedp.EvaluateOption) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, browserWait)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, opts...))
	if err != nil {
		p.fatal("evaluate %.80s: %v", expr, err)
	}
	return s
}

// waitJS waits until the JavaScript expression is true in the page.
func (p *browserPage) waitJS(what, expr string) {
	p.t.Helper()

	ctx, cancel := context.WithTimeout(p.ctx, browserWait+time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(browserWait))); err != nil {
		p.fatal("waiting for %s: %v", what, err)
	}
}

// send types text in the composer and sends it.
func (p *browserPage) send(text string) {
	p.t.Helper()
	p.do("type "+text, chromedp.SendKeys(chromedp.ID("text"), text), chromedp.Click(chromedp.CSS("#composer button")))
	p.waitJS("the composer cleared", `document.querySelector('#text').value === ''`)
}

// openPrompt waits for a message with answer buttons and returns its ts.
func (p *browserPage) openPrompt(what string) string {
	p.t.Helper()
	sel := `#messages .msg:not(.ephemeral) button[data-action^="answer:"]`
	p.waitJS(what, `!!document.querySelector('`+sel+`')`)
	return p.eval(`document.querySelector('` + sel + `').closest('.msg').dataset.ts`)
}

// timeTravel presses a time travel button and waits until the page has shown the result.
func (p *browserPage) timeTravel(id string) {
	p.t.Helper()
	before := p.eval(`document.querySelector('#now').dataset.now || ''`)
	p.do("press "+id, chromedp.Click(chromedp.ID(id)))
	p.waitJS("time to move", `!document.body.dataset.busy && (document.querySelector('#now').dataset.now || '') !== `+strconv.Quote(before))
	if msg := p.eval(`document.querySelector('#error').hidden ? '' : document.querySelector('#error').textContent`); msg != "" {
		p.fatal("%s: the page shows the error %q", id, msg)
	}
}

// noBrokenImages fails when a picture in the conversation did not load.
func (p *browserPage) noBrokenImages() {
	p.t.Helper()
	p.waitJS("every picture loaded", `[...document.querySelectorAll('#messages img')].every((i) => i.complete)`)
	if bad := p.eval(`[...document.querySelectorAll('#messages img')].filter((i) => i.naturalWidth === 0).map((i) => i.alt || i.src).join(', ')`); bad != "" {
		p.fatal("broken pictures: %s", bad)
	}
}

// The two widths every step is seen at.
const (
	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 390, 844
)

// shot saves a screenshot of the page at desktop width as NN-name.png and at phone width as
// NN-name-phone.png, and fails the test when at phone width the page, or a part of it, scrolls
// sideways, or the box to type in is pushed off the screen. scroll, when given, is JavaScript that brings the step's subject into view again
// after the resize (the summary, say).
func (p *browserPage) shot(name string, scroll ...string) {
	p.t.Helper()
	p.shots++
	p.capture(fmt.Sprintf("%02d-%s.png", p.shots, name))
	if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulatePortrait, chromedp.EmulateMobile)); err != nil {
		p.t.Errorf("phone width: %v", err)
		return
	}
	defer func() {
		if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(desktopWidth, desktopHeight)); err != nil {
			p.t.Errorf("desktop width: %v", err)
		}
	}()
	ctx, cancel := context.WithTimeout(p.ctx, browserWait)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`screen.width === `+strconv.Itoa(phoneWidth),
		chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(browserWait))); err != nil {
		p.t.Errorf("waiting for the phone layout: %v", err)
		return
	}
	for _, js := range scroll {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](js)); err != nil {
			p.t.Errorf("scroll at phone width: %v", err)
		}
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const wide = (el) => el.scrollWidth > el.clientWidth;
		// A page wider than the phone makes a mobile browser lay it out wider and zoom out.
		if (window.innerWidth > screen.width) return 'the page lays out ' + window.innerWidth + ' px wide (zoomed out to fit)';
		const s = document.scrollingElement;
		if (wide(s)) return 'the page: ' + s.scrollWidth + ' px in ' + s.clientWidth;
		const el = [...document.querySelectorAll('.tab, #notes, .dialog .content, #side')].find((e) => e.offsetParent && wide(e));
		if (el) return (el.id || el.className) + ': ' + el.scrollWidth + ' px in ' + el.clientWidth;
		// The conversation scrolls, not the page: the box to type in stays on screen.
		const c = document.querySelector('#composer');
		if (c.offsetParent && c.getBoundingClientRect().bottom > window.innerHeight + 1) return 'the composer is below the screen';
		return '';
	})()`))
	if err != nil {
		p.t.Errorf("measure the width: %v", err)
	}
	if wide != "" {
		p.t.Errorf("%s at %d px: %s", name, phoneWidth, wide)
	}
	p.capture(fmt.Sprintf("%02d-%s-phone.png", p.shots, name))
}

// capture saves a screenshot of what the page shows now.
func (p *browserPage) capture(file string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, browserWait)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Errorf("screenshot %s: %v", file, err)
		return
	}
	if err := os.WriteFile(filepath.Join(p.dir, file), b, 0o644); err != nil {
		p.t.Error(err)
	}
}
