package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/redact"
	"github.com/mockserver/mockserver/internal/slotmemo"
)

// TestQueryMemo: the memo answers redact.Query for every query, the first
// time and again, with more queries than slots, queries too long to hold,
// queries with no secret and a caller's bytes reused after the call.
func TestQueryMemo(t *testing.T) {
	names := []string{"api_key"}
	m := &apiSecrets{Secrets: api.Secrets{Query: names}, queries: slotmemo.New[string](memoQueryMax)}
	queries := []string{"", "api_key=demo-key", "q=oc47&api_key=demo-key", "q=oc47", "api_key=", "api%5Fkey=x&page=2",
		"api_key=" + strings.Repeat("k", memoQueryMax), "api_key=" + strings.Repeat("k", memoQueryMax-8)}
	for i := range 3 * slotmemo.Slots {
		queries = append(queries, fmt.Sprintf("api_key=key-%d&page=%d", i, i))
	}
	for round := range 3 {
		for _, q := range queries {
			if got, want := m.redactQuery(q, true), redact.Query(q, names); got != want {
				t.Fatalf("round %d: redact(%q) = %q, want %q", round, q, got, want)
			}
		}
	}
	// A query whose bytes change after the call (unsafe.String over a
	// buffer): the memo must hold its own copy, or its slot would read
	// the new bytes with the old redaction.
	buf := []byte("api_key=reused")
	first := m.redactQuery(unsafe.String(&buf[0], len(buf)), true)
	copy(buf, "page=1&")
	if !slices.Contains(m.queries.Held(), "api_key=reused") {
		t.Fatalf("the memo holds %q, want the query as it was sent", m.queries.Held())
	}
	if got := m.redactQuery("api_key=reused", true); got != first || got != redact.Query("api_key=reused", names) {
		t.Fatalf("the memo kept the caller's bytes: %q", got)
	}
	for _, q := range m.queries.Held() {
		if len(q) > memoQueryMax || q == redact.Query(q, names) {
			t.Fatalf("held %q", q)
		}
	}
}

// fakeAPI is an api.API with a name and secrets only (secretsFor's test).
type fakeAPI struct {
	api.API
	name string
	s    api.Secrets
}

func (f fakeAPI) Name() string         { return f.name }
func (f fakeAPI) Secrets() api.Secrets { return f.s }

// TestSecretsFor: the API that answered its own path gets its own
// secrets; anything else (another API's path, no API, the control API)
// gets every API's.
func TestSecretsFor(t *testing.T) {
	w := &World{}
	w.secrets.collect([]api.API{
		fakeAPI{name: "a", s: api.Secrets{Query: []string{"qa"}, Body: []string{"ba"}, Answer: []string{"aa"}}},
		fakeAPI{name: "b", s: api.Secrets{Query: []string{"qb"}, Body: []string{"bb"}}},
	})
	all := api.Secrets{Query: []string{"qa", "qb"}, Body: []string{"ba", "bb"}, Answer: []string{"aa"}}
	for _, tc := range []struct {
		answered, owner string
		want            api.Secrets
	}{
		{"a", "a", api.Secrets{Query: []string{"qa"}, Body: []string{"ba"}, Answer: []string{"aa"}}},
		{"b", "b", api.Secrets{Query: []string{"qb"}, Body: []string{"bb"}}},
		{"b", "a", all},
		{"", "", all},
		{"admin", "admin", all},
	} {
		got := w.secretsFor(tc.answered, tc.owner).Secrets
		if !slices.Equal(got.Query, tc.want.Query) || !slices.Equal(got.Body, tc.want.Body) || !slices.Equal(got.Answer, tc.want.Answer) {
			t.Errorf("secretsFor(%q, %q) = %+v, want %+v", tc.answered, tc.owner, got, tc.want)
		}
	}
}

// TestAnswerMentions: an answer is searched for the Answer secrets unless
// it is the fixed answer last found clean, the same bytes at the same
// address; a fixed answer that names one is never remembered, and the
// same address with another length is searched again.
func TestAnswerMentions(t *testing.T) {
	s := &apiSecrets{Secrets: api.Secrets{Answer: []string{"token"}}}
	clean, dirty := []byte(`{"ok":true}`), []byte(`{"token":"1|x"}`)
	str := func(b []byte) string { return unsafe.String(&b[0], len(b)) }
	for range 2 {
		if s.answerMentions(str(clean), true) {
			t.Fatal("a clean fixed answer mentions a secret")
		}
		if !s.answerMentions(str(dirty), true) || !s.answerMentions(str(dirty), false) {
			t.Fatal("an answer with a token does not mention it")
		}
	}
	if c := s.clean.Load(); c == nil || c.data != &clean[0] || c.len != len(clean) {
		t.Fatalf("remembered %+v, want the clean answer", c)
	}
	longer := append(clean[:len(clean):len(clean)], `"token"`...) // another array: a different address
	if !s.answerMentions(str(longer), true) {
		t.Fatal("another answer was taken for the clean one")
	}
	// The same address with another length is another answer: searched,
	// not taken for the clean one remembered there.
	buf := []byte(`{"ok":true}"token"`)
	short := buf[:len(`{"ok":true}`)]
	if s.answerMentions(str(short), true) {
		t.Fatal("a clean fixed answer mentions a secret")
	}
	if !s.answerMentions(str(buf), true) {
		t.Fatal("a longer answer at the clean one's address was taken for it")
	}
	if none := (&apiSecrets{}); none.answerMentions(str(dirty), false) {
		t.Fatal("an API with no Answer secrets found one")
	}
}

// TestRedact_keepsNoRefusedQuery: the journal's query memo holds a query
// the API accepted (its key is the scenario's), never one it refused: an
// api_key sent in error, or one a fault answered without checking it, is
// redacted in the entry and not held in memory past its request.
func TestRedact_keepsNoRefusedQuery(t *testing.T) {
	w := &World{}
	w.secrets.collect([]api.API{fakeAPI{name: "c", s: api.Secrets{Query: []string{"api_key"}}}})
	held := func(q string) bool { return slices.Contains(w.secrets.each[0].queries.Held(), q) }
	for _, tc := range []struct {
		query  string
		status int
		fault  string
		held   bool
	}{
		{"api_key=sent-in-error", http.StatusUnauthorized, "", false},
		{"api_key=dropped", 0, "", false},
		{"api_key=never-checked", http.StatusOK, "a-fault-body", false},
		{"api_key=demo-key", http.StatusOK, "", true},
	} {
		e := &journal.Entry{API: "c", Query: tc.query, Status: tc.status, Fault: tc.fault}
		w.redact(e, httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil), "c", nil, answer{&tap{}, http.Header{}})
		if e.Query != "api_key=[redacted]" || held(tc.query) != tc.held {
			t.Errorf("%s, status %d: entry %q, held %v, want %v", tc.query, tc.status, e.Query, held(tc.query), tc.held)
		}
	}
}
