package console_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// axe is axe-core 4.14.1 (MPL-2.0, testdata/axe-LICENSE.txt), vendored so
// the accessibility check runs with no network.
//
//go:embed testdata/axe.min.js
var axe string

// The browser tests share one headless chromium, started once per run
// (starting it is the longest single step of the package); each test opens
// a tab of its own on a mock of its own, so they run in parallel. Chromium
// starts in the background as the first test asks for it, and each test
// seeds its mock while it starts. No step waits a fixed time: each waits
// for what the page must show.

var (
	// noBrowser says why there is no browser to start: no chromium on PATH.
	noBrowser string
	// startBrowser starts the browser in the background; it runs once, on
	// the first test's demand (a -run that picks no test starts none).
	startBrowser func()
	// asked is set once startBrowser has run: only then is there a
	// browser to wait for and stop.
	asked atomic.Bool
	// browserReady is closed once the start has ended; then browserCtx is
	// the browser's first tab, or browserErr says why it did not start.
	browserReady = make(chan struct{})
	browserCtx   context.Context
	browserErr   error
)

// chromium finds a browser to drive: Debian's chromium-headless-shell
// first (Chromium's headless-only build, the one Puppeteer tests with: the
// same Blink without the desktop browser around it, it starts in a third
// of chromium's time and CPU), else a full chromium, or "".
func chromium() string {
	for _, name := range []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestMain(m *testing.M) {
	flag.Parse()
	waitingSlots()
	os.Exit(runTests(m))
}

// browserSlots is how many tests may wait on the browser at once: more
// than the package's four, so that all of them can.
const browserSlots = 8

// waitingSlots lets every browser test run at once unless -test.parallel
// was given. A parallel test holds one of GOMAXPROCS slots (two on a
// 2-core machine) while it waits on chromium, and the Go side of these
// tests is a few percent of the package's CPU (chromium's is the rest):
// with two slots the clock test only started once the accessibility walk
// had ended, and ran alone at the package's end, mostly waiting (its
// preview's 250 ms debounce, its page's requests to the mock).
func waitingSlots() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given && runtime.GOMAXPROCS(0) < browserSlots {
		flag.Set("test.parallel", strconv.Itoa(browserSlots))
	}
}

// runTests runs the tests with chromium at hand at 1280x800, and stops it
// if a test started it. Without chromium the tests skip, but in CI (CI set)
// they fail, so a machine that lost its browser is noticed.
func runTests(m *testing.M) int {
	exe := chromium()
	if exe == "" {
		noBrowser = "no chromium on PATH: the console's browser tests need one (apt-get install chromium-headless-shell)"
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 800), chromedp.Flag("lang", "en-US"),
		// The package's time is the browser's CPU, not waiting: one
		// process instead of six (browser, two zygotes, GPU, network,
		// renderer) and V8 without its optimizing compilers, whose work
		// short-lived test pages never repay, take about a third less
		// (docs/decisions.md, "The console's browser in one process").
		// Every tab shares one renderer either way: the mocks are all
		// on 127.0.0.1, one site.
		chromedp.Flag("single-process", true), chromedp.Flag("js-flags", "--max-opt=1"))
	var stops []context.CancelFunc
	var started sync.Once
	startBrowser = func() {
		started.Do(func() {
			asked.Store(true)
			go func() {
				defer close(browserReady)
				// Chromium in one process now and then dies at its start
				// (a segmentation fault before its first page, seen once
				// in a clean-clone CI run and in none of dozens after):
				// a second start is the browser's retry, not the test's.
				for try := 0; try < 2; try++ {
					alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
					b, cancelBrowser := chromedp.NewContext(alloc)
					stops = append(stops, cancelBrowser, cancelAlloc)
					if browserErr = chromedp.Do(b); browserErr == nil {
						browserCtx = b
						return
					}
					browserErr = fmt.Errorf("start chromium: %w", browserErr)
				}
			}()
		})
	}
	code := m.Run()
	if asked.Load() { // else no test started it (-run chose none): nothing to stop
		<-browserReady
	}
	for _, stop := range stops {
		stop()
	}
	return code
}

