package console_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

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
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	b, cancelBrowser := chromedp.NewContext(alloc)
	var started sync.Once
	startBrowser = func() {
		started.Do(func() {
			asked.Store(true)
			go func() {
				defer close(browserReady)
				if err := chromedp.Do(b); err != nil {
					browserErr = fmt.Errorf("start chromium: %w", err)
					return
				}
				browserCtx = b
			}()
		})
	}
	code := m.Run()
	if asked.Load() { // else no test started it (-run chose none): nothing to stop
		<-browserReady
	}
	cancelBrowser()
	cancelAlloc()
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

func (b *browser) run(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// value runs an action that gives a value.
func value[T any](t *testing.T, b *browser, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
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
func shot(dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if dir == "" {
			return chromedp.Void{}, nil
		}
		buf, err := chromedp.CaptureScreenshot()(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	}
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
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	}
	// axe is 650 KB of script: it is sent once per tab, and stays with the
	// page across its hash routes.
	if !value(t, b, chromedp.Evaluate[bool](`!!window.axe`)) {
		value(t, b, chromedp.Evaluate[bool](axe+"\n;true"))
	}
	scope := `{exclude: [['#toast']]}`
	if !whole {
		scope = `{include: [['#main']], exclude: [['#toast']]}`
	}
	script := `(async () => { const r = await axe.run(` + scope + `, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'], resultTypes: ['violations']});
	return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => ({target: n.target}))})); })()`
	out := value(t, b, chromedp.Evaluate[[]violation](script, chromedp.EvalAwaitPromise))
	for _, v := range out {
		targets, _ := json.Marshal(v.Nodes)
		t.Errorf("%s: axe %s (%s): %s at %s", page, v.ID, v.Impact, v.Help, targets)
	}
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
func phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)
}

