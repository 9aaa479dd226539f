package amapi

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestOrderRecord_likeMarshal(t *testing.T) {
	for _, req := range []string{
		`{"name":"Load","items":[{"productId":1,"price":10}]}`,
		" {\n \"name\" : \"a b\\tc\",\t\"n\": [1, 2.5e3, null, true] }\r\n",
		`{"name":"<b>Tom & Jerry</b>"}`, `{"name":"line` + "\u2028" + `sep"}`, `{"name":"Иван"}`,
		`{"name":"\u003c escaped already"}`, `{"bad":`, `[1,2]`, `"text"`, ``,
	} {
		for _, raw := range []json.RawMessage{json.RawMessage(req), nil} {
			o := &orderRecord{ID: 1<<64 - 1, Code: "DG1501-81811", Kind: "create-order", UserID: 3, TokenID: 1<<63 + 5,
				CreatedAt: "2026-12-01 19:04:05", Request: raw}
			got, ok := o.AppendJSON([]byte("prefix"))
			want, err := json.Marshal(o)
			if err != nil {
				if ok {
					t.Errorf("request %q: AppendJSON took what json.Marshal refuses (%v)", req, err)
				}
				continue
			}
			if ok && string(got) != "prefix"+string(want) {
				t.Errorf("request %q:\n AppendJSON   %s\n json.Marshal prefix%s", req, got, want)
			}
			if !ok && !strings.ContainsAny(req, "<>&\u2028\u2029") {
				t.Errorf("request %q: AppendJSON left to json.Marshal a body it writes itself", req)
			}
		}
	}
}

// TestOrderCode_likeSprintf: the code spelt out by hand is the one
// fmt.Sprintf made of the same hash before.
func TestOrderCode_likeSprintf(t *testing.T) {
	for _, seed := range []int64{0, 42, -7, 1 << 62} {
		for id := uint64(0); id < 3000; id += 7 {
			for attempt := range 3 {
				var in [24]byte
				binary.BigEndian.PutUint64(in[0:], uint64(seed))
				binary.BigEndian.PutUint64(in[8:], id)
				binary.BigEndian.PutUint64(in[16:], uint64(attempt))
				sum := sha256.Sum256(append([]byte("amapi-order-code:"), in[:]...))
				n := binary.BigEndian.Uint64(sum[:8])
				l1, n := n%26, n/26
				l2, n := n%26, n/26
				d4, n := n%10000, n/10000
				want := fmt.Sprintf("%c%c%04d-%05d", 'A'+byte(l1), 'A'+byte(l2), d4, n%100000)
				if got := OrderCode(seed, id, attempt); got != want {
					t.Fatalf("OrderCode(%d, %d, %d) = %s, want %s", seed, id, attempt, got, want)
				}
			}
		}
	}
}

// TestStoredFlags: the rows putFlags stores read as json.Unmarshal reads
// them; any other form is left to it.
func TestStoredFlags(t *testing.T) {
	for _, f := range []serviceFlags{{true, true}, {true, false}, {false, true}, {false, false}} {
		raw, _ := json.Marshal(f)
		got, ok := storedFlags(raw)
		want := serviceFlags{Available: true, OnlineRegistration: true}
		if err := json.Unmarshal(raw, &want); err != nil || !ok || got != want {
			t.Errorf("storedFlags(%s) = %+v, %v; json.Unmarshal %+v", raw, got, ok, want)
		}
	}
	for _, raw := range []string{`{"available":false}`, `{"online_registration":true,"available":false}`, ` {"available":true,"online_registration":true}`} {
		if _, ok := storedFlags([]byte(raw)); ok {
			t.Errorf("storedFlags(%s) read a row putFlags does not write", raw)
		}
	}
}