// needBrowser skips t without chromium (fails it in CI), has the browser
// start if it has not, and runs t in parallel with the other browser tests.
func needBrowser(t *testing.T) {
	t.Helper()
	if noBrowser != "" {
		if os.Getenv("CI") != "" {
			t.Fatal(noBrowser + ": CI must install it")
		}
		t.Skip(noBrowser)
	}
	startBrowser()
	t.Parallel()
}

// browser is one tab of the shared chromium.
type browser struct {
	ctx    context.Context
	page   string // the page a test walking several is at, for failures
	mu     sync.Mutex
	errors []string // the tab's console errors and uncaught exceptions
}

// newTab opens a tab at 1280x800 for t once the browser has started (t
// called needBrowser first), and fails t at its end on any console error
// of the tab.
func newTab(t *testing.T) *browser {
	t.Helper()
	<-browserReady
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	tab, cancel := chromedp.NewContext(browserCtx)
	b := &browser{ctx: tab}
	messages := chromedp.Console(tab)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 800)); err != nil {
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	go func() {
		for msg, err := range messages {
			if err != nil {
				return
			}
			// A 4xx the page asked for on purpose (a refused scenario) is
			// logged by the network; any other error is the page's fault.
			if (msg.Type == chromedp.ConsoleError && msg.Source != "network") || msg.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, msg.String())
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.errors {
			t.Errorf("console error: %s", e)
		}
	})
	return b
}

// stepTimeout bounds one step in a tab. A step takes well under a second
// on a quiet machine and a few seconds beside the whole suite's links; a
// wait for something the page never shows would otherwise hold the test
// to the browser's two minutes and end with only "context deadline
// exceeded". Past it, the step fails and says which it was (failStep).
const stepTimeout = 20 * time.Second

// A step is one action in a tab, and what it does in words, so a step that
// fails can be named. sel is the element it looks for, if any.
type step struct {
	what, sel string
	do        chromedp.Action[chromedp.Void]
}

// navigate loads url in the tab, a new document for the tab's first page;
// a move between the console's pages is goTo.
func navigate(url string) step {
	return step{what: "load " + url, do: chromedp.Navigate(url)}
}

func visible(sel string) step {
	return step{what: "wait for " + sel + " to show", sel: sel, do: chromedp.WaitVisible(chromedp.CSS(sel))}
}

func click(sel string) step {
	return step{what: "click " + sel, sel: sel, do: chromedp.Click(chromedp.CSS(sel))}
}

func setValue(sel, v string) step {
	return step{what: "set " + sel + " to " + v, sel: sel, do: chromedp.SetValue(chromedp.CSS(sel), v)}
}

// goTo moves the page to the console's route hash ("#/faults") and waits
// until the console has routed there. A new hash alone would not do: the
// browser reports the move (chromedp.Navigate returns) before it runs the
// page's hashchange handler, so the next step could find the previous
// page's elements and click one as it goes away. The promise's listener
// runs after the console's, which replaced the page's content at once.
func goTo(hash string) step {
	arg, _ := json.Marshal(hash)
	wait := chromedp.Evaluate[bool](`new Promise((routed) => {
		addEventListener('hashchange', () => routed(true), {once: true});
		location.hash = `+string(arg)+`;
	})`, chromedp.EvalAwaitPromise)
	return act("go to "+hash, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := wait(ctx, tg)
		return chromedp.Void{}, err
	})
}

// act is any other action, described by what.
func act(what string, a chromedp.Action[chromedp.Void]) step { return step{what: what, do: a} }

// run runs the steps in order, each within stepTimeout.
func (b *browser) run(t *testing.T, steps ...step) {
	t.Helper()
	for i, s := range steps {
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		err := chromedp.Do(ctx, s.do)
		cancel()
		if err != nil {
			b.failStep(t, fmt.Sprintf("step %d of %d, %s", i+1, len(steps), s.what), s.sel, err)
		}
	}
}

// value runs an action that gives a value, within stepTimeout; what says
// what it reads, for a failure.
func value[T any](t *testing.T, b *browser, what string, a chromedp.Action[T]) T {
	t.Helper()
	return valueOf(t, b, what, "", a)
}

// text reads the visible text of the element sel selects.
func text(t *testing.T, b *browser, sel string) string {
	t.Helper()
	return valueOf(t, b, "read the text of "+sel, sel, chromedp.Text(chromedp.CSS(sel)))
}

