package console_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

// browser is one headless chromium for every subtest: starting it is most
// of the package's time.
type browser struct {
	ctx    context.Context // the first tab's
	mu     sync.Mutex
	errors []string // console errors and uncaught exceptions of the first tab
}

// chromium finds Debian's chromium. Without it a local run skips; CI
// (CI set) fails, so a machine that lost its browser is noticed.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH: CI must install it (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH: the console's browser tests need it (apt-get install chromium)")
	return ""
}

// startBrowser starts chromium at 1280x800 and records the first tab's
// console errors. The test's deadline bounds every step.
func startBrowser(t *testing.T) *browser {
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 800), chromedp.Flag("lang", "en-US"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	b := &browser{ctx: tab}
	messages := chromedp.Console(tab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A 4xx the page asked for on purpose (a refused scenario) is
			// logged by the network; any other error is the page's fault.
			if (m.Type == chromedp.ConsoleError && m.Source != "network") || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, m.String())
				b.mu.Unlock()
			}
		}
	}()
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

// screenshotDir keeps the screenshots where CONSOLE_SCREENSHOTS says, for a
// person to look at; by default they go with the test's temporary files.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("CONSOLE_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// shot saves the viewport as name.png.
func shot(dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
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
func accessible(t *testing.T, b *browser, page string) {
	t.Helper()
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	}
	script := `(async () => { if (!window.axe) { ` + axe + `
	} const r = await axe.run({exclude: [['#toast']]}, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'], resultTypes: ['violations']});
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
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d", url, resp.StatusCode)
	}
}

func TestConsoleInBrowser(t *testing.T) {
	b := startBrowser(t)
	m := servertest.Start(t, servertest.Options{})
	shots := screenshotDir(t)
	// The clock stands still at a known time, so pages and screenshots
	// show the same time on every run.
	post(t, m.URL+"/__admin/clock", `{"set": "2026-01-02T10:00:00+03:00", "freeze": true}`)

	t.Run("overview loads with no console errors", func(t *testing.T) {
		b.run(t, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(m.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#scenario-name`)))
		name := value(t, b, chromedp.Text(chromedp.CSS(`#scenario-name`)))
		if name != "default" {
			t.Fatalf("the overview shows scenario %q, want default", name)
		}
		accessible(t, b, "overview")
		b.run(t, shot(shots, "overview"))
	})

	t.Run("a request appears in the live view", func(t *testing.T) {
		b.run(t, chromedp.Navigate(m.URL+"/#/requests"), chromedp.WaitVisible(chromedp.CSS(`#stream-state .dot.on`)))
		if code := get(t, m.URL+"/v1/profile/?api_key=demo-key"); code != http.StatusOK {
			t.Fatalf("profile: %d", code)
		}
		b.run(t, chromedp.WaitVisible(chromedp.CSS(`#live-rows tr[data-path="/v1/profile/"]`)),
			chromedp.Click(chromedp.CSS(`#live-rows tr[data-path="/v1/profile/"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`#request-detail`)))
		accessible(t, b, "live requests")
		b.run(t, shot(shots, "requests"))
	})

	t.Run("a fault armed from the form fails the next request and is marked", func(t *testing.T) {
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
		accessible(t, b, "faults")
		b.run(t, shot(shots, "faults"))
		b.run(t, chromedp.Navigate(m.URL+"/#/requests"),
			chromedp.WaitVisible(chromedp.CSS(`#live-rows tr.faulted[data-fault="profile-outage"] .badge.fault`)))
		b.run(t, shot(shots, "requests-fault"))
	})

	t.Run("advancing the clock shows the new time", func(t *testing.T) {
		b.run(t, chromedp.Navigate(m.URL+"/#/clock"),
			chromedp.WaitVisible(chromedp.CSS(`#clock-now[data-iso="2026-01-02T10:00:00+03:00"]`)),
			chromedp.SetValue(chromedp.CSS(`#advance-by`), "72h"),
			chromedp.Click(chromedp.CSS(`#advance`)),
			chromedp.WaitVisible(chromedp.CSS(`#clock-now[data-iso="2026-01-05T10:00:00+03:00"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#clock-changes h3`)))
		shown := value(t, b, chromedp.Text(chromedp.CSS(`#clock-now`)))
		if shown != "05 Jan 2026, 10:00:00" {
			t.Fatalf("the clock shows %q, want 05 Jan 2026, 10:00:00 (Moscow)", shown)
		}
		accessible(t, b, "clock")
		b.run(t, shot(shots, "clock"))
	})

	t.Run("an uploaded bad scenario shows its problems", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		if err := os.WriteFile(bad, []byte("name: bad\ncarreta:\n  accounts: [{api_kee: x}]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		b.run(t, chromedp.Navigate(m.URL+"/#/overview"), chromedp.WaitVisible(chromedp.CSS(`#scenario-file`)),
			chromedp.SetUploadFiles(chromedp.CSS(`#scenario-file`), []string{bad}),
			chromedp.Click(chromedp.CSS(`#upload`)),
			chromedp.WaitVisible(chromedp.CSS(`#scenario-problems li`)))
		problems := value(t, b, chromedp.Text(chromedp.CSS(`#scenario-problems`)))
		if !strings.Contains(problems, `bad.yaml:3: unknown key "api_kee"`) {
			t.Fatalf("problems shown: %q, want bad.yaml:3: unknown key \"api_kee\"", problems)
		}
		name := value(t, b, chromedp.Text(chromedp.CSS(`#scenario-name`)))
		if name != "default" {
			t.Fatalf("after a refused scenario the overview shows %q, want default kept", name)
		}
		b.run(t, shot(shots, "overview-problems"))
	})

	t.Run("business state, worlds and reference render", func(t *testing.T) {
		// saplab's first client opens with its balance and ledger.
		b.run(t, chromedp.Navigate(m.URL+"/#/state/saplab"),
			chromedp.WaitVisible(chromedp.CSS(`#state-lists td .link`)),
			chromedp.Click(chromedp.CSS(`#state-lists td .link`)),
			chromedp.WaitVisible(chromedp.CSS(`#client-balance`)))
		accessible(t, b, "state/saplab")
		b.run(t, shot(shots, "state-saplab"))
		b.run(t, chromedp.Navigate(m.URL+"/#/state/carreta"), chromedp.WaitVisible(chromedp.CSS(`#state-lists td .link`)),
			chromedp.Click(chromedp.CSS(`#state-lists td .link`)), chromedp.WaitVisible(chromedp.CSS(`#move-order`)))
		accessible(t, b, "state/carreta")
		b.run(t, shot(shots, "state-carreta"))
		b.run(t, chromedp.Navigate(m.URL+"/#/state/amapi"), chromedp.WaitVisible(chromedp.CSS(`#state-lists table`)))
		b.run(t, shot(shots, "state-amapi"))
		resp, err := http.Post(m.URL+"/__admin/worlds", "application/json", strings.NewReader(`{"scenario": "empty"}`))
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("create a world: %v %v", resp, err)
		}
		resp.Body.Close()
		b.run(t, chromedp.Navigate(m.URL+"/#/worlds"), chromedp.WaitVisible(chromedp.CSS(`#world-rows button`)))
		accessible(t, b, "worlds")
		b.run(t, shot(shots, "worlds"))
		b.run(t, chromedp.Navigate(m.URL+"/#/reference/carreta"), chromedp.WaitVisible(chromedp.CSS(`#operations details`)),
			chromedp.Click(chromedp.CSS(`#operations details summary`)))
		accessible(t, b, "reference")
		b.run(t, shot(shots, "reference"))
	})

	t.Run("phone width", func(t *testing.T) {
		b.run(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Navigate(m.URL+"/#/requests"), chromedp.WaitVisible(chromedp.CSS(`#live-rows tr`)),
			shot(shots, "phone-requests"),
			chromedp.Navigate(m.URL+"/#/overview"), chromedp.WaitVisible(chromedp.CSS(`#scenario-name`)),
			shot(shots, "phone-overview"),
			chromedp.EmulateViewport(1280, 800))
	})

	// With --admin-token the console asks once, keeps the token for the
	// tab (sessionStorage) and never in a cookie or the URL.
	t.Run("the token prompt with --admin-token", func(t *testing.T) {
		tab, cancel := chromedp.NewContext(b.ctx)
		defer cancel()
		b := &browser{ctx: tab}
		m := servertest.Start(t, servertest.Options{Config: server.Config{AdminToken: "s3cret-token"}})
		b.run(t, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(m.URL+"/"),
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
		open := value(t, b, chromedp.Evaluate[bool](`document.querySelector('#token-dialog').open`))
		if open {
			t.Fatal("the console asked for the token a second time")
		}

	})

	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("console error: %s", e)
	}
	t.Logf("screenshots in %s", shots)
}
