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
// would: answer a prompt with a click and one by typing in the DM, take the assessment in its
// modal, travel to the end of the month for the summary with its chart, and switch to the lead
// for the team summary. Each step leaves a screenshot in a temporary directory (logged).
// Without a browser it skips, except in CI (CI set), where that is a failure.
func TestTryInBrowser(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no chromium, chromium-browser or google-chrome found, and CI is set: .ci/run installs chromium")
		}
		t.Skip("no chromium, chromium-browser or google-chrome found: install chromium to run the browser test")
	}
	cleanEnv(t, nil)
	// A Wednesday, so the month has scheduled prompts left and its end is a few steps away.
	page, stop := startTry(t, "-start", "2026-03-25T10:00:00Z")

	dir := t.TempDir()
	t.Logf("screenshots in %s", dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // as root in CI containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1280, 900),
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

	// 2. Ask for a prompt and answer it with a tap; the message changes in place.
	p.send("/reflect prompt")
	ts := p.openPrompt("a prompt with answer buttons")
	p.do("tap an answer", chromedp.Click(chromedp.CSS(`.msg[data-ts="`+ts+`"] button[data-action="answer:3"]`)))
	p.waitJS("the prompt updated in place", answeredJS(ts))
	p.shot("answered-by-tap")

	// 3. Travel to Monday's prompt (the answer given ahead stands in for it, so it may bring nothing)
	// and tap an answer to anything that came. Then ask for prompts until a text one comes (the
	// rotation starts with the tap ones), tapping the others, and answer it by typing in the DM.
	p.timeTravel("next-prompt")
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
	for range 16 {
		p.send("/reflect prompt")
		p.waitJS("the next prompt", `!!document.querySelector('#messages .msg button[data-action^="answer"]')`)
		ts, action, _ := strings.Cut(p.eval(`(() => { const b = document.querySelector('#messages .msg button[data-action^="answer"]');
			return b.closest('.msg').dataset.ts + ' ' + b.dataset.action; })()`), " ")
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

	// 5. Travel to the end of the month: the summary comes, with its chart loaded.
	month := p.eval(`new Date(document.querySelector('#now').dataset.now).toLocaleString('en-GB', {month: 'long', year: 'numeric', timeZone: 'UTC'})`)
	p.timeTravel("end-of-month")
	// The summary's first line names the month; its chart follows in a later message.
	chartJS := `(() => { const ms = [...document.querySelectorAll('#messages .msg')];
		const i = ms.findIndex((m) => m.textContent.includes(` + strconv.Quote(month+": ") + `));
		if (i < 0) return null;
		return ms.slice(i).flatMap((m) => [...m.querySelectorAll('img')]).find((img) => img.complete && img.naturalWidth > 0) || null; })()`
	p.waitJS("the summary of "+month+" with its chart loaded", "!!"+chartJS)
	p.do("scroll to the summary", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#messages .msg')].find((m) =>
		m.textContent.includes(`+strconv.Quote(month+": ")+`)).scrollIntoView()`))
	p.shot("summary")
	p.do("scroll to the chart", chromedp.Evaluate[chromedp.Void](chartJS+`.scrollIntoView({block: 'end'})`))
	p.shot("summary-chart")

	// The Home tab shows the lean, the trend chart and buttons, from the view the bot published.
	// Opening it asks the bot to publish it afresh; until then the page shows the one from before.
	now := p.eval(`new Date(document.querySelector('#now').dataset.now).toLocaleString('en-GB', {month: 'long', year: 'numeric', timeZone: 'UTC'})`)
	p.do("open the Home tab", chromedp.Click(chromedp.CSS(`#tabs button[data-tab="home"]`)))

	p.waitJS("the Home tab of "+now+" with the chart", `!document.querySelector('#home').hidden &&
		document.querySelector('#home').textContent.includes(`+strconv.Quote(now)+`) &&
		[...document.querySelectorAll('#home img')].some((i) => i.complete && i.naturalWidth > 0) &&
		!!document.querySelector('#home button[data-action]')`)
	p.shot("home")
	p.do("back to Messages", chromedp.Click(chromedp.CSS(`#tabs button[data-tab="messages"]`)))
	p.waitJS("the conversation", `!document.querySelector('#messages').hidden`)

	// 6. Switch to the lead: the team summary of the month is in their DM.
	p.do("switch to the lead", chromedp.SendKeys(chromedp.ID("person"), "Lee"))
	p.waitJS("the lead's team summary", `document.querySelector('#person').value === 'U_LEAD' &&
		[...document.querySelectorAll('#messages .msg')].some((m) => m.textContent.includes('#team, `+month+`'))`)
	p.do("scroll to the team summary", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#messages .msg')].find((m) =>
		m.textContent.includes('#team, `+month+`')).scrollIntoView()`))
	p.shot("team-summary")
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

// answeredJS holds once the message ts shows how its answer was read and has no answer buttons.
func answeredJS(ts string) string {
	return `(() => { const m = document.querySelector('.msg[data-ts="` + ts + `"]');
		return !!m && m.textContent.includes('read as') && !m.querySelector('button[data-action^="answer"]'); })()`
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
func (p *browserPage) eval(expr string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, browserWait)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
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

// shot saves a screenshot of the page as NN-name.png.
func (p *browserPage) shot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, browserWait)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	p.shots++
	if err := os.WriteFile(filepath.Join(p.dir, fmt.Sprintf("%02d-%s.png", p.shots, name)), b, 0o644); err != nil {
		p.t.Error(err)
	}
}