func valueOf[T any](t *testing.T, b *browser, what, sel string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.failStep(t, what, sel, err)
	}
	return v
}

// describeJS says where the tab is and what of the element sel looks for
// is there: the longest leading part of the selector (cut at spaces) that
// matches, with its HTML, or else the page's content (#main). Whether the
// browser itself finds sel, visible, tells a page that never showed it
// from a wait that missed it.
const describeJS = `((sel) => {
	const cut = (s) => s.length > 12000 ? s.slice(0, 12000) + '… (' + s.length + ' characters)' : s;
	const out = ['at ' + location.href + ' (document ' + document.readyState + ')'];
	const parts = sel ? sel.split(' ') : [];
	for (let n = parts.length; n > 0; n--) {
		const part = parts.slice(0, n).join(' ');
		let e = null;
		try { e = document.querySelector(part); } catch (err) { continue; }
		if (!e) continue;
		const r = e.getBoundingClientRect();
		out.push((n === parts.length ? 'the page has ' : 'only ' + JSON.stringify(part) + ' matches: ') +
			(e.isConnected ? '' : 'detached ') + r.width + 'x' + r.height + ' at ' + r.x + ',' + r.y + ': ' + cut(e.outerHTML));
		return out.join('\n');
	}
	if (sel) out.push('nothing of ' + JSON.stringify(sel) + ' matches');
	const main = document.querySelector('#main');
	out.push('#main: ' + (main ? cut(main.outerHTML) : 'absent'));
	return out.join('\n');
})`

// failStep fails t for the step what that ended with err, with what the
// tab shows (describeJS), read with a deadline of its own since the
// step's has passed.
func (b *browser) failStep(t *testing.T, what, sel string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	arg, _ := json.Marshal(sel)
	shown, derr := chromedp.Run(ctx, chromedp.Evaluate[string](describeJS+"("+string(arg)+")"))
	if derr != nil {
		shown = "(the tab could not be read: " + derr.Error() + ")"
	}
	if b.page != "" {
		what = b.page + " page, " + what
	}
	t.Fatalf("%s: %v\n%s", what, err, shown)
}

