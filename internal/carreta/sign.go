package carreta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"

	"github.com/mockserver/mockserver/internal/money"
)

// Offer is one search result: a part a supplier offers at a price, with the
// stock and lead time that an order placed on it must respect.
type Offer struct {
	Code      string
	Maker     string
	Name      string
	Desc      string
	IsCross   bool
	Price     money.Amount
	Qty       string
	MinQty    int
	PeriodMin int
	PeriodMax int
	Stat      *int
	// Source is the code of the offer's source as the catalog gives it
	// (SPEC §12); empty means the mock derives one (Signer.Source).
	Source string
	// Pinned is a signature the scenario gave this offer (the vendor's own
	// "_" from the document); empty means the mock signs it.
	Pinned string
}

// Signer issues and checks the "_" of offers. The vendor's "_" is an opaque
// base64 blob that lets the server trust an offer coming back in an order
// without looking it up again; ours is an HMAC-SHA256 over exactly the fields
// the order relies on (SPEC §5), keyed by a secret derived from the scenario
// seed, so signatures are reproducible run to run and a different scenario's
// signatures are foreign.
//
// A scenario may pin an offer's signature to the vendor's own value, so that
// the document's examples, which carry the vendor's "_", work verbatim; a
// pinned signature is accepted for exactly the fields it was pinned to.
//
// The signer also knows each offer's source (SPEC §12): the catalog's
// source: when it gives one, else a code derived from the same key and the
// signed fields, so an offer keeps its source on every search and run.
type Signer struct {
	key     []byte
	pinned  map[string]string // signature → canonical offer
	sources map[string]string // canonical offer → the catalog's source
}

// sigVersion prefixes every signature, so a later format can be told apart.
const sigVersion = 1

// NewSigner derives the signing key from the scenario seed.
func NewSigner(seed int64) Signer {
	m := hmac.New(sha256.New, []byte("mockserver/carreta/offer-signature/v1"))
	m.Write(strconv.AppendInt(nil, seed, 10))
	return Signer{key: m.Sum(nil), pinned: map[string]string{}, sources: map[string]string{}}
}

// PinSource makes src the source of exactly o's signed fields from now on.
func (s Signer) PinSource(o *Offer, src string) {
	s.sources[string(canonical(o))] = src
}

// maxSource bounds the derived source codes: "1" to "99", the shape of the
// vendor's ("57" in a public client's fixture).
const maxSource = 99

// Source is the "source" of o: its own, the catalog's for the same signed
// fields, or one derived from them. The signature does not cover it, so
// every "_" (the vendor's own pinned ones too) stays what it was; an order
// that sends a source is held to this one instead (CheckOrder).
func (s Signer) Source(o *Offer) string {
	if o.Source != "" {
		return o.Source
	}
	c := canonical(o)
	if src, ok := s.sources[string(c)]; ok {
		return src
	}
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("source\x00"))
	m.Write(c)
	n := binary.BigEndian.Uint64(m.Sum(nil))
	return strconv.FormatUint(1+n%maxSource, 10)
}

// Pin accepts sig for exactly o's signed fields from now on.
func (s Signer) Pin(o *Offer, sig string) {
	s.pinned[sig] = string(canonical(o))
}

// Sign returns the "_" for o: its pinned signature, or ours.
func (s Signer) Sign(o *Offer) string {
	if o.Pinned != "" {
		return o.Pinned
	}
	sum := s.mac(o)
	raw := append([]byte{sigVersion}, sum...)
	return base64.StdEncoding.EncodeToString(raw)
}

// Verify reports whether sig is the "_" this server issued for o. The
// comparison is constant-time: an attacker learns nothing from timing.
func (s Signer) Verify(o *Offer, sig string) bool {
	if want, ok := s.pinned[sig]; ok {
		return want == string(canonical(o))
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != 1+sha256.Size || raw[0] != sigVersion {
		return false
	}
	return hmac.Equal(raw[1:], s.mac(o))
}

func (s Signer) mac(o *Offer) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(canonical(o))
	return m.Sum(nil)
}

// canonical encodes what a signature covers: code, maker, name, price, qty,
// min_qty, period_min, period_max, each length-prefixed so no two offers
// share an encoding ("AB"+"C" vs "A"+"BC").
func canonical(o *Offer) []byte {
	var buf []byte
	field := func(v string) {
		buf = binary.AppendUvarint(buf, uint64(len(v)))
		buf = append(buf, v...)
	}
	field(o.Code)
	field(o.Maker)
	field(o.Name)
	field(o.Price.Fixed2())
	field(o.Qty)
	field(strconv.Itoa(o.MinQty))
	field(strconv.Itoa(o.PeriodMin))
	field(strconv.Itoa(o.PeriodMax))
	return buf
}
