package journal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/journal"
)

func TestJournal_staysBounded(t *testing.T) {
	j := journal.New(100)
	for i := 0; i < 100_000; i++ {
		j.Add(journal.Entry{API: "carreta", Method: "GET", Path: "/v1/search/"})
	}
	if j.Len() != 100 {
		t.Fatalf("journal holds %d entries, want 100", j.Len())
	}
	list := j.List(journal.Filter{})
	if list[0].ID != 99_901 || list[99].ID != 100_000 {
		t.Fatalf("kept ids %d..%d, want the newest 99901..100000", list[0].ID, list[99].ID)
	}
}

func TestJournal_filters(t *testing.T) {
	j := journal.New(10)
	j.Add(journal.Entry{API: "carreta", Method: "GET", Path: "/v1/search/"})
	j.Add(journal.Entry{API: "carreta", Method: "POST", Path: "/v1/order/"})
	j.Add(journal.Entry{API: "saplab", Method: "GET", Path: "/panel/order/pay/20"})
	cases := []struct {
		f    journal.Filter
		want int
	}{
		{journal.Filter{}, 3},
		{journal.Filter{API: "carreta"}, 2},
		{journal.Filter{Method: "post"}, 1},
		{journal.Filter{Path: "/v1/**"}, 2},
		{journal.Filter{Path: "/panel/order/pay/*"}, 1},
		{journal.Filter{Since: 2}, 1},
	}
	for _, c := range cases {
		if got := j.Count(c.f); got != c.want {
			t.Errorf("Count(%+v) = %d, want %d", c.f, got, c.want)
		}
	}
	j.Clear()
	if j.Count(journal.Filter{}) != 0 {
		t.Fatal("Clear left entries")
	}
}

func TestJournal_wait(t *testing.T) {
	j := journal.New(10)
	// The entries arrive while the Wait is in progress, one at a time.
	go func() {
		for j.Waiting() == 0 {
			runtime.Gosched()
		}
		for i := 0; i < 3; i++ {
			j.Add(journal.Entry{API: "amapi"})
		}
	}()
	if n, err := j.Wait(context.Background(), journal.Filter{API: "amapi"}, 3); err != nil || n != 3 {
		t.Fatalf("Wait = %d, %v", n, err)
	}
	// A deadline already past: Wait answers with the count so far.
	past, cancel := context.WithDeadline(context.Background(), time.Time{})
	defer cancel()
	if n, err := j.Wait(past, journal.Filter{API: "amapi"}, 4); !errors.Is(err, context.DeadlineExceeded) || n != 3 {
		t.Fatalf("Wait past the count = %d, %v; want 3, the deadline", n, err)
	}
}

// Interrupt ends a Wait in progress with its count so far, and every later
// Wait that has not already reached its count.
func TestJournal_interruptEndsWaits(t *testing.T) {
	j := journal.New(10)
	j.Add(journal.Entry{API: "amapi"})
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := j.Wait(context.Background(), journal.Filter{API: "amapi"}, 5)
		done <- result{n, err}
	}()
	for j.Waiting() == 0 {
		runtime.Gosched() // until the Wait is in progress
	}
	j.Interrupt()
	if r := <-done; !errors.Is(r.err, journal.ErrInterrupted) || r.n != 1 {
		t.Fatalf("interrupted Wait = %d, %v; want 1, ErrInterrupted", r.n, r.err)
	}
	if n, err := j.Wait(context.Background(), journal.Filter{API: "amapi"}, 2); !errors.Is(err, journal.ErrInterrupted) || n != 1 {
		t.Fatalf("Wait after Interrupt = %d, %v; want 1, ErrInterrupted", n, err)
	}
	if n, err := j.Wait(context.Background(), journal.Filter{API: "amapi"}, 1); err != nil || n != 1 {
		t.Fatalf("a Wait already satisfied = %d, %v; want 1, nil", n, err)
	}
	if j.Waiting() != 0 {
		t.Fatalf("%d Waits still counted as in progress", j.Waiting())
	}
}

