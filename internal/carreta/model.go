package carreta

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/money"
)

// This file holds carreta's rules as pure functions: no echo, no bbolt.

// MaxOrderQty is the ceiling the document gives for offers whose stock is
// open-ended: qty ">50" or "Есть" allow order_qty "в пределах [1..10000]"
// (carreta.txt, "Создание заказа").
const MaxOrderQty = 10000

// MaxAllowedIPs is the vendor's limit on an account's IP allowlist
// (carreta.txt: "В список можно добавить до 5 адресов").
const MaxAllowedIPs = 5

// QtyKind is one of the four forms of an offer's qty.
type QtyKind int

// The qty forms of carreta.txt: "500", "<10", ">50", and text with "Есть".
const (
	QtyExact   QtyKind = iota // "500": at most 500
	QtyBelow                  // "<10": strictly fewer than 10
	QtyAbove                  // ">50": any amount up to MaxOrderQty
	QtyInStock                // "Есть": any amount up to MaxOrderQty
)

// inStock is the word that makes any qty text the open-ended "Есть" form.
const inStock = "Есть"

// Qty is a parsed qty string.
type Qty struct {
	Kind QtyKind
	N    int // the number of "500", "<10", ">50"; 0 for "Есть"
}

// ParseQty reads an offer's qty; ok is false for anything but the four
// forms, which makes it the one definition of the qty grammar (the scenario
// check uses it too). Numbers beyond MaxOrderQty*10 are clamped:
// they allow as much as MaxOrderQty would, and clamping keeps huge digit
// strings from overflowing.
func ParseQty(s string) (Qty, bool) {
	if strings.Contains(s, inStock) {
		return Qty{Kind: QtyInStock}, true
	}
	kind := QtyExact
	digits := s
	switch {
	case strings.HasPrefix(s, "<"):
		kind, digits = QtyBelow, s[1:]
	case strings.HasPrefix(s, ">"):
		kind, digits = QtyAbove, s[1:]
	}
	if digits == "" {
		return Qty{}, false
	}
	n := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return Qty{}, false
		}
		if n <= MaxOrderQty*10 {
			n = n*10 + int(c-'0')
		}
	}
	if n > MaxOrderQty*10 {
		n = MaxOrderQty * 10
	}
	return Qty{Kind: kind, N: n}, true
}

// Limit is the largest order_qty the qty allows (carreta.txt bullets):
// "<N" → N−1, "N" → N, ">N" and "Есть" → MaxOrderQty. An exact stock above
// MaxOrderQty is capped too: no order is larger than the document's range.
func (q Qty) Limit() int {
	switch q.Kind {
	case QtyBelow:
		return min(q.N-1, MaxOrderQty)
	case QtyExact:
		return min(q.N, MaxOrderQty)
	default:
		return MaxOrderQty
	}
}

// CheckOrderQty applies the order_qty rules of carreta.txt to an offer's qty
// and min_qty. It returns nil or a *Error with the message for the client.
func CheckOrderQty(qty string, minQty, orderQty int) *Error {
	q, ok := ParseQty(qty)
	if !ok {
		return badRequest(msgBadQty)
	}
	if minQty < 1 {
		return badRequest(msgBadMinQty)
	}
	if orderQty < 1 {
		return badRequest(msgOrderQtyPositive)
	}
	limit := q.Limit()
	if orderQty > limit {
		switch {
		case limit < 1:
			return badRequest(msgNotAvailable)
		case q.Kind == QtyBelow:
			return badRequestf(msgOrderQtyBelow, q.N)
		default:
			return badRequestf(msgOrderQtyAtMost, limit)
		}
	}
	if orderQty%minQty != 0 {
		return badRequestf(msgOrderQtyMultiple, minQty)
	}
	return nil
}

// NormalizeCode reduces a search query to the form codes are compared in:
// lower case, letters and digits only, so "OC 47", "oc-47" and "oc47" meet
// (SPEC §5). Bytes that are not UTF-8 are dropped like punctuation. dst is
// reused to keep the search path free of allocations.
func NormalizeCode(dst []byte, q string) []byte {
	for i := 0; i < len(q); {
		c := q[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				dst = append(dst, c)
			case c >= 'A' && c <= 'Z':
				dst = append(dst, c+'a'-'A')
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(q[i:])
		i += size
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}

// CreatedComment is the first history entry of every order, as the
// document's history example prints it: "Холд" is the document's literal
// text (the sum is put on hold), whatever the status table calls the status
// a new order starts in (docs/decisions/carreta.md, "Statuses").
func CreatedComment(total money.Amount) string {
	return fmt.Sprintf(historyCreated, total.Fixed2())
}

// CommentComment is the history entry when the supplier changes an order's
// comment through the control API.
func CommentComment(comment string) string {
	return historyComment + comment
}

// FormatTime prints t as Python's datetime.isoformat() prints the naive Moscow
// time Django keeps: "2014-10-23T16:18:31.315072", and without the fraction
// when the microseconds are zero, exactly as isoformat does.
func FormatTime(t time.Time) string {
	t = t.In(clock.Moscow)
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04:05.000000")
}

// OrderNumber is the customer-facing number "A111342-1": the basket the
// order was put in and its position there.
func OrderNumber(basket uint64, position int) string {
	return "A" + pad6(basket) + "-" + strconv.Itoa(position)
}

func pad6(n uint64) string {
	s := strconv.FormatUint(n%1_000_000, 10)
	return strings.Repeat("0", 6-len(s)) + s
}

// FirstBasket makes the first basket number the document's A111342, so
// numbers look like the vendor's from the first order on.
const FirstBasket = 111342

// FirstOrderID makes the first order id the document's 189330.
const FirstOrderID = 189330

// ParsePage reads the page parameter: absent or empty is page 1; otherwise
// it must be digits making a positive number (Python's int() would also take
// "+1" and " 1", but a client never sends those on purpose). A page too large
// for an int is simply past the end.
func ParsePage(s string) (int, bool) {
	if s == "" {
		return 1, true
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < 1<<40 {
			n = n*10 + int(c-'0')
		}
	}
	if n < 1 {
		return 0, false
	}
	return n, true
}

// PageSize is how many orders one page of GET order/ holds (carreta.txt:
// "возвращаются последние 100 заказов").
const PageSize = 100

// MaxClientComment is the longest client_comment POST order/ accepts, in
// characters (carreta.txt: "до 50 символов"); the scenario check holds
// seeded orders to it too.
const MaxClientComment = 50

// CheckOrder applies every rule an order must pass once decoded: the offer
// is one this server issued, unaltered, and a source the body carries is
// the offer's; order_qty fits its qty and min_qty; the comment fits.
func CheckOrder(s Signer, req *OrderRequest) *Error {
	if !s.Verify(&req.Offer, req.Sig) {
		return badRequest(msgBadSignature)
	}
	if req.Source != nil && *req.Source != s.Source(&req.Offer) {
		return badRequest(msgBadSource)
	}
	if e := CheckOrderQty(req.Offer.Qty, req.Offer.MinQty, req.OrderQty); e != nil {
		return e
	}
	if utf8.RuneCountInString(req.ClientComment) > MaxClientComment {
		return badRequestf(msgCommentLong, MaxClientComment)
	}
	return nil
}

// parseID reads an id path segment as Django's \d+ matches it: digits only.
// An id too large for uint64 is read as 0, which no order has.
func parseID(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<64-1-9)/10 {
			n = 0
			for j := i + 1; j < len(s); j++ {
				if s[j] < '0' || s[j] > '9' {
					return 0, false
				}
			}
			return 0, true
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
