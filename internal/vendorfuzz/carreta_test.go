package vendorfuzz_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/carreta"
)

// FuzzCheckOrderQty: the qty parser and the order_qty rules never panic, and
// whatever they accept obeys every rule of the document.
func FuzzCheckOrderQty(f *testing.F) {
	for _, q := range []string{"500", "<10", ">50", "Есть", "<1", "0", "", "<", "99999999999999999999", "Есть 5"} {
		f.Add(q, 1, 1)
		f.Add(q, 2, 4)
	}
	f.Fuzz(func(t *testing.T, qty string, minQty, orderQty int) {
		err := carreta.CheckOrderQty(qty, minQty, orderQty)
		if err != nil {
			if err.Status != 400 || err.Message == "" {
				t.Fatalf("bad error %+v", err)
			}
			return
		}
		q, ok := carreta.ParseQty(qty)
		switch {
		case !ok:
			t.Fatalf("accepted unparseable qty %q", qty)
		case orderQty < 1 || minQty < 1:
			t.Fatalf("accepted order_qty %d min_qty %d", orderQty, minQty)
		case orderQty%minQty != 0:
			t.Fatalf("accepted %d, not a multiple of %d", orderQty, minQty)
		case orderQty > q.Limit() || orderQty > carreta.MaxOrderQty:
			t.Fatalf("accepted %d over the limit %d of %q", orderQty, q.Limit(), qty)
		case q.Kind == carreta.QtyBelow && orderQty >= q.N:
			t.Fatalf("accepted %d for %q", orderQty, qty)
		}
	})
}

// FuzzDecodeOrder: any body is decoded or refused with a 400 and a message,
// never a panic; what is decoded round-trips through JSON unchanged.
func FuzzDecodeOrder(f *testing.F) {
	f.Add([]byte(docOrder))
	f.Add([]byte(strings.Replace(docOrder, `"order_qty": 10`, `"order_qty": "10"`, 1)))
	f.Add([]byte(strings.Replace(docOrder, `"price": "175.11"`, `"price": 1.7511e2`, 1)))
	f.Add([]byte(strings.Replace(docOrder, `}`, `,"client_comment": "Заказ №1045"}`, 1)))
	f.Add([]byte(`{"_": null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte("{\"code\": \"\xff\"}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := carreta.DecodeOrder(body)
		if err != nil {
			if err.Status != 400 || err.Message == "" || !utf8.ValidString(err.Message) {
				t.Fatalf("bad error %+v", err)
			}
			return
		}
		o := req.Offer
		again, _ := json.Marshal(map[string]any{
			"_": req.Sig, "code": o.Code, "maker": o.Maker, "name": o.Name, "price": o.Price.Fixed2(),
			"qty": o.Qty, "min_qty": o.MinQty, "period_min": o.PeriodMin, "period_max": o.PeriodMax,
			"order_qty": req.OrderQty, "client_comment": req.ClientComment,
		})
		req2, err := carreta.DecodeOrder(again)
		if err != nil {
			t.Fatalf("re-encoded %s refused: %v", again, err)
		}
		if req2.Offer != req.Offer || req2.Sig != req.Sig || req2.OrderQty != req.OrderQty || req2.ClientComment != req.ClientComment {
			t.Fatalf("round trip changed %+v into %+v", req, req2)
		}
	})
}

// FuzzNormalizeCode: normalising is idempotent and keeps no punctuation, so
// every spelling of a code meets the same catalog entry.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"OC 47", "oc-47", "W 712/75", "Фильтр", "\xff", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n := string(carreta.NormalizeCode(nil, q))
		if again := string(carreta.NormalizeCode(nil, n)); again != n {
			t.Fatalf("%q → %q → %q", q, n, again)
		}
		if !utf8.ValidString(n) {
			t.Fatalf("%q → invalid UTF-8 %q", q, n)
		}
	})
}

// docOrder is the order body of carreta.txt's curl example, escapes and all
// (carreta's wire_test.go pins its decoding).
const docOrder = `{"_": "DqYXihjdqSPM4OKLl9uE6J+Te0AMfMSYhkNNgDbhOTJDDGP+JdDi28ZxGbbDkXBvUw7Yu6q69MiKBaDSnYdY6imfljWcQFw=","code": "OC47","maker": "KNECHT/MAHLE","min_qty": 1,"name": "\u0424\u0438\u043b\u044c\u0442\u0440 \u043c\u0430\u0441\u043b\u044f\u043d\u044b\u0439","period_max": 7,"period_min": 7,"price": "175.11","qty": "300","order_qty": 10}`
