package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// journalEntries lists the journal as entries with their answers.
func journalEntries(t *testing.T, m *servertest.Mock) []struct {
	Method, Path, Fault string
	Status              int
	ResponseBody        string `json:"response_body"`
	Truncated           []string
} {
	t.Helper()
	var list struct {
		Requests []struct {
			Method, Path, Fault string
			Status              int
			ResponseBody        string `json:"response_body"`
			Truncated           []string
		}
	}
	r := m.Do(t, http.MethodGet, "/__admin/requests", nil)
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatalf("journal: %v: %s", err, r.Body)
	}
	return list.Requests
}

// The journal keeps the body each client got: the vendor's own bytes
// (Cyrillic as the vendor escapes it), a fault's body, the half a
// truncating fault sent, nothing for HEAD, and a long answer cut at
// 64 KiB with the mark.
func TestJournal_keepsTheAnswer(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	search := m.Do(t, http.MethodGet, "/v1/search/?q=oc47&api_key=demo-key", nil)
	if search.Status != http.StatusOK || !strings.Contains(string(search.Body), `\u`) {
		t.Fatalf("search: %d %s", search.Status, search.Body)
	}
	m.Do(t, http.MethodHead, "/v1/search/?q=oc47&api_key=demo-key", nil)
	profile := m.Do(t, http.MethodGet, "/v1/profile/?api_key=demo-key", nil).Body
	long := strings.Repeat("ж", 40<<10) // 80 KiB
	for _, rule := range []string{
		`{"id":"body","api":"carreta","path":"/v1/profile/","when":{"nth":1},"action":{"status":502,"body":"upstream down"}}`,
		`{"id":"half","api":"carreta","path":"/v1/profile/","when":{"nth":2},"phase":"after","action":{"truncate":true}}`,
		`{"id":"long","api":"saplab","path":"/panel/order","when":{"nth":1},"action":{"body":"` + long + `"}}`,
	} {
		if r := m.Do(t, http.MethodPost, "/__admin/faults", strings.NewReader(rule)); r.Status != http.StatusCreated {
			t.Fatalf("arm %s: %d %s", rule, r.Status, r.Body)
		}
	}
	m.Do(t, http.MethodGet, "/v1/profile/?api_key=demo-key", nil)
	if _, err := m.Send(http.MethodGet, "/v1/profile/?api_key=demo-key", nil); err == nil {
		t.Fatal("the truncated answer read whole")
	}
	m.Do(t, http.MethodGet, "/panel/order", nil, "Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw==")

	es := journalEntries(t, m)
	if len(es) != 6 {
		t.Fatalf("%d entries, want 6", len(es))
	}
	if es[0].ResponseBody != string(search.Body) || es[0].Truncated != nil {
		t.Errorf("search answer kept as %q, want the bytes sent %q", es[0].ResponseBody, search.Body)
	}
	if es[1].Method != http.MethodHead || es[1].ResponseBody != "" {
		t.Errorf("HEAD kept %q, want no body: the client got none", es[1].ResponseBody)
	}
	if es[2].ResponseBody != string(profile) {
		t.Errorf("profile answer kept as %q, want %q", es[2].ResponseBody, profile)
	}
	if es[3].Fault != "body" || es[3].Status != http.StatusBadGateway || es[3].ResponseBody != "upstream down" {
		t.Errorf("the fault's answer kept as %d %q", es[3].Status, es[3].ResponseBody)
	}
	if es[4].Fault != "half" || es[4].ResponseBody != string(profile[:len(profile)/2]) {
		t.Errorf("the truncated answer kept as %q, want the first half of %q", es[4].ResponseBody, profile)
	}
	want := strings.Repeat("ж", 32<<10) + "...[truncated: 81920 bytes in all]"
	if es[5].ResponseBody != want || len(es[5].Truncated) != 1 || es[5].Truncated[0] != "response_body" {
		t.Errorf("a long answer kept as %d bytes ending %q, truncated %q", len(es[5].ResponseBody),
			es[5].ResponseBody[max(0, len(es[5].ResponseBody)-40):], es[5].Truncated)
	}
}

// amapi answers a bearer token on register, login and change-password:
// the journal's copy of the answer has it redacted, as the request's
// Authorization is, and keeps the rest of the answer's bytes.
func TestJournal_redactsTokensInAnswers(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	login := m.Do(t, http.MethodPost, "/api/login", strings.NewReader(`{"email":"demo@example.com","password":"demo-password"}`),
		"Content-Type", "application/json")
	var got struct{ Token string }
	if err := json.Unmarshal(login.Body, &got); err != nil || got.Token == "" {
		t.Fatalf("login: %d %s", login.Status, login.Body)
	}
	reg := m.Do(t, http.MethodPost, "/api/register", strings.NewReader(
		`{"name":"Иван","email":"ivan@example.com","password":"register-secret","password_confirmation":"register-secret"}`),
		"Content-Type", "application/json")
	var regTok struct{ Token string }
	if err := json.Unmarshal(reg.Body, &regTok); err != nil || regTok.Token == "" {
		t.Fatalf("register: %d %s", reg.Status, reg.Body)
	}
	r := m.Do(t, http.MethodGet, "/__admin/requests", nil)
	for _, tok := range []string{got.Token, regTok.Token} {
		if strings.Contains(string(r.Body), tok) || strings.Contains(string(r.Body), strings.ReplaceAll(tok, "|", `\u007c`)) {
			t.Errorf("token %q is in the journal", tok)
		}
	}
	es := journalEntries(t, m)
	if want := strings.Replace(string(login.Body), `"`+got.Token+`"`, `"[redacted]"`, 1); es[0].ResponseBody != want || want == string(login.Body) {
		t.Errorf("login answer kept as %q, want %q", es[0].ResponseBody, want)
	}
	if want := strings.Replace(string(reg.Body), `"`+regTok.Token+`"`, `"[redacted]"`, 1); es[1].ResponseBody != want || want == string(reg.Body) {
		t.Errorf("register answer kept as %q, want %q", es[1].ResponseBody, want)
	}
}