func TestOverview(t *testing.T) {
	needBrowser(t)
	m := start(t, server.Config{})
	b := newTab(t)
	shots := screenshotDir(t)
	b.run(t, chromedp.Navigate(m.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#scenario-name`)))
	if name := value(t, b, chromedp.Text(chromedp.CSS(`#scenario-name`))); name != "default" {
		t.Fatalf("the overview shows scenario %q, want default", name)
	}

	// An uploaded bad scenario shows its problems and the old one stays.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: bad\ncarreta:\n  accounts: [{api_kee: x}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.run(t, chromedp.SetUploadFiles(chromedp.CSS(`#scenario-file`), []string{bad}),
		chromedp.Click(chromedp.CSS(`#upload`)),
		chromedp.WaitVisible(chromedp.CSS(`#scenario-problems li`)))
	problems := value(t, b, chromedp.Text(chromedp.CSS(`#scenario-problems`)))
	if !strings.Contains(problems, `bad.yaml:3: unknown key "api_kee"`) {
		t.Fatalf("problems shown: %q, want bad.yaml:3: unknown key \"api_kee\"", problems)
	}
	if name := value(t, b, chromedp.Text(chromedp.CSS(`#scenario-name`))); name != "default" {
		t.Fatalf("after a refused scenario the overview shows %q, want default kept", name)
	}
	b.run(t, shot(shots, "overview-problems"), phone(), shot(shots, "phone-overview"))
}

// A request made outside the browser appears in the live view, and opens
// to show its answer pretty-printed, Cyrillic decoded from \uXXXX; a fault
// armed from the form fails the next request, which the view marks.
func TestLiveRequests(t *testing.T) {
	needBrowser(t)
	m := start(t, server.Config{})
	b := newTab(t)
	shots := screenshotDir(t)
	b.run(t, chromedp.Navigate(m.URL+"/#/requests"), chromedp.WaitVisible(chromedp.CSS(`#stream-state .dot.on`)))
	if code := get(t, m.URL+"/v1/profile/?api_key=demo-key"); code != http.StatusOK {
		t.Fatalf("profile: %d", code)
	}
	row := `#live-rows tr[data-path="/v1/profile/"]`
	b.run(t, chromedp.WaitVisible(chromedp.CSS(row)), chromedp.Click(chromedp.CSS(row+` button`)),
		chromedp.WaitVisible(chromedp.CSS(`#response-body`)))
	answer := value(t, b, chromedp.Text(chromedp.CSS(`#response-body`)))
	if !strings.Contains(answer, `"city": "Москва"`) || strings.Contains(answer, `\u`) {
		t.Errorf("the answer is shown as %q, want it indented with Москва decoded", answer)
	}
	b.run(t, phone())
	value(t, b, chromedp.Evaluate[bool](`document.querySelector('#response-body').scrollIntoView({block: 'center'}), true`))
	b.run(t, shot(shots, "phone-request-detail"), chromedp.EmulateViewport(1280, 800))

	// Arming a fault from the form makes the next matching request fail,
	// and the live view marks it.
	b.run(t, chromedp.Navigate(m.URL+"/#/faults"), chromedp.WaitVisible(chromedp.CSS(`#fault-form`)),
		chromedp.SetValue(chromedp.CSS(`#fault-id`), "profile-outage"),
		chromedp.SetValue(chromedp.CSS(`#fault-api`), "carreta"),
		chromedp.SetValue(chromedp.CSS(`#fault-method`), "GET"),
		chromedp.SetValue(chromedp.CSS(`#fault-path`), "/v1/profile/"),
		chromedp.SetValue(chromedp.CSS(`#fault-when`), "nth"),
		chromedp.SetValue(chromedp.CSS(`#fault-when-value`), "1"),
		chromedp.SetValue(chromedp.CSS(`#fault-status`), "503"),
		chromedp.Click(chromedp.CSS(`#arm-fault`)),
		chromedp.WaitVisible(chromedp.CSS(`#fault-rows tr[data-fault="profile-outage"]`)))
	if code := get(t, m.URL+"/v1/profile/?api_key=demo-key"); code != http.StatusServiceUnavailable {
		t.Fatalf("the request after arming got %d, want the fault's 503", code)
	}
	b.run(t, chromedp.Navigate(m.URL+"/#/requests"),
		chromedp.WaitVisible(chromedp.CSS(`#live-rows tr.faulted[data-fault="profile-outage"] .badge.fault`)),
		shot(shots, "requests-fault"))
}

// keyed reads the data-key and data-to of the elements sel selects: the
// last status each order goes to.
func keyed(t *testing.T, b *browser, sel string) map[string]string {
	t.Helper()
	return value(t, b, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll(`+
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
	b.run(t, chromedp.Navigate(m.URL+"/#/clock"),
		chromedp.WaitVisible(chromedp.CSS(`#clock-now[data-iso="2026-01-02T10:00:00+03:00"]`)),
		chromedp.SetValue(chromedp.CSS(`#advance-by`), "72h"))
	value(t, b, chromedp.Evaluate[bool](`document.querySelector('#advance-by').dispatchEvent(new Event('input'))`))
	b.run(t, chromedp.WaitVisible(chromedp.CSS(`#clock-preview[data-to="2026-01-05T10:00:00+03:00"] tr[data-key]`)))
	head := value(t, b, chromedp.Text(chromedp.CSS(`#clock-preview h3`)))
	if head != "Until 05 Jan 2026, 10:00:00: 6 automatic moves" {
		t.Fatalf("the preview says %q, want the 6 moves of the two orders in 72h", head)
	}
	preview := keyed(t, b, `#clock-preview tr[data-key]`)
	if len(preview) != 2 {
		t.Fatalf("the preview moves %v, want the two new orders", preview)
	}
	if now := value(t, b, chromedp.Text(chromedp.CSS(`#clock-now`))); now != "02 Jan 2026, 10:00:00" {
		t.Fatalf("the preview moved the clock to %q", now)
	}
	b.run(t, shot(shots, "clock-preview"), phone())
	value(t, b, chromedp.Evaluate[bool](`document.querySelector('#clock-preview').scrollIntoView(), true`))
	b.run(t, shot(shots, "phone-clock-preview"), chromedp.EmulateViewport(1280, 800))

	b.run(t, chromedp.Click(chromedp.CSS(`#advance`)),
		chromedp.WaitVisible(chromedp.CSS(`#clock-now[data-iso="2026-01-05T10:00:00+03:00"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#clock-changes li`)))
	if shown := value(t, b, chromedp.Text(chromedp.CSS(`#clock-now`))); shown != "05 Jan 2026, 10:00:00" {
		t.Fatalf("the clock shows %q, want 05 Jan 2026, 10:00:00 (Moscow)", shown)
	}
	if changed := keyed(t, b, `#clock-changes li`); !maps.Equal(changed, preview) {
		t.Fatalf("the move changed %v, the preview said %v", changed, preview)
	}
	b.run(t, shot(shots, "clock-moved"))
}

// With --admin-token the console asks once, keeps the token for the tab
// (sessionStorage) and never in a cookie or the URL.
func TestTokenPrompt(t *testing.T) {
	needBrowser(t)
	m := servertest.Start(t, servertest.Options{Config: server.Config{AdminToken: "s3cret-token"}})
	b := newTab(t)
	b.run(t, chromedp.Navigate(m.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#token-input`)),
		chromedp.SendKeys(chromedp.CSS(`#token-input`), "s3cret-token"),
		chromedp.Click(chromedp.CSS(`#token-save`)),
		chromedp.WaitVisible(chromedp.CSS(`#scenario-name`)),
		chromedp.Navigate(m.URL+"/#/faults"), chromedp.WaitVisible(chromedp.CSS(`#fault-form`)))
	cookie := value(t, b, chromedp.Evaluate[string](`document.cookie`))
	stored := value(t, b, chromedp.Evaluate[string](`sessionStorage.getItem('mockserver.adminToken')`))
	url := value(t, b, chromedp.Location())
	if cookie != "" || stored != "s3cret-token" || strings.Contains(url, "s3cret") {
		t.Fatalf("cookie %q, sessionStorage %q, URL %q: want the token in sessionStorage only", cookie, stored, url)
	}
	if open := value(t, b, chromedp.Evaluate[bool](`document.querySelector('#token-dialog').open`)); open {
		t.Fatal("the console asked for the token a second time")
	}
}

// Every page, in the state a person would look at it (a request opened
// with its answer, a clock preview, a client and an order opened), renders
// and passes axe-core with no serious or critical violation, and is saved
// as a screenshot at 1280x800. One tab walks them all: axe is injected
// once (it is most of the check's time) and stays with the page across its
// hash routes.
func TestAccessibility(t *testing.T) {
	needBrowser(t)
	m := start(t, server.Config{})
	m.PlaceCarretaOrder(t)
	if code := get(t, m.URL+"/v1/profile/?api_key=demo-key"); code != http.StatusOK {
		t.Fatalf("profile: %d", code)
	}
	post(t, m.URL+"/__admin/worlds", `{"scenario": "empty"}`)
	b := newTab(t)
	shots := screenshotDir(t)
	type page struct {
		name  string
		steps []chromedp.Action[chromedp.Void]
	}
	pages := []page{
		{"overview", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL + "/"), chromedp.WaitVisible(chromedp.CSS(`#scenario-name`))}},
		{"requests", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL + "/#/requests"),
			chromedp.Click(chromedp.CSS(`#live-rows tr[data-path="/v1/profile/"] button`)), chromedp.WaitVisible(chromedp.CSS(`#response-body`))}},
		{"faults", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL + "/#/faults"), chromedp.WaitVisible(chromedp.CSS(`#fault-form`))}},
		{"clock", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL + "/#/clock"),
			chromedp.WaitVisible(chromedp.CSS(`#clock-preview[data-to="2026-01-02T11:00:00+03:00"] tr[data-key]`))}},
		{"state/saplab", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL + "/#/state/saplab"),
			chromedp.Click(chromedp.CSS(`#state-lists td .link`)), chromedp.WaitVisible(chromedp.CSS(`#client-balance`))}},
		{"state/carreta", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL + "/#/state/carreta"),
			chromedp.Click(chromedp.CSS(`#state-lists td .link`)), chromedp.WaitVisible(chromedp.CSS(`#move-order`))}},
		{"state/amapi", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL + "/#/state/amapi"), chromedp.WaitVisible(chromedp.CSS(`#state-lists table`))}},
		{"worlds", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL + "/#/worlds"), chromedp.WaitVisible(chromedp.CSS(`#world-rows button`))}},
		{"reference", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL + "/#/reference/carreta"),
			chromedp.Click(chromedp.CSS(`#operations details summary`)), chromedp.WaitVisible(chromedp.CSS(`#operations details[open]`))}},
	}
	for i, p := range pages {
		b.run(t, p.steps...)
		accessible(t, b, p.name, i == 0)
		b.run(t, shot(shots, strings.ReplaceAll(p.name, "/", "-")))
	}
}