func TestRedact(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer 1|secret"}, "Accept": {"application/json"}}
	got := journal.Redact(h, nil)
	if got["Authorization"][0] != "Bearer [redacted]" || got["Accept"][0] != "application/json" {
		t.Fatalf("%v", got)
	}
	if h.Get("Authorization") != "Bearer 1|secret" {
		t.Fatal("Redact changed the request's own headers")
	}
}

func TestRedact_allCredentialHeaders(t *testing.T) {
	h := http.Header{"Proxy-Authorization": {"Basic abc"}, "Cookie": {"session=1"}}
	got := journal.Redact(h, nil)
	if got["Proxy-Authorization"][0] != "Basic [redacted]" || got["Cookie"][0] != "[redacted]" {
		t.Fatalf("%v", got)
	}
	plain := http.Header{"Accept": {"*/*"}}
	if got := journal.Redact(plain, nil); got["Accept"][0] != "*/*" {
		t.Fatalf("%v", got)
	}
}

func TestJournal_byteBudget(t *testing.T) {
	j := journal.NewBudget(1000, 100<<10)
	body := strings.Repeat("b", 10<<10)
	for i := 0; i < 100; i++ {
		j.Add(journal.Entry{API: "carreta", Method: "POST", Path: "/v1/order/", Body: body})
	}
	if b := j.Bytes(); b > 100<<10 {
		t.Fatalf("journal holds %d bytes, over its budget of %d", b, 100<<10)
	}
	list := j.List(journal.Filter{})
	if n := len(list); n < 5 || n > 10 {
		t.Fatalf("journal holds %d entries of 10 KiB in a budget of 100 KiB, want 5..10", n)
	}
	if last := list[len(list)-1]; last.ID != 100 || last.Body != body {
		t.Fatalf("the newest entry is %d, want 100 with its body whole", last.ID)
	}
	// One entry over the whole budget is still kept, alone: the journal
	// never drops the request just made.
	big := map[string][]string{}
	for _, k := range []string{"X-A", "X-B", "X-C", "X-D", "X-E"} {
		big[k] = []string{strings.Repeat("h", journal.MaxPart)}
	}
	j.Add(journal.Entry{Body: strings.Repeat("x", journal.MaxBody), Headers: big})
	if j.Len() != 1 {
		t.Fatalf("after an entry over the budget, %d entries are held, want 1", j.Len())
	}
	j.Clear()
	if j.Bytes() != 0 || j.Len() != 0 {
		t.Fatalf("Clear left %d entries, %d bytes", j.Len(), j.Bytes())
	}
}

func TestJournal_cutsOversizedParts(t *testing.T) {
	j := journal.New(10)
	long := "/v1/" + strings.Repeat("é", 1<<19) // 1 MiB + 4 bytes, two bytes a character
	many := map[string][]string{}
	for i := 0; i < 200; i++ {
		many[fmt.Sprintf("X-H%03d", i)] = []string{strings.Repeat("v", 1<<10)}
	}
	many["X-Huge"] = []string{strings.Repeat("h", 1<<20)}
	j.Add(journal.Entry{Method: strings.Repeat("M", 1<<20), Path: long, Query: "q=" + strings.Repeat("1", 1<<20),
		Headers: many, Body: strings.Repeat("b", journal.MaxBody+1)})
	e := j.List(journal.Filter{})[0]
	for name, s := range map[string]string{"method": e.Method, "path": e.Path, "query": e.Query} {
		if len(s) > journal.MaxPart+64 || !strings.HasSuffix(s, " bytes in all]") || !utf8.ValidString(s) {
			t.Errorf("%s: %d bytes ending %q, want at most MaxPart and the mark, valid UTF-8", name, len(s), s[max(0, len(s)-40):])
		}
	}
	if want := fmt.Sprintf(journal.TruncatedMark, len(long)); !strings.HasSuffix(e.Path, want) {
		t.Errorf("path ends %q, want %q", e.Path[len(e.Path)-40:], want)
	}
	total := 0
	for k, vs := range e.Headers {
		total += len(k)
		for _, v := range vs {
			total += len(v)
		}
	}
	if total > journal.MaxHeaderBytes || len(e.Headers) < 50 {
		t.Errorf("headers hold %d bytes in %d headers, want at most %d and most of them", total, len(e.Headers), journal.MaxHeaderBytes)
	}
	if len(many) != 201 || len(many["X-Huge"][0]) != 1<<20 {
		t.Error("the request's own header map was changed")
	}
	if !e.BodyTruncated || len(e.Body) != journal.MaxBody {
		t.Errorf("body of %d bytes, truncated %v; want MaxBody and true", len(e.Body), e.BodyTruncated)
	}
	if want := []string{"method", "path", "query", "headers"}; !slices.Equal(e.Truncated, want) {
		t.Errorf("truncated %q, want %q", e.Truncated, want)
	}
	small := journal.Entry{Path: "/v1/x", Headers: map[string][]string{"A": {"b"}}}
	j.Add(small)
	if e := j.List(journal.Filter{})[1]; e.Truncated != nil || e.Path != "/v1/x" {
		t.Errorf("an entry within bounds was changed: %+v", e)
	}
}

