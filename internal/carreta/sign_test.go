package carreta_test

import (
	"encoding/base64"
	"testing"

	"github.com/mockserver/mockserver/internal/carreta"
)

func offerOC47() carreta.Offer {
	st := 97
	return carreta.Offer{Code: "OC47", Maker: "KNECHT/MAHLE", Name: "Фильтр масляный", Price: 15202,
		Qty: "500", MinQty: 1, PeriodMin: 7, PeriodMax: 7, Stat: &st}
}

func TestSigner_Verify(t *testing.T) {
	t.Parallel()
	s := carreta.NewSigner(42)
	o := offerOC47()
	sig := s.Sign(&o)
	if _, err := base64.StdEncoding.DecodeString(sig); err != nil {
		t.Fatalf("signature %q is not base64: %v", sig, err)
	}
	if !s.Verify(&o, sig) {
		t.Fatal("own signature rejected")
	}
	if again := carreta.NewSigner(42).Sign(&o); again != sig {
		t.Fatal("the same seed must sign the same way on every run")
	}
	// Fields outside the signature may change: the client sends them back
	// or not, as it likes.
	u := o
	u.Desc, u.IsCross, u.Stat = "x", true, nil
	if !s.Verify(&u, sig) {
		t.Fatal("desc, is_cross and stat are not signed")
	}
	tamper := map[string]func(o *carreta.Offer){
		"code":       func(o *carreta.Offer) { o.Code = "OC48" },
		"maker":      func(o *carreta.Offer) { o.Maker = "MAHLE" },
		"name":       func(o *carreta.Offer) { o.Name = "Фильтр" },
		"price":      func(o *carreta.Offer) { o.Price = 100 },
		"qty":        func(o *carreta.Offer) { o.Qty = ">50" },
		"min_qty":    func(o *carreta.Offer) { o.MinQty = 2 },
		"period_min": func(o *carreta.Offer) { o.PeriodMin = 6 },
		"period_max": func(o *carreta.Offer) { o.PeriodMax = 8 },
		"field_boundary": func(o *carreta.Offer) {
			o.Code, o.Maker = "OC47K", "NECHT/MAHLE"
		},
	}
	for name, change := range tamper {
		t.Run("rejects_tampered_"+name, func(t *testing.T) {
			x := o
			change(&x)
			if s.Verify(&x, sig) {
				t.Fatal("tampered offer accepted")
			}
		})
	}
	t.Run("rejects_foreign_scenario_signature", func(t *testing.T) {
		if s.Verify(&o, carreta.NewSigner(43).Sign(&o)) {
			t.Fatal("a signature of another seed accepted")
		}
	})
	t.Run("rejects_garbage", func(t *testing.T) {
		for _, g := range []string{"", "!!", "AAAA", sig[:len(sig)-4], sig + "AAAA"} {
			if s.Verify(&o, g) {
				t.Fatalf("%q accepted", g)
			}
		}
	})
}

func TestSigner_Pin(t *testing.T) {
	t.Parallel()
	s := carreta.NewSigner(42)
	o := offerOC47()
	const vendor = "DqYXihjdqSPM4OKLl9uE6piTekMMfMSYhkNNgDbhOzVDDWD+JdDi28ZxGbbDkXBvUw7Yu6q69MiKBaDSnYdY6imQkzWYQFw="
	o.Pinned = vendor
	s.Pin(&o, vendor)
	if got := s.Sign(&o); got != vendor {
		t.Fatalf("pinned offer signed %q", got)
	}
	if !s.Verify(&o, vendor) {
		t.Fatal("pinned signature rejected")
	}
	x := o
	x.Price = 100
	if s.Verify(&x, vendor) {
		t.Fatal("pinned signature accepted for another price")
	}
	if carreta.NewSigner(42).Verify(&o, vendor) {
		t.Fatal("a signer without the pin accepted it")
	}
}