// screenshotDir is where CONSOLE_SCREENSHOTS says the screenshots go, for
// a person to look at, or "" to take none: a screenshot asserts nothing,
// and encoding the PNGs was an eighth of the package's CPU time.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("CONSOLE_SCREENSHOTS")
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// shot saves the viewport as name.png in dir, unless dir is "".
func shot(dir, name string) step {
	return act("take the screenshot "+name, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if dir == "" {
			return chromedp.Void{}, nil
		}
		buf, err := chromedp.CaptureScreenshot()(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// accessible runs axe-core on the page and fails on a serious or critical
// violation. The toast is left out: it fades in and out, and axe measuring
// its contrast mid-fade would make the test flaky (at rest it is white on
// the dark bar's colour, or on the error red).
//
// whole checks the whole document; otherwise only the page's own content
// (main) is checked: the frame around it (top bar, navigation, document
// title and language) is the same on every page and checked once.
func accessible(t *testing.T, b *browser, page string, whole bool) {
	t.Helper()
	scope := `{exclude: [['#toast']]}`
	if !whole {
		scope = `{include: [['#main']], exclude: [['#toast']]}`
	}
	for _, v := range violations(t, b, page, scope) {
		targets, _ := json.Marshal(v.Nodes)
		t.Errorf("%s: axe %s (%s): %s at %s", page, v.ID, v.Impact, v.Help, targets)
	}
}

// A violation is one of axe's serious or critical findings, with up to
// three of the elements it was found on.
type violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// violations runs axe over scope (an axe context, as JavaScript) with the
// WCAG 2.0 and 2.1 A and AA rules, and gives its serious and critical
// findings. All of a page's checks are this one run: axe runs its rules
// over the page together, and a run per region or per rule would pay its
// fixed cost (about 12-20 ms on these pages, measured) each time.
func violations(t *testing.T, b *browser, page, scope string) []violation {
	t.Helper()
	// axe is 650 KB of script: it is sent once per tab, and stays with the
	// page across its hash routes.
	if !value(t, b, "look for axe", chromedp.Evaluate[bool](`!!window.axe`)) {
		value(t, b, "load axe", chromedp.Evaluate[bool](axe+"\n;true"))
	}
	script := `(async () => { const r = await axe.run(` + scope + `, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'], resultTypes: ['violations']});
	return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => ({target: n.target}))})); })()`
	return value(t, b, page+": run axe", chromedp.Evaluate[[]violation](script, chromedp.EvalAwaitPromise))
}

// axeProbeJS adds to the page's content a button with no name (axe's
// button-name, critical, WCAG 2.0 A) and faint grey text on white
// (color-contrast, serious, WCAG 2.0 AA: the rule that is most of axe's
// time), styled from script since the console's CSP allows no inline
// style attribute.
const axeProbeJS = `(() => {
	const probe = document.createElement('div');
	probe.id = 'axe-probe';
	const faint = document.createElement('p');
	faint.textContent = 'faint text';
	faint.style.color = '#ccc';
	faint.style.background = '#fff';
	probe.append(document.createElement('button'), faint);
	document.querySelector('#main').append(probe);
	return true;
})()`

// axeCatches shows that the check can fail: on the page the tab is at, a
// probe with two known violations is reported by the same run and filter
// as the pages' checks, then removed. Only the probe is checked.
func axeCatches(t *testing.T, b *browser) {
	t.Helper()
	value(t, b, "add the axe probe", chromedp.Evaluate[bool](axeProbeJS))
	found := map[string]bool{}
	for _, v := range violations(t, b, "the probe", `{include: [['#axe-probe']]}`) {
		found[v.ID] = true
	}
	if !found["button-name"] || !found["color-contrast"] {
		t.Errorf("axe found %v on the probe, want button-name and color-contrast", found)
	}
	value(t, b, "remove the axe probe", chromedp.Evaluate[bool](`document.querySelector('#axe-probe').remove(), true`))
}

// get makes a request as a client of the mock would, outside the browser.
func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func post(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %d", url, resp.StatusCode)
	}
}

// start is a mock for one test, its clock frozen at a known time so pages
// and screenshots show the same time on every run.
func start(t *testing.T, cfg server.Config) *servertest.Mock {
	t.Helper()
	m := servertest.Start(t, servertest.Options{Config: cfg})
	post(t, m.URL+"/__admin/clock", `{"set": "2026-01-02T10:00:00+03:00", "freeze": true}`)
	return m
}

// phone switches the tab to a phone's width.
func phone() step {
	return act("switch to a phone's width", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
}

// desktop switches the tab back to 1280x800.
func desktop() step {
	return act("switch to 1280x800", chromedp.EmulateViewport(1280, 800))
}

// A request made outside the browser appears in the live view, and opens
// to show its answer pretty-printed, Cyrillic decoded from \uXXXX; a fault
// armed from the form fails the next request, which the view marks.
func TestLiveRequests(t *testing.T) {
	needBrowser(t)
	m := start(t, server.Config{})
	b := newTab(t)
	shots := screenshotDir(t)
	b.run(t, navigate(m.URL+"/#/requests"), visible(`#stream-state .dot.on`))
	if code := get(t, m.URL+"/v1/profile/?api_key=demo-key"); code != http.StatusOK {
		t.Fatalf("profile: %d", code)
	}
	row := `#live-rows tr[data-path="/v1/profile/"]`
	b.run(t, visible(row), click(row+` button`), visible(`#response-body`))
	answer := text(t, b, `#response-body`)
	if !strings.Contains(answer, `"city": "Москва"`) || strings.Contains(answer, `\u`) {
		t.Errorf("the answer is shown as %q, want it indented with Москва decoded", answer)
	}
	b.run(t, phone())
	value(t, b, "scroll to the answer", chromedp.Evaluate[bool](`document.querySelector('#response-body').scrollIntoView({block: 'center'}), true`))
	b.run(t, shot(shots, "phone-request-detail"), desktop())

	// Arming a fault from the form makes the next matching request fail,
	// and the live view marks it.
	b.run(t, goTo("#/faults"), visible(`#fault-form`),
		setValue(`#fault-id`, "profile-outage"),
		setValue(`#fault-api`, "carreta"),
		setValue(`#fault-method`, "GET"),
		setValue(`#fault-path`, "/v1/profile/"),
		setValue(`#fault-when`, "nth"),
		setValue(`#fault-when-value`, "1"),
		setValue(`#fault-status`, "503"),
		click(`#arm-fault`),
		visible(`#fault-rows tr[data-fault="profile-outage"]`))
	if code := get(t, m.URL+"/v1/profile/?api_key=demo-key"); code != http.StatusServiceUnavailable {
		t.Fatalf("the request after arming got %d, want the fault's 503", code)
	}
	b.run(t, goTo("#/requests"),
		visible(`#live-rows tr.faulted[data-fault="profile-outage"] .badge.fault`),
		shot(shots, "requests-fault"))
}

// keyed reads the data-key and data-to of the elements sel selects: the
// last status each order goes to.
func keyed(t *testing.T, b *browser, sel string) map[string]string {
	t.Helper()
	return value(t, b, "read the keys of "+sel, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll(`+
		"`"+sel+"`"+`)].map((e) => [e.dataset.key, e.dataset.to]))`))
}

// Typing an advance previews the lifecycle moves it would apply; advancing
// shows the new time and changes exactly what the preview said.
func TestClock(t *testing.T) {
	needBrowser(t)
	m := start(t, server.Config{})
	m.PlaceCarretaOrder(t)
	m.PlaceCarretaOrder(t)
	b := newTab(t)
	shots := screenshotDir(t)
	b.run(t, navigate(m.URL+"/#/clock"),
		visible(`#clock-now[data-iso="2026-01-02T10:00:00+03:00"]`),
		setValue(`#advance-by`, "72h"))
	value(t, b, "type into #advance-by", chromedp.Evaluate[bool](`document.querySelector('#advance-by').dispatchEvent(new Event('input'))`))
	b.run(t, visible(`#clock-preview[data-to="2026-01-05T10:00:00+03:00"] tr[data-key]`))
	head := text(t, b, `#clock-preview h3`)
	if head != "Until 05 Jan 2026, 10:00:00: 6 automatic moves" {
		t.Fatalf("the preview says %q, want the 6 moves of the two orders in 72h", head)
	}
	preview := keyed(t, b, `#clock-preview tr[data-key]`)
	if len(preview) != 2 {
		t.Fatalf("the preview moves %v, want the two new orders", preview)
	}
	names := value(t, b, "read the preview's order names", chromedp.Evaluate[[]string](`[...new Set([...document.querySelectorAll('#clock-preview tr[data-key] td:nth-child(2) .mono')].map((e) => e.textContent))].sort()`))
	if len(names) != 2 || !orderNumber.MatchString(names[0]) || !orderNumber.MatchString(names[1]) {
		t.Fatalf("the preview names the orders %q, want their numbers (A111346-1) as the state page shows them", names)
	}
	if now := text(t, b, `#clock-now`); now != "02 Jan 2026, 10:00:00" {
		t.Fatalf("the preview moved the clock to %q", now)
	}
	b.run(t, shot(shots, "clock-preview"), phone())
	value(t, b, "scroll to the preview", chromedp.Evaluate[bool](`document.querySelector('#clock-preview').scrollIntoView(), true`))
	// The table must fit its card: a column past the edge is cut off.
	if w := value(t, b, "measure the preview at a phone's width", chromedp.Evaluate[[]int](`(() => { const w = document.querySelector('#clock-preview .table-wrap'); return [w.scrollWidth, w.clientWidth]; })()`)); w[0] > w[1] {
		t.Fatalf("at a phone's width the preview's table is %d px wide in a card of %d: its When column is cut off", w[0], w[1])
	}
	b.run(t, shot(shots, "phone-clock-preview"), desktop())

	b.run(t, click(`#advance`),
		visible(`#clock-now[data-iso="2026-01-05T10:00:00+03:00"]`),
		visible(`#clock-changes li`))
	if shown := text(t, b, `#clock-now`); shown != "05 Jan 2026, 10:00:00" {
		t.Fatalf("the clock shows %q, want 05 Jan 2026, 10:00:00 (Moscow)", shown)
	}
	if changed := keyed(t, b, `#clock-changes li`); !maps.Equal(changed, preview) {
		t.Fatalf("the move changed %v, the preview said %v", changed, preview)
	}
	changedNames := value(t, b, "read the changed orders' names", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#clock-changes li')].map((e) => e.textContent.replace(/^carreta order ([^:]*):.*$/, '$1')).sort()`))
	if !slices.Equal(changedNames, names) {
		t.Fatalf("what the move changed names the orders %q, the preview %q: want the same names", changedNames, names)
	}
	b.run(t, shot(shots, "clock-moved"))
}

// orderNumber is a carreta order's number as its answers and the console
// show it: the basket's number, then the position in it.
var orderNumber = regexp.MustCompile(`^A\d+-\d+$`)

// With --admin-token the console asks once, keeps the token for the tab
// (sessionStorage) and never in a cookie or the URL.
func TestTokenPrompt(t *testing.T) {
	needBrowser(t)
	m := servertest.Start(t, servertest.Options{Config: server.Config{AdminToken: "s3cret-token"}})
	b := newTab(t)
	b.run(t, navigate(m.URL+"/"),
		visible(`#token-input`),
		shot(screenshotDir(t), "token-prompt"),
		act("type the token", chromedp.SendKeys(chromedp.CSS(`#token-input`), "s3cret-token")),
		click(`#token-save`),
		visible(`#scenario-name`),
		goTo("#/faults"), visible(`#fault-form`))
	cookie := value(t, b, "read the cookies", chromedp.Evaluate[string](`document.cookie`))
	stored := value(t, b, "read the stored token", chromedp.Evaluate[string](`sessionStorage.getItem('mockserver.adminToken')`))
	url := value(t, b, "read the URL", chromedp.Location())
	if cookie != "" || stored != "s3cret-token" || strings.Contains(url, "s3cret") {
		t.Fatalf("cookie %q, sessionStorage %q, URL %q: want the token in sessionStorage only", cookie, stored, url)
	}
	if open := value(t, b, "look at the token dialog", chromedp.Evaluate[bool](`document.querySelector('#token-dialog').open`)); open {
		t.Fatal("the console asked for the token a second time")
	}
}

// Every page, in the state a person would look at it (a request opened
// with its answer, a clock preview, a client and an order opened), renders
// and passes axe-core with no serious or critical violation, and is saved
// as a screenshot at 1280x800. One tab walks them all: axe is injected
// once (it is most of the check's time) and stays with the page across its
// hash routes. At the overview, after its check, the walk also checks what
// the overview shows (overview).
func TestAccessibility(t *testing.T) {
	needBrowser(t)
	m := start(t, server.Config{})
	post(t, m.URL+"/__admin/reset", `{}`) // seeded again at the scenario's frozen clock
	m.PlaceCarretaOrder(t)
	if code := get(t, m.URL+"/v1/profile/?api_key=demo-key"); code != http.StatusOK {
		t.Fatalf("profile: %d", code)
	}
	post(t, m.URL+"/__admin/worlds", `{"scenario": "empty"}`)
	b := newTab(t)
	shots := screenshotDir(t)
	type page struct {
		name  string
		steps []step
	}
	pages := []page{
		{"overview", []step{navigate(m.URL + "/"), visible(`#scenario-name`)}},
		{"requests", []step{goTo("#/requests"),
			click(`#live-rows tr[data-path="/v1/profile/"] button`), visible(`#response-body`)}},
		{"faults", []step{goTo("#/faults"), visible(`#fault-form`)}},
		{"clock", []step{goTo("#/clock"),
			visible(`#clock-preview[data-to="2026-01-02T11:00:00+03:00"] tr[data-key]`)}},
		// A client, an order: each list's own first link. The lists of a
		// page load side by side, so "the first link on the page" was a
		// position whenever the positions came before the clients.
		{"state/saplab", []step{goTo("#/state/saplab"),
			click(`#state-lists [aria-label="Clients"] td .link`), visible(`#client-balance`)}},
		{"state/carreta", []step{goTo("#/state/carreta"),
			click(`#state-lists [aria-label="Orders"] td .link`), visible(`#move-order`)}},
		{"state/amapi", []step{goTo("#/state/amapi"), visible(`#state-lists [aria-label="Users"] tbody tr`)}},
		{"worlds", []step{goTo("#/worlds"), visible(`#world-rows button`)}},
		{"reference", []step{goTo("#/reference/carreta"),
			click(`#operations details summary`), visible(`#operations details[open]`)}},
	}
	for i, p := range pages {
		b.page = p.name
		b.run(t, p.steps...)
		accessible(t, b, p.name, i == 0)
		b.run(t, shot(shots, strings.ReplaceAll(p.name, "/", "-")))
		if p.name == "overview" {
			overview(t, b, shots)
		}
		if p.name == "state/amapi" {
			amapiTimes(t, b)
		}
		if p.name == "reference" {
			referenceMarkdown(t, b)
		}
	}
	axeCatches(t, b)
}

// amapiTimes checks that amapi's users show their creation time as every
// other page shows a time: Laravel's zone-less stamp (2026-01-02 10:00:00)
// is Moscow wall time, seeded at the mock's frozen clock.
func amapiTimes(t *testing.T, b *browser) {
	t.Helper()
	created := value(t, b, "read the users' creation times", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#state-lists [aria-label="Users"] tbody td:nth-child(4)')].map((e) => e.textContent)`))
	if len(created) == 0 {
		t.Fatal("no amapi user shown")
	}
	for _, c := range created {
		if c != "02 Jan 2026, 10:00:00" {
			t.Fatalf("amapi users created %q, want 02 Jan 2026, 10:00:00 as the clock shows it", created)
		}
	}
}

// referenceMarkdown checks that the API reference renders its descriptions'
// Markdown (carreta's: a list of four, `code`, **301**) and that the
// renderer makes no markup of what a description says: no element from
// HTML in the text, no link but to http(s).
func referenceMarkdown(t *testing.T, b *browser) {
	t.Helper()
	got := value(t, b, "read the rendered description", chromedp.Evaluate[[]string](`(() => { const d = document.querySelector('#api-description');
		return [String(d.querySelectorAll('ul.md > li').length), [...d.querySelectorAll('code')].map((c) => c.textContent).join('|'),
			[...d.querySelectorAll('strong')].map((c) => c.textContent).join('|'), String(/\*\*|`+"`"+`/.test(d.textContent))]; })()`))
	if got[0] != "4" || !strings.Contains(got[1], "json.dumps(..., sort_keys=True)") || got[2] != "301" || got[3] != "false" {
		t.Fatalf("carreta's description rendered as %q: want 4 list items, json.dumps(..., sort_keys=True) as code, 301 in bold, no ** or backquote left", got)
	}
	safe := value(t, b, "render a hostile description", chromedp.Evaluate[string](`(() => { const d = document.createElement('div');
		d.append(...markdown('<img src=x onerror="window.pwned=1"> **b** [x](javascript:alert(1)) [y](https://e.example/)\n\n- <b>i</b>'));
		return [d.querySelectorAll('img, b').length, d.querySelectorAll('a').length, d.querySelector('a').getAttribute('href'), d.querySelector('strong').textContent, d.querySelector('li').textContent].join(' | '); })()`))
	if safe != "0 | 1 | https://e.example/ | b | <b>i</b>" {
		t.Fatalf("a hostile description rendered as %q, want no element from its HTML and only the https link", safe)
	}
}

// overview checks the overview page the tab is at, after its accessibility
// check: it names the default scenario, and an uploaded bad scenario shows
// its problems while the old one stays. It was a test of its own, with a
// mock, a tab and a page load of its own: TestAccessibility's walk starts
// at the same page.
func overview(t *testing.T, b *browser, shots string) {
	t.Helper()
	if name := text(t, b, `#scenario-name`); name != "default" {
		t.Fatalf("the overview shows scenario %q, want default", name)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: bad\ncarreta:\n  accounts: [{api_kee: x}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.run(t, act("upload bad.yaml", chromedp.SetUploadFiles(chromedp.CSS(`#scenario-file`), []string{bad})),
		click(`#upload`), visible(`#scenario-problems li`))
	problems := text(t, b, `#scenario-problems`)
	if !strings.Contains(problems, `bad.yaml:3: unknown key "api_kee"`) {
		t.Fatalf("problems shown: %q, want bad.yaml:3: unknown key \"api_kee\"", problems)
	}
	if name := text(t, b, `#scenario-name`); name != "default" {
		t.Fatalf("after a refused scenario the overview shows %q, want default kept", name)
	}
	b.run(t, shot(shots, "overview-problems"), phone(), shot(shots, "phone-overview"), desktop())
}