// TestJournal_eachHoldsNoLock adds, counts and clears from inside Each's
// callback: a listing streamed to a slow client, or filtered with a glob
// against long paths, holds up no request's Add.
func TestJournal_eachHoldsNoLock(t *testing.T) {
	j := journal.New(10)
	j.Add(journal.Entry{Path: "/v1/a"})
	j.Add(journal.Entry{Path: "/v1/b"})
	var seen []string
	err := j.Each(journal.Filter{Path: "/v1/**"}, func(e *journal.Entry) error {
		seen = append(seen, e.Path)
		j.Add(journal.Entry{Path: "/v1/c"})
		if j.Count(journal.Filter{Path: "/**/c"}) == 0 {
			t.Error("an Add made during Each is not counted")
		}
		return nil
	})
	if err != nil || !slices.Equal(seen, []string{"/v1/a", "/v1/b"}) {
		t.Fatalf("Each saw %q (%v), want the two entries held when it started", seen, err)
	}
	stop := errors.New("stop")
	if err := j.Each(journal.Filter{}, func(*journal.Entry) error { return stop }); err != stop {
		t.Fatalf("Each returned %v, want its callback's error", err)
	}
}

// TestJournal_keepsNoRequestBuffers adds entries whose header value, path
// and query are 256 KiB each, fresh for every request as net/http's are, and
// measures the live heap after a collection: the journal holds its budget,
// not the requests' strings (a cut that kept a substring of them would hold
// 768 KiB per entry), and after Clear nothing of it.
func TestJournal_keepsNoRequestBuffers(t *testing.T) {
	const budget = 2 << 20
	live := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	j := journal.NewBudget(10_000, budget)
	before := live()
	for i := 0; i < 100; i++ {
		big := strings.Repeat(string(rune('a'+i%26)), 256<<10)
		j.Add(journal.Entry{Method: "POST", Path: "/v1/" + big, Query: "q=" + big,
			Headers: map[string][]string{"X-Big": {big}},
			Body:    strings.Clone(big[:journal.MaxBody])}) // the server's record copies the body it keeps
	}
	held := live() - before
	if held > 2*budget {
		t.Fatalf("the journal of budget %d holds %d bytes of heap (%d entries)", budget, held, j.Len())
	}
	j.Clear()
	if after := live() - before; after > budget/8 {
		t.Fatalf("after Clear, %d bytes of heap are still held", after)
	}
}

