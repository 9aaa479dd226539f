package saplab

import (
	"cmp"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/money"
)

// The panel's rules as pure functions: no echo, no bbolt.

// DebtOf splits one position's total between debt and blocked_debt (SPEC §6):
// a position that is not paid, denied or archived is owed; it is blocked
// while it sits in the new ("suspended") status.
func DebtOf(payed, denied, archived, inNewStatus bool, total money.Amount) (debt, blocked money.Amount) {
	if payed || denied || archived {
		return 0, 0
	}
	if inNewStatus {
		return 0, total
	}
	return total, 0
}

// NormalizeArticle is how article filters compare part numbers: case and
// everything but letters and digits ignored, so "OC 47", "oc-47" and "OC47"
// are one article, as parts people type them.
func NormalizeArticle(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// WholesalerInfo is the organisation name the panel prints for a legal
// entity: type and quoted name, `ООО "Рога и Копыта"` (saplab.txt, the client
// list and form examples).
func WholesalerInfo(typ, orgName string) string {
	typ, orgName = strings.TrimSpace(typ), strings.TrimSpace(orgName)
	switch {
	case orgName == "":
		return typ
	case typ == "":
		return `"` + orgName + `"`
	}
	return typ + ` "` + orgName + `"`
}

func wholesalerInfo(c *client) string {
	if !c.IsWholesaler || c.Wholesaler == nil {
		return ""
	}
	return WholesalerInfo(c.Wholesaler.Type, c.Wholesaler.OrgName)
}

// displayName is how the panel names a client in messages: the organisation
// for a legal entity (saplab.txt, the pay examples), else the person.
func displayName(c *client) string {
	if info := wholesalerInfo(c); info != "" {
		return info
	}
	return c.Name
}

// CompareNames orders names like PostgreSQL's ru_RU collation does at its
// first level, which is how the panel sorts statuses (saplab.txt, the status
// list is alphabetical): case, spaces and punctuation ignored, ё right after
// е, digits before Latin before Cyrillic. Ties fall back to the bytes.
func CompareNames(a, b string) int {
	if c := slicesCompare(collationKey(a), collationKey(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func slicesCompare(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := cmp.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func collationKey(s string) []int {
	key := make([]int, 0, len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		switch {
		case r >= '0' && r <= '9':
			key = append(key, 1000+int(r))
		case r >= 'a' && r <= 'z':
			key = append(key, 2000+int(r))
		case r == 'ё':
			key = append(key, 3000+2*int('е'-'а')+1)
		case r >= 'а' && r <= 'я':
			w := 2 * int(r-'а')
			if r > 'е' {
				w += 2
			}
			key = append(key, 3000+w)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			key = append(key, 10000+int(r))
		}
	}
	return key
}

// Pages is how many pages of perPage rows total rows make (PHP's ceil).
func Pages(total int64, perPage int) int64 {
	if total <= 0 {
		return 0
	}
	return (total + int64(perPage) - 1) / int64(perPage)
}

// PayItem is one selected position, as pay sees it.
type PayItem struct {
	ID       int64
	ClientID int64
	Payed    bool
	Total    money.Amount
}

// PayClient is one client's side of a pay request.
type PayClient struct {
	ClientID int64
	Pay      []int64      // positions to pay, in request order
	Refund   []int64      // paid positions to refund
	Need     money.Amount // sum of the positions to pay
	Refunded money.Amount // sum of the positions to refund
}

// PlanPay groups a pay request by client, in the order clients first appear:
// GET /panel/order/pay toggles each position (saplab.txt: an unpaid one is
// paid, a paid one is refunded). Refunds are booked before payments, so one
// request can move money from one position to another.
func PlanPay(items []PayItem) []PayClient {
	var out []PayClient
	pos := map[int64]int{}
	for _, it := range items {
		k, ok := pos[it.ClientID]
		if !ok {
			k = len(out)
			pos[it.ClientID] = k
			out = append(out, PayClient{ClientID: it.ClientID})
		}
		pc := &out[k]
		if it.Payed {
			pc.Refund = append(pc.Refund, it.ID)
			pc.Refunded += it.Total
		} else {
			pc.Pay = append(pc.Pay, it.ID)
			pc.Need += it.Total
		}
	}
	return out
}

// Shortfall is how much a client must top up before the payments go through
// (0 when the balance, plus what this request refunds, covers them). SPEC §6:
// paying needs balance >= total; the credit limit does not count.
func Shortfall(balance money.Amount, pc PayClient) money.Amount {
	if miss := pc.Need - (balance + pc.Refunded); miss > 0 {
		return miss
	}
	return 0
}

// Ledger comments for pay and refund (saplab.txt, the balance example:
// "Оплата позиции WEEN - 122-2412 (1 шт.)").
func payComment(o *order) string {
	return fmt.Sprintf("Оплата позиции %s - %s (%d шт.)", o.Brand, o.Article, o.Quantity)
}

func refundComment(o *order) string {
	return fmt.Sprintf("Отмена оплаты позиции %s - %s (%d шт.)", o.Brand, o.Article, o.Quantity)
}

// Time formats.

// PGTime prints a timestamp as PostgreSQL's text output does, in Moscow
// time: microseconds with trailing zeros dropped ("2017-04-11 21:31:24.48985"
// in the balance example), no fraction at all on a whole second.
func PGTime(t time.Time) string {
	return t.In(clock.Moscow).Format("2006-01-02 15:04:05.999999")
}

// HistoryTime prints a history entry's time the way the panel's PHP wrote it
// into the history JSON: date('Y-m-d H:i:s.u') in PHP's default zone, UTC,
// whose microseconds are always 000000 — the example shows
// "2017-01-15 19:02:43.000000" for a position added at 22:02:43.114625
// Moscow time.
func HistoryTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05") + ".000000"
}