// An answer is kept up to MaxBody: the recorder hands the beginning of a
// longer one with its size, and the journal cuts it on a character
// boundary with the mark of its whole length, names it in Truncated and
// counts it against the budget.
func TestJournal_cutsLongAnswers(t *testing.T) {
	j := journal.NewBudget(10, 1<<20)
	kept := "{" + strings.Repeat("я", journal.MaxBody/2) // MaxBody+1 bytes: the cut falls mid-character
	j.Add(journal.Entry{Path: "/panel/order", ResponseBody: kept, ResponseSize: 300_000})
	j.Add(journal.Entry{Path: "/panel/x", ResponseBody: `{"status":"success"}`, ResponseSize: 20})
	list := j.List(journal.Filter{})
	long, short := list[0], list[1]
	wantEnd := "я...[truncated: 300000 bytes in all]"
	if !strings.HasSuffix(long.ResponseBody, wantEnd) || len(long.ResponseBody) != journal.MaxBody-1+len(wantEnd)-len("я") ||
		!utf8.ValidString(long.ResponseBody) {
		t.Errorf("a long answer kept as %d bytes ending %q, want MaxBody-1 then the mark", len(long.ResponseBody),
			long.ResponseBody[len(long.ResponseBody)-60:])
	}
	if !slices.Equal(long.Truncated, []string{"response_body"}) {
		t.Errorf("truncated %q, want [response_body]", long.Truncated)
	}
	if short.ResponseBody != `{"status":"success"}` || short.Truncated != nil {
		t.Errorf("a short answer became %q, truncated %q", short.ResponseBody, short.Truncated)
	}
	if b := j.Bytes(); b < int64(journal.MaxBody) {
		t.Errorf("the journal counts %d bytes, less than the answer it holds", b)
	}
	data, _ := json.Marshal(short)
	if !bytes.HasSuffix(data, []byte(`,"response_body":"{\"status\":\"success\"}"}`)) {
		t.Errorf("the answer is not the last member of the entry: %s", data)
	}
}

// redactBefore is Redact as it was before the shared values (issue 16):
// the reference the new one must agree with.
func redactBefore(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if k == "Authorization" || k == "Proxy-Authorization" || k == "Cookie" {
			red := make([]string, len(vs))
			for i, v := range vs {
				if scheme, _, ok := strings.Cut(v, " "); ok {
					red[i] = scheme + " " + journal.Redacted
				} else {
					red[i] = journal.Redacted
				}
			}
			out[k] = red
			continue
		}
		out[k] = vs
	}
	return out
}

func TestRedact_asBefore(t *testing.T) {
	for _, h := range []http.Header{
		{"Authorization": {"Basic Nzk5OTAwMDAwMDA6ZGVtbw=="}},
		{"Authorization": {"Bearer 1|x"}, "Accept": {"*/*"}, "X-A": {"1", "2"}},
		{"Authorization": {"Digest username=x"}},
		{"Authorization": {"basic abc"}},
		{"Authorization": {"Basic"}},
		{"Authorization": {""}},
		{"Authorization": {" leading"}},
		{"Authorization": {"Basic a", "Bearer b"}},
		{"Authorization": {}},
		{"Cookie": {"a=1", "b=2"}, "Proxy-Authorization": {"Bearer t"}, "Authorization": {"Basic z"}},
		{"Cookie": {"session=1"}},
	} {
		before := h.Clone()
		got := journal.Redact(h, nil)
		if want := redactBefore(h); !reflect.DeepEqual(got, want) {
			t.Errorf("%v: got %q, want %q", h, got, want)
		}
		if !reflect.DeepEqual(h, before) {
			t.Errorf("Redact changed the request's headers: %v, was %v", h, before)
		}
	}
}

// No credential's bytes reach the journal, whatever the form of the
// header: a Cookie has no scheme ("session=s3cret; theme=dark" once kept
// "session=s3cret;" as its scheme), and an Authorization whose first word
// is not an auth-scheme token (RFC 9110 §11.1) is no scheme either.
func TestRedact_keepsNoCredentialInOddForms(t *testing.T) {
	for _, c := range []struct {
		h    http.Header
		want map[string][]string
	}{
		{http.Header{"Cookie": {"session=s3cret; theme=dark"}}, map[string][]string{"Cookie": {"[redacted]"}}},
		{http.Header{"Cookie": {"a=s3cret; b=1", "c=s3cret"}}, map[string][]string{"Cookie": {"[redacted]", "[redacted]"}}},
		{http.Header{"Cookie": {"Bearer s3cret"}}, map[string][]string{"Cookie": {"[redacted]"}}},
		{http.Header{"Authorization": {"api_key=s3cret; x"}}, map[string][]string{"Authorization": {"[redacted]"}}},
		{http.Header{"Proxy-Authorization": {"s3cret,x y"}}, map[string][]string{"Proxy-Authorization": {"[redacted]"}}},
		{http.Header{"Authorization": {"Bearer a", "k=s3cret b"}}, map[string][]string{"Authorization": {"Bearer [redacted]", "[redacted]"}}},
		{http.Header{"Authorization": {"Digest username=x"}}, map[string][]string{"Authorization": {"Digest [redacted]"}}},
		{http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=s3cret"}}, map[string][]string{"Authorization": {"AWS4-HMAC-SHA256 [redacted]"}}},
	} {
		if got := journal.Redact(c.h, nil); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.h, got, c.want)
		}
	}
}

// One pass covers both kinds of header: the credentials, and the query
// secrets in every header that carries a URL (a Referer, a proxy's
// X-Forwarded-Uri), into one clone; the request's map is left as sent, and
// a header with a URL but no secret keeps its own slice.
func TestRedact_credentialsAndURLsInOneClone(t *testing.T) {
	h := http.Header{
		"Authorization":   {"Bearer 1|secret"},
		"Referer":         {"http://shop.example/p?q=1&api_key=s3cret#top"},
		"X-Forwarded-Uri": {"/v1/search/?api_key=s3cret", "/plain?q=1"},
		"X-Other":         {"http://shop.example/?q=1"},
		"Accept":          {"*/*"},
	}
	before := h.Clone()
	got := journal.Redact(h, []string{"api_key"})
	want := map[string][]string{
		"Authorization":   {"Bearer [redacted]"},
		"Referer":         {"http://shop.example/p?q=1&api_key=[redacted]#top"},
		"X-Forwarded-Uri": {"/v1/search/?api_key=[redacted]", "/plain?q=1"},
		"X-Other":         {"http://shop.example/?q=1"},
		"Accept":          {"*/*"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if !reflect.DeepEqual(h, before) {
		t.Errorf("Redact changed the request's headers: %v", h)
	}
	if &got["X-Other"][0] != &h["X-Other"][0] {
		t.Error("a header with nothing to redact was copied")
	}
	// Without secrets to look for, a URL is kept and nothing is cloned.
	plain := http.Header{"Referer": {"http://h/?api_key=k"}}
	if got := journal.Redact(plain, nil); got["Referer"][0] != "http://h/?api_key=k" {
		t.Errorf("%q", got)
	}
}

// Headers that are the same in every entry share one map: none at all
// (a client such as wrk sends only Host, which net/http takes out), and an
// Authorization alone in a usual form; the content is what a map of the
// entry's own would hold. Anything else gets the request's map or a clone,
// as before, and no headers (nil) stay nil.
func TestRedact_sharesTheMapsOfUsualHeaders(t *testing.T) {
	same := func(a, b map[string][]string) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	for _, c := range []struct {
		name   string
		a, b   http.Header
		shared bool
		want   string // the headers as the journal's JSON gives them
	}{
		{"none", http.Header{}, http.Header{}, true, `{}`},
		{"basic alone", http.Header{"Authorization": {"Basic a"}}, http.Header{"Authorization": {"Basic b"}}, true,
			`{"Authorization":["Basic [redacted]"]}`},
		{"bearer alone", http.Header{"Authorization": {"Bearer 1|a"}}, http.Header{"Authorization": {"Bearer 2|b"}}, true,
			`{"Authorization":["Bearer [redacted]"]}`},
		{"no scheme alone", http.Header{"Authorization": {"s3cret"}}, http.Header{"Authorization": {"other"}}, true,
			`{"Authorization":["[redacted]"]}`},
		{"with another header", http.Header{"Authorization": {"Basic a"}, "Accept": {"*/*"}},
			http.Header{"Authorization": {"Basic a"}, "Accept": {"*/*"}}, false,
			`{"Accept":["*/*"],"Authorization":["Basic [redacted]"]}`},
		{"a cookie alone", http.Header{"Cookie": {"a=1"}}, http.Header{"Cookie": {"a=1"}}, false, `{"Cookie":["[redacted]"]}`},
		{"digest alone", http.Header{"Authorization": {"Digest u=x"}}, http.Header{"Authorization": {"Digest u=x"}}, false,
			`{"Authorization":["Digest [redacted]"]}`},
	} {
		a, b := journal.Redact(c.a, nil), journal.Redact(c.b, nil)
		if same(a, b) != c.shared {
			t.Errorf("%s: shared %v, want %v", c.name, same(a, b), c.shared)
		}
		if got, _ := json.Marshal(a); string(got) != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if got := journal.Redact(nil, nil); got != nil {
		t.Errorf("no headers at all: %v, want nil", got)
	}
}

// TestJournal_addOwnedHoldsWhatAddHolds: an entry handed over with
// AddOwned is held as Add holds a copy of it: numbered, cut to the bounds
// and counted against the budget alike, and evicted by the same rule.
func TestJournal_addOwnedHoldsWhatAddHolds(t *testing.T) {
	long := "/" + strings.Repeat("a", journal.MaxPart+10)
	mk := func() journal.Entry {
		return journal.Entry{API: "carreta", Method: "GET", Path: long, Query: "q=1", Headers: map[string][]string{"Accept": {"*/*"}}, Status: 200}
	}
	byValue, owned := journal.New(2), journal.New(2)
	for range 3 {
		byValue.Add(mk())
		e := mk()
		owned.AddOwned(&e)
	}
	got, want := owned.List(journal.Filter{}), byValue.List(journal.Filter{})
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("AddOwned holds %+v, Add holds %+v", got, want)
	}
	if len(got) != 2 || got[0].ID != 2 || !slices.Equal(got[0].Truncated, []string{"path"}) {
		t.Fatalf("held %d entries, first id %d, truncated %v: want 2, 2, [path]", len(got), got[0].ID, got[0].Truncated)
	}
	if owned.Bytes() != byValue.Bytes() {
		t.Errorf("AddOwned's entries count %d bytes, Add's %d", owned.Bytes(), byValue.Bytes())
	}
}

// TestJournal_entriesDoNotChangeUnderReaders: entries handed over with
// AddOwned (cut in place: a long path, too many headers, violations) while
// other goroutines list, walk and count the journal, as the console's
// stream, GET /__admin/journal and export do. Every reader sees each entry
// it meets the same each time it meets it, and under -race no write to a
// held entry goes unnoticed: AddOwned finishes its entry before it is
// held, and nothing writes it after (issue 16).
func TestJournal_entriesDoNotChangeUnderReaders(t *testing.T) {
	j := journal.NewBudget(64, 1<<20)
	long := "/" + strings.Repeat("p", journal.MaxPart+1)
	shared := map[string][]string{"Accept": {"*/*"}, "X-Long": {strings.Repeat("h", journal.MaxPart+1)}}
	const writers, each, readers = 2, 300, 3
	done := make(chan struct{})
	errs := make(chan string, readers)
	for range readers {
		go func() {
			seen := map[uint64]string{}
			check := func(e *journal.Entry) error {
				got := fmt.Sprintf("%+v", *e)
				if was, ok := seen[e.ID]; ok && was != got {
					return fmt.Errorf("entry %d changed:\n%s\n%s", e.ID, was, got)
				}
				seen[e.ID] = got
				return nil
			}
			for {
				err := j.Each(journal.Filter{}, check)
				for _, e := range j.List(journal.Filter{Method: "GET"}) {
					if err == nil {
						err = check(&e)
					}
				}
				j.Count(journal.Filter{Path: "/**"})
				if err != nil {
					errs <- err.Error()
					return
				}
				select {
				case <-done:
					errs <- ""
					return
				default:
				}
			}
		}()
	}
	finished := make(chan struct{})
	for w := range writers {
		go func() {
			defer func() { finished <- struct{}{} }()
			for i := range each {
				e := &journal.Entry{API: "carreta", Method: "GET", Path: long, Query: fmt.Sprint("w=", w, "&i=", i),
					Headers: shared, Status: 200, ResponseBody: "ok", ResponseSize: 2,
					ContractViolations: []journal.Violation{{Path: long, Message: "m"}}}
				j.AddOwned(e)
			}
		}()
	}
	for range writers {
		<-finished
	}
	close(done)
	for range readers {
		if msg := <-errs; msg != "" {
			t.Fatal(msg)
		}
	}
	if len(shared["X-Long"][0]) != journal.MaxPart+1 {
		t.Fatal("the caller's header map was cut in place")
	}
}
